// Mixing experiment (Section 3.6, 3.47-3.56): systems A and B with the same model, energy and
// initial distribution on different data, and the mixed system on their union.
//
// The three datasets share one coordinate system: they are standardized with the union's mean
// and standard deviation (data.standardize), so tr A of the union is the n-weighted mean of
// A's and B's (standardizing each alone would give every system tr A = m and the same
// asymptotic temperature, whatever its data). Each system runs its own particles: A with
// mc.seed, B with mc.seed + 1, the union with mc.seed + 2, so the standard errors of
// differences add in quadrature.
//
// What the table reports, per scale, with w_A = n_A / (n_A + n_B) and the same H for all three:
// - T_A, T_B, T_mix (Monte Carlo, exact where the system has one);
// - T_mean = w_A T_A + w_B T_B: the paper's T_mix (3.52), which holds asymptotically;
// - E_min_gap = E_min(union) - w_A E_min(A) - w_B E_min(B) >= 0 (a minimum of a weighted sum is
//   at least the weighted sum of the minima). E_init is a mean over data points, so
//   E_init(union) = w_A E_init(A) + w_B E_init(B) exactly at every scale, and
//       T_mix = T_mean - E_min_gap / H      (exact, every scale).
//   The correction is fixed while T grows like s^2 / ln s: the paper's claims hold
//   asymptotically and fail at scales where E_min_gap / H is not small against |T_A - T_B|
//   (equal temperatures do not stay equal, T_mix falls below both);
// - dE_X = (E_init - E_min)(union) - (E_init - E_min)(X) = H (T_mix - T_X): the energy system X
//   gives up (< 0) or takes in (> 0) when it takes the mixed temperature and keeps its entropy
//   (3.53-3.56). dE_A + dE_B = H (w_A - w_B)(T_A - T_B) - 2 E_min_gap: with n_A = n_B the flows
//   balance up to -2 E_min_gap.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>

#include "errors.h"
#include "experiment.h"
#include "experiment_common.h"
#include "provenance.h"
#include "sha256.h"

namespace mltemp {
namespace {

struct MixingData {
  Dataset a, b, mix;
  std::string how;  // how A and B were made, for the run's attributes
};

// A number as it reads in a message: up to 10 significant digits ("13.37", "1").
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

void refuse_unless(const Config& cfg, const char* key, bool used, const std::string& when) {
  if (cfg.given(key) && !used) throw InputError(cfg.where(key) + ": only used " + when);
}

Dataset concat(const Dataset& a, const Dataset& b) {
  Dataset m = a;
  m.X.resize(a.X.rows() + b.X.rows(), a.X.cols());
  m.X << a.X, b.X;
  m.y.resize(a.y.size() + b.y.size());
  m.y << a.y, b.y;
  return m;
}

// A and B from a split of one file by a feature column (the column is then dropped).
void split_by_column(const Config& cfg, const Dataset& raw, MixingData& d) {
  const std::string col = cfg.get_string("experiment.split_column");
  const std::string where = cfg.where("experiment.split_column");
  const int j = column_index(raw, col, where);
  if (j < 0) throw InputError(where + ": '" + col + "' is the target; split by a feature column");
  std::vector<double> v(raw.X.col(j).data(), raw.X.col(j).data() + raw.X.rows());
  std::sort(v.begin(), v.end());
  const double at = cfg.has("experiment.split_at") ? cfg.get_double("experiment.split_at") : v[(v.size() - 1) / 2];
  std::vector<int> ra, rb;
  for (int i = 0; i < raw.X.rows(); ++i) (raw.X(i, j) <= at ? ra : rb).push_back(i);
  if (ra.empty() || rb.empty())
    throw InputError(where + ": splitting '" + col + "' at " + num(at) + " leaves system " + (ra.empty() ? "A" : "B") +
                     " without rows (values from " + num(v.front()) + " to " + num(v.back()) +
                     "; set experiment.split_at)");
  Dataset dropped = raw;
  const Eigen::Index m = raw.X.cols();
  dropped.X.resize(raw.X.rows(), m - 1);
  dropped.X << raw.X.leftCols(j), raw.X.rightCols(m - 1 - j);
  dropped.feature_names.erase(dropped.feature_names.begin() + j);
  if (dropped.feature_names.empty())
    throw InputError(where + ": '" + col + "' is the only feature; nothing is left to fit once it is dropped");
  d.a = select_rows(dropped, ra);
  d.b = select_rows(dropped, rb);
  d.how = raw.origin + " split by '" + col + "' <= " + num(at) + " (A, " + std::to_string(ra.size()) +
          " rows) and > (B, " + std::to_string(rb.size()) + " rows); '" + col + "' dropped from the features";
}

MixingData mixing_data(const Config& cfg, const DataSpec& spec) {
  if (spec.source == "teacher")
    throw InputError(cfg.where("data.source") +
                     ": mixing needs data of its own (csv or synthetic); a teacher network makes its data inside "
                     "the system");
  const bool csv = spec.source == "csv", synth = spec.source == "synthetic";
  refuse_unless(cfg, "experiment.split_column", csv, "with data.source = \"csv\"");
  refuse_unless(cfg, "experiment.data_b", csv, "with data.source = \"csv\"");
  refuse_unless(cfg, "experiment.split_at", cfg.has("experiment.split_column"), "with experiment.split_column");
  refuse_unless(cfg, "experiment.b_n", synth, "with data.source = \"synthetic\"");
  refuse_unless(cfg, "experiment.b_seed", synth, "with data.source = \"synthetic\"");
  if (cfg.has("experiment.split_column") && cfg.has("experiment.data_b"))
    throw InputError(cfg.where("experiment.data_b") + ": give experiment.data_b or experiment.split_column, not both");

  MixingData d;
  const Dataset raw = raw_dataset(spec);
  if (cfg.has("experiment.split_column")) {
    split_by_column(cfg, raw, d);
  } else if (cfg.has("experiment.data_b")) {
    DataSpec sb = spec;
    sb.path = cfg.resolve_path("experiment.data_b");
    d.a = raw;
    d.b = raw_dataset(sb);
    if (d.b.feature_names != d.a.feature_names || d.b.target_name != d.a.target_name)
      throw InputError(cfg.where("experiment.data_b") + ": " + sb.path + " must have the columns of " + spec.path +
                       " (the same features and target, in the same order)");
    d.how = "A from " + spec.path + " (" + std::to_string(d.a.X.rows()) + " rows), B from " + sb.path + " (" +
            std::to_string(d.b.X.rows()) + " rows)";
  } else if (synth) {
    DataSpec sb = spec;
    sb.seed = cfg.has("experiment.b_seed") ? static_cast<uint64_t>(cfg.get_int("experiment.b_seed")) : spec.seed + 1;
    sb.n = cfg.has("experiment.b_n") ? static_cast<int>(cfg.get_int("experiment.b_n")) : spec.n;
    d.a = raw;
    d.b = raw_dataset(sb);
    d.how = "A " + d.a.origin + ", B " + d.b.origin;
  } else {
    d.a = raw;
    d.b = raw;
    d.how = "A and B both " + raw.origin;
  }
  const double xs = cfg.get_double("experiment.b_x_scale");
  const bool flip = cfg.get_bool("experiment.b_flip_target");
  const bool labels = cfg.get_string("model.kind") == "logistic";
  if (xs != 1.0) {
    d.b.X *= xs;
    d.how += "; B's features times " + num(xs);
  }
  if (flip) {
    d.b.y = labels ? (1.0 - d.b.y.array()).matrix() : Eigen::VectorXd(-d.b.y);
    d.how += labels ? "; B's labels y -> 1 - y" : "; B's target y -> -y";
  }
  d.a.origin += " (system A)";
  d.b.origin += " (system B)";
  d.mix = concat(d.a, d.b);
  d.mix.origin = "union of A and B";
  const Standardization st = spec.standardize ? fit_standardization(d.mix, spec.standardize_target) : Standardization{};
  for (Dataset* ds : {&d.a, &d.b, &d.mix}) prepare_dataset(*ds, spec, st);
  d.how += spec.standardize ? "; all three standardized with the union's mean and sd" : "; not standardized";
  return d;
}

void add_mixing_columns(Table& t) {
  using K = Column::Kind;
  add_scale_column(t);
  t.add_column("H", "nats", "differential entropy of the initial distribution (the same for A, B and the union)");
  t.add_column("T_defined", "flag", "1 if H > 0 (temperatures defined), 0 if H <= 0", K::kInt);
  for (const char* x : {"A", "B", "mix"}) {
    const std::string s = x, sys = s == "mix" ? "the mixed system (union of A and B)" : "system " + s;
    t.add_column("T_" + s, "energy/nat", "Monte Carlo temperature of " + sys);
    t.add_column("T_" + s + "_se", "energy/nat", "standard error of T_" + s);
    t.add_column("T_" + s + "_exact", "energy/nat", "exact temperature of " + sys + "; NaN if none");
  }
  t.add_column("T_mean", "energy/nat",
               "w_A T_A + w_B T_B, w = n/(n_A + n_B): the paper's T_mix (3.52), which holds asymptotically");
  t.add_column("T_mean_se", "energy/nat", "standard error of T_mean");
  t.add_column("E_min_gap", "energy",
               "E_min(union) - w_A E_min(A) - w_B E_min(B): >= 0 for global minima, zero only when A and B share a "
               "minimizer");
  t.add_column("T_mix_pred", "energy/nat", "T_mean - E_min_gap/H: T_mix at every scale (exact identity)");
  t.add_column("z_pred", "", "(T_mix - T_mix_pred) / se (se of T_mix and T_mean in quadrature)");
  t.add_column("z_paper", "", "(T_mix - T_mean) / se: the paper's T_mix against the Monte Carlo");
  for (const char* x : {"A", "B"}) {
    const std::string s = x;
    t.add_column("dE_" + s, "energy",
                 "energy system " + s +
                     " takes in (> 0) or gives up (< 0) on mixing: (E_init - E_min)(union) - "
                     "(E_init - E_min)(" +
                     s + ") = H (T_mix - T_" + s + ") (3.53-3.56)");
    t.add_column("dE_" + s + "_se", "energy", "standard error of dE_" + s);
  }
  t.add_column("dE_sum", "energy", "dE_A + dE_B = H (w_A - w_B)(T_A - T_B) - 2 E_min_gap (0: energy conserved)");
  t.add_column("dE_sum_se", "energy", "standard error of dE_sum");
}

// Row i of the three systems' sweep tables becomes a row of the mixing table.
void fill_mixing_row(Table& t, const Table& a, const Table& b, const Table& m, size_t i, double w_a) {
  const double w_b = 1.0 - w_a;
  const double h = m.get(i, "H");
  const size_t r = t.new_row();
  t.set(r, "scale", m.get(i, "scale"));
  t.set(r, "H", h);
  t.set(r, "T_defined", m.get(i, "T_defined"));
  const std::pair<const char*, const Table*> sys[] = {{"A", &a}, {"B", &b}, {"mix", &m}};
  for (const auto& [x, s] : sys) {
    t.set(r, std::string("T_") + x, s->get(i, "T_mc"));
    t.set(r, std::string("T_") + x + "_se", s->get(i, "T_mc_se"));
    t.set(r, std::string("T_") + x + "_exact", s->get(i, "T_exact"));
  }
  const double gap = m.get(i, "E_min") - w_a * a.get(i, "E_min") - w_b * b.get(i, "E_min");
  t.set(r, "E_min_gap", gap);
  // Energies released by training, E_init - E_min, and their errors (independent particles).
  auto u = [&](const Table& s) { return s.get(i, "E_init") - s.get(i, "E_min"); };
  const double se_a = a.get(i, "E_init_se"), se_b = b.get(i, "E_init_se"), se_m = m.get(i, "E_init_se");
  t.set(r, "dE_A", u(m) - u(a));
  t.set(r, "dE_A_se", std::hypot(se_m, se_a));
  t.set(r, "dE_B", u(m) - u(b));
  t.set(r, "dE_B_se", std::hypot(se_m, se_b));
  t.set(r, "dE_sum", t.get(r, "dE_A") + t.get(r, "dE_B"));
  t.set(r, "dE_sum_se", std::sqrt(4.0 * se_m * se_m + se_a * se_a + se_b * se_b));
  if (!(h > 0.0)) return;
  const double mean = w_a * t.get(r, "T_A") + w_b * t.get(r, "T_B");
  const double mean_se = std::hypot(w_a * t.get(r, "T_A_se"), w_b * t.get(r, "T_B_se"));
  const double se = std::hypot(t.get(r, "T_mix_se"), mean_se);
  t.set(r, "T_mean", mean);
  t.set(r, "T_mean_se", mean_se);
  t.set(r, "T_mix_pred", mean - gap / h);
  t.set(r, "z_pred", (t.get(r, "T_mix") - (mean - gap / h)) / se);
  t.set(r, "z_paper", (t.get(r, "T_mix") - mean) / se);
}

// Everything a mixing run checks and builds before its first particle.
struct MixingPlan {
  explicit MixingPlan(const Config& cfg) : spec(data_spec(cfg)), scales(sweep_scales(cfg)) {
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    d = mixing_data(cfg, spec);
    data_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    t0 = Clock::now();
    sa = make_system(cfg, d.a);
    sb = make_system(cfg, d.b);
    sm = make_system(cfg, d.mix);
    system_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  DataSpec spec;
  std::vector<double> scales;
  MixingData d;
  std::unique_ptr<System> sa, sb, sm;
  double data_seconds = 0.0, system_seconds = 0.0;
};

}  // namespace

void check_mixing(const Config& cfg) { MixingPlan{cfg}; }

RunResult run_mixing(const Config& cfg, RunContext& ctx) {
  const MixingPlan plan(cfg);
  const DataSpec& spec = plan.spec;
  const std::vector<double>& scales = plan.scales;
  const MixingData& d = plan.d;
  const auto &sa = plan.sa, &sb = plan.sb, &sm = plan.sm;
  ctx.data_seconds = plan.data_seconds;
  ctx.system_seconds = plan.system_seconds;

  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("mc.seed"));
  const uint64_t particles = static_cast<uint64_t>(cfg.get_int("mc.particles"));
  if (particles > UINT64_MAX / (3 * scales.size()))
    throw InputError(cfg.where("mc.particles") + ": the particle count of the three systems overflows 64 bits");
  Progress progress(3 * particles * scales.size(), ctx.quiet);
  uint64_t done = 0;
  ctx.seconds = 0.0;
  const Table ta = system_sweep(cfg, ctx, *sa, scales, seed, "system_A", progress, done);
  const Table tb = system_sweep(cfg, ctx, *sb, scales, seed + 1, "system_B", progress, done);
  const Table tm = system_sweep(cfg, ctx, *sm, scales, seed + 2, "system_mix", progress, done);
  progress.finish();

  const auto n_a = static_cast<int64_t>(d.a.X.rows()), n_b = static_cast<int64_t>(d.b.X.rows());
  const double w_a = static_cast<double>(n_a) / static_cast<double>(n_a + n_b);
  Table mix("mixing");
  add_mixing_columns(mix);
  for (size_t r = 0; r < scales.size(); ++r) fill_mixing_row(mix, ta, tb, tm, r, w_a);
  if (!ctx.quiet)
    std::cout << "mixing: " << d.how << "\n"
              << format_columns(mix, {"scale", "T_A", "T_B", "T_mix", "T_mean", "T_mix_pred", "dE_A", "dE_B"});

  RunResult res = experiment_result(
      cfg, ctx, sm->describe() + "; mixing " + std::to_string(n_a) + " + " + std::to_string(n_b) + " points");
  res.text_attrs.push_back({"mixing_data", d.how});
  res.text_attrs.push_back(
      {"minimum", "A: " + sa->minimum_note() + "; B: " + sb->minimum_note() + "; union: " + sm->minimum_note()});
  res.text_attrs.push_back({"exact_reference", sm->reference_note()});
  res.text_attrs.push_back({"data_origin", d.how});
  if (cfg.has("experiment.data_b"))
    res.text_attrs.push_back({"data_b_file_sha256", sha256_file(cfg.resolve_path("experiment.data_b"))});
  res.int_attrs = {{"seed", static_cast<int64_t>(seed)},
                   {"particles_per_scale", static_cast<int64_t>(particles)},
                   {"scales", static_cast<int64_t>(scales.size())},
                   {"n_A", n_a},
                   {"n_B", n_b}};
  res.num_attrs = {{"w_A", w_a},
                   {"seconds", ctx.seconds},
                   {"particles_per_second", 3.0 * particles * scales.size() / std::max(ctx.seconds, 1e-9)}};
  res.tables = {mix, ta, tb, tm};
  // The union's data (A's rows, then B's) as they enter the energy.
  add_data_provenance(res, spec, sm->energy_X(d.mix), sm->energy_y(d.mix));
  return res;
}

}  // namespace mltemp
