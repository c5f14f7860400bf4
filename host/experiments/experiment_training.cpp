// The training experiment (issue 9; paper Section 2.1, 2.4-2.7): the Type I particles of the
// sweep (same seed, scale and index, so the same parameters) each take full-batch gradient
// descent, theta <- theta - eta grad E, with one step size for all. Per step the table holds the
// cloud's mean energy E_t, its entropy S_t and the step temperature
//     T_t = (E_{t+1} - E_t) / (S_{t+1} - S_t),
// which the paper's isothermal picture says is constant. (Issue 9 writes a minus sign in front;
// energy and entropy both fall during training, so that sign would make every T_t negative. The
// paper's (2.4) divides the energy drop by the entropy drop: positive, as here.) The entropy takes the best route the
// energy allows:
//   exact     linear MSE (no L1): the step is the affine map theta* + M (theta - theta*),
//             M = I - 2 eta (A + l2 I), so S_t = S_0 + t sum_i ln|1 - 2 eta lambda_i| and
//             E_t - E_min = sum_i lambda_i (1 - 2 eta lambda_i)^{2t} (Q' Sigma_0 Q)_ii, with
//             Sigma_0 = diag(v_j) + theta* theta*' (v_j = sigma_j^2 or a_j^2/3).
//   jacobian  other smooth energies (cross entropy): a smooth invertible step f changes the
//             differential entropy by E ln|det Df| exactly, Df = I - eta Hess E(theta), so
//             S_{t+1} - S_t is a Monte Carlo mean over the particles, with a standard error.
//   knn       non-smooth energies (MAE, L1, networks: no Hessian): the whitened
//             Kozachenko-Leonenko estimate, anchored at the exact S_0 (S_t = H + knn_t - knn_0).
// Every route also records the Gaussian fit (an upper bound on the entropy at the cloud's
// covariance) and, for up to kKnnMaxParams parameters, the kNN estimate, so their bias shows.
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

#include "entropy_estimators.h"
#include "errors.h"
#include "experiment.h"
#include "mltemp/gradients.h"
#include "progress.h"
#include "provenance.h"
#include "solvers.h"
#include "system.h"

namespace mltemp {
namespace {

enum class EntropyRoute { kExact, kJacobian, kKnn };

const char* route_name(EntropyRoute r) {
  switch (r) {
    case EntropyRoute::kExact:
      return "exact";
    case EntropyRoute::kJacobian:
      return "jacobian";
    default:
      return "knn";
  }
}

// Parameters up to which the kNN estimate is computed (a k-d tree stays fast, and the
// estimator's bias stays below a few tenths of a nat at a few thousand particles).
constexpr int kKnnMaxParams = 12;
// Chunks of particles from which the descent runs in parallel (fewer: one thread, since each
// step is a parallel region and a barrier).
constexpr uint64_t kParallelChunks = 4;
// Memory: the cloud is held whole (particles x parameters doubles).
constexpr uint64_t kMaxCloudValues = uint64_t{1} << 27;

// Per particle and step: E_t, E_{t+1} - E_t, ln det Df_t (the step's Jacobian; 0 without a
// Hessian), and sum_{s<t} ln det Df_s.
constexpr int kObs = 4;

// Has energy_hessian (gradients.h) for this functor.
template <class E, class = void>
struct HasHessian : std::false_type {};
template <class E>
struct HasHessian<
    E, std::void_t<decltype(energy_hessian(std::declval<const E&>(), static_cast<const double*>(nullptr),
                                           static_cast<const double*>(nullptr), static_cast<double*>(nullptr)))>>
    : std::true_type {};

// The energies whose Hessian exists everywhere: MSE without L1 and cross entropy.
bool smooth(const MseEnergy& e) { return e.l1 == 0.0; }
bool smooth(const CeEnergy&) { return true; }
template <class E>
bool smooth(const E&) {
  return false;
}

// ln det of a symmetric positive definite p x p matrix (overwritten by its Cholesky factor);
// NaN when it is not positive definite.
double log_det_spd(double* a, int p) {
  double ld = 0.0;
  for (int j = 0; j < p; ++j) {
    double d = a[j * p + j];
    for (int k = 0; k < j; ++k) d -= a[j * p + k] * a[j * p + k];
    if (!(d > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    const double l = std::sqrt(d);
    a[j * p + j] = l;
    ld += 2.0 * std::log(l);
    for (int i = j + 1; i < p; ++i) {
      double s = a[i * p + j];
      for (int k = 0; k < j; ++k) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / l;
    }
  }
  return ld;
}

// The exact path of linear MSE (no L1) under gradient descent.
struct ExactMse {
  Eigen::VectorXd lambda;                       // eigenvalues of A + l2 I
  Eigen::VectorXd weight;                       // (Q' Sigma_0 Q)_ii
  double e_min = 0.0, h0 = 0.0, log_rho = 0.0;  // log_rho = sum_i ln|1 - 2 eta lambda_i|
  double energy(int t) const {
    double e = 0.0;
    for (int i = 0; i < lambda.size(); ++i) e += lambda[i] * std::pow(1.0 - 2.0 * eta * lambda[i], 2.0 * t) * weight[i];
    return e_min + e;
  }
  double entropy(int t) const { return h0 + t * log_rho; }
  double eta = 0.0;
};

ExactMse exact_mse(const Config& cfg, const MseEnergy& e, const PointSetup& setup, double eta, double e_min,
                   double h0) {
  const int m = e.m;
  Eigen::MatrixXd A(m, m);
  Eigen::VectorXd b(m), v(m), theta_star;
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) A(i, j) = setup.blob[e.a_off + i * m + j];
    b[i] = setup.blob[e.b_off + i];
    const double s = setup.blob[setup.init.scale_off + i];
    v[i] = i < setup.init.normal_dims ? s * s : s * s / 3.0;
  }
  theta_star = minimize_quadratic(A, b, e.c, 0.0, e.l2).theta;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(A + e.l2 * Eigen::MatrixXd::Identity(m, m));
  ExactMse x;
  x.eta = eta;
  x.lambda = eig.eigenvalues();
  const Eigen::MatrixXd& Q = eig.eigenvectors();
  const Eigen::VectorXd qt = Q.transpose() * theta_star;
  x.weight = Q.cwiseAbs2().transpose() * v + qt.cwiseAbs2();
  x.e_min = e_min;
  x.h0 = h0;
  const double lmax = x.lambda.maxCoeff();
  if (eta * lmax >= 1.0)
    throw InputError(cfg.where("experiment.learning_rate") + ": " + format_value(eta) +
                     " is at or above 1/lambda_max = " + format_value(1.0 / lmax) +
                     " of A + l2 I: gradient descent on this quadratic does not converge; use a smaller rate");
  for (int i = 0; i < m; ++i) {
    const double rho = 1.0 - 2.0 * eta * x.lambda[i];
    if (rho == 0.0)
      throw InputError(cfg.where("experiment.learning_rate") +
                       ": 1 - 2 eta lambda_i = 0 for an eigenvalue of A + l2 I: the step collapses a direction "
                       "(S_1 = -infinity); use another rate");
    x.log_rho += std::log(std::abs(rho));
  }
  return x;
}

// One scale's descent: the particles, their per-step statistics and the cloud's entropies.
struct Trajectory {
  std::vector<Moments<kObs>> rows;   // one per step 0..steps
  std::vector<CloudEntropy> clouds;  // one per step
  EntropyRoute route = EntropyRoute::kKnn;
  bool knn = false;  // the kNN estimate was computed
};

template <class Energy>
Trajectory descend(const Config& cfg, const Energy& e, const PointSetup& setup, uint64_t n, int steps, double eta,
                   EntropyRoute route, Progress& progress, uint64_t progress_before) {
  const int p = setup.init.dims;
  const double* blob = setup.blob.data();
  const bool jacobian = route != EntropyRoute::kKnn;
  Trajectory tr;
  tr.route = route;
  tr.knn = p <= kKnnMaxParams;
  std::vector<double> theta(n * p), e_old(n), ld_old(n, 0.0), cum(n, 0.0);
  const uint64_t chunks = (n + kChunk - 1) / kChunk;
  const bool parallel = chunks >= kParallelChunks;
#pragma omp parallel for schedule(static) if (parallel)
  for (uint64_t k = 0; k < n; ++k) draw_particle(setup.init, blob, k, &theta[k * p]);
  const int work = std::max(e.work_size(), gradient_work_size(e));
  std::vector<Moments<kObs>> partial(chunks);
  std::vector<int> bad(chunks);  // per chunk: a non-finite energy (1) or a non-invertible step (2)
  for (int t = 0; t <= steps; ++t) {
    // The kNN estimate at every step on its own route; as a diagnostic elsewhere, at about 20.
    const bool knn = tr.knn && (route == EntropyRoute::kKnn || t % std::max(1, steps / 20) == 0 || t == steps);
    tr.clouds.push_back(cloud_entropy(theta.data(), n, p, knn));
    const bool advance = t < steps;
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
    for (uint64_t c = 0; c < chunks; ++c) {
      std::vector<double> scratch(work + p + (jacobian ? p * p : 0)), obs(Energy::kObs);
      double* g = scratch.data() + work;
      double* h = g + p;
      PairwiseFolder<kObs, kChunkLevels> fold;
      bad[c] = 0;
      for (uint64_t k = c * kChunk; k < std::min(n, (c + 1) * kChunk); ++k) {
        double* th = &theta[k * p];
        e(blob, th, scratch.data(), obs.data());
        if (!std::isfinite(obs[0])) bad[c] = 1;
        if (t > 0) {
          const double x[kObs] = {e_old[k], obs[0] - e_old[k], ld_old[k], cum[k]};
          fold.push(moments_leaf<kObs>(x));
          cum[k] += ld_old[k];
        }
        e_old[k] = obs[0];
        if (!advance) continue;
        if constexpr (HasHessian<Energy>::value) {
          if (jacobian) {
            energy_hessian(e, blob, th, h);
            for (int i = 0; i < p * p; ++i) h[i] = (i % (p + 1) == 0 ? 1.0 : 0.0) - eta * h[i];
            ld_old[k] = log_det_spd(h, p);
            if (!std::isfinite(ld_old[k])) bad[c] = 2;
          }
        }
        energy_gradient(e, blob, th, scratch.data(), g);
        for (int j = 0; j < p; ++j) th[j] -= eta * g[j];
      }
      partial[c] = fold.result();
    }
    for (uint64_t c = 0; c < chunks; ++c) {
      if (bad[c] == 1)
        throw InputError(cfg.where("experiment.learning_rate") + ": the energy is not finite at step " +
                         std::to_string(t) + " (gradient descent diverged); use a smaller rate");
      if (bad[c] == 2)
        throw InputError(cfg.where("experiment.learning_rate") + ": at step " + std::to_string(t) +
                         " the step's Jacobian I - eta Hess E is not positive definite at some particle, so the "
                         "step is not invertible there and its entropy change has no Jacobian form; use a smaller "
                         "rate (below 1/lambda_max of the Hessian)");
    }
    if (t > 0) {
      PairwiseFolder<kObs> all;
      for (const auto& m : partial) all.push(m);
      tr.rows.push_back(all.result());
    }
    progress.update(progress_before + static_cast<uint64_t>(t + 1) * n);
  }
  // The last row: E at the last step, no step after it.
  const std::vector<Moments<kObs>> last = [&] {
    std::vector<Moments<kObs>> out(chunks);
#pragma omp parallel for schedule(static) if (parallel)
    for (uint64_t c = 0; c < chunks; ++c) {
      PairwiseFolder<kObs, kChunkLevels> fold;
      for (uint64_t k = c * kChunk; k < std::min(n, (c + 1) * kChunk); ++k) {
        const double x[kObs] = {e_old[k], 0.0, 0.0, cum[k]};
        fold.push(moments_leaf<kObs>(x));
      }
      out[c] = fold.result();
    }
    return out;
  }();
  PairwiseFolder<kObs> all;
  for (const auto& m : last) all.push(m);
  tr.rows.push_back(all.result());
  return tr;
}

void add_training_columns(Table& t) {
  using K = Column::Kind;
  add_scale_column(t);
  t.add_column("step", "count", "gradient-descent step t (0: the initial particles)", K::kInt);
  t.add_column("particles", "count", "particles, each descending on its own", K::kInt);
  t.add_column("E_t", "energy", "Monte Carlo mean energy of the particles after t steps");
  t.add_column("E_t_se", "energy", "standard error of E_t");
  t.add_column("E_t_exact", "energy", "exact E_t (linear MSE; step 0: the sweep's exact E_init); NaN if none");
  t.add_column("E_t_z", "", "(E_t - E_t_exact)/E_t_se");
  t.add_column("E_min", "energy", "minimum (or infimum) of the energy");
  t.add_column("dE_t", "energy", "Monte Carlo mean of E_{t+1} - E_t over the particles (NaN at the last step)");
  t.add_column("dE_t_se", "energy", "standard error of dE_t (particle by particle: the steps' correlation is in it)");
  t.add_column("S_t", "nats",
               "entropy of the cloud after t steps: exact (linear MSE), H + sum of Jacobian terms (smooth "
               "energies), or H + kNN change since step 0 (see the run's entropy_method)");
  t.add_column("S_t_se", "nats", "standard error of S_t (0 when exact; NaN for the kNN route)");
  t.add_column("S_t_exact", "nats", "exact S_t = S_0 + t sum ln|1 - 2 eta lambda_i| (linear MSE); NaN if none");
  t.add_column("S_t_gauss", "nats",
               "Gaussian fit 0.5 ln det(2 pi e C) of the cloud's covariance C (unbiased for a normal cloud): an "
               "upper bound on the entropy of any cloud with that covariance");
  t.add_column("S_t_knn", "nats",
               "Kozachenko-Leonenko k = 4 nearest-neighbour estimate on the whitened cloud (NaN beyond 12 "
               "parameters; where it is not the route, at about 20 steps only); biased by finite samples, the bias "
               "is measured at step 0 against the exact H");
  t.add_column("dS_t", "nats", "S_{t+1} - S_t (NaN at the last step)");
  t.add_column("T_t", "energy/nat", "step temperature (E_{t+1} - E_t)/(S_{t+1} - S_t): energy drop over entropy drop");
  t.add_column("T_t_se", "energy/nat",
               "standard error of T_t (energy and, on the Jacobian route, entropy with their covariance; the "
               "kNN route counts the energy only)");
  t.add_column("T_t_exact", "energy/nat", "exact T_t (linear MSE); NaN if none");
  t.add_column("T_t_z", "", "(T_t - T_t_exact)/T_t_se");
  t.add_column("T_typeI", "energy/nat", "Type I temperature (E_init - E_min)/H of the same particles (2.7)");
  t.add_column("T_typeI_se", "energy/nat", "standard error of T_typeI");
}

double mean_of(const Moments<kObs>& m, int i) { return m.mean[i]; }
double se_of(const Moments<kObs>& m, int i) { return m.n > 1 ? std::sqrt(m.c2[i][i] / (m.n - 1.0) / m.n) : 0.0; }

// Fills the rows of one scale and returns its summary line.
std::string fill_scale(Table& t, double s, const Trajectory& tr, const ExactMse* ex, const Table& sweep, size_t srow,
                       uint64_t n) {
  const int steps = static_cast<int>(tr.rows.size()) - 1;
  const double h0 = sweep.get(srow, "H"), e_min = sweep.get(srow, "E_min");
  const double knn0 = tr.clouds[0].knn;
  auto entropy = [&](int i) {
    if (ex) return ex->entropy(i);
    if (tr.route == EntropyRoute::kJacobian) return h0 + mean_of(tr.rows[i], 3);
    return h0 + (tr.clouds[i].knn - knn0);
  };
  const size_t first = t.rows();
  for (int i = 0; i <= steps; ++i) {
    const Moments<kObs>& m = tr.rows[i];
    const size_t r = t.new_row();
    t.set(r, "scale", s);
    t.set(r, "step", i);
    t.set(r, "particles", static_cast<double>(n));
    t.set(r, "E_t", mean_of(m, 0));
    t.set(r, "E_t_se", se_of(m, 0));
    const double e_ex = ex ? ex->energy(i) : (i == 0 ? sweep.get(srow, "E_init_exact") : kNaN);
    t.set(r, "E_t_exact", e_ex);
    t.set(r, "E_t_z", (mean_of(m, 0) - e_ex) / se_of(m, 0));
    t.set(r, "E_min", e_min);
    t.set(r, "S_t", entropy(i));
    t.set(r, "S_t_se", ex ? 0.0 : tr.route == EntropyRoute::kJacobian ? se_of(m, 3) : kNaN);
    if (ex) t.set(r, "S_t_exact", ex->entropy(i));
    t.set(r, "S_t_gauss", tr.clouds[i].gauss);
    t.set(r, "S_t_knn", tr.clouds[i].knn);
    t.set(r, "T_typeI", sweep.get(srow, "T_mc"));
    t.set(r, "T_typeI_se", sweep.get(srow, "T_mc_se"));
    if (i == steps) continue;
    const double de = mean_of(m, 1), de_se = se_of(m, 1);
    t.set(r, "dE_t", de);
    t.set(r, "dE_t_se", de_se);
    const double ds = entropy(i + 1) - entropy(i);
    t.set(r, "dS_t", ds);
    const double temp = de / ds;
    t.set(r, "T_t", temp);
    double rel2 = (de_se / de) * (de_se / de);
    if (!ex && tr.route == EntropyRoute::kJacobian) {
      const double ds_se = se_of(m, 2), cov = m.c2[1][2] / (m.n - 1.0) / m.n;
      rel2 += (ds_se / ds) * (ds_se / ds) - 2.0 * cov / (de * ds);
    }
    const double tse = std::abs(temp) * std::sqrt(std::max(0.0, rel2));
    t.set(r, "T_t_se", tse);
    if (ex) {
      const double tex = (ex->energy(i + 1) - ex->energy(i)) / ex->log_rho;
      t.set(r, "T_t_exact", tex);
      t.set(r, "T_t_z", (temp - tex) / tse);
    }
  }
  // The summary: how far T_t moves, against the Type I temperature.
  const double t0 = t.get(first, "T_t"), tl = t.get(first + steps - 1, "T_t");
  const double ti = sweep.get(srow, "T_mc");
  int cross = -1;
  for (int i = 0; i < steps && cross < 0; ++i)
    if ((t.get(first + i, "T_t") - ti) * (t0 - ti) <= 0.0) cross = i;
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "scale %g (entropy %s): T_t from %.6g (step 0) to %.6g (step %d), ratio %.3g; Type I T = %.6g "
                "(T_0/T_I = %.3g)%s%s. Estimators at step 0 against the exact H = %.6g: Gaussian fit %+.3g nats, "
                "kNN %+.3g nats.",
                s, route_name(tr.route), t0, tl, steps - 1, tl / t0, ti, t0 / ti,
                cross >= 0 ? "; T_t reaches T_I at step " : "; T_t never reaches T_I",
                cross >= 0 ? std::to_string(cross).c_str() : "", h0, tr.clouds[0].gauss - h0, knn0 - h0);
  return buf;
}

}  // namespace

RunResult run_training(const Config& cfg, RunContext& ctx) {
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  const OmpThreads threads(cfg);
  if (!cfg.has("experiment.learning_rate"))
    throw InputError("[experiment]: kind = \"training\" needs learning_rate (the step eta of gradient descent)");
  const double eta = cfg.get_double("experiment.learning_rate");
  if (!(eta > 0.0)) throw InputError(cfg.where("experiment.learning_rate") + ": must be > 0");
  const int steps = static_cast<int>(cfg.get_int("experiment.steps"));
  const std::vector<double> scales = sweep_scales(cfg);
  const uint64_t n = static_cast<uint64_t>(cfg.get_int("mc.particles"));
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("mc.seed"));
  const DataSpec spec = data_spec(cfg);
  const Dataset ds = load_dataset(spec);
  const std::unique_ptr<System> sys = make_system(cfg, ds);
  const int p = static_cast<int>(sys->params());
  if (n < static_cast<uint64_t>(p) + 2)
    throw InputError(cfg.where("mc.particles") + ": the training experiment fits the cloud's covariance, so it needs " +
                     "at least parameters + 2 = " + std::to_string(p + 2) + " particles");
  if (n > kMaxCloudValues / static_cast<uint64_t>(p))
    throw InputError(cfg.where("mc.particles") + ": the training experiment holds every particle (" +
                     std::to_string(p) + " parameters each): at most " + std::to_string(kMaxCloudValues / p) +
                     " particles");

  RunResult res;
  res.name = cfg.get_string("name");
  Table sweep("sweep"), train("training");
  add_temperature_columns(sweep);
  sys->add_columns(sweep);
  std::vector<Table> extra;
  sys->add_tables(extra);
  add_training_columns(train);
  RunOptions opts;
  opts.backend = ctx.backend;
  opts.particles = n;
  opts.batch_particles = static_cast<uint64_t>(cfg.get_int("mc.batch"));
  opts.threads = static_cast<int>(cfg.get_int("mc.threads"));
  Progress progress(n * static_cast<uint64_t>(steps + 1) * scales.size(), ctx.quiet);
  std::string summary, route_text;
  for (size_t i = 0; i < scales.size(); ++i) {
    const PointSetup setup = sys->point(scales[i], seed);
    // The Type I row of the same particles, by the engine (the sweep's own numbers).
    const size_t srow = sweep.new_row();
    sys->fill_row(sweep, extra, srow, scales[i], run_point(setup, opts));
    const uint64_t before = n * static_cast<uint64_t>(steps + 1) * i;
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          EntropyRoute route = smooth(e) ? EntropyRoute::kJacobian : EntropyRoute::kKnn;
          std::optional<ExactMse> ex;
          if constexpr (std::is_same_v<E, MseEnergy>) {
            if (route == EntropyRoute::kJacobian) {
              ex = exact_mse(cfg, e, setup, eta, sweep.get(srow, "E_min"), sweep.get(srow, "H"));
              route = EntropyRoute::kExact;
            }
          }
          if (route == EntropyRoute::kKnn && p > kKnnMaxParams)
            throw InputError(cfg.where("model.kind") + ": this energy has no Hessian, so S_t comes from the kNN " +
                             "estimate, which needs at most " + std::to_string(kKnnMaxParams) + " parameters (it has " +
                             std::to_string(p) + ")");
          const Trajectory tr = descend(cfg, e, setup, n, steps, eta, route, progress, before);
          summary +=
              (summary.empty() ? "" : "\n") + fill_scale(train, scales[i], tr, ex ? &*ex : nullptr, sweep, srow, n);
          route_text = route_name(route);
        },
        setup.energy);
  }
  progress.finish();
  ctx.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();

  res.tables.push_back(std::move(sweep));
  for (auto& t : extra) res.tables.push_back(std::move(t));
  res.tables.push_back(std::move(train));
  res.text_attrs = run_text_attrs(cfg, ctx, sys.get(), &ds);
  res.text_attrs.insert(res.text_attrs.end(),
                        {{"experiment", "training"}, {"entropy_method", route_text}, {"summary", summary}});
  res.int_attrs = {{"seed", static_cast<int64_t>(seed)},
                   {"particles_per_scale", static_cast<int64_t>(n)},
                   {"scales", static_cast<int64_t>(scales.size())},
                   {"steps", steps}};
  res.num_attrs = {{"seconds", ctx.seconds},
                   {"learning_rate", eta},
                   {"particles_per_second", static_cast<double>(n * scales.size()) / std::max(ctx.seconds, 1e-9)}};
  sys->add_arrays(res);
  add_data_provenance(res, spec, sys->energy_X(ds), sys->energy_y(ds));
  return res;
}

std::string training_report(const RunResult& r) {
  const Table& t = *r.table("training");
  std::ostringstream o;
  char buf[256];
  std::snprintf(buf, sizeof buf, "\n%11s %6s %24s %12s %24s %12s\n", "scale", "step", "E_t +- se", "S_t", "T_t +- se",
                "T_t_exact");
  o << buf;
  // About ten rows per scale: every (steps/10)-th step and the last two.
  int steps = 0;
  for (size_t i = 0; i < t.rows(); ++i) steps = std::max(steps, static_cast<int>(t.get(i, "step")));
  const int every = std::max(1, steps / 10);
  for (size_t i = 0; i < t.rows(); ++i) {
    const int s = static_cast<int>(t.get(i, "step"));
    if (s % every != 0 && s < steps - 1) continue;
    std::snprintf(buf, sizeof buf, "%11.4g %6d %13.6g +- %8.2g %12.6g %13.6g +- %8.2g %12.6g\n", t.get(i, "scale"), s,
                  t.get(i, "E_t"), t.get(i, "E_t_se"), t.get(i, "S_t"), t.get(i, "T_t"), t.get(i, "T_t_se"),
                  t.get(i, "T_t_exact"));
    o << buf;
  }
  return o.str();
}

}  // namespace mltemp
