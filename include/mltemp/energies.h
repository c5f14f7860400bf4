// Energy functors: E(theta) over the whole dataset, written once for both compilers.
//
// Each functor is a plain struct of sizes, scalars and offsets into one parameter blob
// (a vector of doubles uploaded once per sweep point). It fills kObs observables per particle;
// observable 0 is always the energy. work_size() is the scratch each evaluation needs.
#pragma once

#include <cmath>

#include "mltemp/hd.h"

namespace mltemp {

// z0 + sum_j a[j] b[j * stride] for j < n, in j order with one rounding per term (fma): every
// dot product of the energies, so each path rounds it alike whatever the compiler contracts.
MLTEMP_HD inline double fma_dot(const double* a, const double* b, int stride, int n, double z0 = 0.0) {
  for (int j = 0; j < n; ++j) z0 = fma(a[j], b[j * stride], z0);
  return z0;
}

// Linear regression, MSE with L1/L2 (Sections 3.1-3.4), through the sufficient statistics:
// E = c - 2 theta.b + theta^T A theta + l2 |theta|^2 + l1 |theta|_1.
struct MseEnergy {
  static constexpr int kObs = 1;
  int m;
  int a_off;  // A = <x x^T>, m x m row-major
  int b_off;  // b = <x y>
  double c;   // <y^2>
  double l1;
  double l2;

  MLTEMP_HD int work_size() const { return 0; }

  // The energy of theta (coordinate j at theta[j * stride]) given A and b wherever they live
  // (the blob, or a GPU block's shared copy): one order of operations for every path. A is
  // symmetric, so theta'A theta = sum_i theta_i (A_ii theta_i + 2 sum_{j<i} A_ij theta_j): the
  // lower triangle, half the multiply-adds.
  MLTEMP_HD double eval(const double* a, const double* b, const double* theta, int stride) const {
    double quad = 0.0, lin = 0.0, sq = 0.0, ab = 0.0;
    for (int i = 0; i < m; ++i) {
      const double* row = a + i * m;
      const double r = fma_dot(row, theta, stride, i);
      const double ti = theta[i * stride];
      quad = fma(ti, fma(row[i], ti, 2.0 * r), quad);
      lin = fma(ti, b[i], lin);
      sq = fma(ti, ti, sq);
      ab += ti < 0.0 ? -ti : ti;
    }
    return fma(l1, ab, fma(l2, sq, fma(-2.0, lin, c) + quad));
  }

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/, double* obs) const {
    obs[0] = eval(blob + a_off, blob + b_off, theta, 1);
  }
};

// Linear models with a per-point loss and no sufficient statistics: one fused pass over the
// data per particle (dot product, loss and accumulation together; no particles x points
// matrix is ever stored). E = <loss(y_i, theta.x_i)>.
template <class Loss>
struct LinearDataEnergy {
  static constexpr int kObs = 1;
  int n, m;
  int x_off;  // X, n x m row-major
  int y_off;  // y (targets, or labels in {0, 1})
  Loss loss;

  MLTEMP_HD int work_size() const { return 0; }

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/, double* obs) const {
    const double* x = blob + x_off;
    const double* y = blob + y_off;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += loss(y[i], fma_dot(x + i * m, theta, 1, m));
    obs[0] = sum / n;
  }
};

// MAE (Section 3.5): |y - z|.
struct AbsLoss {
  MLTEMP_HD double operator()(double y, double z) const { return y > z ? y - z : z - y; }
};

// Cross entropy of logistic regression (Section 4): softplus(z) - y z, with softplus(z) =
// max(z, 0) + log1p(e^-|z|) (no overflow at any scale).
struct CrossEntropyLoss {
  MLTEMP_HD double operator()(double y, double z) const {
    const double az = z < 0.0 ? -z : z;
    return (z > 0.0 ? z : 0.0) + log1p(exp(-az)) - y * z;
  }
};

using MaeEnergy = LinearDataEnergy<AbsLoss>;
using CeEnergy = LinearDataEnergy<CrossEntropyLoss>;

// Multilayer perceptron with MSE (Section 5): widths n_0 .. n_L (n_L = 1, linear output),
// z_l = W_l h_{l-1} (+ b_l), h_l = g(z_l). theta layout per layer: W_l row-major, then b_l.
// Observables: 0 the energy <(y - yhat)^2>; l = 1..L the layer energy <|z_l - z_l*|^2>
// against the reference pre-activations z_l* (5.12); unused slots are 0.
constexpr int kMlpMaxLayers = 8;

enum MlpActivation : int { kMlpTanh = 0, kMlpSigmoid = 1, kMlpRelu = 2 };

// tanh through expm1: accurate to a few ulp like the libraries' tanh, and half again as fast in
// the CPU lanes (libmvec's expm1 against its tanh), so every path uses this one form.
MLTEMP_HD inline double mlp_tanh(double z) {
  const double e = expm1(-2.0 * fabs(z));
  return copysign(-e / (e + 2.0), z);
}

MLTEMP_HD inline double mlp_sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

MLTEMP_HD inline double mlp_g(int act, double z) {
  if (act == kMlpRelu) return z > 0.0 ? z : 0.0;
  if (act == kMlpTanh) return mlp_tanh(z);
  return mlp_sigmoid(z);
}

struct MlpEnergy {
  static constexpr int kObs = 1 + kMlpMaxLayers;
  int n;       // data points
  int layers;  // L
  int act;     // MlpActivation
  int bias;    // 1: each layer has a bias vector
  int max_width;
  int widths[kMlpMaxLayers + 1];
  int x_off;                     // X, n x n_0 row-major
  int y_off;                     // y, n
  int zstar_off[kMlpMaxLayers];  // z_l*, n x n_l row-major

  MLTEMP_HD int work_size() const { return 2 * max_width; }

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* work, double* obs) const {
    double e = 0.0;
    double el[kMlpMaxLayers];
    for (int l = 0; l < kMlpMaxLayers; ++l) el[l] = 0.0;
    const double* x = blob + x_off;
    const double* y = blob + y_off;
    for (int i = 0; i < n; ++i) {
      const double* in = x + i * widths[0];
      double* out = work;
      const double* w = theta;
      for (int l = 1; l <= layers; ++l) {
        const int nin = widths[l - 1], nout = widths[l];
        const double* b = w + nout * nin;
        const double* zs = blob + zstar_off[l - 1] + i * nout;
        double sq = 0.0;
        for (int r = 0; r < nout; ++r) {
          const double z = fma_dot(w + r * nin, in, 1, nin, bias ? b[r] : 0.0);
          const double d = z - zs[r];
          sq = fma(d, d, sq);
          out[r] = l < layers ? mlp_g(act, z) : z;
        }
        el[l - 1] += sq;
        w += nout * nin + (bias ? nout : 0);
        in = out;
        out = (out == work) ? work + max_width : work;
      }
      const double r = y[i] - in[0];
      e = fma(r, r, e);
    }
    obs[0] = e / n;
    for (int l = 0; l < kMlpMaxLayers; ++l) obs[1 + l] = el[l] / n;
  }
};

}  // namespace mltemp
