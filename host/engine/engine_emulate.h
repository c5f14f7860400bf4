// The CPU driver of the GPU kernels (include/mltemp/kernels.h): a block's phases run as loops
// over its thread indices (optionally shuffled, to expose races), blocks in parallel.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace mltemp {

// Shared memory a block may use on the GPUs the kernels target (H100/H200: 227 KiB opt-in);
// the CPU driver enforces the same limit, so a kernel that runs here fits there.
constexpr unsigned long long kEmulatedSharedBytes = 227ull * 1024;

template <class Local>
class CpuBlock {
 public:
  CpuBlock(uint64_t block, int threads, double* shared, uint64_t shuffle_seed)
      : block_(block), shared_(shared), locals_(threads), order_(threads), rng_(shuffle_seed + block) {
    for (int t = 0; t < threads; ++t) order_[t] = t;
    shuffle_ = shuffle_seed != 0;
  }
  uint64_t block() const { return block_; }
  double* shared() const { return shared_; }
  // One phase: f(tid, local) for every thread, then (implicitly) the barrier.
  template <class F>
  void each(F&& f) {
    if (shuffle_) std::shuffle(order_.begin(), order_.end(), rng_);
    for (int t : order_) f(t, locals_[t]);
  }

 private:
  uint64_t block_;
  double* shared_;
  std::vector<Local> locals_;
  std::vector<int> order_;
  std::mt19937_64 rng_;
  bool shuffle_ = false;
};

class CpuDriver {
 public:
  // threads: OpenMP threads over blocks (0: default); shuffle_seed: 0 runs threads in order,
  // anything else in a fresh random order at every phase.
  CpuDriver(int threads, uint64_t shuffle_seed) : threads_(threads), shuffle_seed_(shuffle_seed) {}

  template <class Kern>
  void launch(const Kern& k, uint64_t grid, unsigned long long shared_bytes) const {
    const int nt = threads_ > 0 ? threads_ : omp_get_max_threads();
#pragma omp parallel num_threads(nt)
    {
      std::vector<double> shared(shared_bytes / sizeof(double) + 1);
#pragma omp for schedule(dynamic, 1)
      for (uint64_t b = 0; b < grid; ++b) {
        // Fresh shared memory per block, filled with NaN: a slot read before it is written
        // poisons the result instead of reading the previous block's value.
        std::fill(shared.begin(), shared.end(), std::nan(""));
        CpuBlock<typename Kern::Local> blk(b, Kern::kThreads, shared.data(), shuffle_seed_);
        k.run(blk);
      }
    }
  }

 private:
  int threads_;
  uint64_t shuffle_seed_;
};

}  // namespace mltemp
