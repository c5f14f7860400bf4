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
  int threads = 0;  // 0: OpenMP's default
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

template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_omp_runner(const Energy& e, const InitParams& init,
                                                           const std::vector<double>& blob, uint64_t total,
                                                           uint64_t max_chunks, int threads, bool gemm_only);
template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_reference_runner(const Energy& e, const InitParams& init,
                                                                 const std::vector<double>& blob, uint64_t total,
                                                                 uint64_t max_chunks, int threads);
template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_emulate_runner(const Energy& e, const InitParams& init,
                                                               const std::vector<double>& blob, uint64_t total,
                                                               uint64_t max_chunks, int threads, uint64_t shuffle_seed);
template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_cuda_runner(const Energy& e, const InitParams& init,
                                                            const std::vector<double>& blob, uint64_t total,
                                                            uint64_t max_chunks);

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
#define MLTEMP_FOR_EACH_ENERGY(X) \
  X(::mltemp::MseEnergy) X(::mltemp::MaeEnergy) X(::mltemp::CeEnergy) X(::mltemp::MlpEnergy)
