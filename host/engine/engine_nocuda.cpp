// Built only when CUDA is off: the CUDA runner reports that this build has none.
#include "engine.h"
#include "errors.h"

namespace mltemp {

bool cuda_compiled() { return false; }

DeviceInfo cuda_device_info() { return DeviceInfo{false, "this build has no CUDA backend"}; }

namespace {

// A build without CUDA: asking for the GPU runner is bad input.
template <class Energy>
struct NoCudaRunner final : ChunkRunner<Energy::kObs> {
  explicit NoCudaRunner(const RunnerArgs<Energy>&) {
    throw InputError("--backend cuda: this build has no CUDA backend");
  }
  void run(uint64_t, uint64_t, Moments<Energy::kObs>*) override {}
};

}  // namespace

MLTEMP_RUNNER_FACTORY(make_cuda_runner, NoCudaRunner)

}  // namespace mltemp
