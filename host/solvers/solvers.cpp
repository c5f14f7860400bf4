#include "solvers.h"

#include <cmath>

namespace mltemp {
namespace {

double objective(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, double c, double l1, double l2,
                 const Eigen::VectorXd& t) {
  return c - 2.0 * t.dot(b) + t.dot(A * t) + l2 * t.squaredNorm() + l1 * t.lpNorm<1>();
}

}  // namespace

MinResult minimize_quadratic(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, double c, double l1, double l2) {
  MinResult r;
  const int m = static_cast<int>(b.size());
  if (l1 == 0.0) {
    if (l2 == 0.0) {
      // Least squares, E_min = c - b^T A^+ b (3.4); the pseudo-inverse covers collinear data.
      r.theta = A.completeOrthogonalDecomposition().solve(b);
      r.method = "least squares (pseudo-inverse)";
    } else {
      Eigen::MatrixXd Al = A + l2 * Eigen::MatrixXd::Identity(m, m);
      r.theta = Al.llt().solve(b);
      r.method = "ridge (Cholesky)";
    }
    r.e_min = objective(A, b, c, l1, l2, r.theta);
    return r;
  }
  // Coordinate descent: theta_j = S(b_j - sum_{k != j} A_jk theta_k, l1/2) / (A_jj + l2).
  r.method = "lasso (coordinate descent)";
  r.theta = Eigen::VectorXd::Zero(m);
  Eigen::VectorXd at = Eigen::VectorXd::Zero(m);  // A theta, kept current
  const int max_sweeps = 200000;
  r.converged = false;
  for (int sweep = 1; sweep <= max_sweeps; ++sweep) {
    double max_step = 0.0, max_theta = 0.0;
    for (int j = 0; j < m; ++j) {
      const double denom = A(j, j) + l2;
      if (!(denom > 0.0)) continue;  // a feature that is zero everywhere stays at 0
      const double rho = b[j] - (at[j] - A(j, j) * r.theta[j]);
      const double half = 0.5 * l1;
      const double nt = rho > half ? (rho - half) / denom : (rho < -half ? (rho + half) / denom : 0.0);
      const double step = nt - r.theta[j];
      if (step != 0.0) {
        at += A.col(j) * step;
        r.theta[j] = nt;
      }
      max_step = std::max(max_step, std::abs(step));
      max_theta = std::max(max_theta, std::abs(nt));
    }
    r.iterations = sweep;
    if (max_step <= 1e-14 * std::max(1.0, max_theta)) {
      r.converged = true;
      break;
    }
  }
  r.e_min = objective(A, b, c, l1, l2, r.theta);
  return r;
}

}  // namespace mltemp
