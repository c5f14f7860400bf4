// The CUDA instantiation of the particle loop: the same ChunkReducer as the CPU, run by
// Thrust's CUDA backend on device buffers. Chunk partials come back to the host, which folds
// them in chunk order exactly as the CPU path does.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>

#include <string>

#include "../host/engine.h"
#include "../host/errors.h"
#include "mltemp/reduce.h"

namespace mltemp {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

template <class T>
struct DeviceBuffer {
  T* ptr = nullptr;
  explicit DeviceBuffer(size_t n) {
    if (n) check(cudaMalloc(&ptr, n * sizeof(T)), "cudaMalloc");
  }
  ~DeviceBuffer() {
    if (ptr) cudaFree(ptr);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

template <class Energy>
class CudaRunner final : public ChunkRunner<Energy::kObs> {
  static constexpr int K = Energy::kObs;

 public:
  CudaRunner(const Energy& e, const InitParams& init, const std::vector<double>& blob, uint64_t total,
             uint64_t max_chunks)
      : energy_(e),
        init_(init),
        total_(total),
        blob_(blob.size()),
        scratch_(max_chunks * static_cast<uint64_t>(init.dims + e.work_size())),
        out_(max_chunks) {
    check(cudaMemcpy(blob_.ptr, blob.data(), blob.size() * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy blob");
  }

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* host_out) override {
    reduce_chunks(thrust::cuda::par, energy_, init_, blob_.ptr, total_, first_chunk, n_chunks, scratch_.ptr, out_.ptr);
    check(cudaGetLastError(), "particle kernel");
    check(cudaMemcpy(host_out, out_.ptr, n_chunks * sizeof(Moments<K>), cudaMemcpyDeviceToHost), "cudaMemcpy partials");
  }

 private:
  Energy energy_;
  InitParams init_;
  uint64_t total_;
  DeviceBuffer<double> blob_;
  DeviceBuffer<double> scratch_;
  DeviceBuffer<Moments<K>> out_;
};

}  // namespace

bool cuda_compiled() { return true; }

DeviceInfo cuda_device_info() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) return DeviceInfo{false, cudaGetErrorString(e)};
  if (count == 0) return DeviceInfo{false, "no CUDA device found"};
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return DeviceInfo{false, "device query failed"};
  return DeviceInfo{true, prop.name};
}

template <class Energy>
std::unique_ptr<ChunkRunner<Energy::kObs>> make_cuda_runner(const Energy& e, const InitParams& init,
                                                            const std::vector<double>& blob, uint64_t total,
                                                            uint64_t max_chunks) {
  return std::make_unique<CudaRunner<Energy>>(e, init, blob, total, max_chunks);
}

#define MLTEMP_INSTANTIATE_CUDA(E)                                                                \
  template std::unique_ptr<ChunkRunner<E::kObs>> make_cuda_runner<E>(const E&, const InitParams&, \
                                                                     const std::vector<double>&, uint64_t, uint64_t);
MLTEMP_FOR_EACH_ENERGY(MLTEMP_INSTANTIATE_CUDA)

}  // namespace mltemp
