// GPU particle kernels, written as phases that a CPU can execute too.
//
// A kernel is a plain struct (its parameters, uploaded by value at launch) with
//   kThreads                 threads per block,
//   struct Local             per-thread state that lives across phases (registers on a GPU),
//   run(B& b)                the block's program.
// run() is straight-line code over phases: each `b.each(f)` runs f(tid, local) for every thread
// of the block and then waits at a barrier. The rules that make a CPU execution honest:
// barriers only between phases; within a phase a thread writes only its own slots of shared
// or global memory; control flow outside phases is the same for every thread of a block; no
// floating-point atomics. The GPU driver (kernels/engine_cuda.cu) maps each() to
// `f(threadIdx.x, local); __syncthreads();`; the CPU driver (host/engine_emulate.cpp) runs f
// for every thread index in turn, in a shuffled order if asked, to expose races.
//
// The block interface B: block() (block index), shared() (the dynamic shared memory, doubles),
// each(f).
//
// Energies are evaluated one particle per thread (linear models: theta in shared memory in
// structure-of-arrays order, data tiles staged in shared memory) or one particle per block
// (networks: weights and activation tiles in shared memory), writing observables to global
// memory; FoldKernel then folds each 1024-particle chunk with PairwiseFolder's tree, so every
// backend's chunk partials follow the same order. Every sum runs in the order of the scalar
// functors of energies.h, so the CPU-executed kernels reproduce the reference path's bits.
#pragma once

#include <cstdint>
#include <type_traits>

#include "mltemp/energies.h"
#include "mltemp/hd.h"
#include "mltemp/moments.h"
#include "mltemp/sampler.h"

namespace mltemp {

// The particles of one launch and where their observables go.
struct Launch {
  uint64_t first;  // global index of the launch's particle 0 (a chunk boundary)
  uint64_t count;  // particles in the launch
  double* obs;     // observable o of launch particle p at obs[o * count + p]
};

struct NoLocal {};

// ---- linear MSE: one particle per thread ---------------------------------------------------
struct MseKernel {
  static constexpr int kThreads = 128;
  using Local = NoLocal;
  MseEnergy e;
  InitParams init;
  const double* blob;
  Launch at;
  double* theta_global;  // nullptr: theta in shared memory; else [block][m][kThreads]
  int stage_a;           // 1: A and b staged in shared memory

  static unsigned long long shared_doubles(int m, bool stage_a, bool theta_shared) {
    return (stage_a ? static_cast<unsigned long long>(m) * m + m : 0) + m +
           (theta_shared ? static_cast<unsigned long long>(m) * kThreads : 0);
  }
  MLTEMP_HD uint64_t grid() const { return (at.count + kThreads - 1) / kThreads; }

  template <class B>
  MLTEMP_HD void run(B& b) const {
    const int m = e.m;
    double* sh = b.shared();
    const double* a = blob + e.a_off;
    const double* bv = blob + e.b_off;
    double* sc = sh;
    double* next = sc + m;
    if (stage_a) {
      a = next;
      bv = next + m * m;
      next += m * m + m;
    }
    double* th = theta_global ? theta_global + static_cast<uint64_t>(b.block()) * kThreads * m : next;
    b.each([&](int t, Local&) {
      for (int q = t; q < m; q += kThreads) sc[q] = blob[init.scale_off + q];
      if (!stage_a) return;
      double* sa = sc + m;
      for (int q = t; q < m * m; q += kThreads) sa[q] = blob[e.a_off + q];
      for (int q = t; q < m; q += kThreads) sa[m * m + q] = blob[e.b_off + q];
    });
    b.each([&](int t, Local&) {
      const uint64_t p = static_cast<uint64_t>(b.block()) * kThreads + t;
      if (p >= at.count) return;
      for (int j = 0; j < m; j += 2)
        draw_pair(init, sc, at.first + p, j, th + j * kThreads + t, th + (j + 1) * kThreads + t);
      at.obs[p] = e.eval(a, bv, th + t, kThreads);
    });
  }
};

// ---- linear models with a per-point loss: one particle per thread, data tiles shared ------
template <class Loss>
struct LinearKernel {
  static constexpr int kThreads = 128;
  static constexpr int kPoints = 32;
  struct Local {
    double sum;
  };
  LinearDataEnergy<Loss> e;
  InitParams init;
  const double* blob;
  Launch at;
  double* theta_global;  // nullptr: theta in shared memory; else [block][m][kThreads]

  static unsigned long long shared_doubles(int m, bool theta_shared) {
    return m + static_cast<unsigned long long>(kPoints) * (m + 1) +
           (theta_shared ? static_cast<unsigned long long>(m) * kThreads : 0);
  }
  MLTEMP_HD uint64_t grid() const { return (at.count + kThreads - 1) / kThreads; }

  template <class B>
  MLTEMP_HD void run(B& b) const {
    const int m = e.m, n = e.n;
    double* sc = b.shared();
    double* xt = sc + m;
    double* yt = xt + kPoints * m;
    double* th = theta_global ? theta_global + static_cast<uint64_t>(b.block()) * kThreads * m : yt + kPoints;
    const uint64_t base = static_cast<uint64_t>(b.block()) * kThreads;
    b.each([&](int t, Local& L) {
      for (int q = t; q < m; q += kThreads) sc[q] = blob[init.scale_off + q];
      L.sum = 0.0;
    });
    b.each([&](int t, Local&) {
      if (base + t >= at.count) return;
      for (int j = 0; j < m; j += 2)
        draw_pair(init, sc, at.first + base + t, j, th + j * kThreads + t, th + (j + 1) * kThreads + t);
    });
    for (int i0 = 0; i0 < n; i0 += kPoints) {
      const int rows = n - i0 < kPoints ? n - i0 : kPoints;
      b.each([&](int t, Local&) {
        for (int q = t; q < rows * m; q += kThreads) xt[q] = blob[e.x_off + static_cast<uint64_t>(i0) * m + q];
        for (int q = t; q < rows; q += kThreads) yt[q] = blob[e.y_off + i0 + q];
      });
      b.each([&](int t, Local& L) {
        if (base + t >= at.count) return;
        for (int r = 0; r < rows; ++r) L.sum += e.loss(yt[r], fma_dot(xt + r * m, th + t, kThreads, m));
      });
    }
    b.each([&](int t, Local& L) {
      if (base + t < at.count) at.obs[base + t] = L.sum / n;
    });
  }
};

// ---- networks: one particle per block -------------------------------------------------------
struct MlpKernel {
  static constexpr int kThreads = 128;
  static constexpr int kPoints = 32;
  static constexpr int K = MlpEnergy::kObs;
  using Local = NoLocal;
  MlpEnergy e;
  InitParams init;
  const double* blob;
  Launch at;

  // weights, three activation tiles (in, out, deviations), row sums, totals
  static unsigned long long shared_doubles(const MlpEnergy& e, int dims) {
    return static_cast<unsigned long long>(dims) + 3ull * kPoints * e.max_width + kPoints + K;
  }
  MLTEMP_HD uint64_t grid() const { return at.count; }

  template <class B>
  MLTEMP_HD void run(B& b) const {
    const uint64_t p = b.block();
    const int dims = init.dims, L = e.layers, n = e.n, mw = e.max_width;
    double* w = b.shared();
    double* hin = w + dims;
    double* hout = hin + kPoints * mw;
    double* dev = hout + kPoints * mw;
    double* rowsum = dev + kPoints * mw;
    double* tot = rowsum + kPoints;
    const double* scale = blob + init.scale_off;
    b.each([&](int t, Local&) {
      for (int j = 2 * t; j < dims; j += 2 * kThreads) draw_pair(init, scale, at.first + p, j, w + j, w + j + 1);
      if (t == 0)
        for (int o = 0; o < K; ++o) tot[o] = 0.0;
    });
    for (int i0 = 0; i0 < n; i0 += kPoints) {
      const int rows = n - i0 < kPoints ? n - i0 : kPoints;
      const int n0 = e.widths[0];
      b.each([&](int t, Local&) {
        for (int q = t; q < rows * n0; q += kThreads) hin[q] = blob[e.x_off + static_cast<uint64_t>(i0) * n0 + q];
      });
      const double* wl = w;
      for (int l = 1; l <= L; ++l) {
        const int nin = e.widths[l - 1], nout = e.widths[l];
        const double* bl = wl + nout * nin;
        const double* zs = blob + e.zstar_off[l - 1] + static_cast<uint64_t>(i0) * nout;
        b.each([&](int t, Local&) {
          for (int q = t; q < rows * nout; q += kThreads) {
            const int r = q / nout, u = q - r * nout;
            const double z = fma_dot(wl + u * nin, hin + r * nin, 1, nin, e.bias ? bl[u] : 0.0);
            dev[q] = z - zs[q];
            hout[q] = l < L ? mlp_g(e.act, z) : z;
          }
        });
        b.each([&](int t, Local&) {  // sum over units in order, as MlpEnergy
          for (int r = t; r < rows; r += kThreads) {
            double sq = 0.0;
            for (int u = 0; u < nout; ++u) sq = fma(dev[r * nout + u], dev[r * nout + u], sq);
            rowsum[r] = sq;
          }
        });
        b.each([&](int t, Local&) {  // over points in order
          if (t == 0)
            for (int r = 0; r < rows; ++r) tot[l] += rowsum[r];
        });
        double* swap = hin;
        hin = hout;
        hout = swap;
        wl += nout * nin + (e.bias ? nout : 0);
      }
      b.each([&](int t, Local&) {
        if (t != 0) return;
        for (int r = 0; r < rows; ++r) {
          const double res = blob[e.y_off + i0 + r] - hin[r];
          tot[0] = fma(res, res, tot[0]);
        }
      });
    }
    b.each([&](int t, Local&) {
      if (t == 0)
        for (int o = 0; o < K; ++o) at.obs[o * at.count + p] = o <= L ? tot[o] / n : 0.0;
    });
  }
};

// ---- the chunk fold: PairwiseFolder's tree, level by level ---------------------------------
// Level 0 holds the chunk's leaves; each level merges items (2i, 2i+1) and carries an odd last
// item up. That is the binary-counter fold of PairwiseFolder for every count (tested for
// 1..1024), so the partial is bitwise the CPU's. Scratch: kChunk + kChunk/2 slots per chunk.
template <int K>
struct FoldKernel {
  static constexpr int kThreads = 256;
  using Local = NoLocal;
  const double* obs;  // a Launch's observables
  uint64_t count;     // particles in the launch
  Moments<K>* scratch;
  Moments<K>* out;  // one partial per chunk

  MLTEMP_HD uint64_t grid() const { return (count + kChunk - 1) / kChunk; }

  template <class B>
  MLTEMP_HD void run(B& b) const {
    const uint64_t c = b.block(), begin = c * kChunk;
    const int n = static_cast<int>(count - begin < kChunk ? count - begin : kChunk);
    Moments<K>* src = scratch + c * (kChunk + kChunk / 2);
    Moments<K>* dst = src + kChunk;
    b.each([&](int t, Local&) {
      for (int i = t; i < n; i += kThreads) moments_leaf_into<K>(obs + begin + i, count, src[i]);
    });
    for (int items = n; items > 1; items = (items + 1) / 2) {
      const int half = items / 2;
      b.each([&](int t, Local&) {
        for (int i = t; i < half; i += kThreads) moments_merge_into(src[2 * i], src[2 * i + 1], dst[i]);
        if (t == 0 && (items & 1)) dst[half] = src[items - 1];
      });
      Moments<K>* swap = src;
      src = dst;
      dst = swap;
    }
    b.each([&](int t, Local&) {
      if (t == 0) out[c] = src[0];
    });
  }
};

// ---- one batch: the energy kernel, then the fold -------------------------------------------
template <class Energy>
struct EnergyKernel;
template <>
struct EnergyKernel<MseEnergy> {
  using type = MseKernel;
};
template <class Loss>
struct EnergyKernel<LinearDataEnergy<Loss>> {
  using type = LinearKernel<Loss>;
};
template <>
struct EnergyKernel<MlpEnergy> {
  using type = MlpKernel;
};

// How one point's batches run on a device with `shared_limit` bytes of shared memory per block:
// where theta lives (and, for MSE, A and b) and the elements of memory a batch of up to
// max_chunks chunks needs. Decided once per point, before any launch.
template <int K>
struct BatchPlan {
  bool stage_a = false;                                 // MSE: A and b staged in shared memory
  bool theta_shared = true;                             // theta in shared memory, else in the theta buffer
  unsigned long long shared_bytes = 0;                  // per block
  unsigned long long shared_limit = 0;                  // the device's
  uint64_t obs = 0, theta = 0, fold = 0, partials = 0;  // elements of each buffer
  bool fits() const { return shared_bytes <= shared_limit; }
};

template <class Energy>
BatchPlan<Energy::kObs> plan_batches(const Energy& e, int dims, uint64_t max_chunks, unsigned long long shared_limit) {
  using Kern = typename EnergyKernel<Energy>::type;
  const unsigned long long limit = shared_limit / sizeof(double);
  BatchPlan<Energy::kObs> p;
  p.shared_limit = shared_limit;
  if constexpr (std::is_same_v<Energy, MseEnergy>) {
    p.stage_a = Kern::shared_doubles(e.m, true, false) <= limit / 2;
    p.theta_shared = Kern::shared_doubles(e.m, p.stage_a, true) <= limit;
    p.shared_bytes = Kern::shared_doubles(e.m, p.stage_a, p.theta_shared) * sizeof(double);
  } else if constexpr (std::is_same_v<Energy, MlpEnergy>) {
    p.shared_bytes = Kern::shared_doubles(e, dims) * sizeof(double);  // the weights are always shared
  } else {
    p.theta_shared = Kern::shared_doubles(e.m, true) <= limit;
    p.shared_bytes = Kern::shared_doubles(e.m, p.theta_shared) * sizeof(double);
  }
  const uint64_t particles = max_chunks * kChunk;
  p.obs = Energy::kObs * particles;
  // theta in global memory: [block][dims][kThreads] (MseKernel and LinearKernel run 128 threads)
  static_assert(MseKernel::kThreads == 128 && LinearKernel<AbsLoss>::kThreads == 128, "one block size");
  p.theta = p.theta_shared ? 0 : (particles + 127) / 128 * 128 * static_cast<uint64_t>(dims);
  p.fold = max_chunks * (kChunk + kChunk / 2);
  p.partials = max_chunks;
  return p;
}

// The energy kernel of one launch, as the plan places theta.
template <class Energy>
typename EnergyKernel<Energy>::type make_energy_kernel(const Energy& e, const InitParams& init, const double* blob,
                                                       const Launch& at, double* theta,
                                                       const BatchPlan<Energy::kObs>& plan) {
  using Kern = typename EnergyKernel<Energy>::type;
  double* theta_global = plan.theta_shared ? nullptr : theta;
  if constexpr (std::is_same_v<Energy, MseEnergy>)
    return Kern{e, init, blob, at, theta_global, plan.stage_a ? 1 : 0};
  else if constexpr (std::is_same_v<Energy, MlpEnergy>)
    return Kern{e, init, blob, at};
  else
    return Kern{e, init, blob, at, theta_global};
}

// Where one batch's memory lives (device memory for the GPU, host memory for the CPU driver),
// sized by the plan.
template <int K>
struct BatchMemory {
  const double* blob;
  double* obs;
  double* theta;
  Moments<K>* fold;
  Moments<K>* partials;
};

// One batch, chunks [first_chunk, first_chunk + n_chunks) of a point with `total` particles:
// the energy kernel, then the fold. X is a driver: x.launch(kernel, grid, shared_bytes). The
// plan must fit the device (plan.fits()).
template <class Energy, class X>
void run_batch(X& x, const Energy& e, const InitParams& init, uint64_t total, uint64_t first_chunk, uint64_t n_chunks,
               const BatchMemory<Energy::kObs>& mem, const BatchPlan<Energy::kObs>& plan) {
  const uint64_t first = first_chunk * kChunk;
  const uint64_t last = (first_chunk + n_chunks) * kChunk;
  const Launch at{first, (last < total ? last : total) - first, mem.obs};
  const auto kern = make_energy_kernel(e, init, mem.blob, at, mem.theta, plan);
  x.launch(kern, kern.grid(), plan.shared_bytes);
  const FoldKernel<Energy::kObs> fold{mem.obs, at.count, mem.fold, mem.partials};
  x.launch(fold, fold.grid(), 0);
}

}  // namespace mltemp
