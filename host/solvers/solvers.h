// Exact minima of the linear MSE family (E_min, paper eqs. 3.4, 3.9 and Section 3.4).
#pragma once

#include <Eigen/Dense>

namespace mltemp {

struct MinResult {
  double e_min = 0.0;
  Eigen::VectorXd theta;
  int iterations = 0;
  bool converged = true;
  const char* method = "";
};

// min_theta c - 2 theta.b + theta^T (A + l2 I) theta + l1 |theta|_1.
// l1 = 0: closed form (pseudo-inverse for l2 = 0, Cholesky for l2 > 0);
// l1 > 0: cyclic coordinate descent to |delta theta| < 1e-14 (lasso / elastic net).
MinResult minimize_quadratic(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, double c, double l1, double l2);

}  // namespace mltemp
