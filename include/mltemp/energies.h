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

// Linear regression, MAE (Section 3.5): E = <|y - theta.x|>. No sufficient statistics: one
// fused pass over the data per particle (dot product, loss, accumulation together).
struct MaeEnergy {
  static constexpr int kObs = 1;
  int n, m;
  int x_off;  // X, n x m row-major
  int y_off;  // y, n

  MLTEMP_HD int work_size() const { return 0; }

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/,
                            double* obs) const {
    const double* x = blob + x_off;
    const double* y = blob + y_off;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
      double d = 0.0;
      for (int j = 0; j < m; ++j) d += theta[j] * x[i * m + j];
      const double r = y[i] - d;
      sum += r < 0.0 ? -r : r;
    }
    obs[0] = sum / n;
  }
};

// Logistic regression, cross entropy (Section 4): E = <softplus(theta.x) - y theta.x>,
// softplus(z) = ln(1 + e^z) evaluated as max(z, 0) + log1p(e^-|z|) (no overflow at any scale).
struct CeEnergy {
  static constexpr int kObs = 1;
  int n, m;
  int x_off;  // X, n x m row-major
  int y_off;  // labels in {0, 1}

  MLTEMP_HD int work_size() const { return 0; }

  MLTEMP_HD void operator()(const double* blob, const double* theta, double* /*work*/,
                            double* obs) const {
    const double* x = blob + x_off;
    const double* y = blob + y_off;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
      double z = 0.0;
      for (int j = 0; j < m; ++j) z += theta[j] * x[i * m + j];
      const double az = z < 0.0 ? -z : z;
      sum += (z > 0.0 ? z : 0.0) + log1p(exp(-az)) - y[i] * z;
    }
    obs[0] = sum / n;
  }
};

}  // namespace mltemp
