// The device's ceilings, measured in the same run as the engine (bench/device/run.sh):
// FP64 DGEMM through cuBLAS (8192^3) and device-to-device copy bandwidth (cudaMemcpy, 4 GiB).
// Prints one JSON line: {"device": ..., "dgemm_tflops": x, "d2d_tbps": y}
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#define CHECK(x)                                                                   \
  do {                                                                             \
    auto e_ = (x);                                                                 \
    if (e_ != 0) {                                                                 \
      std::fprintf(stderr, "ceilings: %s failed (%d) at line %d\n", #x, (int)e_, __LINE__); \
      std::exit(1);                                                                \
    }                                                                              \
  } while (0)

__global__ void fill(double* p, size_t n, double v) {
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    p[i] = v * (1.0 + 1e-3 * double(i % 97));
}

int main() {
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  const int n = 8192;
  double *a, *b, *c;
  CHECK(cudaMalloc(&a, sizeof(double) * n * n));
  CHECK(cudaMalloc(&b, sizeof(double) * n * n));
  CHECK(cudaMalloc(&c, sizeof(double) * n * n));
  fill<<<1024, 256>>>(a, size_t(n) * n, 0.5);
  fill<<<1024, 256>>>(b, size_t(n) * n, 0.25);
  cublasHandle_t h;
  CHECK(cublasCreate(&h));
  const double one = 1.0, zero = 0.0;
  cudaEvent_t t0, t1;
  CHECK(cudaEventCreate(&t0));
  CHECK(cudaEventCreate(&t1));
  for (int w = 0; w < 2; ++w) CHECK(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n));
  const int reps = 5;
  CHECK(cudaEventRecord(t0));
  for (int r = 0; r < reps; ++r) CHECK(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n));
  CHECK(cudaEventRecord(t1));
  CHECK(cudaEventSynchronize(t1));
  float ms = 0;
  CHECK(cudaEventElapsedTime(&ms, t0, t1));
  const double tflops = 2.0 * n * double(n) * n * reps / (ms * 1e-3) / 1e12;
  CHECK(cudaFree(a));
  CHECK(cudaFree(b));
  CHECK(cudaFree(c));
  const size_t bytes = size_t(4) << 30;
  char *src, *dst;
  CHECK(cudaMalloc(&src, bytes));
  CHECK(cudaMalloc(&dst, bytes));
  CHECK(cudaMemset(src, 1, bytes));
  CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice));
  CHECK(cudaEventRecord(t0));
  for (int r = 0; r < reps; ++r) CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice));
  CHECK(cudaEventRecord(t1));
  CHECK(cudaEventSynchronize(t1));
  CHECK(cudaEventElapsedTime(&ms, t0, t1));
  const double tbps = 2.0 * double(bytes) * reps / (ms * 1e-3) / 1e12;  // bytes read + written
  std::printf("{\"device\": \"%s\", \"dgemm_tflops\": %.3f, \"d2d_tbps\": %.3f}\n", prop.name, tflops, tbps);
  return 0;
}
