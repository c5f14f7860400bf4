// Exact minima E_min (2.22) for the MAE (Section 3.5) and cross-entropy (Section 4) systems.
// Linear programs are solved with GLPK's simplex, and each answer is checked against a
// certificate in double (LAD: a dual point's bound equals the loss at the minimizer;
// separability: margins of the separating direction and a Gordan vector for the rest); a failed
// check throws std::runtime_error.
// glp_exact is not used: it rounds every coefficient to a nearby simple fraction (relative
// tolerance 1e-9), so it solves a perturbed problem, and it is 100x slower.
// GLPK's terminal output is off. Bad input throws mltemp::InputError; a solver failure throws
// InputError naming GLPK's return code and status.
#pragma once

#include <Eigen/Dense>

namespace mltemp {

// Least absolute deviations: min_theta <|y_i - theta.x_i|> (Section 3.5, E_min). Solved as the
// dual LP max y.d s.t. X^T d = 0, -1 <= d_i <= 1 (its optimum is n E_min), whose optimal vertex
// is a set of m points the minimizer fits exactly. GLPK's dual simplex (long-step ratio test)
// finds it from a start vertex near the answer (least squares, then IRLS). The vertex alone
// decides the result: theta solves its m equations (refined in long double); E_min is the loss
// at theta summed in long double (within an ulp of the exact LP optimum, correctly rounded in
// the cases checked against rational arithmetic); the certificate is checked: the vertex's
// dual point d has X^T d = 0 to 1e-9 relative, and the bound y.d / (n max(1, |d|_inf)) <= E_min
// agrees with E_min to 1e-10 of <|y|> + <|X theta|>. About 0.1 s of CPU at n = 1e4, m = 32.
struct LadResult {
  double e_min;           // exact LP optimum / n
  Eigen::VectorXd theta;  // a minimizer (not unique in degenerate cases)
};
LadResult solve_lad(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

// Logistic regression: min_theta <softplus(theta.x_i) - y_i theta.x_i> (Section 4, E_min), y_i
// exactly 0 or 1. With s_i = 2 y_i - 1, one LP, max sum_i t_i s.t. s_i x_i.theta >= t_i,
// 0 <= t_i <= 1, finds the largest set S of points that a direction d separates strictly while
// every other point has s_i x_i.d = 0:
// - S = all points: linearly separable (exists theta with s_i theta.x_i >= 1 for all i):
//   separable = true, e_min = 0 (an infimum, not attained), converged = false, iterations = 0,
//   theta = that separating direction.
// - S empty: the minimum is attained; Newton/IRLS with backtracking line search from theta = 0.
// - otherwise quasi-separation: the infimum is (1/n) min over theta of the loss of the points
//   outside S, approached along theta + t d, t -> inf, and never attained. quasi_separable =
//   true, converged = false, e_min = that infimum, theta = the minimizer over the points outside
//   S, direction = d.
// converged is true only when the minimum is attained and Newton's decrement fell below
// tolerance; otherwise e_min is the best value reached (an upper bound on the infimum).
struct LogisticResult {
  double e_min;
  Eigen::VectorXd theta;
  bool separable;
  bool converged;
  int iterations;
  bool quasi_separable = false;
  Eigen::VectorXd direction;  // recession direction d (empty when S is empty)
  double grad_inf = 0.0;      // max-norm of the gradient of the minimized loss at theta
};
LogisticResult solve_logistic(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

}  // namespace mltemp
