// Runs the particles of one sweep point on a backend and returns their statistics.
//
// A PointSetup is the compact kernel-side description of a point: an energy functor, the
// initial distribution and one blob of doubles they index into (uploaded once per point).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "mltemp/energies.h"
#include "mltemp/kernels.h"
#include "mltemp/moments.h"
#include "mltemp/sampler.h"

namespace mltemp {

// kOmp: the blocked CPU lanes (engine_omp.cpp). kCuda: the GPU kernels (kernels/). kReference:
// the scalar reference loop (engine_reference.cpp). kEmulate: the GPU kernels executed on the
// CPU, phase by phase (engine_emulate.cpp); slow, for tests and for checking kernels without a GPU.
enum class Backend { kOmp, kCuda, kReference, kEmulate };

const char* backend_name(Backend b);

using EnergyVariant = std::variant<MseEnergy, MaeEnergy, CeEnergy, MlpEnergy>;

struct PointSetup {
  EnergyVariant energy;
  InitParams init;
  std::vector<double> blob;
};

// Statistics of the K observables over all particles of a point.
struct ObsStats {
  uint64_t n = 0;
  std::vector<double> mean, var, se, kurtosis, max;
  std::vector<std::vector<double>> cov;  // sample covariance between observables
  // Largest single particle's share of the sum (observable 0 must be >= 0 for it to mean
  // anything): a heavy-tail diagnostic.
  std::vector<double> max_share;
};

// A point's fold at a batch boundary: chunks [0, next_chunk) are folded into the pairwise
// folder's partial trees (bytes in host/engine.cpp's layout, opaque elsewhere). Continuing from
// it gives the bits of an uninterrupted run: checkpoints keep it.
struct FoldState {
  uint64_t next_chunk = 0;
  std::string trees;
};

// With several ranks (host/cluster.h) run_point is collective: every rank calls it alike, each
// runs its share of every batch's chunks, rank 0 folds the partials in chunk order, and every
// rank returns rank 0's statistics. Per rank, a batch holds batch_particles.
struct RunOptions {
  Backend backend = Backend::kOmp;
  uint64_t particles = 0;
  uint64_t batch_particles = 0;  // 0: per backend (65536 on a CPU, 2^20 or 2^17 on a GPU)
  int threads = 0;               // 0: OpenMP's default
  // kEmulate only: 0 runs each block's threads in order, anything else shuffles them at every
  // phase (a race between threads then changes the result).
  uint64_t emulate_shuffle = 0;
  // kOmp only, for bench/gemm_part: evaluate the GEMM-shaped part alone (z = theta . x for the
  // data passes, the layer products for networks; no loss, no activation). The observables are
  // then meaningless.
  bool gemm_only = false;
  // Called after each batch with the particles done so far at this point (rank 0).
  std::function<void(uint64_t)> progress;
  // Continue from this fold instead of chunk 0 (every rank passes the same).
  const FoldState* resume = nullptr;
  // Rank 0, after each batch is folded: the fold so far.
  std::function<void(const FoldState&)> folded;
};

ObsStats run_point(const PointSetup& setup, const RunOptions& opts);

// Backend chunk runners: run chunks [first, first + n) of a point, writing n partials to host
// memory. One per backend: engine_omp.cpp and kernels/engine_cuda.cu.
template <int K>
class ChunkRunner {
 public:
  virtual ~ChunkRunner() = default;
  virtual void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* host_out) = 0;
};

// What a backend's runner is built from: the point, its particle count, the most chunks one
// batch runs (buffers are sized for it) and the run's options (each backend reads its own:
// threads, emulate_shuffle, gemm_only).
template <class Energy>
struct RunnerArgs {
  const Energy& energy;
  const InitParams& init;
  const std::vector<double>& blob;
  uint64_t total;
  uint64_t max_chunks;
  const RunOptions& opts;
};
// What a runner keeps of its point: copies, so the caller's setup need not outlive it.
template <class Energy>
struct PointCopy {
  explicit PointCopy(const RunnerArgs<Energy>& a) : energy(a.energy), init(a.init), blob(a.blob), total(a.total) {}
  Energy energy;
  InitParams init;
  std::vector<double> blob;
  uint64_t total;
};
template <class Energy>
using RunnerPtr = std::unique_ptr<ChunkRunner<Energy::kObs>>;

[[noreturn]] void refuse_shared_memory(const char* backend, unsigned long long need, unsigned long long have);

// The backends' factories, each defined with its runner by MLTEMP_RUNNER_FACTORY.
template <class Energy>
RunnerPtr<Energy> make_omp_runner(const RunnerArgs<Energy>& a);
template <class Energy>
RunnerPtr<Energy> make_reference_runner(const RunnerArgs<Energy>& a);
template <class Energy>
RunnerPtr<Energy> make_emulate_runner(const RunnerArgs<Energy>& a);
// kernels/engine_cuda.cu (engine_nocuda.cpp in a build without CUDA).
template <class Energy>
RunnerPtr<Energy> make_cuda_runner(const RunnerArgs<Energy>& a);

// The GPU kernels' plan for a point (include/mltemp/kernels.h); InputError naming the backend
// when its blocks need more shared memory than the device has.
template <class Energy>
BatchPlan<Energy::kObs> checked_plan(const char* backend, const Energy& e, int dims, uint64_t max_chunks,
                                     unsigned long long shared_limit) {
  const BatchPlan<Energy::kObs> p = plan_batches(e, dims, max_chunks, shared_limit);
  if (!p.fits()) refuse_shared_memory(backend, p.shared_bytes, shared_limit);
  return p;
}

// CUDA availability: false with a reason when the build has no CUDA or no device answers.
struct DeviceInfo {
  bool available = false;
  std::string name;  // device name, or the reason none is available
};
DeviceInfo cuda_device_info();
bool cuda_compiled();

// Resolves "auto" | "cuda" | "omp" | "reference" | "emulate" to a backend; prints a one-line
// notice when auto falls back.
Backend select_backend(const std::string& requested, bool quiet, std::string* device_out);

}  // namespace mltemp

// The explicit instantiation list: every energy the engine runs. Add an energy here once.
// MLTEMP_FOR_EACH_ENERGY(X) expands X(E) for each energy E; ..._WITH(X, arg) expands X(arg, E).
#define MLTEMP_FOR_EACH_ENERGY_WITH(X, arg) \
  X(arg, ::mltemp::MseEnergy) X(arg, ::mltemp::MaeEnergy) X(arg, ::mltemp::CeEnergy) X(arg, ::mltemp::MlpEnergy)
#define MLTEMP_APPLY_(X, E) X(E)
#define MLTEMP_FOR_EACH_ENERGY(X) MLTEMP_FOR_EACH_ENERGY_WITH(MLTEMP_APPLY_, X)

// In a backend's file, after its runner class template Runner (constructed from
// RunnerArgs): defines `factory` as std::make_unique<Runner<Energy>>(args) and instantiates it
// for every energy.
#define MLTEMP_RUNNER_FACTORY(factory, Runner)             \
  template <class Energy>                                  \
  RunnerPtr<Energy> factory(const RunnerArgs<Energy>& a) { \
    return std::make_unique<Runner<Energy>>(a);            \
  }                                                        \
  MLTEMP_FOR_EACH_ENERGY_WITH(MLTEMP_INSTANTIATE_FACTORY_, factory)
#define MLTEMP_INSTANTIATE_FACTORY_(factory, E) template RunnerPtr<E> factory<E>(const RunnerArgs<E>&);
