// The GPU kernels of include/mltemp/kernels.h executed on the CPU (MCUDA's transformation):
// each phase of a block runs as a loop over the block's thread indices, optionally in a
// shuffled order, and blocks run in parallel under OpenMP. Same kernels, same batch sequence
// (run_batch) as kernels/engine_cuda.cu; only the driver differs. Slow: it is how the kernels
// are tested on machines without a GPU (--backend emulate).
#include "engine_emulate.h"

#include <algorithm>
#include <string>
#include <vector>

#include "engine.h"
#include "errors.h"
#include "mltemp/kernels.h"

namespace mltemp {
namespace {

template <class Energy>
class EmulateRunner final : public ChunkRunner<Energy::kObs> {
  static constexpr int K = Energy::kObs;

 public:
  explicit EmulateRunner(const RunnerArgs<Energy>& a)
      : p_(a),
        driver_(a.opts.threads, a.opts.emulate_shuffle),
        obs_(K * a.max_chunks * kChunk),
        theta_(theta_scratch_doubles(a.init.dims, a.max_chunks * kChunk)),
        fold_(a.max_chunks * (kChunk + kChunk / 2)),
        partials_(a.max_chunks) {}

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* out) override {
    const BatchMemory<K> mem{p_.blob.data(), obs_.data(),      theta_.data(),
                             fold_.data(),   partials_.data(), kEmulatedSharedBytes};
    unsigned long long shared = 0;
    if (!run_batch(driver_, p_.energy, p_.init, p_.total, first_chunk, n_chunks, mem, &shared))
      throw InputError("--backend emulate: the GPU kernel needs " + std::to_string(shared / 1024) +
                       " KiB of shared memory per block, more than a GPU block has (" +
                       std::to_string(kEmulatedSharedBytes / 1024) + " KiB); use --backend omp");
    std::copy(partials_.begin(), partials_.begin() + n_chunks, out);
  }

 private:
  PointCopy<Energy> p_;
  CpuDriver driver_;
  std::vector<double> obs_, theta_;
  std::vector<Moments<K>> fold_, partials_;
};

}  // namespace

MLTEMP_RUNNER_FACTORY(make_emulate_runner, EmulateRunner)

}  // namespace mltemp
