// The GPU kernels of include/mltemp/kernels.h executed on the CPU (MCUDA's transformation):
// each phase of a block runs as a loop over the block's thread indices, optionally in a
// shuffled order, and blocks run in parallel under OpenMP. Same kernels, same batch sequence
// (run_batch) as kernels/engine_cuda.cu; only the driver differs. Slow: it is how the kernels
// are tested on machines without a GPU (--backend emulate).
#include "engine_emulate.h"

#include <algorithm>
#include <vector>

#include "engine.h"
#include "mltemp/kernels.h"

namespace mltemp {
namespace {

template <class Energy>
class EmulateRunner final : public ChunkRunner<Energy::kObs> {
  static constexpr int K = Energy::kObs;

 public:
  explicit EmulateRunner(const RunnerArgs<Energy>& a)
      : p_(a),
        plan_(checked_plan("emulate", a.energy, a.init.dims, a.max_chunks, kEmulatedSharedBytes)),
        driver_(a.opts.threads, a.opts.emulate_shuffle),
        obs_(plan_.obs),
        theta_(plan_.theta),
        fold_(plan_.fold),
        partials_(plan_.partials) {}

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* out) override {
    const BatchMemory<K> mem{p_.blob.data(), obs_.data(), theta_.data(), fold_.data(), partials_.data()};
    run_batch(driver_, p_.energy, p_.init, p_.total, first_chunk, n_chunks, mem, plan_);
    std::copy(partials_.begin(), partials_.begin() + n_chunks, out);
  }

 private:
  PointCopy<Energy> p_;
  BatchPlan<K> plan_;
  CpuDriver driver_;
  std::vector<double> obs_, theta_;
  std::vector<Moments<K>> fold_, partials_;
};

}  // namespace

MLTEMP_RUNNER_FACTORY(make_emulate_runner, EmulateRunner)

}  // namespace mltemp
