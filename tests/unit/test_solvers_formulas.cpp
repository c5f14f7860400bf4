// E_min solvers and the closed forms of the MSE family, against hand-checkable cases.
#include <gtest/gtest.h>

#include <cmath>

#include "formulas.h"
#include "solvers.h"

using namespace mltemp;

TEST(Solvers, LeastSquaresMatchesResiduals) {
  Eigen::MatrixXd X(5, 2);
  X << 1, 1, 2, 1, 3, 1, 4, 1, 5, 1;
  Eigen::VectorXd y(5);
  y << 2.1, 3.9, 6.2, 7.8, 10.1;
  const double n = 5;
  const Eigen::MatrixXd A = X.transpose() * X / n;
  const Eigen::VectorXd b = X.transpose() * y / n;
  const double c = y.squaredNorm() / n;
  const MinResult r = minimize_quadratic(A, b, c, 0, 0);
  const Eigen::VectorXd th = X.colPivHouseholderQr().solve(y);
  EXPECT_NEAR(r.theta[0], th[0], 1e-12);
  EXPECT_NEAR(r.theta[1], th[1], 1e-12);
  EXPECT_NEAR(r.e_min, (y - X * th).squaredNorm() / n, 1e-12);
}

TEST(Solvers, CollinearUsesPseudoInverse) {
  Eigen::MatrixXd A(2, 2);
  A << 1, 1, 1, 1;  // two identical features
  Eigen::VectorXd b(2);
  b << 0.5, 0.5;
  const MinResult r = minimize_quadratic(A, b, 1.0, 0, 0);
  EXPECT_NEAR(r.e_min, 1.0 - 0.25, 1e-12);  // c - b^T A^+ b with A^+ = A/4
  EXPECT_NEAR(r.theta[0], r.theta[1], 1e-12);
}

TEST(Solvers, RidgeClosedForm) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(2, 2) * 2.0;
  Eigen::VectorXd b(2);
  b << 1.0, -3.0;
  const MinResult r = minimize_quadratic(A, b, 10.0, 0, 0.5);
  // theta = b / (2 + 0.5); E_min = c - b.theta
  EXPECT_NEAR(r.theta[0], 0.4, 1e-14);
  EXPECT_NEAR(r.theta[1], -1.2, 1e-14);
  EXPECT_NEAR(r.e_min, 10.0 - (0.4 + 3.6), 1e-13);
}

TEST(Solvers, LassoSoftThresholdOnDiagonal) {
  // Diagonal A: theta_j = S(b_j, l1/2)/A_jj exactly.
  Eigen::MatrixXd A = Eigen::Vector3d(1.0, 2.0, 4.0).asDiagonal();
  Eigen::VectorXd b(3);
  b << 0.9, -0.1, 2.0;
  const double l1 = 0.6;
  const MinResult r = minimize_quadratic(A, b, 3.0, l1, 0);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.theta[0], 0.6, 1e-14);
  EXPECT_NEAR(r.theta[1], 0.0, 1e-14);
  EXPECT_NEAR(r.theta[2], 1.7 / 4.0, 1e-14);
  const double e = 3.0 - 2 * (0.9 * 0.6 + 2.0 * 0.425) + (0.36 + 4 * 0.425 * 0.425) + l1 * (0.6 + 0.425);
  EXPECT_NEAR(r.e_min, e, 1e-13);
}

TEST(Solvers, LassoSatisfiesKkt) {
  Eigen::MatrixXd M(4, 4);
  M << 1, .3, .2, 0, .3, 1, .5, .1, .2, .5, 1, .4, 0, .1, .4, 1;
  Eigen::VectorXd b(4);
  b << .5, -.2, .8, .05;
  const double l1 = 0.3;
  const MinResult r = minimize_quadratic(M, b, 2.0, l1, 0);
  ASSERT_TRUE(r.converged);
  // Subgradient: 2(A theta - b)_j + l1 sign(theta_j) = 0, or |2(A theta - b)_j| <= l1 at 0.
  const Eigen::VectorXd g = 2.0 * (M * r.theta - b);
  for (int j = 0; j < 4; ++j) {
    if (r.theta[j] != 0)
      EXPECT_NEAR(g[j] + l1 * (r.theta[j] > 0 ? 1 : -1), 0.0, 1e-12);
    else
      EXPECT_LE(std::abs(g[j]), l1 + 1e-12);
  }
  // And no nearby point does better.
  auto obj = [&](const Eigen::VectorXd& t) { return 2.0 - 2 * t.dot(b) + t.dot(M * t) + l1 * t.lpNorm<1>(); };
  EXPECT_NEAR(obj(r.theta), r.e_min, 1e-14);
  for (int j = 0; j < 4; ++j)
    for (double d : {-1e-4, 1e-4}) {
      Eigen::VectorXd t = r.theta;
      t[j] += d;
      EXPECT_GT(obj(t), r.e_min);
    }
}

TEST(Formulas, EntropyAndKappa) {
  const double two_pi_e = 2 * M_PI * std::exp(1.0);
  Eigen::VectorXd s(3);
  s << 2.0, 2.0, 5.0;
  EXPECT_NEAR(entropy(s, 3), 2 * 0.5 * std::log(two_pi_e * 4) + 0.5 * std::log(two_pi_e * 25), 1e-14);
  EXPECT_NEAR(entropy(s, 0), 2 * std::log(4.0) + std::log(10.0), 1e-14);
  EXPECT_NEAR(entropy(s, 1), 0.5 * std::log(two_pi_e * 4) + std::log(4.0) + std::log(10.0), 1e-14);
  // H <= 0 below sigma = (2 pi e)^-1/2 and a = 1/2.
  Eigen::VectorXd small = Eigen::VectorXd::Constant(1, 0.24);
  EXPECT_LT(entropy(small, 1), 0.0);
  EXPECT_GT(entropy(Eigen::VectorXd::Constant(1, 0.25), 1), 0.0);
  EXPECT_LT(entropy(Eigen::VectorXd::Constant(1, 0.49), 0), 0.0);
  EXPECT_NEAR(entropy_kappa(Eigen::VectorXd::Ones(4), 4), 0.5 * std::log(two_pi_e), 1e-15);
  EXPECT_NEAR(entropy_kappa(Eigen::VectorXd::Ones(4), 0), std::log(2.0), 1e-15);
  // kappa is exactly (H - m ln s)/m for proportional scales.
  Eigen::VectorXd r(3);
  r << 1.0, 1.0, std::sqrt(3.0);
  const double sc = 123.0;
  EXPECT_NEAR(entropy_kappa(r, 2), (entropy(r * sc, 2) - 3 * std::log(sc)) / 3, 1e-13);
}

TEST(Formulas, MseInitEnergyByHand) {
  Eigen::MatrixXd A(2, 2);
  A << 2.0, 0.5, 0.5, 3.0;
  Eigen::VectorXd s(2);
  s << 2.0, 3.0;  // normal sigma 2, uniform a 3
  // c + 4*(2 + l2) + (9/3)*(3 + l2) + l1*(2 sqrt(2/pi) + 3/2)
  const double l1 = 0.7, l2 = 0.2;
  EXPECT_NEAR(mse_e_init(A, 1.5, s, 1, l1, l2), 1.5 + 4 * 2.2 + 3 * 3.2 + l1 * (2 * std::sqrt(2 / M_PI) + 1.5), 1e-13);
  EXPECT_NEAR(mse_e_asym(A, s, 1, l2), 4 * 2.2 + 3 * 3.2, 1e-13);
  EXPECT_NEAR(t_asym(10.0, 2, std::exp(2.0)), 10.0 / 4.0, 1e-14);
  EXPECT_TRUE(std::isnan(t_asym(10.0, 2, 1.0)));
}
