// The blocked CPU particle path: OpenMP across 1024-particle chunks, SIMD lanes inside.
//
// Each energy has a tiled evaluator that fills the K observables of a run of particles;
// the chunk's observables are then folded pairwise in particle order (PairwiseFolder), exactly
// as the reference loop does, so the chunk partials depend on nothing but the particles.
//
// - Linear MSE: 16 particles per step in structure-of-arrays lanes; the quadratic form of
//   MseEnergy::eval, lane by lane in the same order. The generator is the bound.
// - Linear data energies (MAE, CE): tiles of kTile particles (SoA) against tiles of kPoints
//   data points, so each data tile is read once per particle tile. A register-blocked
//   micro-kernel (8 points x 16 particles) forms z = theta . x_i as the fma chain of
//   fma_dot (energies.h); the loss is applied lane-wise (libmvec exp/log1p for CE) and each
//   particle's sum runs over the points in order, as in the reference.
// - Networks: one particle at a time; each layer is a small GEMM over a tile of points with
//   the same micro-kernel, vectorized across the layer's units (weights transposed and padded
//   to whole lanes), activations lane-wise (libmvec tanh/exp). Per-layer energies sum in lane
//   partials (8 fixed lanes), so they agree with the reference to rounding, not bit for bit.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "engine.h"
#include "mltemp/moments.h"
#include "simd.h"

namespace mltemp {
namespace {

using simd::bcast;
using simd::kLanes;
using simd::load;
using simd::store;
using simd::vd;
using simd::vfma;

constexpr int kGroup = 2 * kLanes;  // particles (or units) per register block: 2 vectors
constexpr int kRows = 8;            // data points per register block
constexpr int kTile = 64;           // particles per SoA tile (linear energies)
constexpr int kPoints = 64;         // data points per tile

// acc[r][g] += A[r][k] * B[k][g lanes] for k = 0 .. K-1 in order, one rounding per step:
// rows r < R of A (row stride lda), G vectors of B (row stride ldb).
template <int R, int G>
inline void micro_kernel(const double* a, int lda, const double* b, int ldb, int kdim, vd (&acc)[R][G]) {
  for (int k = 0; k < kdim; ++k) {
    vd bv[G];
    for (int g = 0; g < G; ++g) bv[g] = load(b + static_cast<size_t>(k) * ldb + g * kLanes);
    for (int r = 0; r < R; ++r) {
      const vd av = bcast(a[static_cast<size_t>(r) * lda + k]);
      for (int g = 0; g < G; ++g) acc[r][g] = vfma(av, bv[g], acc[r][g]);
    }
  }
}

// Runs the whole chunk loop: evaluate(k0, count, obs) fills count particles' observables
// (obs[p * K + o]); this folds them per chunk.
template <int K, class Eval>
void fold_chunks(uint64_t total, uint64_t first_chunk, uint64_t n_chunks, int threads, Moments<K>* out,
                 const Eval& make_eval) {
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nt)
  {
    auto eval = make_eval();
    std::vector<double> obs(kChunk * K);
#pragma omp for schedule(dynamic, 1)
    for (uint64_t local = 0; local < n_chunks; ++local) {
      const uint64_t begin = (first_chunk + local) * kChunk;
      const uint64_t end = std::min(total, begin + kChunk);
      const int count = static_cast<int>(end - begin);
      eval(begin, count, obs.data());
      PairwiseFolder<K, kChunkLevels> fold;
      for (int p = 0; p < count; ++p) fold.push(moments_leaf<K>(obs.data() + static_cast<size_t>(p) * K));
      out[local] = fold.result();
    }
  }
}

// ---- linear MSE ---------------------------------------------------------------------------

class MseTiles {
 public:
  MseTiles(const MseEnergy& e, const InitParams& ip, const std::vector<double>& blob)
      : e_(e), ip_(ip), blob_(blob.data()), theta_(static_cast<size_t>(e.m) * kTile) {}

  void operator()(uint64_t k0, int count, double* obs) {
    const int m = e_.m;
    const double* a = blob_ + e_.a_off;
    const double* b = blob_ + e_.b_off;
    for (int t0 = 0; t0 < count; t0 += kTile) {
      const int n = std::min(kTile, count - t0);
      const int padded = (n + kGroup - 1) / kGroup * kGroup;
      simd::draw_soa(ip_, blob_ + ip_.scale_off, k0 + t0, padded, theta_.data(), kTile);
      for (int p0 = 0; p0 < padded; p0 += kGroup) {
        const double* th = theta_.data() + p0;
        vd quad[2] = {}, lin[2] = {}, sq[2] = {}, ab[2] = {};
        // Row i of the lower triangle: r_i = sum_{j<i} A_ij theta_j in j order, then as
        // MseEnergy::eval, quad += theta_i (A_ii theta_i + 2 r_i).
        auto row_done = [&](int i, const vd(&r)[2]) {
          for (int g = 0; g < 2; ++g) {
            const vd ti = load(th + static_cast<size_t>(i) * kTile + g * kLanes);
            quad[g] = vfma(ti, vfma(bcast(a[static_cast<size_t>(i) * m + i]), ti, bcast(2.0) * r[g]), quad[g]);
            lin[g] = vfma(ti, bcast(b[i]), lin[g]);
            sq[g] = vfma(ti, ti, sq[g]);
            ab[g] += simd::vabs(ti);
          }
        };
        int i = 0;
        for (; i + 4 <= m; i += 4) {  // four rows at once over the columns j < i they share
          vd r[4][2] = {};
          micro_kernel<4, 2>(a + static_cast<size_t>(i) * m, m, th, kTile, i, r);
          for (int q = 1; q < 4; ++q)  // then the block's own triangle, j = i .. i + q - 1
            for (int j = i; j < i + q; ++j)
              for (int g = 0; g < 2; ++g)
                r[q][g] = vfma(bcast(a[static_cast<size_t>(i + q) * m + j]),
                               load(th + static_cast<size_t>(j) * kTile + g * kLanes), r[q][g]);
          for (int q = 0; q < 4; ++q) row_done(i + q, r[q]);
        }
        for (; i < m; ++i) {
          vd r[1][2] = {};
          micro_kernel<1, 2>(a + static_cast<size_t>(i) * m, m, th, kTile, i, r);
          row_done(i, r[0]);
        }
        for (int g = 0; g < 2; ++g) {
          // fma(l1, ab, fma(l2, sq, fma(-2, lin, c) + quad)), as MseEnergy::eval
          const vd v =
              vfma(bcast(e_.l1), ab[g], vfma(bcast(e_.l2), sq[g], vfma(bcast(-2.0), lin[g], bcast(e_.c)) + quad[g]));
          for (int l = 0; l < kLanes; ++l) {
            const int p = t0 + p0 + g * kLanes + l;
            if (p < count) obs[p] = v[l];
          }
        }
      }
    }
  }

 private:
  MseEnergy e_;
  InitParams ip_;
  const double* blob_;
  std::vector<double, std::allocator<double>> theta_;
};

// ---- linear models with a per-point loss (MAE, CE) ----------------------------------------

template <class Loss>
class LinearDataTiles {
 public:
  LinearDataTiles(const LinearDataEnergy<Loss>& e, const InitParams& ip, const std::vector<double>& blob,
                  bool gemm_only)
      : e_(e), ip_(ip), blob_(blob.data()), gemm_only_(gemm_only), theta_(static_cast<size_t>(e.m) * kTile) {}

  void operator()(uint64_t k0, int count, double* obs) {
    for (int t0 = 0; t0 < count; t0 += kTile) {
      const int n = std::min(kTile, count - t0);
      const int padded = (n + kGroup - 1) / kGroup * kGroup;
      simd::draw_soa(ip_, blob_ + ip_.scale_off, k0 + t0, padded, theta_.data(), kTile);
      alignas(64) double sum[kTile] = {};
      for (int i0 = 0; i0 < e_.n; i0 += kPoints) {
        const int i1 = std::min(e_.n, i0 + kPoints);
        for (int p0 = 0; p0 < padded; p0 += kGroup) points(i0, i1, theta_.data() + p0, sum + p0);
      }
      for (int p = 0; p < n; ++p) obs[t0 + p] = sum[p] / e_.n;
    }
  }

 private:
  // Adds loss(y_i, theta . x_i) for points [i0, i1) to sum[0 .. kGroup) in point order.
  void points(int i0, int i1, const double* th, double* sum) const {
    const int m = e_.m;
    const double* x = blob_ + e_.x_off;
    const double* y = blob_ + e_.y_off;
    alignas(64) double z[kRows][kGroup];
    int i = i0;
    for (; i + kRows <= i1; i += kRows) {
      vd acc[kRows][2] = {};
      micro_kernel<kRows, 2>(x + static_cast<size_t>(i) * m, m, th, kTile, m, acc);
      for (int r = 0; r < kRows; ++r)
        for (int g = 0; g < 2; ++g) store(z[r] + g * kLanes, acc[r][g]);
      for (int r = 0; r < kRows; ++r) add_loss(y[i + r], z[r], sum);
    }
    for (; i < i1; ++i) {
      vd acc[1][2] = {};
      micro_kernel<1, 2>(x + static_cast<size_t>(i) * m, m, th, kTile, m, acc);
      for (int g = 0; g < 2; ++g) store(z[0] + g * kLanes, acc[0][g]);
      add_loss(y[i], z[0], sum);
    }
  }

  void add_loss(double yi, const double* z, double* sum) const {
    if (gemm_only_) {  // benchmark probe: the products alone (a sum keeps them alive)
#pragma omp simd
      for (int p = 0; p < kGroup; ++p) sum[p] += z[p];
      return;
    }
    const Loss loss = e_.loss;
#pragma omp simd
    for (int p = 0; p < kGroup; ++p) sum[p] += loss(yi, z[p]);
  }

  LinearDataEnergy<Loss> e_;
  InitParams ip_;
  const double* blob_;
  bool gemm_only_;
  std::vector<double> theta_;
};

// ---- multilayer perceptrons ---------------------------------------------------------------

// Per-run network tables for the lanes: layer widths padded to whole lanes, the offsets of each
// layer's transposed weights and biases, and the reference pre-activations z_l* padded alike.
struct MlpPadded {
  int padded[kMlpMaxLayers + 1] = {};
  int max_padded = 0;
  size_t wt_off[kMlpMaxLayers] = {}, bias_off[kMlpMaxLayers] = {};
  size_t wt_size = 0, bias_size = 0;
  std::vector<double> zstar[kMlpMaxLayers];

  MlpPadded(const MlpEnergy& e, const double* blob) {
    max_padded = 0;
    for (int l = 1; l <= e.layers; ++l) {
      padded[l] = (e.widths[l] + 2 * simd::kLanes - 1) / (2 * simd::kLanes) * (2 * simd::kLanes);
      if (e.widths[l] <= simd::kLanes) padded[l] = simd::kLanes;
      max_padded = std::max(max_padded, padded[l]);
      wt_off[l - 1] = wt_size;
      wt_size += static_cast<size_t>(e.widths[l - 1]) * padded[l];
      bias_off[l - 1] = bias_size;
      bias_size += padded[l];
      std::vector<double>& zs = zstar[l - 1];
      zs.assign(static_cast<size_t>(e.n) * padded[l], 0.0);
      const double* src = blob + e.zstar_off[l - 1];
      for (int i = 0; i < e.n; ++i)
        for (int u = 0; u < e.widths[l]; ++u)
          zs[static_cast<size_t>(i) * padded[l] + u] = src[static_cast<size_t>(i) * e.widths[l] + u];
    }
  }
};

class MlpTiles {
 public:
  static constexpr int K = MlpEnergy::kObs;
  static constexpr int kMlpPoints = 32;  // points per tile

  MlpTiles(const MlpEnergy& e, const InitParams& ip, const std::vector<double>& blob, const MlpPadded& pad,
           bool gemm_only)
      : e_(e), ip_(ip), blob_(blob.data()), pad_(pad), gemm_only_(gemm_only), theta_(ip.dims) {
    wt_.resize(pad_.wt_size);
    bias_.resize(pad_.bias_size);
    const size_t buf = static_cast<size_t>(kMlpPoints) * pad_.max_padded;
    z_.resize(buf);
    h_[0].resize(buf);
    h_[1].resize(buf);
  }

  void operator()(uint64_t k0, int count, double* obs) {
    for (int p = 0; p < count; ++p) particle(k0 + p, obs + static_cast<size_t>(p) * K);
  }

 private:
  void particle(uint64_t k, double* obs) {
    simd::draw_one(ip_, blob_ + ip_.scale_off, k, theta_.data());
    transpose_weights();
    const int L = e_.layers, n = e_.n;
    vd layer_acc[kMlpMaxLayers] = {};
    double e = 0.0;
    const double* x = blob_ + e_.x_off;
    const double* y = blob_ + e_.y_off;
    for (int i0 = 0; i0 < n; i0 += kMlpPoints) {
      const int rows = std::min(kMlpPoints, n - i0);
      const double* in = x + static_cast<size_t>(i0) * e_.widths[0];
      int lda = e_.widths[0];
      for (int l = 1; l <= L; ++l) {
        const int np = pad_.padded[l];
        double* h = h_[l % 2].data();
        // The benchmark probe times the products alone: hidden layers straight into h.
        layer(l, in, lda, rows, gemm_only_ && l < L ? h : z_.data());
        if (!gemm_only_) {
          // (z - z*)^2 in lane partials, points in order
          const double* zs = pad_.zstar[l - 1].data() + static_cast<size_t>(i0) * np;
          for (int r = 0; r < rows; ++r)
            for (int u = 0; u < np; u += kLanes) {
              const vd d =
                  load(z_.data() + static_cast<size_t>(r) * np + u) - load(zs + static_cast<size_t>(r) * np + u);
              layer_acc[l - 1] = vfma(d, d, layer_acc[l - 1]);
            }
          if (l < L) activate(z_.data(), h, rows * np);
        }
        in = h;
        lda = np;
      }
      for (int r = 0; r < rows; ++r) {  // output width 1: unit 0 of the last layer
        const double res = y[i0 + r] - z_[static_cast<size_t>(r) * pad_.padded[L]];
        e = fma(res, res, e);
      }
    }
    obs[0] = e / n;
    for (int l = 0; l < kMlpMaxLayers; ++l) {
      double s = 0.0;
      for (int q = 0; q < kLanes; ++q) s += layer_acc[l][q];
      obs[1 + l] = l < L ? s / n : 0.0;
    }
  }

  // W_l (row-major nout x nin in theta) -> wt (nin x padded, zero-padded), b_l -> bias.
  void transpose_weights() {
    const double* w = theta_.data();
    for (int l = 1; l <= e_.layers; ++l) {
      const int nin = e_.widths[l - 1], nout = e_.widths[l], np = pad_.padded[l];
      double* wt = wt_.data() + pad_.wt_off[l - 1];
      double* b = bias_.data() + pad_.bias_off[l - 1];
      for (int c = 0; c < nin; ++c)
        for (int u = 0; u < nout; ++u) wt[static_cast<size_t>(c) * np + u] = w[static_cast<size_t>(u) * nin + c];
      for (int u = 0; u < nout; ++u) b[u] = e_.bias ? w[static_cast<size_t>(nout) * nin + u] : 0.0;
      w += static_cast<size_t>(nout) * nin + (e_.bias ? nout : 0);
    }
  }

  // out[r][u] = b_u + sum_c in[r][c] wt[c][u], the fma chain of MlpEnergy in c order.
  void layer(int l, const double* in, int lda, int rows, double* out) {
    const int nin = e_.widths[l - 1], np = pad_.padded[l];
    const double* wt = wt_.data() + pad_.wt_off[l - 1];
    const double* b = bias_.data() + pad_.bias_off[l - 1];
    for (int u0 = 0; u0 < np; u0 += kGroup) {
      if (u0 + kGroup <= np)
        block<2>(in, lda, wt + u0, np, b + u0, nin, rows, out + u0, np);
      else
        block<1>(in, lda, wt + u0, np, b + u0, nin, rows, out + u0, np);
    }
  }

  template <int G>
  static void block(const double* in, int lda, const double* wt, int ldw, const double* b, int nin, int rows, double* z,
                    int ldz) {
    int r = 0;
    for (; r + kRows <= rows; r += kRows) {
      vd acc[kRows][G];
      for (int q = 0; q < kRows; ++q)
        for (int g = 0; g < G; ++g) acc[q][g] = load(b + g * kLanes);
      micro_kernel<kRows, G>(in + static_cast<size_t>(r) * lda, lda, wt, ldw, nin, acc);
      for (int q = 0; q < kRows; ++q)
        for (int g = 0; g < G; ++g) store(z + static_cast<size_t>(r + q) * ldz + g * kLanes, acc[q][g]);
    }
    for (; r < rows; ++r) {
      vd acc[1][G];
      for (int g = 0; g < G; ++g) acc[0][g] = load(b + g * kLanes);
      micro_kernel<1, G>(in + static_cast<size_t>(r) * lda, lda, wt, ldw, nin, acc);
      for (int g = 0; g < G; ++g) store(z + static_cast<size_t>(r) * ldz + g * kLanes, acc[0][g]);
    }
  }

  void activate(const double* z, double* h, int count) const {
    switch (e_.act) {
      case kMlpTanh:
#pragma omp simd
        for (int q = 0; q < count; ++q) h[q] = mlp_tanh(z[q]);
        break;
      case kMlpSigmoid:
#pragma omp simd
        for (int q = 0; q < count; ++q) h[q] = mlp_sigmoid(z[q]);
        break;
      default:
#pragma omp simd
        for (int q = 0; q < count; ++q) h[q] = z[q] > 0.0 ? z[q] : 0.0;
    }
  }

  MlpEnergy e_;
  InitParams ip_;
  const double* blob_;
  const MlpPadded& pad_;
  bool gemm_only_;
  std::vector<double> theta_, wt_, bias_, z_, h_[2];
};

template <class Energy>
class OmpRunner final : public ChunkRunner<Energy::kObs> {
 public:
  static constexpr int K = Energy::kObs;
  explicit OmpRunner(const RunnerArgs<Energy>& a) : p_(a), threads_(a.opts.threads), gemm_only_(a.opts.gemm_only) {
    if constexpr (std::is_same_v<Energy, MlpEnergy>) pad_ = std::make_unique<MlpPadded>(p_.energy, p_.blob.data());
  }

  void run(uint64_t first_chunk, uint64_t n_chunks, Moments<K>* out) override {
    fold_chunks<K>(p_.total, first_chunk, n_chunks, threads_, out, [&] {
      if constexpr (std::is_same_v<Energy, MseEnergy>)
        return MseTiles(p_.energy, p_.init, p_.blob);
      else if constexpr (std::is_same_v<Energy, MlpEnergy>)
        return MlpTiles(p_.energy, p_.init, p_.blob, *pad_, gemm_only_);
      else
        return LinearDataTiles<decltype(p_.energy.loss)>(p_.energy, p_.init, p_.blob, gemm_only_);
    });
  }

 private:
  PointCopy<Energy> p_;
  int threads_;
  bool gemm_only_;
  std::unique_ptr<MlpPadded> pad_;
};

}  // namespace

MLTEMP_RUNNER_FACTORY(make_omp_runner, OmpRunner)

}  // namespace mltemp
