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

// GLPK's floating-point simplex; throws unless it proves optimality. (glp_exact is not used: it
// rationalizes every coefficient with a 1e-9 relative tolerance, so it solves a perturbed problem,
// and it is slow. The callers check certificates of the float solution instead.)
void solve_lp(glp_prob* lp, const std::string& who) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  glp_scale_prob(lp, GLP_SF_AUTO);
  const int rc = glp_simplex(lp, &parm);
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

// Loads the n x m data matrix (possibly row-signed) as the LP's constraint block.
void load_matrix(glp_prob* lp, const std::vector<int>& ia, const std::vector<int>& ja, const std::vector<double>& ar) {
  glp_load_matrix(lp, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
}

double softplus(double w) { return std::max(w, 0.0) + std::log1p(std::exp(-std::fabs(w))); }

double sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

// E_min for MAE (Section 3.5): the LAD linear program (simplex, optimum certified).
LadResult solve_lad(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const std::string who = "solve_lad";
  check_xy(X, y, who);
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  GlpProblem prob;
  glp_prob* lp = prob.get();
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_rows(lp, m);  // (X^T d)_j = 0
  for (int j = 1; j <= m; ++j) glp_set_row_bnds(lp, j, GLP_FX, 0.0, 0.0);
  glp_add_cols(lp, n);  // d_i in [-1, 1], objective y.d
  for (int i = 1; i <= n; ++i) {
    glp_set_col_bnds(lp, i, GLP_DB, -1.0, 1.0);
    glp_set_obj_coef(lp, i, y[i - 1]);
  }
  std::vector<int> ia(1, 0), ja(1, 0);
  std::vector<double> ar(1, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m; ++j) {
      if (X(i, j) != 0.0) {
        ia.push_back(j + 1);
        ja.push_back(i + 1);
        ar.push_back(X(i, j));
      }
    }
  }
  load_matrix(lp, ia, ja, ar);
  solve_lp(lp, who);

  LadResult r;
  r.theta.resize(m);
  for (int j = 0; j < m; ++j) r.theta[j] = glp_get_row_dual(lp, j + 1);
  // e_min is the loss attained at theta; the LP optimum (its dual bound) must agree with it.
  r.e_min = (y - X * r.theta).cwiseAbs().mean();
  const double lp_value = glp_get_obj_val(lp) / n;
  const double scale = y.cwiseAbs().mean() + (X * r.theta).cwiseAbs().mean();
  if (!(std::fabs(r.e_min - lp_value) <= 1e-10 * scale)) {
    throw std::runtime_error("solve_lad: LP optimum " + std::to_string(lp_value) + " and the loss " +
                             std::to_string(r.e_min) + " of its minimizer disagree (ill-conditioned data)");
  }
  return r;
}

// E_min for cross entropy (Section 4): separability by a certified LP, then Newton/IRLS.
LogisticResult solve_logistic(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const std::string who = "solve_logistic";
  check_xy(X, y, who);
  const int n = static_cast<int>(X.rows()), m = static_cast<int>(X.cols());
  for (int i = 0; i < n; ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw InputError(who + ": label y[" + std::to_string(i + 1) + "] (row " + std::to_string(i + 1) +
                       ", 1-based) = " + std::to_string(y[i]) + " must be exactly 0 or 1");
    }
  }
  Eigen::VectorXd sgn = 2.0 * y.array() - 1.0;

  // ---- max sum t_i s.t. s_i x_i.theta - t_i >= 0, theta free, 0 <= t_i <= 1.
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
  std::vector<int> ia(1, 0), ja(1, 0);
  std::vector<double> ar(1, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m; ++j) {
      if (X(i, j) != 0.0) {
        ia.push_back(i + 1);
        ja.push_back(j + 1);
        ar.push_back(sgn[i] * X(i, j));
      }
    }
    ia.push_back(i + 1);
    ja.push_back(m + i + 1);
    ar.push_back(-1.0);
  }
  load_matrix(lp, ia, ja, ar);
  solve_lp(lp, who + " (separability LP)");

  std::vector<bool> separated(static_cast<size_t>(n));
  int n_sep = 0;
  for (int i = 0; i < n; ++i) {
    separated[static_cast<size_t>(i)] = glp_get_col_prim(lp, m + i + 1) > 0.5;
    n_sep += separated[static_cast<size_t>(i)] ? 1 : 0;
  }
  Eigen::VectorXd d(m);
  for (int j = 0; j < m; ++j) d[j] = glp_get_col_prim(lp, j + 1);
  // Certificates, checked in double. Separated points: s_i x_i.d >= 1 from the LP, so > 0.5
  // here proves strict separation of S whatever the LP's rounding. The rest: a Gordan vector
  // lambda >= 0 (the row duals) with sum_i lambda_i s_i x_i = 0 and lambda_i >= 1 outside S
  // proves that no direction separates any of them without losing another.
  const Eigen::VectorXd margin = sgn.cwiseProduct(X * d);
  const double row_scale = X.cwiseAbs().rowwise().maxCoeff().maxCoeff() * d.cwiseAbs().sum();
  Eigen::VectorXd lambda(n);
  for (int i = 0; i < n; ++i) lambda[i] = std::fabs(glp_get_row_dual(lp, i + 1));
  const Eigen::VectorXd gordan = X.transpose() * sgn.cwiseProduct(lambda);
  const double gordan_scale = (X.cwiseAbs().transpose() * lambda).maxCoeff();
  for (int i = 0; i < n; ++i) {
    const bool in_s = separated[static_cast<size_t>(i)];
    const bool ok = in_s ? margin[i] > 0.5 : margin[i] >= -1e-9 * row_scale && lambda[i] >= 1.0 - 1e-7;
    if (!ok) {
      throw std::runtime_error(who + ": separability LP certificate fails at row " + std::to_string(i + 1) +
                               " (ill-conditioned data)");
    }
  }
  if (n_sep < n && !(gordan.cwiseAbs().maxCoeff() <= 1e-9 * gordan_scale)) {
    throw std::runtime_error(who + ": separability LP dual certificate fails (|sum lambda s x| = " +
                             std::to_string(gordan.cwiseAbs().maxCoeff()) + ")");
  }

  LogisticResult r;
  r.separable = false;
  r.converged = false;
  r.iterations = 0;
  if (n_sep == n) {
    r.separable = true;
    r.e_min = 0.0;
    r.theta = d;
    r.direction = d;
    return r;
  }
  if (n_sep > 0) {
    r.quasi_separable = true;
    r.direction = d;
  }

  // ---- Newton on the points outside S (all points when S is empty).
  std::vector<int> active;
  for (int i = 0; i < n; ++i) {
    if (!separated[static_cast<size_t>(i)]) active.push_back(i);
  }
  const int na = static_cast<int>(active.size());
  Eigen::MatrixXd Xa(na, m);
  Eigen::VectorXd ya(na), sa(na);
  for (int k = 0; k < na; ++k) {
    Xa.row(k) = X.row(active[static_cast<size_t>(k)]);
    ya[k] = y[active[static_cast<size_t>(k)]];
    sa[k] = sgn[active[static_cast<size_t>(k)]];
  }
  const double inv_n = 1.0 / n;
  auto loss = [&](const Eigen::VectorXd& th) {
    const Eigen::VectorXd z = Xa * th;
    double s = 0.0;
    for (int k = 0; k < na; ++k) s += softplus(-sa[k] * z[k]);
    return s * inv_n;
  };
  auto gradient = [&](const Eigen::VectorXd& th, Eigen::VectorXd* w) {
    const Eigen::VectorXd z = Xa * th;
    Eigen::VectorXd resid(na);
    if (w != nullptr) w->resize(na);
    for (int k = 0; k < na; ++k) {
      const double p = sigmoid(z[k]);
      resid[k] = p - ya[k];
      if (w != nullptr) (*w)[k] = p * (1.0 - p);
    }
    return Eigen::VectorXd(Xa.transpose() * resid * inv_n);
  };

  constexpr int kMaxIter = 200;
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(m);
  double f = loss(theta);
  double half_decrement = INFINITY;
  int it = 0;
  for (; it < kMaxIter; ++it) {
    Eigen::VectorXd w;
    const Eigen::VectorXd g = gradient(theta, &w);
    const Eigen::MatrixXd H = Xa.transpose() * w.asDiagonal() * Xa * inv_n;
    // Pseudo-inverse (minimum-norm) step: directions with X_a v = 0 leave the loss unchanged.
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(H);
    cod.setThreshold(1e-13);
    const Eigen::VectorXd step = -cod.solve(g);
    half_decrement = 0.5 * std::max(0.0, -g.dot(step));
    if (half_decrement <= 1e-20 * f) break;
    // Backtracking (Armijo) line search.
    double t = 1.0, f_new = f;
    bool accepted = false;
    for (int ls = 0; ls < 60; ++ls) {
      f_new = loss(theta + t * step);
      if (f_new <= f - 1e-4 * t * 2.0 * half_decrement) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;  // no further decrease in double precision
    theta += t * step;
    f = f_new;
  }
  r.iterations = it;
  r.theta = theta;
  r.e_min = f;
  r.grad_inf = gradient(theta, nullptr).cwiseAbs().maxCoeff();
  // Newton's decrement estimates f - min; below 1e-14 f the value is as exact as double allows.
  r.converged = !r.quasi_separable && std::isfinite(half_decrement) && half_decrement <= 1e-14 * f;
  return r;
}

}  // namespace mltemp
