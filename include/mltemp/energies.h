// Energy functors: E(theta) over the whole dataset, written once for both compilers.
//
// Each functor is a plain struct of sizes, scalars and offsets into one parameter blob
// (a vector of doubles uploaded once per sweep point). It fills kObs observables per particle;
// observable 0 is always the energy. work_size() is the scratch each evaluation needs.
#pragma once

#include <cmath>

#include "mltemp/hd.h"

namespace mltemp {

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

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/,
                            double* obs) const {
    const double* a = blob + a_off;
    const double* b = blob + b_off;
    double quad = 0.0, lin = 0.0, sq = 0.0, ab = 0.0;
    for (int i = 0; i < m; ++i) {
      const double* row = a + i * m;
      double r = 0.0;
      for (int j = 0; j < m; ++j) r += row[j] * theta[j];
      quad += theta[i] * r;
      lin += theta[i] * b[i];
      sq += theta[i] * theta[i];
      ab += theta[i] < 0.0 ? -theta[i] : theta[i];
    }
    obs[0] = c - 2.0 * lin + quad + l2 * sq + l1 * ab;
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

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/,
                            double* obs) const {
    const double* x = blob + x_off;
    const double* y = blob + y_off;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
      double z = 0.0;
      for (int j = 0; j < m; ++j) z += theta[j] * x[i * m + j];
      sum += loss(y[i], z);
    }
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

}  // namespace mltemp
