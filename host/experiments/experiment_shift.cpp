// Type II state, data shift (Section 2.1, 2.8-2.12, Appendix A): a sequence of datasets D_0 ..
// D_{K-1}, the trained energy E_k = E_min(D_k), the entropy S_k of a fitted p(x) p(y | x)
// (host/refs/data_entropy.h), and T_II = (E_{k+1} - E_k) / (S_{k+1} - S_k) between consecutive steps
// (2.9, A.2), each with its delta-method standard error.
//
// Sequences (experiment.shift):
// - drift: synthetic data on a known schedule. D_k is a fresh draw (data seed + k) of the
//   synthetic generator with noise std sigma_k and features times c_k, both geometric from
//   (data.noise, 1) to (drift_noise_to, drift_x_scale_to). The population values are known:
//   E = sigma_k^2 (MSE) or sigma_k sqrt(2/pi) (MAE), S_x = (m/2) ln(2 pi e c_k^2),
//   S_y|x = g(E), in the coordinates below; the fits estimate them.
// - extend: growing prefixes of any dataset (csv or synthetic): D_k = the first n_k rows,
//   n_k from extend_from * n to n, after sorting the rows by extend_order (so a real covariate
//   drifts as the data grow).
// Every D_k is put into one coordinate system, the standardization fitted on D_0 (the first
// training set): differential entropy changes under rescaling, so standardizing each D_k
// alone would erase a drift of scale. With any fixed affine map of the features, dS and the
// E_min of a model with a bias column do not change; the target's scale sets the energy unit.
//
// Errors: the delta method with each point's influence on E_k and S_k (data_entropy.h). A
// difference between steps adds the influences point by point, so the shared rows of nested
// prefixes (extend) count with their correlation and independent draws (drift) add in
// quadrature; T_II's influence is (psi_dE - T_II psi_dS) / dS. Where dS is not resolved
// (|dS| < 4 se) T_II's error is not meaningful: dS_z reports it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <numeric>

#include "data_entropy.h"
#include "errors.h"
#include "experiment.h"
#include "experiment_common.h"
#include "provenance.h"

namespace mltemp {

RunResult run_shift(const Config& cfg, RunContext& ctx);

namespace {

// One dataset of the sequence: its data (in the shared coordinates), the global ids of its
// rows (shared rows share ids), and the schedule's parameters.
struct Step {
  Dataset ds;
  std::vector<int> ids;
  double noise = kNaN, x_scale = kNaN;
};

// The statistics of one step and the influence of each of its points.
struct StepFit {
  double e = 0.0, s_x = 0.0, s_y = 0.0;
  Eigen::VectorXd psi_e, psi_s;  // influence on E and on S = S_x + S_y|x
  bool attained = true;
  const char* model = "";
};

double geometric(double from, double to, int k, int steps) {
  return from * std::pow(to / from, static_cast<double>(k) / (steps - 1));
}

std::string step_name(const Config& cfg, int k, size_t n) {
  return cfg.get_string("experiment.shift") + " step " + std::to_string(k) + " (" + std::to_string(n) + " rows)";
}

std::vector<Step> drift_steps(const Config& cfg, const DataSpec& spec, int steps) {
  if (spec.source != "synthetic")
    throw InputError(cfg.where("experiment.shift") +
                     ": drift makes its own synthetic data; set data.source = "
                     "\"synthetic\" (or experiment.shift = \"extend\" for a file)");
  if (!(spec.noise > 0.0))
    throw InputError(cfg.where("data.noise") +
                     ": drift needs noise > 0 (noiseless data have E_min = 0 and a fitted entropy of -infinity)");
  const double noise_to =
      cfg.has("experiment.drift_noise_to") ? cfg.get_double("experiment.drift_noise_to") : spec.noise;
  const double x_to = cfg.get_double("experiment.drift_x_scale_to");
  std::vector<Step> out;
  for (int k = 0; k < steps; ++k) {
    Step st;
    DataSpec sk = spec;
    sk.seed = spec.seed + static_cast<uint64_t>(k);
    st.noise = sk.noise = geometric(spec.noise, noise_to, k, steps);
    st.x_scale = geometric(1.0, x_to, k, steps);
    st.ds = raw_dataset(sk);
    st.ds.X *= st.x_scale;
    st.ds.origin = step_name(cfg, k, st.ds.X.rows()) + ": " + st.ds.origin;
    st.ids.resize(st.ds.X.rows());
    std::iota(st.ids.begin(), st.ids.end(), k * spec.n);
    out.push_back(std::move(st));
  }
  return out;
}

std::vector<Step> extend_steps(const Config& cfg, const DataSpec& spec, int steps) {
  const Dataset raw = raw_dataset(spec);
  const auto n = static_cast<int>(raw.X.rows());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::string sorted = "file order";
  if (cfg.has("experiment.extend_order")) {
    const std::string col = cfg.get_string("experiment.extend_order");
    const int j = column_index(raw, col, cfg.where("experiment.extend_order"));
    const Eigen::VectorXd key = j < 0 ? raw.y : Eigen::VectorXd(raw.X.col(j));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key[a] < key[b]; });
    sorted = "rows sorted by '" + col + "'";
  }
  const double from = cfg.get_double("experiment.extend_from");
  const long params = raw.X.cols() + (spec.bias ? 1 : 0);
  std::vector<Step> out;
  for (int k = 0; k < steps; ++k) {
    const double f = from + (1.0 - from) * static_cast<double>(k) / (steps - 1);
    const int nk = k == steps - 1 ? n : static_cast<int>(std::lround(f * n));
    if (nk <= params + 1)
      throw InputError(cfg.where("experiment.extend_from") + ": the first dataset has " + std::to_string(nk) +
                       " rows, too few to fit " + std::to_string(params) + " parameters and a residual");
    if (!out.empty() && nk <= static_cast<int>(out.back().ids.size()))
      throw InputError(cfg.where("experiment.drift_steps") + ": " + std::to_string(steps) + " steps from " +
                       std::to_string(out.back().ids.size()) + " to " + std::to_string(n) +
                       " rows leave two steps with the same rows; use fewer steps");
    Step st;
    st.ids.assign(order.begin(), order.begin() + nk);
    st.ds = select_rows(raw, st.ids);
    st.ds.origin = step_name(cfg, k, nk) + " of " + raw.origin + ", " + sorted;
    out.push_back(std::move(st));
  }
  return out;
}

StepFit fit_step(const Config& cfg, const Step& st, const std::string& energy, bool bias) {
  const Eigen::Index m = st.ds.X.cols() - (bias ? 1 : 0);
  const FittedEntropy px = gaussian_entropy(st.ds.X.leftCols(m));
  if (!std::isfinite(px.value))
    throw InputError(cfg.where("experiment.kind") + ": " + st.ds.origin +
                     ": the features' covariance is singular (a constant or collinear column), so a Gaussian p(x) "
                     "has no density; drop the column or change the sequence");
  const ConditionalFit py = fit_conditional(st.ds.X, st.ds.y, energy);
  if (!std::isfinite(py.s))
    throw InputError(cfg.where("experiment.kind") + ": " + st.ds.origin + ": E_min = 0 (a noiseless fit), so the " +
                     py.model + " p(y|x) has entropy -infinity");
  StepFit f;
  f.e = py.e_min;
  f.s_x = px.value;
  f.s_y = py.s;
  f.psi_e = py.e_influence;
  f.psi_s = px.influence + py.s_influence;
  f.attained = py.attained;
  f.model = py.model;
  return f;
}

// sqrt(sum_i a_i^2) for a_i = c1 psi1_i / n1 + c2 psi2_i / n2 over the union of the two steps'
// rows (a row in both adds its two terms first): the delta-method se of c1 Q1 + c2 Q2.
double combined_se(const Step& s1, const Eigen::VectorXd& psi1, double c1, const Step& s2, const Eigen::VectorXd& psi2,
                   double c2) {
  std::map<int, double> a;
  const double n1 = static_cast<double>(s1.ids.size()), n2 = static_cast<double>(s2.ids.size());
  for (size_t i = 0; i < s1.ids.size(); ++i) a[s1.ids[i]] += c1 * psi1[static_cast<Eigen::Index>(i)] / n1;
  for (size_t i = 0; i < s2.ids.size(); ++i) a[s2.ids[i]] += c2 * psi2[static_cast<Eigen::Index>(i)] / n2;
  long double v = 0.0L;
  for (const auto& [id, x] : a) v += static_cast<long double>(x) * x;
  return std::sqrt(static_cast<double>(v));
}

double step_se(const Eigen::VectorXd& psi) { return std::sqrt(psi.squaredNorm()) / static_cast<double>(psi.size()); }

// The population values of a drift step in the shared coordinates (NaN where unknown).
struct Exact {
  double e = kNaN, s = kNaN;
};
Exact drift_exact(const Step& st, const std::string& energy, const Standardization& z, bool standardized, int m) {
  Exact x;
  if (energy == "ce") return x;  // a probit truth fitted by a logistic model: no closed form
  const double sd_y = standardized && z.target_too ? z.y_sd : 1.0;
  double s_x = 0.5 * m * std::log(17.079468445347132 * st.x_scale * st.x_scale);
  for (int j = 0; j < m && standardized; ++j) s_x -= std::log(z.sd[j]);
  const double sigma = st.noise / sd_y;
  if (energy == "mse") {
    x.e = sigma * sigma;
    x.s = s_x + 0.5 * std::log(17.079468445347132 * x.e);
  } else {
    x.e = sigma * std::sqrt(2.0 / M_PI);
    x.s = s_x + 1.0 + std::log(2.0 * x.e);
  }
  return x;
}

void add_shift_columns(Table& t) {
  using K = Column::Kind;
  t.add_column("step", "", "k: the dataset D_k of the sequence", K::kInt);
  t.add_column("n", "count", "data points in D_k", K::kInt);
  t.add_column("noise", "", "drift: noise std of D_k's target (before standardization); NaN for extend");
  t.add_column("x_scale", "", "drift: factor on D_k's features (before standardization); NaN for extend");
  t.add_column("E", "energy", "E_k = E_min(D_k), the trained energy (2.9)");
  t.add_column("E_se", "energy", "delta-method standard error of E");
  t.add_column("E_exact", "energy", "drift: the population value of E; NaN if none");
  t.add_column("S_x", "nats", "entropy of the Gaussian p(x) fitted to D_k's features");
  t.add_column("S_y_given_x", "nats", "entropy of the fitted p(y|x): Gaussian (MSE), Laplace (MAE) or Bernoulli (CE)");
  t.add_column("S", "nats", "S_k = S_x + S_y_given_x, the data entropy of the Type II state (2.8, 2.12, A.1)");
  t.add_column("S_se", "nats", "delta-method standard error of S");
  t.add_column("S_exact", "nats", "drift: the population value of S; NaN if none");
  t.add_column("E_min_infimum", "flag", "1 when E_min is an infimum (separable labels): no error estimate", K::kInt);
  t.add_column("dE", "energy", "E_k - E_{k-1}");
  t.add_column("dE_se", "energy", "standard error of dE (shared rows with their correlation)");
  t.add_column("dS", "nats", "S_k - S_{k-1}");
  t.add_column("dS_se", "nats", "standard error of dS");
  t.add_column("dS_z", "", "dS / dS_se: below 4 in size the entropy change is not resolved and T_II's se means little");
  t.add_column("T_II", "energy/nat", "(E_k - E_{k-1}) / (S_k - S_{k-1}): the Type II temperature (2.9, A.2)");
  t.add_column("T_II_se", "energy/nat", "delta-method standard error of T_II");
  t.add_column("T_II_exact", "energy/nat", "drift: the population value of T_II; NaN if none");
  t.add_column("z", "", "(T_II - T_II_exact) / T_II_se");
}

}  // namespace

// No particles: the run is its own check (a few E_min solves and fits).
void check_shift(const Config& cfg) {
  RunContext ctx;
  ctx.quiet = true;
  run_shift(cfg, ctx);
}

RunResult run_shift(const Config& cfg, RunContext& ctx) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const std::string model = cfg.get_string("model.kind"), energy = cfg.get_string("energy.kind");
  if (!((model == "linear" && (energy == "mse" || energy == "mae")) || (model == "logistic" && energy == "ce")))
    throw InputError(cfg.where(model == "mlp" ? "model.kind" : "energy.kind") +
                     ": shift fits p(y|x) by the model's own likelihood: linear regression with mse or mae, or "
                     "logistic regression with ce");
  for (const char* k : {"energy.l1", "energy.l2"})
    if (cfg.get_double(k) != 0.0)
      throw InputError(cfg.where(k) + ": shift needs the unpenalized minimum (the maximum-likelihood fit of p(y|x))");
  for (const char* k : {"sweep.scales", "sweep.from", "sweep.to", "sweep.points"})
    if (cfg.given(k)) throw InputError(cfg.where(k) + ": experiment.kind = \"shift\" has no particles and no scales");
  const std::string mode = cfg.get_string("experiment.shift");
  const bool drift = mode == "drift";
  for (const char* k : {"experiment.drift_noise_to", "experiment.drift_x_scale_to"})
    if (cfg.given(k) && !drift) throw InputError(cfg.where(k) + ": only used with experiment.shift = \"drift\"");
  for (const char* k : {"experiment.extend_from", "experiment.extend_order"})
    if (cfg.given(k) && drift) throw InputError(cfg.where(k) + ": only used with experiment.shift = \"extend\"");
  const DataSpec spec = data_spec(cfg);
  if (spec.source == "teacher") throw InputError(cfg.where("data.source") + ": shift needs csv or synthetic data");
  const int steps = static_cast<int>(cfg.get_int("experiment.drift_steps"));
  std::vector<Step> seq = drift ? drift_steps(cfg, spec, steps) : extend_steps(cfg, spec, steps);
  const int m = static_cast<int>(seq[0].ds.X.cols());
  const Standardization z =
      spec.standardize ? fit_standardization(seq[0].ds, spec.standardize_target) : Standardization{};
  for (Step& st : seq) prepare_dataset(st.ds, spec, z);
  ctx.data_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  const auto t1 = Clock::now();
  Table t("shift");
  add_shift_columns(t);
  std::vector<StepFit> fits;
  for (int k = 0; k < steps; ++k) {
    const Step& st = seq[k];
    fits.push_back(fit_step(cfg, st, energy, spec.bias));
    const StepFit& f = fits.back();
    const size_t r = t.new_row();
    t.set(r, "step", k);
    t.set(r, "n", static_cast<double>(st.ids.size()));
    t.set(r, "noise", st.noise);
    t.set(r, "x_scale", st.x_scale);
    t.set(r, "E", f.e);
    t.set(r, "S_x", f.s_x);
    t.set(r, "S_y_given_x", f.s_y);
    t.set(r, "S", f.s_x + f.s_y);
    t.set(r, "E_min_infimum", f.attained ? 0.0 : 1.0);
    t.set(r, "E_se", step_se(f.psi_e));
    t.set(r, "S_se", step_se(f.psi_s));
    const Exact ex = drift ? drift_exact(st, energy, z, spec.standardize, m) : Exact{};
    t.set(r, "E_exact", ex.e);
    t.set(r, "S_exact", ex.s);
    if (k == 0) continue;
    const StepFit& p = fits[k - 1];
    const double de = f.e - p.e, ds = (f.s_x + f.s_y) - (p.s_x + p.s_y), tii = de / ds;
    const double ds_se = combined_se(seq[k - 1], p.psi_s, -1.0, st, f.psi_s, 1.0);
    t.set(r, "dE", de);
    t.set(r, "dE_se", combined_se(seq[k - 1], p.psi_e, -1.0, st, f.psi_e, 1.0));
    t.set(r, "dS", ds);
    t.set(r, "dS_se", ds_se);
    t.set(r, "dS_z", ds / ds_se);
    t.set(r, "T_II", tii);
    // psi_T = (psi_dE - T psi_dS) / dS, psi_dQ = psi_Q(k) / n_k - psi_Q(k-1) / n_{k-1}.
    const Eigen::VectorXd pk = (f.psi_e - tii * f.psi_s) / ds, pp = (p.psi_e - tii * p.psi_s) / ds;
    const double tii_se = combined_se(seq[k - 1], pp, -1.0, st, pk, 1.0);
    t.set(r, "T_II_se", tii_se);
    const double tex = (ex.e - t.get(r - 1, "E_exact")) / (ex.s - t.get(r - 1, "S_exact"));
    t.set(r, "T_II_exact", tex);
    t.set(r, "z", (tii - tex) / tii_se);
  }
  ctx.system_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  if (!ctx.quiet)
    std::cout << "Type II temperatures (" << mode << ", " << fits[0].model << " p(y|x)):\n"
              << format_columns(t, {"step", "n", "E", "E_se", "S", "S_se", "T_II", "T_II_se", "T_II_exact"});

  const std::string what = std::string(model == "logistic" ? "logistic regression, CE" : "linear regression, ") +
                           (model == "logistic" ? ""
                            : energy == "mse"   ? "MSE"
                                                : "MAE") +
                           "; Gaussian p(x), " + fits[0].model + " p(y|x); " + std::to_string(steps) + " datasets (" +
                           mode + ")";
  RunResult res = experiment_result(cfg, ctx, what);
  res.text_attrs.push_back({"data_origin", seq[0].ds.origin + " ... " + seq.back().ds.origin});
  res.text_attrs.push_back(
      {"shift_coordinates", spec.standardize ? "every D_k standardized with D_0's mean and sd" : "not standardized"});
  res.text_attrs.push_back({"error_method", "delta method: per-point influence values (host/refs/data_entropy.h)"});
  res.int_attrs = {{"steps", steps}};
  res.tables.push_back(std::move(t));
  // The last dataset as it enters the fit.
  add_data_provenance(res, spec, seq.back().ds.X, seq.back().ds.y);
  return res;
}

}  // namespace mltemp
