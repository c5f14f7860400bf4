// Tests of the exact minima: least absolute deviations (Section 3.5) and logistic regression
// (Section 4), on hand-checkable cases, vertex enumeration and 1-D scans.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>

#include "errors.h"
#include "solvers_glm.h"
#include "test_util.h"

namespace mltemp {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458176568;

double lad_loss(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& th) {
  return (y - X * th).cwiseAbs().mean();
}

double softplus(double w) { return std::max(w, 0.0) + std::log1p(std::exp(-std::fabs(w))); }

double ce_loss(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& th) {
  const Eigen::VectorXd z = X * th;
  double s = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) s += softplus(z[i]) - y[i] * z[i];
  return s / static_cast<double>(z.size());
}

// An n x m design: N(0, 1) features, a bias column last.
Eigen::MatrixXd gaussian_design(std::mt19937_64& rng, int n, int m) {
  std::normal_distribution<double> nz(0.0, 1.0);
  Eigen::MatrixXd X(n, m);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m - 1; ++j) X(i, j) = nz(rng);
    X(i, m - 1) = 1.0;
  }
  return X;
}

// A 442 x 11 problem (the diabetes data's shape): gaussian_design, then y_i = target(row i, z_i)
// with z_i ~ N(0, 1) drawn in row order after the design.
struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};
template <class F>
Problem random_problem(uint64_t seed, F target) {
  std::mt19937_64 rng(seed);
  Problem p{gaussian_design(rng, 442, 11), Eigen::VectorXd(442)};
  std::normal_distribution<double> nz(0.0, 1.0);
  for (int i = 0; i < 442; ++i) p.y[i] = target(p.X.row(i), nz(rng));
  return p;
}

// ---------------------------------------------------------------- solve_lad

TEST(SolveLad, ConstantFeatureGivesMedian) {
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(5, 1);
  Eigen::VectorXd y(5);
  y << 3.0, -1.0, 7.0, 2.0, 10.0;
  LadResult r = solve_lad(X, y);
  EXPECT_NEAR(r.theta[0], 3.0, 1e-14);
  EXPECT_NEAR(r.e_min, (0.0 + 4.0 + 4.0 + 1.0 + 7.0) / 5.0, 1e-15);
  // Even n: any theta between the middle values; E_min is the mean deviation from either.
  Eigen::MatrixXd X4 = Eigen::MatrixXd::Ones(4, 1);
  Eigen::VectorXd y4(4);
  y4 << 1.0, 2.0, 4.0, 10.0;
  r = solve_lad(X4, y4);
  EXPECT_NEAR(r.e_min, 11.0 / 4.0, 1e-15);
  EXPECT_GE(r.theta[0], 2.0 - 1e-14);
  EXPECT_LE(r.theta[0], 4.0 + 1e-14);
  // A constant feature of value 2: theta = median / 2.
  r = solve_lad(2.0 * X, y);
  EXPECT_NEAR(r.theta[0], 1.5, 1e-14);
  EXPECT_NEAR(r.e_min, 3.2, 1e-15);
}

TEST(SolveLad, ExactFitHasZeroMinimum) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> ui(-5, 5);
  const int n = 20, m = 4;
  Eigen::MatrixXd X(n, m);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m - 1; ++j) X(i, j) = ui(rng);
    X(i, m - 1) = 1.0;
  }
  Eigen::VectorXd theta0(m);
  theta0 << 0.5, -1.25, 2.0, 0.75;  // dyadic: y is exact
  const Eigen::VectorXd y = X * theta0;
  const LadResult r = solve_lad(X, y);
  EXPECT_LT(r.e_min, 1e-14);
  EXPECT_LT((r.theta - theta0).cwiseAbs().maxCoeff(), 1e-12);
}

// LAD always has a minimizer that fits m of the points exactly (a vertex of the LP).
double lad_by_vertex_enumeration(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> idx(static_cast<size_t>(m));
  for (int j = 0; j < m; ++j) idx[static_cast<size_t>(j)] = j;
  while (true) {
    Eigen::MatrixXd A(m, m);
    Eigen::VectorXd b(m);
    for (int j = 0; j < m; ++j) {
      A.row(j) = X.row(idx[static_cast<size_t>(j)]);
      b[j] = y[idx[static_cast<size_t>(j)]];
    }
    Eigen::FullPivLU<Eigen::MatrixXd> lu(A);
    if (lu.isInvertible()) best = std::min(best, lad_loss(X, y, lu.solve(b)));
    int j = m - 1;  // next combination
    while (j >= 0 && idx[static_cast<size_t>(j)] == n - m + j) --j;
    if (j < 0) break;
    ++idx[static_cast<size_t>(j)];
    for (int k = j + 1; k < m; ++k) idx[static_cast<size_t>(k)] = idx[static_cast<size_t>(k) - 1] + 1;
  }
  return best;
}

// n points on a line with heavy-tailed noise: X = (x_i, 1), x_i ~ N(0, 1).
std::pair<Eigen::MatrixXd, Eigen::VectorXd> line_data(std::mt19937_64& rng, int n) {
  std::normal_distribution<double> nz(0.0, 1.0);
  Eigen::MatrixXd X(n, 2);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    X(i, 0) = nz(rng);
    X(i, 1) = 1.0;
    y[i] = 1.5 * X(i, 0) - 0.3 + 0.8 * nz(rng) * nz(rng);
  }
  return {X, y};
}

// Noiseless data at a realistic size: every residual is 0 at the minimum, where the LP is
// degenerate at every vertex (the dual simplex stalled for minutes at n = 1e4, m = 128). The fit
// is certified by its loss against the lower bound 0, without the LP.
TEST(SolveLad, NoiselessLargeDataIsFast) {
  std::mt19937_64 rng(17);
  const int n = 4000, m = 64;
  const Eigen::MatrixXd X = gaussian_design(rng, n, m);
  const Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(m, -1.0, 2.0);
  const Eigen::VectorXd y = X * w;
  const auto t0 = std::chrono::steady_clock::now();
  const LadResult r = solve_lad(X, y);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(r.e_min, 1e-13);
  EXPECT_LT((r.theta - w).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT(secs, 30.0) << "the degenerate LP is back";  // a stall, not a speed test (~0.1 s)
}

TEST(SolveLad, MatchesVertexEnumerationAndGrid) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> nz(0.0, 1.0);
  const auto [X, y] = line_data(rng, 15);
  const LadResult r = solve_lad(X, y);
  const double ref = lad_by_vertex_enumeration(X, y);
  EXPECT_LT(std::fabs(r.e_min - ref), 1e-14 * ref);
  EXPECT_LT(std::fabs(lad_loss(X, y, r.theta) - r.e_min), 1e-15);
  // Brute force over a grid around it: nothing lower, and the grid minimum is close.
  double grid_min = std::numeric_limits<double>::infinity();
  const double h = 1e-3;
  for (int a = -400; a <= 400; ++a) {
    for (int b = -400; b <= 400; ++b) {
      Eigen::VectorXd th(2);
      th << r.theta[0] + a * h, r.theta[1] + b * h;
      grid_min = std::min(grid_min, lad_loss(X, y, th));
    }
  }
  EXPECT_GE(grid_min, r.e_min - 1e-15);
  EXPECT_LT(grid_min - r.e_min, 1e-12);  // the grid contains the optimum itself (a = b = 0)
  // Three parameters.
  Eigen::MatrixXd X3(12, 3);
  Eigen::VectorXd y3(12);
  for (int i = 0; i < 12; ++i) {
    X3(i, 0) = nz(rng);
    X3(i, 1) = nz(rng);
    X3(i, 2) = 1.0;
    y3[i] = X3(i, 0) - 2.0 * X3(i, 1) + nz(rng);
  }
  const LadResult r3 = solve_lad(X3, y3);
  const double ref3 = lad_by_vertex_enumeration(X3, y3);
  EXPECT_LT(std::fabs(r3.e_min - ref3), 1e-14 * ref3);
}

TEST(SolveLad, LocallyOptimalOnLargerProblem) {
  const auto [X, y] = random_problem(8, [](const auto& x, double z) { return x.head(4).sum() + 2.0 * z; });
  const Eigen::Index m = X.cols();
  const LadResult r = solve_lad(X, y);
  EXPECT_LT(std::fabs(lad_loss(X, y, r.theta) - r.e_min), 1e-15);
  for (int j = 0; j < m; ++j) {
    for (double step : {1e-6, -1e-6, 1e-3, -1e-3}) {
      Eigen::VectorXd th = r.theta;
      th[j] += step;
      EXPECT_GE(lad_loss(X, y, th), r.e_min - 1e-15) << "j=" << j << " step=" << step;
    }
  }
  // Least squares is no better in the L1 sense.
  const Eigen::VectorXd ls = X.colPivHouseholderQr().solve(y);
  EXPECT_GT(lad_loss(X, y, ls), r.e_min);
}

// Ties (integer data: a degenerate LP) against vertex enumeration; an exact rescaling by powers
// of 2 rescales E_min and theta.
TEST(SolveLad, TiesAndRescaling) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> ui(-3, 3);
  const int n = 14, m = 3;
  Eigen::MatrixXd X(n, m);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    X(i, 0) = ui(rng);
    X(i, 1) = ui(rng);
    X(i, 2) = 1.0;
    y[i] = ui(rng);
  }
  const LadResult r = solve_lad(X, y);
  const double ref = lad_by_vertex_enumeration(X, y);
  EXPECT_LT(std::fabs(r.e_min - ref), 1e-15 * ref);
  EXPECT_LT(std::fabs(lad_loss(X, y, r.theta) - r.e_min), 1e-15);
  Eigen::Vector3d col_scale(1.0 / 1024, 4096.0, 0.5);  // features 2^-10 .. 2^12, y by 2^20
  const LadResult rs = solve_lad(X * col_scale.asDiagonal(), 1048576.0 * y);
  EXPECT_LT(std::fabs(rs.e_min / 1048576.0 - ref), 1e-15 * ref);
  EXPECT_LT(std::fabs(lad_loss(X, y, rs.theta.cwiseProduct(col_scale) / 1048576.0) - ref), 1e-15 * ref);
}

// Rank-deficient X (a repeated column, a zero column) has the E_min of its independent columns;
// fewer points than features are fitted exactly.
TEST(SolveLad, RankDeficientAndWideData) {
  std::mt19937_64 rng(12);
  const auto [X, y] = line_data(rng, 13);
  const double ref = lad_by_vertex_enumeration(X, y);
  Eigen::MatrixXd Xd(13, 4);
  Xd << X, 3.0 * X.col(0), Eigen::VectorXd::Zero(13);
  const LadResult r = solve_lad(Xd, y);
  EXPECT_LT(std::fabs(r.e_min - ref), 1e-14 * ref);
  EXPECT_LT(std::fabs(lad_loss(Xd, y, r.theta) - r.e_min), 1e-15);
  std::normal_distribution<double> nz(0.0, 1.0);
  Eigen::MatrixXd W(3, 5);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) W(i, j) = nz(rng);
  const LadResult rw = solve_lad(W, y.head(3));
  EXPECT_LT(rw.e_min, 1e-15);
  EXPECT_LT((W * rw.theta - y.head(3)).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(SolveLad, RejectsBadInput) {
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(3, 2);
  Eigen::VectorXd y = Eigen::VectorXd::Ones(3);
  EXPECT_INPUT_ERROR(solve_lad(X, Eigen::VectorXd::Ones(2)), "solve_lad: y has length 2, X has 3 rows");
  EXPECT_INPUT_ERROR(solve_lad(Eigen::MatrixXd(0, 2), Eigen::VectorXd(0)), "solve_lad: X is empty (0 x 2)");
  X(1, 1) = NAN;
  EXPECT_INPUT_ERROR(solve_lad(X, y), "solve_lad: X(2, 2) (1-based) is not finite");
}

// ---------------------------------------------------------------- solve_logistic

TEST(SolveLogistic, OneDimensionalNonSeparable) {
  Eigen::MatrixXd X(5, 1);
  X << 1.0, 2.0, -1.0, 3.0, -2.0;
  Eigen::VectorXd y(5);
  y << 1, 0, 0, 1, 1;
  const LogisticResult r = solve_logistic(X, y);
  EXPECT_FALSE(r.separable);
  EXPECT_FALSE(r.quasi_separable);
  EXPECT_TRUE(r.converged);
  EXPECT_GT(r.iterations, 0);
  EXPECT_LT(r.grad_inf, 1e-14);
  // Gradient at theta, recomputed here.
  double g = 0.0;
  for (int i = 0; i < 5; ++i) g += (1.0 / (1.0 + std::exp(-r.theta[0] * X(i, 0))) - y[i]) * X(i, 0);
  EXPECT_LT(std::fabs(g / 5), 1e-14);
  // Fine scan over [-5, 5], then golden section around the best point.
  auto f = [&](double t) {
    Eigen::VectorXd th(1);
    th << t;
    return ce_loss(X, y, th);
  };
  double best_t = 0.0, best = f(0.0);
  for (int k = -50000; k <= 50000; ++k) {
    const double t = k * 1e-4;
    if (f(t) < best) best = f(t), best_t = t;
  }
  double a = best_t - 1e-4, b = best_t + 1e-4;
  const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
  for (int it = 0; it < 100; ++it) {
    const double c = b - gr * (b - a), d = a + gr * (b - a);
    if (f(c) < f(d))
      b = d;
    else
      a = c;
  }
  const double scan_min = f(0.5 * (a + b));
  EXPECT_NEAR(r.theta[0], 0.5 * (a + b), 1e-7);
  EXPECT_LE(r.e_min, scan_min + 1e-16);
  EXPECT_NEAR(r.e_min, scan_min, 1e-15);
  EXPECT_NEAR(r.e_min, f(r.theta[0]), 1e-16);
  EXPECT_LT(r.e_min, kLn2);
}

TEST(SolveLogistic, SeparableIsFlaggedNotConverged) {
  Eigen::MatrixXd X(4, 2);
  X << -2.0, 1.0,  //
      -1.0, 1.0,   //
      1.0, 1.0,    //
      2.5, 1.0;
  Eigen::VectorXd y(4);
  y << 0, 0, 1, 1;
  const LogisticResult r = solve_logistic(X, y);
  EXPECT_TRUE(r.separable);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.e_min, 0.0);
  EXPECT_EQ(r.iterations, 0);
  const Eigen::VectorXd margin = (2.0 * y.array() - 1.0).matrix().cwiseProduct(X * r.theta);
  EXPECT_GE(margin.minCoeff(), 1.0 - 1e-9);
  // The loss along the direction goes to 0: the infimum is not attained.
  EXPECT_LT(ce_loss(X, y, 40.0 * r.theta), 1e-15);
  // All labels equal, with a bias column: separable too.
  const LogisticResult r0 = solve_logistic(X, Eigen::VectorXd::Zero(4));
  EXPECT_TRUE(r0.separable);
  EXPECT_EQ(r0.e_min, 0.0);
}

TEST(SolveLogistic, QuasiSeparationReportedHonestly) {
  // x = 0 carries both labels; the others are separated by the slope.
  Eigen::MatrixXd X(6, 2);
  X << -2.0, 1.0,  //
      -1.0, 1.0,   //
      0.0, 1.0,    //
      0.0, 1.0,    //
      1.0, 1.0,    //
      2.0, 1.0;
  Eigen::VectorXd y(6);
  y << 0, 0, 0, 1, 1, 1;
  const LogisticResult r = solve_logistic(X, y);
  EXPECT_FALSE(r.separable);
  EXPECT_TRUE(r.quasi_separable);
  EXPECT_FALSE(r.converged);
  // Infimum: the two x = 0 points at bias 0, 2 ln 2 / 6.
  EXPECT_NEAR(r.e_min, 2.0 * kLn2 / 6.0, 1e-14);
  ASSERT_EQ(r.direction.size(), 2);
  EXPECT_GT(r.direction[0], 0.0);
  EXPECT_NEAR(r.direction[1], 0.0, 1e-12);
  // Approached, not attained, along theta + t d.
  const double near = ce_loss(X, y, r.theta + 5.0 * r.direction);
  const double far = ce_loss(X, y, r.theta + 20.0 * r.direction);
  EXPECT_GT(near, far);
  EXPECT_GT(far, r.e_min);
  EXPECT_LT(far - r.e_min, 1e-8);
}

TEST(SolveLogistic, RandomNonSeparableAndRankDeficient) {
  const auto [X, y] =
      random_problem(21, [](const auto& x, double z) { return (x(0) - 0.5 * x(1) + z > 0.0) ? 1.0 : 0.0; });
  const Eigen::Index n = X.rows(), m = X.cols();
  const LogisticResult r = solve_logistic(X, y);
  EXPECT_FALSE(r.separable);
  EXPECT_TRUE(r.converged);
  // Newton stops once half its decrement g'H^+g/2 is below 1e-20 f: with curvatures of order
  // 0.1 that leaves |g| up to about 1e-10 (f is then exact to the last bits; the step that would
  // shrink g further changes f by less than an ulp).
  EXPECT_LT(r.grad_inf, 1e-9);
  EXPECT_NEAR(r.e_min, ce_loss(X, y, r.theta), 1e-15);
  for (int j = 0; j < m; ++j) {
    for (double step : {1e-4, -1e-4}) {
      Eigen::VectorXd th = r.theta;
      th[j] += step;
      EXPECT_GT(ce_loss(X, y, th), r.e_min);
    }
  }
  // A duplicated column changes nothing but the parametrization.
  Eigen::MatrixXd Xd(n, m + 1);
  Xd << X, X.col(0);
  const LogisticResult rd = solve_logistic(Xd, y);
  EXPECT_TRUE(rd.converged);
  EXPECT_NEAR(rd.e_min, r.e_min, 1e-14);
}

TEST(SolveLogistic, RejectsBadLabels) {
  Eigen::MatrixXd X(3, 1);
  X << 1.0, -1.0, 2.0;
  Eigen::VectorXd y(3);
  y << 0.0, 1.0, 0.5;
  EXPECT_INPUT_ERROR(solve_logistic(X, y),
                     "solve_logistic: label y[3] (row 3, 1-based) = 0.500000 must be exactly 0 or 1");
  y[2] = 2.0;
  EXPECT_INPUT_ERROR(solve_logistic(X, y),
                     "solve_logistic: label y[3] (row 3, 1-based) = 2.000000 must be exactly 0 or 1");
  y[2] = -0.0;  // equal to 0: accepted
  EXPECT_NO_THROW(solve_logistic(X, y));
  y[0] = NAN;
  EXPECT_INPUT_ERROR(solve_logistic(X, y), "solve_logistic: y[1] (1-based) is not finite");
  EXPECT_INPUT_ERROR(solve_logistic(X, Eigen::VectorXd::Zero(2)), "solve_logistic: y has length 2, X has 3 rows");
}

}  // namespace
}  // namespace mltemp
