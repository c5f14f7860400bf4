// Teacher networks and the full-batch MLP trainer (Section 5.2 reference pre-activations).
#include "mlp_data.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_multimin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "errors.h"
#include "mltemp/rng.h"

namespace mltemp {

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void check_xy(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  if (theta.size() != mlp_param_count(shape)) {
    throw InputError("mlp theta: length " + std::to_string(theta.size()) + ", expected " +
                     std::to_string(mlp_param_count(shape)));
  }
  if (X.rows() < 1 || X.cols() != shape.widths[0]) {
    throw InputError("mlp data: X must be n x n_0 with n >= 1 (n_0 = " + std::to_string(shape.widths[0]) + ")");
  }
  if (y.size() != X.rows()) throw InputError("mlp data: y and X have different lengths");
}

// Objective wrapper for GSL.
struct Objective {
  const MlpShape* shape;
  const Eigen::MatrixXd* X;
  const Eigen::VectorXd* y;
  Eigen::VectorXd theta;
  Eigen::VectorXd grad;
};

void to_eigen(const gsl_vector* v, Eigen::VectorXd& out) {
  out.resize(static_cast<long>(v->size));
  for (size_t i = 0; i < v->size; ++i) out[static_cast<long>(i)] = gsl_vector_get(v, i);
}

double obj_f(const gsl_vector* v, void* params) {
  auto* o = static_cast<Objective*>(params);
  to_eigen(v, o->theta);
  return mlp_energy_grad(*o->shape, o->theta, *o->X, *o->y, nullptr);
}

void obj_fdf(const gsl_vector* v, void* params, double* f, gsl_vector* df) {
  auto* o = static_cast<Objective*>(params);
  to_eigen(v, o->theta);
  *f = mlp_energy_grad(*o->shape, o->theta, *o->X, *o->y, &o->grad);
  for (size_t i = 0; i < df->size; ++i) gsl_vector_set(df, i, o->grad[static_cast<long>(i)]);
}

void obj_df(const gsl_vector* v, void* params, gsl_vector* df) {
  double f;
  obj_fdf(v, params, &f, df);
}

struct RunResult {
  Eigen::VectorXd theta;
  double energy = 0.0;
  double grad_norm = 0.0;
  int iterations = 0;
};

// One BFGS2 run from theta0 (GSL vector_bfgs2, Fletcher line search, tol 0.1).
RunResult run_bfgs(Objective& obj, const Eigen::VectorXd& theta0, int max_iter, double tol) {
  const size_t N = static_cast<size_t>(theta0.size());
  gsl_multimin_function_fdf fn;
  fn.n = N;
  fn.f = &obj_f;
  fn.df = &obj_df;
  fn.fdf = &obj_fdf;
  fn.params = &obj;
  gsl_vector* x = gsl_vector_alloc(N);
  for (size_t i = 0; i < N; ++i) gsl_vector_set(x, i, theta0[static_cast<long>(i)]);
  gsl_multimin_fdfminimizer* s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, N);
  const double step = 0.1 * std::max(1.0, theta0.norm());
  gsl_multimin_fdfminimizer_set(s, &fn, x, step, 0.1);
  int iter = 0;
  int stalls = 0;
  while (iter < max_iter) {
    if (gsl_blas_dnrm2(s->gradient) <= tol) break;
    const int status = gsl_multimin_fdfminimizer_iterate(s);
    ++iter;
    if (status == GSL_ENOPROG) {
      // Line search cannot progress: restart the BFGS memory once, then give up.
      if (++stalls > 2) break;
      gsl_multimin_fdfminimizer_restart(s);
      continue;
    }
    if (status != GSL_SUCCESS) break;
    stalls = 0;
  }
  RunResult r;
  to_eigen(s->x, r.theta);
  r.energy = s->f;
  r.grad_norm = gsl_blas_dnrm2(s->gradient);
  r.iterations = iter;
  gsl_multimin_fdfminimizer_free(s);
  gsl_vector_free(x);
  return r;
}

// Central differences of the analytic gradient, symmetrized.
Eigen::MatrixXd fd_hessian(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                           const Eigen::VectorXd& y) {
  const long N = theta.size();
  Eigen::MatrixXd Hs(N, N);
  Eigen::VectorXd gp, gm;
  for (long j = 0; j < N; ++j) {
    const double h = 1e-5 * (1.0 + std::fabs(theta[j]));
    Eigen::VectorXd tp = theta, tm = theta;
    tp[j] += h;
    tm[j] -= h;
    mlp_energy_grad(shape, tp, X, y, &gp);
    mlp_energy_grad(shape, tm, X, y, &gm);
    Hs.col(j) = (gp - gm) / (2.0 * h);
  }
  return 0.5 * (Hs + Hs.transpose());
}

// Newton polish after BFGS stalls on round-off (GSL_ENOPROG): saddle-free Newton steps
// -sum_i (v_i.g / |lambda_i|) v_i over |lambda_i| > 1e-12 lambda_max, Armijo backtracking.
int newton_polish(const MlpShape& shape, Eigen::VectorXd& theta, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                  double tol, int max_steps) {
  Eigen::VectorXd g;
  double e = mlp_energy_grad(shape, theta, X, y, &g);
  int steps = 0;
  while (steps < max_steps && g.norm() > tol) {
    const Eigen::MatrixXd H = fd_hessian(shape, theta, X, y);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(H);
    const Eigen::VectorXd& lam = es.eigenvalues();
    const double lam_max = lam.cwiseAbs().maxCoeff();
    if (!(lam_max > 0.0)) break;
    const Eigen::VectorXd vg = es.eigenvectors().transpose() * g;
    Eigen::VectorXd coef = Eigen::VectorXd::Zero(vg.size());
    for (long i = 0; i < vg.size(); ++i) {
      if (std::fabs(lam[i]) > 1e-12 * lam_max) coef[i] = -vg[i] / std::fabs(lam[i]);
    }
    const Eigen::VectorXd p = es.eigenvectors() * coef;
    const double slope = g.dot(p);
    if (!(slope < 0.0)) break;
    double alpha = 1.0;
    bool accepted = false;
    Eigen::VectorXd g_new;
    while (alpha > 1e-12) {
      const Eigen::VectorXd t = theta + alpha * p;
      const double e_new = mlp_energy_grad(shape, t, X, y, &g_new);
      if (e_new <= e + 1e-4 * alpha * slope || (e_new <= e && g_new.norm() < g.norm())) {
        theta = t;
        e = e_new;
        g = g_new;
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) break;
    ++steps;
  }
  return steps;
}

}  // namespace

// (5.3) and its gradient by backpropagation.
double mlp_energy_grad(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                       const Eigen::VectorXd& y, Eigen::VectorXd* grad) {
  check_xy(shape, theta, X, y);
  const int L = mlp_layers(shape);
  const long n = X.rows();
  const std::vector<Eigen::MatrixXd> Z = mlp_forward_batch(shape, theta, X);
  const Eigen::VectorXd r = Z[L - 1].col(0) - y;
  const double energy = r.squaredNorm() / static_cast<double>(n);
  if (grad == nullptr) return energy;

  grad->setZero(theta.size());
  const Activation act = shape.act;
  auto h_of = [&](int l) -> Eigen::MatrixXd {  // h_l, l = 0..L-1
    if (l == 0) return X;
    return Z[l - 1].unaryExpr([act](double v) { return mlp_activate(act, v); });
  };
  Eigen::MatrixXd D = (2.0 / static_cast<double>(n)) * r;  // dE/dz_L, n x 1
  for (int l = L; l >= 1; --l) {
    const int n_l = shape.widths[l];
    const int n_prev = shape.widths[l - 1];
    const long off = mlp_layer_offset(shape, l);
    const Eigen::MatrixXd H = h_of(l - 1);
    Eigen::Map<RowMat> gW(grad->data() + off, n_l, n_prev);
    gW = D.transpose() * H;
    if (shape.bias) {
      Eigen::Map<Eigen::VectorXd> gb(grad->data() + off + static_cast<long>(n_l) * n_prev, n_l);
      gb = D.colwise().sum().transpose();
    }
    if (l > 1) {
      Eigen::Map<const RowMat> W(theta.data() + off, n_l, n_prev);
      const Eigen::MatrixXd dh = D * W;  // n x n_{l-1}
      D = dh.cwiseProduct(Z[l - 2].unaryExpr([act](double v) { return mlp_activate_deriv(act, v); }));
    }
  }
  return energy;
}

double mlp_energy(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                  const Eigen::VectorXd& y) {
  return mlp_energy_grad(shape, theta, X, y, nullptr);
}

TeacherData make_teacher_data(const MlpShape& shape, int n, const std::vector<double>& teacher_sigma_l, double noise,
                              uint64_t seed) {
  const int L = mlp_layers(shape);
  if (n < 1) throw InputError("teacher: number of points must be >= 1");
  if (static_cast<int>(teacher_sigma_l.size()) != L) {
    throw InputError("teacher: need one sigma per layer (" + std::to_string(L) + ")");
  }
  for (double s : teacher_sigma_l) {
    if (!std::isfinite(s) || !(s > 0.0)) throw InputError("teacher: sigma must be > 0");
  }
  if (!std::isfinite(noise) || noise < 0.0) throw InputError("teacher: noise must be >= 0");
  const int n0 = shape.widths[0];
  TeacherData t;
  t.X.resize(n, n0);
  const uint32_t sx = stream_id(Stream::kTeacherData, 0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n0; ++j) t.X(i, j) = philox_normal(seed, sx, i, j);
  }
  t.theta.resize(mlp_param_count(shape));
  for (int l = 1; l <= L; ++l) {
    const long off = mlp_layer_offset(shape, l);
    const long cnt = mlp_layer_param_count(shape, l);
    const uint32_t sw = stream_id(Stream::kTeacher, l);
    for (long k = 0; k < cnt; ++k) {
      t.theta[off + k] = teacher_sigma_l[l - 1] * philox_normal(seed, sw, 0, static_cast<uint32_t>(k));
    }
  }
  t.zstar = mlp_forward_batch(shape, t.theta, t.X);
  t.y = t.zstar[L - 1].col(0);
  const uint32_t sn = stream_id(Stream::kTeacherData, 1);
  if (noise > 0.0) {
    for (int i = 0; i < n; ++i) t.y[i] += noise * philox_normal(seed, sn, i, 0);
  }
  return t;
}

TeacherData make_teacher_data(const MlpShape& shape, int n, double teacher_sigma, double noise, uint64_t seed) {
  return make_teacher_data(shape, n, std::vector<double>(mlp_layers(shape), teacher_sigma), noise, seed);
}

LocalMinCheck mlp_check_local_min(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                                  const Eigen::VectorXd& y, uint64_t seed, const TrainOptions& opt) {
  check_xy(shape, theta, X, y);
  const long N = theta.size();
  LocalMinCheck out;
  out.hessian_min_eig = std::numeric_limits<double>::quiet_NaN();
  out.hessian_max_eig = out.hessian_min_eig;
  Eigen::VectorXd g;
  const double energy = mlp_energy_grad(shape, theta, X, y, &g);
  bool ok = true;

  // Random directions: E(theta +- eps d) - E(theta) >= -(eps |g| + roundoff).
  const double eps = 1e-3 * (1.0 + theta.norm() / std::sqrt(static_cast<double>(N)));
  const double slack = eps * g.norm() + 1e-13 * energy + 1e-300;
  const uint32_t sc = stream_id(Stream::kTrainInit, 0);
  double min_change = std::numeric_limits<double>::infinity();
  for (int k = 0; k < opt.check_directions; ++k) {
    Eigen::VectorXd d(N);
    for (long p = 0; p < N; ++p) d[p] = philox_normal(seed, sc, 1 + k, static_cast<uint32_t>(p));
    d /= d.norm();
    for (double sign : {1.0, -1.0}) {
      const double change = mlp_energy(shape, theta + sign * eps * d, X, y) - energy;
      min_change = std::min(min_change, change);
    }
  }
  out.min_energy_change = min_change;
  if (min_change < -slack) ok = false;

  // Hessian: central differences of the analytic gradient, symmetrized.
  if (N <= opt.hessian_max_params) {
    const Eigen::MatrixXd Hsym = fd_hessian(shape, theta, X, y);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Hsym, Eigen::EigenvaluesOnly);
    out.hessian_min_eig = es.eigenvalues().minCoeff();
    out.hessian_max_eig = es.eigenvalues().maxCoeff();
    const double scale = std::max(std::fabs(out.hessian_max_eig), 1e-300);
    if (out.hessian_min_eig < -1e-6 * scale) ok = false;
  }
  out.passed = ok;
  return out;
}

TrainResult train_mlp(const MlpShape& shape, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed,
                      int max_iter, const TrainOptions& opt) {
  const int L = mlp_layers(shape);
  const long N = mlp_param_count(shape);
  if (max_iter < 0) throw InputError("train_mlp: max_iter must be >= 0");
  if (opt.restarts < 1) throw InputError("train_mlp: restarts must be >= 1");
  check_xy(shape, Eigen::VectorXd::Zero(N), X, y);
  const double c = y.squaredNorm() / static_cast<double>(X.rows());
  const double tol = opt.grad_tol * std::max(1.0, c);

  // Iteration budget: BFGS, then Newton polish with what is left (at least newton_budget).
  const int newton_budget = N <= opt.hessian_max_params ? std::min(opt.newton_steps, max_iter / 4) : 0;
  Objective obj{&shape, &X, &y, Eigen::VectorXd(), Eigen::VectorXd()};
  RunResult best;
  int best_r = -1;
  for (int r = 0; r < opt.restarts; ++r) {
    Eigen::VectorXd theta0(N);
    const uint32_t stream = stream_id(Stream::kTrainInit, static_cast<uint32_t>(r));
    for (int l = 1; l <= L; ++l) {
      const double fan_in = shape.widths[l - 1] + (shape.bias ? 1 : 0);
      const double s = opt.init_gain / std::sqrt(fan_in);
      const long off = mlp_layer_offset(shape, l);
      for (long k = 0; k < mlp_layer_param_count(shape, l); ++k) {
        theta0[off + k] = s * philox_normal(seed, stream, 0, static_cast<uint32_t>(off + k));
      }
    }
    RunResult run = run_bfgs(obj, theta0, max_iter - newton_budget, tol);
    if (best_r < 0 || run.energy < best.energy) {
      best = run;
      best_r = r;
    }
  }

  TrainResult out;
  out.theta = best.theta;
  out.newton_steps = 0;
  if (best.grad_norm > tol && N <= opt.hessian_max_params) {
    out.newton_steps = newton_polish(shape, out.theta, X, y, tol, max_iter - best.iterations);
  }
  Eigen::VectorXd g;
  out.energy = mlp_energy_grad(shape, out.theta, X, y, &g);
  out.grad_norm = g.norm();
  out.iterations = best.iterations + out.newton_steps;
  out.restart = best_r;
  out.converged = out.grad_norm <= tol;
  out.zstar = mlp_forward_batch(shape, out.theta, X);

  const LocalMinCheck chk = mlp_check_local_min(shape, out.theta, X, y, seed, opt);
  out.hessian_min_eig = chk.hessian_min_eig;
  out.hessian_max_eig = chk.hessian_max_eig;
  out.min_energy_change = chk.min_energy_change;
  out.local_min_checked = out.converged && chk.passed;
  return out;
}

TrainResult train_mlp(const MlpShape& shape, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed,
                      int max_iter) {
  return train_mlp(shape, X, y, seed, max_iter, TrainOptions());
}

}  // namespace mltemp
