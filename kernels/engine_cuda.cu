// The GPU driver of the particle kernels (include/mltemp/kernels.h): each kernel struct runs
// as a __global__ function whose phases end in __syncthreads(). The batch sequence (energy
// kernel, then the chunk fold) is run_batch, the same code the CPU driver runs
// (host/engine_emulate.cpp); chunk partials come back to the host, which folds them in chunk
// order exactly as the CPU paths do.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "engine.h"
#include "errors.h"
#include "mltemp/kernels.h"

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

// A block on the GPU: one thread's Local in registers; each() is a phase and a barrier.
// The members are __host__ __device__ so that the kernels' run() (also both) instantiate
// cleanly; they only ever execute on the device.
template <class Local>
struct CudaBlock {
  Local local;
  double* smem;
  MLTEMP_HD uint64_t block() const {
#ifdef __CUDA_ARCH__
    return blockIdx.x;
#else
    return 0;
#endif
  }
  MLTEMP_HD double* shared() const { return smem; }
  template <class F>
  MLTEMP_HD void each(F&& f) {
#ifdef __CUDA_ARCH__
    f(static_cast<int>(threadIdx.x), local);
    __syncthreads();
#endif
  }
};

template <class Kern>
__global__ void __launch_bounds__(Kern::kThreads) phased(const Kern k) {
  extern __shared__ double smem[];
  CudaBlock<typename Kern::Local> b{typename Kern::Local{}, smem};
  k.run(b);
}

struct GpuDriver {
  template <class Kern>
  void launch(const Kern& k, uint64_t grid, unsigned long long shared_bytes) const {
    if (grid == 0) return;
    if (grid > 0x7FFFFFFFull) throw std::runtime_error("particle batch too large for one launch");
    if (shared_bytes > 48 * 1024)
      check(cudaFuncSetAttribute(phased<Kern>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                 static_cast<int>(shared_bytes)),
            "cudaFuncSetAttribute");
    phased<Kern><<<static_cast<unsigned>(grid), Kern::kThreads, shared_bytes>>>(k);
    check(cudaGetLastError(), "particle kernel launch");
  }
};

unsigned long long shared_limit() {
  int dev = 0, bytes = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&bytes, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev), "shared memory query");
  return static_cast<unsigned long long>(bytes);
}

template <class Energy>
class CudaRunner final : public ChunkRunner<Energy::kObs> {
  static constexpr int K = Energy::kObs;

 public:
  explicit CudaRunner(const RunnerArgs<Energy>& a)
      : energy_(a.energy),
        init_(a.init),
        total_(a.total),
        plan_(checked_plan("cuda", a.energy, a.init.dims, a.max_chunks, shared_limit())),
        blob_(a.blob.size()),
        obs_(plan_.obs),
        theta_(plan_.theta),
        fold_(plan_.fold),
        partials_(plan_.partials) {
    check(cudaMemcpy(blob_.ptr, a.blob.data(), a.blob.size() * sizeof(double), cudaMemcpyHostToDevice),
          "cudaMemcpy blob");
  }

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* host_out) override {
    const BatchMemory<K> mem{blob_.ptr, obs_.ptr, theta_.ptr, fold_.ptr, partials_.ptr};
    run_batch(driver_, energy_, init_, total_, first_chunk, n_chunks, mem, plan_);
    check(cudaMemcpy(host_out, partials_.ptr, n_chunks * sizeof(Moments<K>), cudaMemcpyDeviceToHost),
          "cudaMemcpy partials");
  }

 private:
  Energy energy_;
  InitParams init_;
  uint64_t total_;
  BatchPlan<K> plan_;
  GpuDriver driver_;
  DeviceBuffer<double> blob_, obs_, theta_;
  DeviceBuffer<Moments<K>> fold_, partials_;
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

MLTEMP_RUNNER_FACTORY(make_cuda_runner, CudaRunner)

}  // namespace mltemp
