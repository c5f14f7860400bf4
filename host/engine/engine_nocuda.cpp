// Built only when CUDA is off: the CUDA runner reports that this build has none.
#include "engine.h"
#include "errors.h"

namespace mltemp {

bool cuda_compiled() { return false; }

DeviceInfo cuda_device_info() { return DeviceInfo{false, "this build has no CUDA backend"}; }

template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_cuda_runner(const Energy&, const InitParams&,
                                                            const std::vector<double>&, uint64_t, uint64_t) {
  throw InputError("--backend cuda: this build has no CUDA backend");
}

#define MLTEMP_INSTANTIATE_NOCUDA(E)                                                              \
  template std::unique_ptr<ChunkRunner<E::kObs>> make_cuda_runner<E>(const E&, const InitParams&, \
                                                                     const std::vector<double>&, uint64_t, uint64_t);
MLTEMP_FOR_EACH_ENERGY(MLTEMP_INSTANTIATE_NOCUDA)

}  // namespace mltemp
