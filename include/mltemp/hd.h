// MLTEMP_HD marks code that both compilers build: __host__ __device__ under nvcc, nothing
// under the host compiler. Headers in include/mltemp/ never include cuda_runtime.h.
#pragma once

#if defined(__CUDACC__)
#define MLTEMP_HD __host__ __device__
#else
#define MLTEMP_HD
#endif
