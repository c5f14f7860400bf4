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
  explicit ReferenceRunner(const RunnerArgs<Energy>& a)
      : p_(a),
        threads_(a.opts.threads),
        scratch_(a.max_chunks * static_cast<uint64_t>(a.init.dims + a.energy.work_size())) {}

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<Energy::kObs>* out) override {
    const int saved = omp_get_max_threads();
    if (threads_ > 0) omp_set_num_threads(threads_);
    reduce_chunks(thrust::omp::par, p_.energy, p_.init, p_.blob.data(), p_.total, first_chunk, n_chunks,
                  scratch_.data(), out);
    if (threads_ > 0) omp_set_num_threads(saved);
  }

 private:
  PointCopy<Energy> p_;
  int threads_;
  std::vector<double> scratch_;
};

}  // namespace

MLTEMP_RUNNER_FACTORY(make_reference_runner, ReferenceRunner)

}  // namespace mltemp
