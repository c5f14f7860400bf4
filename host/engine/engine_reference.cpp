// The reference particle loop: the scalar ChunkReducer of include/mltemp/reduce.h under
// Thrust's OpenMP backend, one particle at a time through the energy functors. It is the
// "existing path" the blocked CPU lanes (engine_omp.cpp) and the GPU kernels are tested
// against; users reach it with --backend reference.
#include <omp.h>
#include <thrust/system/omp/execution_policy.h>

#include "engine.h"
#include "mltemp/reduce.h"

namespace mltemp {
namespace {

template <class Energy>
class ReferenceRunner final : public ChunkRunner<Energy::kObs> {
 public:
  ReferenceRunner(const Energy& e, const InitParams& init, const std::vector<double>& blob, uint64_t total,
                  uint64_t max_chunks, int threads)
      : energy_(e),
        init_(init),
        blob_(blob),
        total_(total),
        threads_(threads),
        scratch_(max_chunks * static_cast<uint64_t>(init.dims + e.work_size())) {}

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<Energy::kObs>* out) override {
    const int saved = omp_get_max_threads();
    if (threads_ > 0) omp_set_num_threads(threads_);
    reduce_chunks(thrust::omp::par, energy_, init_, blob_.data(), total_, first_chunk, n_chunks, scratch_.data(), out);
    if (threads_ > 0) omp_set_num_threads(saved);
  }

 private:
  Energy energy_;
  InitParams init_;
  std::vector<double> blob_;
  uint64_t total_;
  int threads_;
  std::vector<double> scratch_;
};

}  // namespace

template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_reference_runner(const Energy& e, const InitParams& init,
                                                                 const std::vector<double>& blob, uint64_t total,
                                                                 uint64_t max_chunks, int threads) {
  return std::make_unique<ReferenceRunner<Energy>>(e, init, blob, total, max_chunks, threads);
}

#define MLTEMP_INSTANTIATE_REFERENCE(E)                                    \
  template std::unique_ptr<ChunkRunner<E::kObs>> make_reference_runner<E>( \
      const E&, const InitParams&, const std::vector<double>&, uint64_t, uint64_t, int);
MLTEMP_FOR_EACH_ENERGY(MLTEMP_INSTANTIATE_REFERENCE)

}  // namespace mltemp
