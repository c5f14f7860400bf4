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
  EmulateRunner(const Energy& e, const InitParams& init, const std::vector<double>& blob, uint64_t total,
                uint64_t max_chunks, int threads, uint64_t shuffle_seed)
      : energy_(e),
        init_(init),
        blob_(blob),
        total_(total),
        driver_(threads, shuffle_seed),
        obs_(K * max_chunks * kChunk),
        theta_(theta_scratch_doubles(init.dims, max_chunks * kChunk)),
        fold_(max_chunks * (kChunk + kChunk / 2)),
        partials_(max_chunks) {}

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* out) override {
    const BatchMemory<K> mem{blob_.data(), obs_.data(),      theta_.data(),
                             fold_.data(), partials_.data(), kEmulatedSharedBytes};
    unsigned long long shared = 0;
    if (!run_batch(driver_, energy_, init_, total_, first_chunk, n_chunks, mem, &shared))
      throw InputError("--backend emulate: the GPU kernel needs " + std::to_string(shared / 1024) +
                       " KiB of shared memory per block, more than a GPU block has (" +
                       std::to_string(kEmulatedSharedBytes / 1024) + " KiB); use --backend omp");
    std::copy(partials_.begin(), partials_.begin() + n_chunks, out);
  }

 private:
  Energy energy_;
  InitParams init_;
  std::vector<double> blob_;
  uint64_t total_;
  CpuDriver driver_;
  std::vector<double> obs_, theta_;
  std::vector<Moments<K>> fold_, partials_;
};

}  // namespace

template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_emulate_runner(const Energy& e, const InitParams& init,
                                                               const std::vector<double>& blob, uint64_t total,
                                                               uint64_t max_chunks, int threads,
                                                               uint64_t shuffle_seed) {
  return std::make_unique<EmulateRunner<Energy>>(e, init, blob, total, max_chunks, threads, shuffle_seed);
}

#define MLTEMP_INSTANTIATE_EMULATE(E)                                    \
  template std::unique_ptr<ChunkRunner<E::kObs>> make_emulate_runner<E>( \
      const E&, const InitParams&, const std::vector<double>&, uint64_t, uint64_t, int, uint64_t);
MLTEMP_FOR_EACH_ENERGY(MLTEMP_INSTANTIATE_EMULATE)

}  // namespace mltemp
