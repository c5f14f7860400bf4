// Exact minima for the MAE and cross-entropy systems: GLPK linear programs and Newton/IRLS.
#include "solvers_glm.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "errors.h"

namespace mltemp {
namespace {

// Owns a glp_prob and keeps GLPK's terminal output off while it lives.
class GlpProblem {
 public:
  GlpProblem() : old_term_(glp_term_out(GLP_OFF)), lp_(glp_create_prob()) {}
  ~GlpProblem() {
    glp_delete_prob(lp_);
    glp_term_out(old_term_);
  }
  GlpProblem(const GlpProblem&) = delete;
  GlpProblem& operator=(const GlpProblem&) = delete;
  glp_prob* get() const { return lp_; }

 private:
  int old_term_;
  glp_prob* lp_;
};

std::string glp_return_name(int rc) {
  switch (rc) {
    case 0:
      return "ok";
    case GLP_EBADB:
      return "GLP_EBADB (invalid initial basis)";
    case GLP_ESING:
      return "GLP_ESING (singular basis matrix)";
    case GLP_ECOND:
      return "GLP_ECOND (ill-conditioned basis matrix)";
    case GLP_EBOUND:
      return "GLP_EBOUND (incorrect bounds)";
    case GLP_EFAIL:
      return "GLP_EFAIL (solver failure)";
    case GLP_EOBJLL:
      return "GLP_EOBJLL (objective lower limit reached)";
    case GLP_EOBJUL:
      return "GLP_EOBJUL (objective upper limit reached)";
    case GLP_EITLIM:
      return "GLP_EITLIM (iteration limit exceeded)";
    case GLP_ETMLIM:
      return "GLP_ETMLIM (time limit exceeded)";
    case GLP_ENOPFS:
      return "GLP_ENOPFS (no primal feasible solution)";
    case GLP_ENODFS:
      return "GLP_ENODFS (no dual feasible solution)";
    default:
      return "GLPK return code " + std::to_string(rc);
  }
}

std::string glp_status_name(int st) {
  switch (st) {
    case GLP_OPT:
      return "GLP_OPT (optimal)";
    case GLP_FEAS:
      return "GLP_FEAS (feasible, not proven optimal)";
    case GLP_INFEAS:
      return "GLP_INFEAS (infeasible)";
    case GLP_NOFEAS:
      return "GLP_NOFEAS (no feasible solution)";
    case GLP_UNBND:
      return "GLP_UNBND (unbounded)";
    case GLP_UNDEF:
      return "GLP_UNDEF (undefined)";
    default:
      return "GLPK status " + std::to_string(st);
  }
}

// How an LP is solved. kPrimalScaled: GLPK's defaults, the primal simplex from the standard
// basis on the problem scaled by GLPK. kDualFromBasis: the dual simplex with the long-step
// (bound-flipping) ratio test from the basis the caller set, unscaled (for the LAD LP, whose
// n box-constrained columns make each long step cross many breakpoints; glp_scale_prob alone
// would cost more than the whole solve); a start basis GLPK cannot factorize is replaced by the
// standard one.
enum class Simplex { kPrimalScaled, kDualFromBasis };

// GLPK's floating-point simplex; throws unless it proves optimality. (glp_exact is not used: it
// rationalizes every coefficient with a 1e-9 relative tolerance, so it solves a perturbed problem,
// and it is slow. The callers check certificates of the float solution instead.)
void solve_lp(glp_prob* lp, Simplex how, const std::string& who) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  int rc = 0;
  if (how == Simplex::kPrimalScaled) {
    glp_scale_prob(lp, GLP_SF_AUTO);
    rc = glp_simplex(lp, &parm);
  } else {
    parm.meth = GLP_DUALP;  // the dual simplex, falling back to the primal if it fails
    parm.r_test = GLP_RT_FLIP;
    rc = glp_simplex(lp, &parm);
    if (rc == GLP_EBADB || rc == GLP_ESING || rc == GLP_ECOND) {
      glp_std_basis(lp);
      rc = glp_simplex(lp, &parm);
    }
  }
  if (rc != 0) {
    throw InputError(who + ": GLPK simplex failed: " + glp_return_name(rc) + ", status " +
                     glp_status_name(glp_get_status(lp)));
  }
  if (glp_get_status(lp) != GLP_OPT) {
    throw InputError(who + ": GLPK simplex ended non-optimal: " + glp_status_name(glp_get_status(lp)));
  }
}

void check_xy(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::string& who) {
  if (X.rows() == 0 || X.cols() == 0) {
    throw InputError(who + ": X is empty (" + std::to_string(X.rows()) + " x " + std::to_string(X.cols()) + ")");
  }
  if (y.size() != X.rows()) {
    throw InputError(who + ": y has length " + std::to_string(y.size()) + ", X has " + std::to_string(X.rows()) +
                     " rows");
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      if (!std::isfinite(X(i, j))) {
        throw InputError(who + ": X(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                         ") (1-based) is not finite");
      }
    }
    if (!std::isfinite(y[i])) {
      throw InputError(who + ": y[" + std::to_string(i + 1) + "] (1-based) is not finite");
    }
  }
}

// The one builder of the LPs' constraint matrices: data point i becomes LP line i + 1, a column
// (kColumns) or a row (kRows), holding sign_i X(i, j) at position j + 1 (sign_i = 1 when sign is
// empty; zeros skipped) and, when slack != 0, the entry `slack` at position m + i + 1.
enum class PointLines { kColumns, kRows };
void load_points(glp_prob* lp, const Eigen::MatrixXd& X, const Eigen::VectorXd& sign, PointLines lines, double slack) {
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  std::vector<int> ind(static_cast<size_t>(m) + 2);  // GLPK arrays are 1-based
  std::vector<double> val(static_cast<size_t>(m) + 2);
  for (int i = 0; i < n; ++i) {
    const double s = sign.size() == 0 ? 1.0 : sign[i];
    int len = 0;
    for (int j = 0; j < m; ++j) {
      if (X(i, j) != 0.0) {
        ++len;
        ind[static_cast<size_t>(len)] = j + 1;
        val[static_cast<size_t>(len)] = s * X(i, j);
      }
    }
    if (slack != 0.0) {
      ++len;
      ind[static_cast<size_t>(len)] = m + i + 1;
      val[static_cast<size_t>(len)] = slack;
    }
    if (lines == PointLines::kColumns) {
      glp_set_mat_col(lp, i + 1, len, ind.data(), val.data());
    } else {
      glp_set_mat_row(lp, i + 1, len, ind.data(), val.data());
    }
  }
}

// ---------------------------------------------------------------- least absolute deviations
// The LAD LP's optimum is a vertex: m "basic" points the minimizer fits exactly (a row of
// X^T d = 0 stands in where the points span fewer than m directions). GLPK's dual simplex finds
// it from a start vertex near the answer; theta and the dual point d are then computed from the
// vertex here and checked (check_lad_certificate), so the path never changes the answer.

// IRLS steps of the warm start, each one weighted normal matrix (n m^2 / 2 flops). At n = 1e4, 20
// steps cut the dual simplex's iterations from the least-squares start 3-4x (m = 32: 126 -> 38;
// m = 128: 615 -> 173) and the CPU time 1.6-2.2x; 40 steps gain nothing more.
constexpr int kIrlsSteps = 20;
// IRLS weights 1/max(|r_i|, kIrlsFloor mean|r|): keeps the weighted normal equations finite as
// the residuals of the points the minimizer fits go to 0.
constexpr double kIrlsFloor = 1e-8;
// A point joins the start vertex only if Gram-Schmidt against those already in keeps 1e-6 of its
// norm, so GLPK can factorize the start basis.
constexpr double kVertexIndependence = 1e-6;
// The dual point must satisfy X^T d = 0 to 1e-9 of sum_i |x_i| |d_i|: the rounding of the m x m
// solves that give d is near 1e-16 cond(vertex); 1e-9 leaves room for cond up to 1e7.
constexpr double kLadFeasibilityTol = 1e-9;
// The loss at theta (an upper bound on E_min) and the dual bound must agree to 1e-10 of
// mean|y| + mean|X theta|, the size of the terms they sum.
constexpr double kLadGapTol = 1e-10;

// 2^-e for max_abs = f 2^e, f in [1/2, 1): multiplying by it is exact and brings max_abs into
// [1/2, 1) (1 for max_abs = 0).
double power_of_two_scale(double max_abs) {
  if (!(max_abs > 0.0)) return 1.0;
  int e = 0;
  std::frexp(max_abs, &e);
  return std::ldexp(1.0, -e);
}

// A rough minimizer for the start vertex: least squares, then IRLS steps (weights 1/|r_i|).
Eigen::VectorXd lad_estimate(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const Eigen::Index m = X.cols();
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(m);
  for (int step = 0; step <= kIrlsSteps; ++step) {
    Eigen::VectorXd sqrt_w = Eigen::VectorXd::Ones(X.rows());  // step 0: least squares
    if (step > 0) {
      const Eigen::VectorXd r = (y - X * theta).cwiseAbs();
      const double mean = r.mean();
      if (!(mean > 0.0)) break;  // an exact fit
      sqrt_w = r.cwiseMax(kIrlsFloor * mean).cwiseInverse().cwiseSqrt();
    }
    const Eigen::MatrixXd Xw = sqrt_w.asDiagonal() * X;
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(m, m);
    A.selfadjointView<Eigen::Lower>().rankUpdate(Xw.transpose());
    // LDLT with pivoting: a singular A (rank-deficient X) gets a pseudo-inverse solution.
    const Eigen::VectorXd next =
        A.selfadjointView<Eigen::Lower>().ldlt().solve(Xw.transpose() * sqrt_w.cwiseProduct(y));
    if (!next.allFinite()) break;
    theta = next;
  }
  return theta;
}

// <|y_i - x_i.theta|>, summed in long double. At theta rounded from the exact vertex the error
// of theta cancels to first order (theta minimizes the sum), so this is the LP optimum to about
// an ulp.
double lad_loss(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& theta) {
  long double sum = 0.0L;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    long double r = y[i];
    for (Eigen::Index j = 0; j < X.cols(); ++j) r -= static_cast<long double>(X(i, j)) * theta[j];
    sum += std::fabs(r);
  }
  return static_cast<double>(sum / static_cast<long double>(X.rows()));
}

// A vertex of the LAD LP: its points (i, 0-based, ascending) and rows (j), m in all.
struct Vertex {
  std::vector<int> points, rows;
};

// The start vertex: points by increasing |r_i| (then index), each kept when it is independent of
// those kept before; then unit rows for the directions the points do not span.
Vertex start_vertex(const Eigen::MatrixXd& X, const Eigen::VectorXd& r) {
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  std::vector<int> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return std::fabs(r[a]) < std::fabs(r[b]); });
  Eigen::MatrixXd Q(m, m);  // orthonormal basis of the kept vectors
  int kept = 0;
  auto keep_if_independent = [&](Eigen::VectorXd v) {
    const double norm = v.norm();
    for (int pass = 0; pass < 2; ++pass) v -= Q.leftCols(kept) * (Q.leftCols(kept).transpose() * v);
    if (!(v.norm() > kVertexIndependence * norm)) return false;
    Q.col(kept++) = v / v.norm();
    return true;
  };
  Vertex vx;
  for (int k = 0; k < n && kept < m; ++k) {
    const int i = order[static_cast<size_t>(k)];
    if (keep_if_independent(X.row(i).transpose())) vx.points.push_back(i);
  }
  for (int j = 0; j < m && kept < m; ++j) {
    if (keep_if_independent(Eigen::VectorXd::Unit(m, j))) vx.rows.push_back(j);
  }
  std::sort(vx.points.begin(), vx.points.end());
  return vx;
}

// The vertex's equations: x_i.theta = y_i for its points, theta_j = 0 for its rows (a basic row's
// dual is 0). The same matrix transposed gives its part of the dual point d.
class VertexSystem {
 public:
  VertexSystem(const Eigen::MatrixXd& X, const Vertex& vx) : M_(Eigen::MatrixXd::Zero(X.cols(), X.cols())) {
    Eigen::Index k = 0;
    for (int i : vx.points) M_.row(k++) = X.row(i);
    for (int j : vx.rows) M_(k++, j) = 1.0;
    if (k != M_.rows())
      throw std::runtime_error("solve_lad: a vertex with " + std::to_string(k) + " of " + std::to_string(M_.rows()) +
                               " basic variables");
    lu_.compute(M_);
    if (!lu_.isInvertible()) throw std::runtime_error("solve_lad: singular vertex (ill-conditioned data)");
  }
  // M z = b (or M^T z = b), refined once with a long-double residual.
  Eigen::VectorXd solve(const Eigen::VectorXd& b, bool transposed) const {
    using LVec = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
    auto once = [&](const Eigen::VectorXd& rhs) -> Eigen::VectorXd {
      return transposed ? Eigen::VectorXd(lu_.transpose().solve(rhs)) : Eigen::VectorXd(lu_.solve(rhs));
    };
    Eigen::VectorXd z = once(b);
    const Eigen::MatrixXd& A = M_;
    const LVec az = transposed ? LVec(A.transpose().cast<long double>() * z.cast<long double>())
                               : LVec(A.cast<long double>() * z.cast<long double>());
    z += once((b.cast<long double>() - az).cast<double>());
    return z;
  }

 private:
  Eigen::MatrixXd M_;
  Eigen::FullPivLU<Eigen::MatrixXd> lu_;
};

// theta of a vertex.
Eigen::VectorXd vertex_theta(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Vertex& vx,
                             const VertexSystem& sys) {
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(X.cols());
  for (size_t k = 0; k < vx.points.size(); ++k) rhs[static_cast<Eigen::Index>(k)] = y[vx.points[k]];
  return sys.solve(rhs, false);
}

// Hands GLPK the start vertex as its basis: the other points at the bound d_i = sign(y_i -
// x_i.theta) that makes the basis dual feasible, the other rows nonbasic (fixed at 0).
void set_start_basis(glp_prob* lp, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Vertex& vx) {
  const Eigen::VectorXd r = y - X * vertex_theta(X, y, vx, VertexSystem(X, vx));
  for (int j = 0; j < X.cols(); ++j) glp_set_row_stat(lp, j + 1, GLP_NS);
  for (int i = 0; i < X.rows(); ++i) glp_set_col_stat(lp, i + 1, r[i] >= 0.0 ? GLP_NU : GLP_NL);
  for (int j : vx.rows) glp_set_row_stat(lp, j + 1, GLP_BS);
  for (int i : vx.points) glp_set_col_stat(lp, i + 1, GLP_BS);
}

// The optimal basis GLPK ended with, as a vertex.
Vertex final_vertex(glp_prob* lp, int n, int m) {
  Vertex vx;
  for (int i = 0; i < n; ++i) {
    if (glp_get_col_stat(lp, i + 1) == GLP_BS) vx.points.push_back(i);
  }
  for (int j = 0; j < m; ++j) {
    if (glp_get_row_stat(lp, j + 1) == GLP_BS) vx.rows.push_back(j);
  }
  return vx;
}

// The vertex's dual point: d_i = +-1 for the other points (their bound in GLPK's basis), the
// vertex's points from X^T d = 0 (rows of the vertex: their equations are left out).
Eigen::VectorXd vertex_dual_point(glp_prob* lp, const Eigen::MatrixXd& X, const Vertex& vx, const VertexSystem& sys) {
  Eigen::VectorXd d(X.rows());
  for (int i = 0; i < X.rows(); ++i) d[i] = glp_get_col_stat(lp, i + 1) == GLP_NU ? 1.0 : -1.0;
  for (int i : vx.points) d[i] = 0.0;
  const Eigen::VectorXd u = sys.solve(-(X.transpose() * d), true);
  for (size_t k = 0; k < vx.points.size(); ++k) d[vx.points[k]] = u[static_cast<Eigen::Index>(k)];
  return d;
}

// Certificate of optimality, in double (throws std::runtime_error when it fails). Weak duality:
// for every d with X^T d = 0, n E_min >= y.d / max(1, |d|_inf). So with d the vertex's dual point
// (checked: X^T d = 0 to kLadFeasibilityTol), the loss at theta (an upper bound, attained) and
// that lower bound must agree to kLadGapTol.
void check_lad_certificate(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                           double e_min, const Eigen::VectorXd& d) {
  const Eigen::VectorXd defect = X.transpose() * d;
  const double defect_scale = (X.cwiseAbs().transpose() * d.cwiseAbs()).maxCoeff();
  if (!(defect.cwiseAbs().maxCoeff() <= kLadFeasibilityTol * defect_scale)) {
    throw std::runtime_error("solve_lad: the dual point misses X^T d = 0 by " +
                             std::to_string(defect.cwiseAbs().maxCoeff()) + " (ill-conditioned data)");
  }
  const double lower = y.dot(d) / (static_cast<double>(X.rows()) * std::max(1.0, d.cwiseAbs().maxCoeff()));
  const double scale = y.cwiseAbs().mean() + (X * theta).cwiseAbs().mean();
  if (!(std::fabs(e_min - lower) <= kLadGapTol * scale)) {
    throw std::runtime_error("solve_lad: the dual bound " + std::to_string(lower) + " and the loss " +
                             std::to_string(e_min) + " of the minimizer disagree (ill-conditioned data)");
  }
}

// ---------------------------------------------------------------- cross entropy
// Tolerances of the separability LP's certificate (GLPK's defaults: primal and dual feasibility
// 1e-7 relative, typical errors near 1e-12).
// An optimal vertex has t_i = 0 or 1 up to rounding: 1/2 splits the points, and a margin above
// 1/2 proves strict separation whatever the LP's rounding.
constexpr double kSeparatedT = 0.5;
// Points outside S need s_i x_i.d >= 0: allowed to be negative only by rounding, 1e-9 of the
// largest possible |x_i.d| (far above 1e-12, far below any real margin).
constexpr double kMarginTol = 1e-9;
// LP optimality makes the row dual lambda_i >= 1 wherever t_i < 1; GLPK meets that to its dual
// feasibility tolerance, 1e-7.
constexpr double kGordanWeightTol = 1e-7;
// |sum_i lambda_i s_i x_i| must vanish to rounding: 1e-9 of sum_i lambda_i |x_i| (the rounding
// of that sum is about n 1e-16, 1e-12 for n = 1e4).
constexpr double kGordanTol = 1e-9;

// Tolerances of Newton's method.
// Quadratic convergence takes under 30 steps from theta = 0 on well-posed data; the cap only
// ends a stall (the result then reports converged = false).
constexpr int kNewtonMaxSteps = 200;
// Hessian directions below 1e-13 of the largest eigenvalue are flat (X_a v = 0 up to rounding):
// the minimum-norm step ignores them.
constexpr double kHessianRankTol = 1e-13;
// Stop when the predicted decrease (half Newton's decrement) is below 1e-20 f: no step can
// change f in double any more.
constexpr double kStopDecrement = 1e-20;
// Armijo sufficient-decrease constant: the usual choice (Nocedal and Wright, Section 3.1).
constexpr double kArmijo = 1e-4;
// 60 halvings make the step 2^-60 < 1e-18 of Newton's: smaller ones cannot move theta in double.
constexpr int kMaxHalvings = 60;
// Half the decrement estimates f - min: below 1e-14 f (about 50 ulp) f is as exact as double
// allows, and the minimum counts as attained.
constexpr double kConvergedDecrement = 1e-14;

void check_labels(const Eigen::VectorXd& y, const std::string& who) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw InputError(who + ": label y[" + std::to_string(i + 1) + "] (row " + std::to_string(i + 1) +
                       ", 1-based) = " + std::to_string(y[i]) + " must be exactly 0 or 1");
    }
  }
}

// The largest set S of points that a direction d separates strictly while s_i x_i.d = 0 for the
// rest, with s_i = 2 y_i - 1.
struct Separation {
  std::vector<bool> separated;  // i in S
  int count = 0;                // |S|
  Eigen::VectorXd direction;    // d
};

// Certificates, checked in double. Separated points: s_i x_i.d >= 1 from the LP, so a margin
// above kSeparatedT proves strict separation of S. The rest: a Gordan vector lambda >= 0 (the row
// duals) with sum_i lambda_i s_i x_i = 0 and lambda_i >= 1 outside S proves that no direction
// separates any of them without losing another. Throws std::runtime_error when one fails.
void check_separation(const Eigen::MatrixXd& X, const Eigen::VectorXd& sgn, const Separation& sep,
                      const Eigen::VectorXd& lambda, const std::string& who) {
  const Eigen::VectorXd& d = sep.direction;
  const Eigen::VectorXd margin = sgn.cwiseProduct(X * d);
  const double row_scale = X.cwiseAbs().rowwise().maxCoeff().maxCoeff() * d.cwiseAbs().sum();
  const Eigen::VectorXd gordan = X.transpose() * sgn.cwiseProduct(lambda);
  const double gordan_scale = (X.cwiseAbs().transpose() * lambda).maxCoeff();
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const bool in_s = sep.separated[static_cast<size_t>(i)];
    const bool ok =
        in_s ? margin[i] > kSeparatedT : margin[i] >= -kMarginTol * row_scale && lambda[i] >= 1.0 - kGordanWeightTol;
    if (!ok) {
      throw std::runtime_error(who + ": separability LP certificate fails at row " + std::to_string(i + 1) +
                               " (ill-conditioned data)");
    }
  }
  if (sep.count < X.rows() && !(gordan.cwiseAbs().maxCoeff() <= kGordanTol * gordan_scale)) {
    throw std::runtime_error(who + ": separability LP dual certificate fails (|sum lambda s x| = " +
                             std::to_string(gordan.cwiseAbs().maxCoeff()) + ")");
  }
}

// The separability LP: max sum_i t_i s.t. s_i x_i.theta - t_i >= 0, theta free, 0 <= t_i <= 1;
// S = {i : t_i = 1}, d = theta. Its certificate is checked before it returns.
Separation find_separation(const Eigen::MatrixXd& X, const Eigen::VectorXd& sgn, const std::string& who) {
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  GlpProblem prob;
  glp_prob* lp = prob.get();
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_rows(lp, n);
  for (int i = 1; i <= n; ++i) glp_set_row_bnds(lp, i, GLP_LO, 0.0, 0.0);
  glp_add_cols(lp, m + n);
  for (int j = 1; j <= m; ++j) glp_set_col_bnds(lp, j, GLP_FR, 0.0, 0.0);
  for (int i = 1; i <= n; ++i) {
    glp_set_col_bnds(lp, m + i, GLP_DB, 0.0, 1.0);
    glp_set_obj_coef(lp, m + i, 1.0);
  }
  load_points(lp, X, sgn, PointLines::kRows, -1.0);
  solve_lp(lp, Simplex::kPrimalScaled, who + " (separability LP)");

  Separation sep;
  sep.separated.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    sep.separated[static_cast<size_t>(i)] = glp_get_col_prim(lp, m + i + 1) > kSeparatedT;
    sep.count += sep.separated[static_cast<size_t>(i)] ? 1 : 0;
  }
  sep.direction.resize(m);
  for (int j = 0; j < m; ++j) sep.direction[j] = glp_get_col_prim(lp, j + 1);
  Eigen::VectorXd lambda(n);
  for (int i = 0; i < n; ++i) lambda[i] = std::fabs(glp_get_row_dual(lp, i + 1));
  check_separation(X, sgn, sep, lambda, who);
  return sep;
}

double softplus(double w) { return std::max(w, 0.0) + std::log1p(std::exp(-std::fabs(w))); }

double sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// The cross entropy of the points outside S, summed and divided by all n points (the points in S
// contribute 0 in the limit along d).
class ActiveLoss {
 public:
  ActiveLoss(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& sgn,
             const std::vector<bool>& separated)
      : inv_n_(1.0 / static_cast<double>(X.rows())) {
    std::vector<Eigen::Index> active;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      if (!separated[static_cast<size_t>(i)]) active.push_back(i);
    }
    const auto na = static_cast<Eigen::Index>(active.size());
    Xa_.resize(na, X.cols());
    ya_.resize(na);
    sa_.resize(na);
    for (Eigen::Index k = 0; k < na; ++k) {
      Xa_.row(k) = X.row(active[static_cast<size_t>(k)]);
      ya_[k] = y[active[static_cast<size_t>(k)]];
      sa_[k] = sgn[active[static_cast<size_t>(k)]];
    }
  }
  Eigen::Index dims() const { return Xa_.cols(); }

  double value(const Eigen::VectorXd& th) const {
    const Eigen::VectorXd z = Xa_ * th;
    double s = 0.0;
    for (Eigen::Index k = 0; k < z.size(); ++k) s += softplus(-sa_[k] * z[k]);
    return s * inv_n_;
  }
  // The gradient; the IRLS weights p (1 - p) into *w unless w is null.
  Eigen::VectorXd gradient(const Eigen::VectorXd& th, Eigen::VectorXd* w) const {
    const Eigen::VectorXd z = Xa_ * th;
    Eigen::VectorXd resid(z.size());
    if (w != nullptr) w->resize(z.size());
    for (Eigen::Index k = 0; k < z.size(); ++k) {
      const double p = sigmoid(z[k]);
      resid[k] = p - ya_[k];
      if (w != nullptr) (*w)[k] = p * (1.0 - p);
    }
    return Eigen::VectorXd(Xa_.transpose() * resid * inv_n_);
  }
  Eigen::MatrixXd hessian(const Eigen::VectorXd& w) const { return Xa_.transpose() * w.asDiagonal() * Xa_ * inv_n_; }

 private:
  double inv_n_;
  Eigen::MatrixXd Xa_;
  Eigen::VectorXd ya_, sa_;
};

struct NewtonRun {
  Eigen::VectorXd theta;
  double f = 0.0;                    // loss at theta
  int iterations = 0;                // accepted steps
  double half_decrement = INFINITY;  // of the last Newton step computed
};

// Backtracking (Armijo) line search along step from theta; false when no step length decreases
// f enough (the limit of double precision). On success *t and *f_new hold the accepted step.
bool backtrack(const ActiveLoss& loss, const Eigen::VectorXd& theta, const Eigen::VectorXd& step, double f,
               double half_decrement, double* t, double* f_new) {
  *t = 1.0;
  for (int ls = 0; ls < kMaxHalvings; ++ls) {
    *f_new = loss.value(theta + *t * step);
    if (*f_new <= f - kArmijo * *t * 2.0 * half_decrement) return true;
    *t *= 0.5;
  }
  return false;
}

// Damped Newton (IRLS) from theta = 0 with pseudo-inverse steps.
NewtonRun newton_minimize(const ActiveLoss& loss) {
  NewtonRun run;
  run.theta = Eigen::VectorXd::Zero(loss.dims());
  run.f = loss.value(run.theta);
  for (; run.iterations < kNewtonMaxSteps; ++run.iterations) {
    Eigen::VectorXd w;
    const Eigen::VectorXd g = loss.gradient(run.theta, &w);
    // Pseudo-inverse (minimum-norm) step: directions with X_a v = 0 leave the loss unchanged.
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(loss.hessian(w));
    cod.setThreshold(kHessianRankTol);
    const Eigen::VectorXd step = -cod.solve(g);
    run.half_decrement = 0.5 * std::max(0.0, -g.dot(step));
    if (run.half_decrement <= kStopDecrement * run.f) break;
    double t = 1.0, f_new = run.f;
    if (!backtrack(loss, run.theta, step, run.f, run.half_decrement, &t, &f_new)) break;
    run.theta += t * step;
    run.f = f_new;
  }
  return run;
}

// The minimum is attained (no separated points) and Newton's decrement says f is exact.
bool newton_converged(const NewtonRun& run, bool quasi_separable) {
  return !quasi_separable && std::isfinite(run.half_decrement) && run.half_decrement <= kConvergedDecrement * run.f;
}

}  // namespace

// E_min for MAE (Section 3.5): the LAD linear program (dual simplex from a near vertex, optimum
// certified).
LadResult solve_lad(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const std::string who = "solve_lad";
  check_xy(X, y, who);
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  // GLPK sees the data rescaled by powers of 2 (exact): every feature and y to max |.| in [1/2, 1).
  // The vertices do not change; theta and the certificate below use X and y themselves.
  Eigen::VectorXd feature_scale(m);
  for (int j = 0; j < m; ++j) feature_scale[j] = power_of_two_scale(X.col(j).cwiseAbs().maxCoeff());
  const Eigen::MatrixXd Xs = X * feature_scale.asDiagonal();
  const Eigen::VectorXd ys = y * power_of_two_scale(y.cwiseAbs().maxCoeff());
  GlpProblem prob;
  glp_prob* lp = prob.get();
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_rows(lp, m);  // (X^T d)_j = 0
  for (int j = 1; j <= m; ++j) glp_set_row_bnds(lp, j, GLP_FX, 0.0, 0.0);
  glp_add_cols(lp, n);  // d_i in [-1, 1], objective y.d
  for (int i = 1; i <= n; ++i) {
    glp_set_col_bnds(lp, i, GLP_DB, -1.0, 1.0);
    glp_set_obj_coef(lp, i, ys[i - 1]);
  }
  const Vertex start = start_vertex(Xs, ys - Xs * lad_estimate(Xs, ys));
  {
    // An exact fit (y in the span of X up to rounding): the loss at the start vertex is within the
    // certificate's tolerance of 0, a lower bound of E_min, so the vertex is optimal. The LP is not
    // needed there, and would stall: with every residual 0 it is degenerate at every vertex.
    LadResult fit;
    fit.theta = vertex_theta(X, y, start, VertexSystem(X, start));
    fit.e_min = lad_loss(X, y, fit.theta);
    if (fit.e_min <= kLadGapTol * (y.cwiseAbs().mean() + (X * fit.theta).cwiseAbs().mean())) return fit;
  }
  load_points(lp, Xs, Eigen::VectorXd(), PointLines::kColumns, 0.0);
  set_start_basis(lp, Xs, ys, start);
  solve_lp(lp, Simplex::kDualFromBasis, who);

  const Vertex vx = final_vertex(lp, n, m);
  const VertexSystem sys(X, vx);
  LadResult r;
  r.theta = vertex_theta(X, y, vx, sys);
  r.e_min = lad_loss(X, y, r.theta);
  check_lad_certificate(X, y, r.theta, r.e_min, vertex_dual_point(lp, X, vx, sys));
  return r;
}

// E_min for cross entropy (Section 4): separability by a certified LP, then Newton/IRLS.
LogisticResult solve_logistic(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const std::string who = "solve_logistic";
  check_xy(X, y, who);
  check_labels(y, who);
  const Eigen::VectorXd sgn = 2.0 * y.array() - 1.0;
  const Separation sep = find_separation(X, sgn, who);

  LogisticResult r;
  r.separable = false;
  r.converged = false;
  r.iterations = 0;
  if (sep.count == X.rows()) {
    r.separable = true;
    r.e_min = 0.0;
    r.theta = sep.direction;
    r.direction = sep.direction;
    return r;
  }
  if (sep.count > 0) {
    r.quasi_separable = true;
    r.direction = sep.direction;
  }
  // Newton on the points outside S (all points when S is empty).
  const ActiveLoss loss(X, y, sgn, sep.separated);
  const NewtonRun run = newton_minimize(loss);
  r.iterations = run.iterations;
  r.theta = run.theta;
  r.e_min = run.f;
  r.grad_inf = loss.gradient(run.theta, nullptr).cwiseAbs().maxCoeff();
  r.converged = newton_converged(run, r.quasi_separable);
  return r;
}

}  // namespace mltemp
