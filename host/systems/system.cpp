#include "system.h"

#include <cmath>
#include <sstream>

#include "errors.h"
#include "formulas.h"
#include "solvers.h"

namespace mltemp {

void add_scale_column(Table& t) {
  t.add_column("scale", "", "sigma (normal, mixed) or a (uniform) of the initial distribution");
}

void add_temperature_columns(Table& t) {
  using K = Column::Kind;
  add_scale_column(t);
  t.add_column("particles", "count", "Monte Carlo particles at this scale", K::kInt);
  t.add_column("E_init", "energy", "Monte Carlo mean energy of the initial particles (2.5)");
  t.add_column("E_init_se", "energy", "standard error of E_init");
  t.add_column("E_init_exact", "energy", "exact E_init (closed form or quadrature); NaN if none");
  t.add_column("E_min", "energy", "minimum (or infimum) of the energy (2.22)");
  t.add_column("H", "nats", "differential entropy of the initial distribution (2.6)");
  t.add_column("T_mc", "energy/nat", "(E_init - E_min)/H from Monte Carlo; NaN where H <= 0");
  t.add_column("T_mc_se", "energy/nat", "standard error of T_mc");
  t.add_column("T_exact", "energy/nat", "(E_init_exact - E_min)/H; NaN if no exact E_init or H <= 0");
  t.add_column("T_asym", "energy/nat", "leading-order asymptote E_asym/(m ln scale); NaN for scale <= 1");
  t.add_column("E_asym", "energy", "leading-order growth of E_init - E_min");
  t.add_column("z", "", "(T_mc - T_exact)/T_mc_se");
  t.add_column("T_mc_over_T_asym", "", "T_mc/T_asym; tends to 1 like 1/ln(scale)");
  t.add_column("kappa_stat", "", "(T_asym/T_mc - 1) ln(scale); tends to kappa");
  t.add_column("kappa_stat_se", "", "standard error of kappa_stat");
  t.add_column("kappa", "", "next-order entropy constant (H - m ln scale)/m");
  t.add_column("energy_ratio", "", "(E_init - E_min)/E_asym; tends to 1");
  t.add_column("energy_ratio_se", "", "standard error of energy_ratio");
  t.add_column("T_defined", "flag", "1 if H > 0 (temperature defined), 0 if H <= 0", K::kInt);
  t.add_column("E_kurtosis", "", "excess kurtosis of the particle energies (heavy-tail diagnostic)");
  t.add_column("E_max_share", "", "largest particle's share of the energy sum (heavy-tail diagnostic)");
  t.add_column("se_reliable", "flag",
               "0 when the standard error cannot be trusted (heavy tails): sqrt((kurtosis + 2)/particles) > 0.3, "
               "i.e. the variance itself is uncertain by > 30%, or one particle holds > 5% of the energy sum",
               K::kInt);
}

void fill_temperature_columns(Table& t, size_t r, const TemperatureInputs& in) {
  const double s = in.scale;
  t.set(r, "scale", s);
  t.set(r, "particles", static_cast<double>(in.particles));
  t.set(r, "E_init", in.e_init);
  t.set(r, "E_init_se", in.e_init_se);
  if (in.e_init_exact) t.set(r, "E_init_exact", *in.e_init_exact);
  t.set(r, "E_min", in.e_min);
  t.set(r, "H", in.h);
  t.set(r, "kappa", in.kappa);
  t.set(r, "E_kurtosis", in.kurtosis);
  t.set(r, "E_max_share", in.max_share);
  const bool reliable =
      std::sqrt((in.kurtosis + 2.0) / static_cast<double>(in.particles)) <= 0.3 && in.max_share <= 0.05;
  t.set(r, "se_reliable", reliable ? 1.0 : 0.0);
  const bool defined = in.h > 0.0;
  t.set(r, "T_defined", defined ? 1.0 : 0.0);
  if (in.e_asym) {
    t.set(r, "E_asym", *in.e_asym);
    t.set(r, "energy_ratio", (in.e_init - in.e_min) / *in.e_asym);
    t.set(r, "energy_ratio_se", in.e_init_se / *in.e_asym);
  }
  if (!defined) return;
  const double tmc = (in.e_init - in.e_min) / in.h;
  const double tse = in.e_init_se / in.h;
  t.set(r, "T_mc", tmc);
  t.set(r, "T_mc_se", tse);
  if (in.e_init_exact) {
    const double tex = (*in.e_init_exact - in.e_min) / in.h;
    t.set(r, "T_exact", tex);
    if (tse > 0) t.set(r, "z", (tmc - tex) / tse);
  }
  if (in.e_asym && s > 1.0) {
    const double ta = t_asym(*in.e_asym, static_cast<int>(in.params), s);
    const double ls = std::log(s);
    t.set(r, "T_asym", ta);
    t.set(r, "T_mc_over_T_asym", tmc / ta);
    t.set(r, "kappa_stat", (ta / tmc - 1.0) * ls);
    t.set(r, "kappa_stat_se", ta / (tmc * tmc) * ls * tse);
  }
}

DataSpec data_spec(const Config& cfg) {
  DataSpec d;
  d.source = cfg.get_string("data.source");
  if (d.source == "csv") {
    if (!cfg.has("data.path")) throw InputError(cfg.where("data.source") + ": source \"csv\" needs data.path");
    d.path = cfg.resolve_path("data.path");
    if (cfg.has("data.target")) d.target = cfg.get_string("data.target");
  } else {
    for (const char* k : {"data.path", "data.target"})
      if (cfg.given(k)) throw InputError(cfg.where(k) + ": only used with data.source = \"csv\"");
  }
  d.standardize = cfg.get_bool("data.standardize");
  d.bias = cfg.get_bool("data.bias");
  const bool mlp = cfg.get_string("model.kind") == "mlp";
  if (mlp) {
    // A network carries its own biases (model.bias); no constant input column.
    if (cfg.given("data.bias") && d.bias)
      throw InputError(cfg.where("data.bias") + ": an mlp has no bias column; use model.bias = true");
    d.bias = false;
  }
  if (d.source == "teacher" && !mlp)
    throw InputError(cfg.where("data.source") + ": the teacher generator needs model.kind = \"mlp\"");
  for (const char* k : {"data.teacher_sigma", "data.teacher_scaling"})
    if (cfg.given(k) && d.source != "teacher")
      throw InputError(cfg.where(k) + ": only used with data.source = \"teacher\"");
  d.n = static_cast<int>(cfg.get_int("data.n"));
  d.m = static_cast<int>(cfg.get_int("data.m"));
  if (cfg.get_int("data.n") < 1 || cfg.get_int("data.n") > 100000000)
    throw InputError(cfg.where("data.n") + ": must be between 1 and 1e8");
  if (cfg.get_int("data.m") < 1 || cfg.get_int("data.m") > 100000)
    throw InputError(cfg.where("data.m") + ": must be between 1 and 1e5");
  d.noise = cfg.get_double("data.noise");
  if (d.noise < 0) throw InputError(cfg.where("data.noise") + ": must be >= 0");
  d.seed = static_cast<uint64_t>(cfg.get_int("data.seed"));
  d.label_kind = cfg.get_string("data.labels");
  if (cfg.given("data.labels") && d.source != "synthetic")
    throw InputError(cfg.where("data.labels") + ": only used with data.source = \"synthetic\"");
  // Classification labels stay 0/1; only regression targets are z-scored.
  d.standardize_target = cfg.get_string("model.kind") != "logistic";
  return d;
}

std::vector<double> sweep_scales(const Config& cfg) {
  std::vector<double> s;
  const bool range = cfg.has("sweep.from") || cfg.has("sweep.to") || cfg.has("sweep.points");
  if (cfg.has("sweep.scales")) {
    if (range)
      throw InputError(cfg.where("sweep.scales") + ": give either sweep.scales or sweep.from/to/points, not both");
    s = cfg.get_doubles("sweep.scales");
    if (s.empty()) throw InputError(cfg.where("sweep.scales") + ": needs at least one scale");
    for (size_t i = 0; i < s.size(); ++i)
      if (!(s[i] > 0.0))
        throw InputError(cfg.where("sweep.scales") + "[" + std::to_string(i) + "]: scale must be > 0, got " +
                         format_value(s[i]));
    return s;
  }
  if (!range) throw InputError("[sweep]: give sweep.scales = [...] or sweep.from, sweep.to and sweep.points");
  for (const char* k : {"sweep.from", "sweep.to", "sweep.points"})
    if (!cfg.has(k)) throw InputError(std::string("[sweep]: ") + k + " is missing (from, to and points go together)");
  const double from = cfg.get_double("sweep.from"), to = cfg.get_double("sweep.to");
  const int64_t points = cfg.get_int("sweep.points");
  if (!(from > 0)) throw InputError(cfg.where("sweep.from") + ": scale must be > 0");
  if (!(to > 0)) throw InputError(cfg.where("sweep.to") + ": scale must be > 0");
  if (points < 1 || points > 100000) throw InputError(cfg.where("sweep.points") + ": must be between 1 and 100000");
  if (points == 1 && from != to) throw InputError(cfg.where("sweep.points") + ": 1 point needs from = to");
  for (int64_t i = 0; i < points; ++i) {
    const double f = points == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(points - 1);
    s.push_back(i == points - 1 ? to : from * std::pow(to / from, f));
  }
  return s;
}

InitLayout init_layout(const Config& cfg, int m) {
  InitLayout L;
  L.name = cfg.get_string("init.dist");
  L.ratio = Eigen::VectorXd::Ones(m);
  if (L.name == "normal") {
    L.normal_dims = m;
  } else if (L.name == "uniform") {
    L.normal_dims = 0;
  } else {  // mixed
    const int64_t k = cfg.get_int("init.normal_dims");
    if (k < 0 || k > m)
      throw InputError(cfg.where("init.normal_dims") + ": must be between 0 and the parameter count " +
                       std::to_string(m) + " (bias included)");
    const double r = cfg.get_double("init.uniform_ratio");
    if (!(r > 0)) throw InputError(cfg.where("init.uniform_ratio") + ": must be > 0");
    L.normal_dims = static_cast<int>(k);
    for (int j = L.normal_dims; j < m; ++j) L.ratio[j] = r;
  }
  if (L.name != "mixed")
    for (const char* k : {"init.normal_dims", "init.uniform_ratio"})
      if (cfg.given(k)) throw InputError(cfg.where(k) + ": only used with init.dist = \"mixed\"");
  return L;
}
std::unique_ptr<System> make_system(const Config& cfg, const Dataset& ds) {
  const std::string model = cfg.get_string("model.kind");
  const std::string energy = cfg.get_string("energy.kind");
  if (energy == "mbe")
    throw InputError(cfg.where("energy.kind") +
                     ": the mean bias error E = <y - theta.x> is linear in theta, so it is unbounded "
                     "below: it has no minimum E_min, and without E_min there is no temperature "
                     "T = (E_init - E_min)/H");
  if (model == "mlp") {
    if (energy != "mse")
      throw InputError(cfg.where("energy.kind") +
                       ": the mlp model is implemented with energy.kind = \"mse\" (Section 5)");
    return make_mlp_system(cfg, ds);
  }
  for (const char* k : {"model.hidden", "model.activation", "model.bias", "model.train_iters", "model.train_seed",
                        "init.layer_scaling"})
    if (cfg.given(k)) throw InputError(cfg.where(k) + ": only used with model.kind = \"mlp\"");
  if (model == "linear" && energy == "mse") return make_linear_mse_system(cfg, ds);
  if (model == "linear" && energy == "mae") return make_linear_mae_system(cfg, ds);
  if (model == "logistic" && energy == "ce") return make_logistic_ce_system(cfg, ds);
  if (model == "logistic")
    throw InputError(cfg.where("energy.kind") + ": the logistic model takes energy.kind = \"ce\" (cross entropy)");
  if (energy == "ce")
    throw InputError(cfg.where("energy.kind") + ": cross entropy needs model.kind = \"logistic\" and 0/1 labels");
  throw InputError(cfg.where("energy.kind") + ": energy \"" + energy + "\" is not available for model \"" + model +
                   "\"");
}

}  // namespace mltemp
