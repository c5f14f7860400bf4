// Gradients (and, where the energy is smooth, Hessians) of the energy functors of energies.h,
// for full-batch gradient descent (the training experiment, host/experiment_training.cpp).
//
// Each derivative is written once, over the same functor struct and parameter blob as the
// energy itself, so a particle's energy, gradient and Hessian read the same data:
//   energy_gradient(e, blob, theta, work, g)   g[j] = dE/dtheta_j, j < dims
//   energy_hessian(e, blob, theta, h)          h[i * dims + j] = d^2E/dtheta_i dtheta_j
// Non-smooth energies (MAE, an L1 penalty, ReLU networks) get a subgradient (sign(0) = 0) and
// no Hessian. `work` holds gradient_work_size(e) doubles. Plain C++ (MLTEMP_HD): both compilers.
#pragma once

#include <cmath>

#include "mltemp/energies.h"
#include "mltemp/hd.h"

namespace mltemp {

MLTEMP_HD inline double sign_of(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }

// ---- linear MSE + L2 + L1: E = c - 2 theta.b + theta'A theta + l2 |theta|^2 + l1 |theta|_1

MLTEMP_HD inline int gradient_work_size(const MseEnergy&) { return 0; }

// 2 (A theta - b) + 2 l2 theta + l1 sign(theta) (A is symmetric).
MLTEMP_HD inline void energy_gradient(const MseEnergy& e, const double* blob, const double* theta, double* /*work*/,
                                      double* g) {
  const double* a = blob + e.a_off;
  const double* b = blob + e.b_off;
  for (int i = 0; i < e.m; ++i) {
    double r = 0.0;
    for (int j = 0; j < e.m; ++j) r = fma(a[i * e.m + j], theta[j], r);
    g[i] = 2.0 * (r - b[i]) + 2.0 * e.l2 * theta[i] + e.l1 * sign_of(theta[i]);
  }
}

// 2 (A + l2 I); the L1 term adds nothing where it is differentiable.
MLTEMP_HD inline void energy_hessian(const MseEnergy& e, const double* blob, const double* /*theta*/, double* h) {
  const double* a = blob + e.a_off;
  for (int i = 0; i < e.m; ++i)
    for (int j = 0; j < e.m; ++j) h[i * e.m + j] = 2.0 * a[i * e.m + j] + (i == j ? 2.0 * e.l2 : 0.0);
}

// ---- linear models with a per-point loss: E = <loss(y_i, theta.x_i)>

// d loss / dz and d^2 loss / dz^2 of each loss of energies.h.
MLTEMP_HD inline double loss_dz(const AbsLoss&, double y, double z) { return sign_of(z - y); }
MLTEMP_HD inline double loss_dzz(const AbsLoss&, double, double) { return 0.0; }
// softplus(z) - y z: sigmoid(z) - y, and sigmoid(z) (1 - sigmoid(z)), without overflow.
MLTEMP_HD inline double logistic_sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
  const double ez = exp(z);
  return ez / (1.0 + ez);
}
MLTEMP_HD inline double loss_dz(const CrossEntropyLoss&, double y, double z) { return logistic_sigmoid(z) - y; }
MLTEMP_HD inline double loss_dzz(const CrossEntropyLoss&, double, double z) {
  const double s = logistic_sigmoid(z);
  return s * (1.0 - s);
}

template <class Loss>
MLTEMP_HD inline int gradient_work_size(const LinearDataEnergy<Loss>&) {
  return 0;
}

// <loss'(y_i, z_i) x_i>, z_i = theta.x_i (the same dot product as the energy's).
template <class Loss>
MLTEMP_HD inline void energy_gradient(const LinearDataEnergy<Loss>& e, const double* blob, const double* theta,
                                      double* /*work*/, double* g) {
  const double* x = blob + e.x_off;
  const double* y = blob + e.y_off;
  for (int j = 0; j < e.m; ++j) g[j] = 0.0;
  for (int i = 0; i < e.n; ++i) {
    const double* row = x + i * e.m;
    const double d = loss_dz(e.loss, y[i], fma_dot(row, theta, 1, e.m));
    for (int j = 0; j < e.m; ++j) g[j] = fma(d, row[j], g[j]);
  }
  for (int j = 0; j < e.m; ++j) g[j] /= e.n;
}

// <loss''(y_i, z_i) x_i x_i'> (zero for MAE, which is not smooth: no Hessian there).
template <class Loss>
MLTEMP_HD inline void energy_hessian(const LinearDataEnergy<Loss>& e, const double* blob, const double* theta,
                                     double* h) {
  const double* x = blob + e.x_off;
  const double* y = blob + e.y_off;
  for (int k = 0; k < e.m * e.m; ++k) h[k] = 0.0;
  for (int i = 0; i < e.n; ++i) {
    const double* row = x + i * e.m;
    const double w = loss_dzz(e.loss, y[i], fma_dot(row, theta, 1, e.m));
    for (int a = 0; a < e.m; ++a)
      for (int b = 0; b < e.m; ++b) h[a * e.m + b] = fma(w * row[a], row[b], h[a * e.m + b]);
  }
  for (int k = 0; k < e.m * e.m; ++k) h[k] /= e.n;
}

// ---- multilayer perceptron with MSE: backpropagation

// g'(z) given z and h = g(z).
MLTEMP_HD inline double mlp_g_prime(int act, double z, double h) {
  if (act == kMlpRelu) return z > 0.0 ? 1.0 : 0.0;
  if (act == kMlpTanh) return 1.0 - h * h;
  return h * (1.0 - h);
}

// Pre-activations and activations of every layer (2 sum_l n_l), then two delta buffers.
MLTEMP_HD inline int gradient_work_size(const MlpEnergy& e) {
  int s = 0;
  for (int l = 1; l <= e.layers; ++l) s += e.widths[l];
  return 2 * s + 2 * e.max_width;
}

// dE/dtheta for E = <(y - yhat)^2>, theta laid out as MlpEnergy's (per layer W_l row-major,
// then b_l): forward pass keeping z_l and h_l, then deltas from the output back.
MLTEMP_HD inline void energy_gradient(const MlpEnergy& e, const double* blob, const double* theta, double* work,
                                      double* g) {
  int woff[kMlpMaxLayers], aoff[kMlpMaxLayers + 1];  // layer l's weights in theta; z_l/h_l in work
  int params = 0, acts = 0;
  for (int l = 1; l <= e.layers; ++l) {
    woff[l - 1] = params;
    params += e.widths[l] * e.widths[l - 1] + (e.bias ? e.widths[l] : 0);
    aoff[l] = acts;
    acts += e.widths[l];
  }
  double* zs = work;          // z_l at zs + aoff[l]
  double* hs = work + acts;   // h_l at hs + aoff[l]
  double* delta = hs + acts;  // dE/dz_l of the current layer, then of the one below
  double* below = delta + e.max_width;
  for (int k = 0; k < params; ++k) g[k] = 0.0;
  const double* x = blob + e.x_off;
  const double* y = blob + e.y_off;
  for (int i = 0; i < e.n; ++i) {
    const double* in = x + i * e.widths[0];
    for (int l = 1; l <= e.layers; ++l) {
      const int nin = e.widths[l - 1], nout = e.widths[l];
      const double* w = theta + woff[l - 1];
      for (int r = 0; r < nout; ++r) {
        double z = e.bias ? w[nout * nin + r] : 0.0;
        for (int c = 0; c < nin; ++c) z = fma(w[r * nin + c], in[c], z);
        zs[aoff[l] + r] = z;
        hs[aoff[l] + r] = l < e.layers ? mlp_g(e.act, z) : z;
      }
      in = hs + aoff[l];
    }
    delta[0] = -2.0 * (y[i] - hs[aoff[e.layers]]) / e.n;
    for (int l = e.layers; l >= 1; --l) {
      const int nin = e.widths[l - 1], nout = e.widths[l];
      const double* w = theta + woff[l - 1];
      double* gw = g + woff[l - 1];
      const double* hin = l > 1 ? hs + aoff[l - 1] : x + i * e.widths[0];
      for (int r = 0; r < nout; ++r) {
        for (int c = 0; c < nin; ++c) gw[r * nin + c] = fma(delta[r], hin[c], gw[r * nin + c]);
        if (e.bias) gw[nout * nin + r] += delta[r];
      }
      if (l == 1) break;
      for (int c = 0; c < nin; ++c) {
        double s = 0.0;
        for (int r = 0; r < nout; ++r) s = fma(w[r * nin + c], delta[r], s);
        below[c] = s * mlp_g_prime(e.act, zs[aoff[l - 1] + c], hs[aoff[l - 1] + c]);
      }
      double* t = delta;
      delta = below;
      below = t;
    }
  }
}

}  // namespace mltemp
