// validate rows for neural networks with MSE (Section 5, Appendix E), on teacher data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "refs_mlp.h"
#include "validate.h"

namespace mltemp {
namespace {

// A teacher-student case: 30 points, inputs N(0, I), noiseless teacher of the same shape, so
// E_min = 0 exactly and z_l* are the teacher's pre-activations.
std::string mlp_case(const std::string& name, int n0, const std::string& hidden, const std::string& act, bool bias,
                     const std::string& dist, const std::string& scales, int particles,
                     const std::string& scaling = "none", const std::string& teacher_scaling = "none",
                     int teacher_seed = 5) {
  return "name = \"" + name + "\"\n[data]\nsource = \"teacher\"\nteacher_scaling = \"" + teacher_scaling +
         "\"\nn = 30\nm = " + std::to_string(n0) + "\nnoise = 0.0\nseed = " + std::to_string(teacher_seed) +
         "\n[model]\nkind = \"mlp\"\nhidden = [" + hidden + "]\nactivation = \"" + act +
         "\"\nbias = " + (bias ? "true" : "false") + "\n[init]\ndist = \"" + dist + "\"\nlayer_scaling = \"" + scaling +
         "\"\n[sweep]\nscales = [" + scales + "]\n[mc]\nparticles = " + std::to_string(particles) + "\nseed = 2028\n";
}

size_t layer_row(const RunResult& r, double scale, int layer) {
  const Table& t = *r.table("layers");
  for (size_t i = 0; i < t.rows(); ++i)
    if (t.get(i, "scale") == scale && t.get(i, "layer") == layer) return i;
  throw std::logic_error("validate: no layer row");
}

int layer_count(const RunResult& r) {
  const Table& t = *r.table("layers");
  int L = 0;
  for (size_t i = 0; i < t.rows(); ++i) L = std::max(L, static_cast<int>(t.get(i, "layer")));
  return L;
}

// Rows of the layers table at the listed scales, layers from..L.
std::vector<size_t> layer_rows(const RunResult& r, const std::vector<double>& scales, int from) {
  std::vector<size_t> rows;
  for (double s : scales)
    for (int l = from; l <= layer_count(r); ++l) rows.push_back(layer_row(r, s, l));
  return rows;
}

// Every layer's exact energy at the listed scales: worst |z| < kZ.
void layers_exact(Validator& v, const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  Verdict q = v.start(id, r.name + " all layers");
  q.stat_name = "max|z|";
  Validator::worst_deviation(q, *r.table("layers"), layer_rows(r, scales, 1), "T_l", "T_l_exact", 0.0, "T_l_se");
  q.note = "T_l at the worst layer and scale";
  v.add(q);
}

// Layer energies against their leading order, layers from..L at one scale: worst |ratio-1|/se.
void layers_asym(Validator& v, const std::string& id, const RunResult& r, double scale, int from) {
  Verdict q = v.start(id, r.name + " layers >= " + std::to_string(from) + ", scale " + number_text(scale));
  q.stat_name = "|ratio-1|/se";
  Validator::worst_deviation(q, *r.table("layers"), layer_rows(r, {scale}, from), "energy_ratio", "", 1.0,
                             "energy_ratio_se");
  q.note = "E_l / E_l_asym at the worst layer";
  v.add(q);
}

// T_l equal for l >= 2 (5.15-5.17): worst |T_l/T_2 - 1|/se over l = 3..L.
void layers_equal(Validator& v, const std::string& id, const RunResult& r, double scale) {
  Verdict q = v.start(id, r.name + " layers >= 2, scale " + number_text(scale));
  const Table& t = *r.table("layers");
  const size_t i2 = layer_row(r, scale, 2);
  const double t2 = t.get(i2, "T_l"), s2 = t.get(i2, "T_l_se");
  q.stat_name = "|T_l/T_2-1|/se";
  q.stat = 0;
  q.reference = 1.0;
  for (int l = 3; l <= layer_count(r); ++l) {
    const size_t i = layer_row(r, scale, l);
    const double ratio = t.get(i, "T_l") / t2;
    const double se = ratio * std::hypot(t.get(i, "T_l_se") / t.get(i, "T_l"), s2 / t2);
    const double d = std::abs(ratio - 1.0) / se;
    if (!(d <= q.stat)) {
      q.stat = d;
      q.mc = ratio;
      q.se = se;
    }
  }
  q.pass = std::isfinite(q.stat) && q.stat < kZ;
  q.note = "T_l / T_2 at the worst layer";
  v.add(q);
}

// eta at one scale against a reference (the limit formula or 1).
void eta_row(Validator& v, const std::string& id, const RunResult& r, double scale, bool against_exact) {
  Verdict q = v.start(id, r.name + " scale " + number_text(scale));
  const Table& t = *r.table("efficiency");
  size_t i = 0;
  while (t.get(i, "scale") != scale) ++i;
  q.mc = t.get(i, "eta");
  q.se = t.get(i, "eta_se");
  q.reference = against_exact ? t.get(i, "eta_exact") : t.get(i, "eta_limit");
  Validator::agrees(q);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s; paper limit eta_inf = %.6g (%s)",
                against_exact ? "ref = exact eta" : "ref = limit", t.get(i, "eta_limit"),
                t.get_text(i, "engine_type").c_str());
  q.note = buf;
  v.add(q);
}

// ---- narrow sigmoid nets without biases: the all-off correction (refs_mlp.h,
// mlp_saturation_factors)

// The run's network, from its stored widths.
MlpShape run_shape(const RunResult& r, Activation act, bool bias) {
  for (const auto& a : r.arrays)
    if (a.path == "reference/widths") return MlpShape{std::vector<int>(a.values.begin(), a.values.end()), bias, act};
  throw std::logic_error("validate: run " + r.name + " has no reference/widths");
}

// f_1 .. f_{L-1} of a sigmoid run without biases (inputs x ~ N(0, I) are never 0).
std::vector<double> sigmoid_factors(const RunResult& r) {
  return mlp_saturation_factors(run_shape(r, Activation::kSigmoid, false), false);
}

// The note of a CORRECTS row: how far the paper's value is off, and where that matters.
std::string correction_note(const Verdict& q, double paper, double z_paper) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "limit %.3g%% below the paper's %g (%.0f se); ~2^-(n+1): >1%% to n = 5, <0.2%% from 8",
                100.0 * (1.0 - q.reference / paper), paper, z_paper);
  return buf;
}

// (E_init - E_min)/E_asym at the run's one scale against f_{L-1} (5.7).
void narrow_energy(Validator& v, const RunResult& r) {
  const Table& t = *r.table("sweep");
  Verdict q = v.start("mlp.sigmoid.narrow", r.name + " scale " + number_text(t.get(0, "scale")));
  q.reference = sigmoid_factors(r).back();
  q.mc = t.get(0, "energy_ratio");
  q.se = t.get(0, "energy_ratio_se");
  q.note = correction_note(q, 1.0, Validator::corrects(q, 1.0));
  v.add(q);
}

// E_l / E_l_asym at layers l >= 3 against f_{l-1} (5.18); the worst layer is reported, and the
// paper's value must be rejected at every one.
void narrow_layers(Validator& v, const RunResult& r) {
  const double scale = r.table("sweep")->get(0, "scale");
  Verdict q = v.start("mlp.sigmoid.narrow.layers", r.name + " layers >= 3, scale " + number_text(scale));
  const std::vector<double> f = sigmoid_factors(r);
  const Table& t = *r.table("layers");
  bool ok = layer_count(r) >= 3;
  double worst = 0.0, z_paper_min = 1e300;
  for (int l = 3; l <= layer_count(r); ++l) {
    Verdict one = q;
    const size_t i = layer_row(r, scale, l);
    one.reference = f[l - 2];
    one.mc = t.get(i, "energy_ratio");
    one.se = t.get(i, "energy_ratio_se");
    z_paper_min = std::min(z_paper_min, Validator::corrects(one, 1.0));
    ok = ok && one.pass;
    if (!(one.stat <= worst)) {
      worst = one.stat;
      q = one;
    }
  }
  q.pass = ok;
  q.note = correction_note(q, 1.0, z_paper_min);
  v.add(q);
}

// ---- ReLU layer temperature order (5.20-5.22) for several reference networks

// Teacher networks for the order rows: weights N(0, k_l^2), k_l from the scaling rule.
struct OrderReference {
  const char* scaling;
  int seed;
};
constexpr OrderReference kOrderReferences[] = {{"he", 5},     {"he", 6},   {"fan_in", 5},
                                               {"fan_in", 6}, {"none", 5}, {"none", 6}};
const char* kOrderScales = "0.3, 0.5, 0.6, 0.8, 1.5";
constexpr double kOrderFrom = 0.6;  // every reference orders its T_l from here (the sweep shows it)
constexpr double kOrderBreak = 0.3;

std::string order_run_name(const OrderReference& o) {
  return std::string("relu-order-") + o.scaling + "-s" + std::to_string(o.seed);
}

std::string reference_label(const OrderReference& o) {
  const std::string s = o.scaling;
  return (s == "he" ? "He" : s == "none" ? "unscaled" : s) + " teacher seed " + std::to_string(o.seed);
}

std::string gaps_text(const std::vector<LayerGap>& gaps) {
  std::string out;
  char buf[64];
  for (const auto& g : gaps) {
    std::snprintf(buf, sizeof buf, "%s%.3g+-%.2g", out.empty() ? "" : ", ", g.mc, g.se);
    out += buf;
  }
  return out;
}

// The smallest sweep scale from which the order holds, by Monte Carlo and exactly.
void order_onset_row(Validator& v, const RunResult& r, const OrderReference& o) {
  Verdict q = v.start("mlp.relu.order.onset", r.name + " (" + reference_label(o) + "), scales " + kOrderScales);
  const OrderOnset on = order_onset(r);
  q.reference = on.exact;
  q.mc = on.mc;
  q.stat_name = "min gap/se at onset";
  q.pass = std::isfinite(on.mc) && on.mc == on.exact;
  std::string gaps = "none";
  if (std::isfinite(on.mc)) {
    const auto g = layer_gaps(r, on.mc);
    q.stat = 1e300;
    for (const auto& x : g)
      if (x.mc / x.se < q.stat) {
        q.stat = x.mc / x.se;
        q.se = x.se;
      }
    gaps = gaps_text(g);
  }
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: T_{l+1}-T_l at s = %g: %s", reference_label(o).c_str(), on.mc, gaps.c_str());
  q.note = buf;
  v.add(q);
}

// Outside 5.22 (s^2 n_l < 2): T_2 - T_1 at a small scale, whatever its sign, against its exact
// value; the row shows every T_l.
void order_break_row(Validator& v, const RunResult& r, const OrderReference& o) {
  Verdict q =
      v.start("mlp.relu.order.break", r.name + " (" + reference_label(o) + "), scale " + number_text(kOrderBreak));
  const LayerGap g = layer_gaps(r, kOrderBreak).front();
  q.reference = g.exact;
  q.mc = g.mc;
  q.se = g.se;
  Validator::agrees(q);  // our own check: the Monte Carlo reproduces the exact gap
  q.stat_name = "(T_2-T_1)/se";
  q.stat = g.mc / g.se;
  const Table& t = *r.table("layers");
  std::string values;
  double se_max = 0.0;
  char buf[64];
  for (int l = 1; l <= layer_count(r); ++l) {
    const size_t i = layer_row(r, kOrderBreak, l);
    std::snprintf(buf, sizeof buf, "%s%.3g", l > 1 ? ", " : "", t.get(i, "T_l"));
    values += buf;
    se_max = std::max(se_max, t.get(i, "T_l_se"));
  }
  std::snprintf(buf, sizeof buf, " (se <= %.2g)", se_max);
  q.note = reference_label(o) + ": T_l = " + values + buf;
  v.add(q);
}

// The claim as the runs support it: the order from kOrderFrom on, for every reference.
// runs[k] belongs to kOrderReferences[k].
void order_row(Validator& v, const std::vector<const RunResult*>& runs) {
  Verdict q =
      v.start("mlp.relu.order", std::to_string(runs.size()) + " references, scales >= " + number_text(kOrderFrom));
  q.stat_name = "min gap/se";
  q.stat = 1e300;
  bool ok = !runs.empty();
  std::string onsets;
  for (size_t k = 0; k < runs.size(); ++k) {
    const RunResult* r = runs[k];
    const OrderOnset on = order_onset(*r);
    ok = ok && on.mc <= kOrderFrom;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s/%d %g", k ? ", " : "", kOrderReferences[k].scaling, kOrderReferences[k].seed,
                  on.mc);
    onsets += buf;
    const Table& t = *r->table("sweep");
    for (size_t i = 0; i < t.rows(); ++i) {
      if (t.get(i, "scale") < kOrderFrom) continue;
      for (const auto& g : layer_gaps(*r, t.get(i, "scale")))
        if (!(g.mc / g.se >= q.stat)) {
          q.stat = g.mc / g.se;
          q.mc = g.mc;
          q.se = g.se;
          q.reference = g.exact;
        }
    }
  }
  q.pass = ok && q.stat > kZ;
  q.note = "onset s per teacher: " + onsets;
  v.add(q);
}

}  // namespace

const std::vector<ClaimInfo>& claims_mlp() {
  static const std::vector<ClaimInfo> c = {
      {"mlp.relu.exact", "5.9-5.10", "ReLU 3-8-8-1: E_init exact recursion, T exact"},
      {"mlp.relu.layers.exact", "5.20", "ReLU per-layer E_l exact at every layer"},
      {"mlp.relu.asym.energy", "5.11", "ReLU: E ~ s^2L prod(n_l/2) <|x|^2>"},
      {"mlp.relu.asym.kappa", "5.11", "ReLU: T ~ s^2L prod(n_l/2)<|x|^2>/(N ln s)"},
      {"mlp.relu.eta", "5.29-5.31", "ReLU: eta -> 1 (second type of heat engine)"},
      {"mlp.relu.bias.exact", "5.9-5.10", "ReLU with N(0,s^2) biases: q_l recursion exact"},
      {"mlp.relu.order", "5.20-5.22",
       "ReLU 8-16-16-16-1, 6 teachers: T_1<T_2<T_3<T_4 for s >= " + number_text(kOrderFrom) + " (s^2 n_0 > 2)"},
      {"mlp.relu.order.onset", "5.20-5.22", "ReLU 8-16-16-16-1: smallest sweep s from which T_1<T_2<T_3<T_4"},
      {"mlp.relu.order.break", "5.22", "ReLU, s^2 n_0 < 2 (outside 5.22): reference sets order", Outcome::kIllustrates},
      {"mlp.tanh.exact", "5.4", "tanh, one hidden layer: E_init by quadrature"},
      {"mlp.tanh.layers.exact", "5.12-5.14", "tanh one hidden layer: E_1, E_2 exact"},
      {"mlp.tanh.asym.energy", "5.4-5.5", "tanh 3-8-8-8-1: E ~ s^2 n_{L-1}"},
      {"mlp.tanh.asym.kappa", "5.6", "tanh: T ~ s^2 n_{L-1}/(N ln s)"},
      {"mlp.tanh.layers.asym", "5.15-5.17", "tanh layer energies -> leading order"},
      {"mlp.tanh.layers.equal", "5.15-5.17", "tanh: T_l equal for l >= 2"},
      {"mlp.tanh.eta", "5.26-5.28", "tanh: eta -> n_{L-1}/(n_1<|x|^2> + sum n_l n_{l-1})"},
      {"mlp.sigmoid.beta", "5.7-5.8", "sigmoid 3-8-8-8-1: T_sigmoid/T_tanh -> 1/2 (beta)"},
      {"mlp.sigmoid.layers.asym", "5.18-5.19", "sigmoid 3-8-8-8-1 layers l >= 2: half of tanh's"},
      {"mlp.sigmoid.eta", "5.26-5.28", "sigmoid: eta limit with k = 2"},
      {"mlp.scaling.fan_in", "5.32-5.38", "tanh, sigma_l = s/sqrt(n_{l-1}): asymptote"},
      {"mlp.scaling.he.exact", "5.39-5.42", "ReLU, sigma_l = s sqrt(2/n_{l-1}): exact"},
      {"mlp.uniform.relu.exact", "E.1-E.4", "uniform init, ReLU: exact with a^2/3"},
      {"mlp.uniform.tanh.exact", "E.1-E.2", "uniform init, tanh one hidden layer: exact"},
      {"mlp.uniform.tanh.asym", "E.3-E.4", "uniform tanh 3-8-8-1: leading order a^2/3"},
      {"mlp.sigmoid.narrow", "5.7", "sigmoid, no biases: E ~ s^2 (n_{L-1}/2) f_{L-1}", Outcome::kCorrects},
      {"mlp.sigmoid.narrow.layers", "5.18", "sigmoid, no bias: E_l ~ s^2 n_l n_{l-1} f_{l-1}/2", Outcome::kCorrects},
      {"mlp.sigmoid.narrow.beta", "5.8", "sigmoid, no biases: T_sigmoid/T_tanh -> f_{L-1}/2", Outcome::kCorrects},
  };
  return c;
}

void validate_mlp(Validator& v) {
  const auto& relu =
      v.run(mlp_case("mlp-relu", 3, "8, 8", "relu", false, "normal", "0.5, 1.0, 3.0, 100.0, 1e3, 1e6", 40000));
  v.exact("mlp.relu.exact", relu, {0.5, 1.0, 3.0, 100.0});
  layers_exact(v, "mlp.relu.layers.exact", relu, {0.5, 1.0, 3.0, 100.0});
  v.energy_ratio("mlp.relu.asym.energy", relu, {1e3, 1e6});
  v.kappa("mlp.relu.asym.kappa", relu, {1e3, 1e6});
  eta_row(v, "mlp.relu.eta", relu, 1e3, true);
  const auto& relub = v.run(mlp_case("mlp-relu-bias", 3, "8, 8", "relu", true, "normal", "0.5, 1.0, 3.0", 40000));
  v.exact("mlp.relu.bias.exact", relub, {0.5, 1.0, 3.0});

  // The order of the T_l depends on the reference network where the init energy does not
  // dominate: one 8-16-16-16-1 sweep per teacher.
  std::vector<const RunResult*> order_runs;
  for (const auto& o : kOrderReferences)
    order_runs.push_back(&v.run(mlp_case(order_run_name(o), 8, "16, 16, 16", "relu", false, "normal", kOrderScales,
                                         3072, "none", o.scaling, o.seed)));
  order_row(v, order_runs);
  for (size_t k = 0; k < order_runs.size(); ++k) order_onset_row(v, *order_runs[k], kOrderReferences[k]);
  for (size_t k : {0, 1, 4}) order_break_row(v, *order_runs[k], kOrderReferences[k]);

  const auto& tanh1 = v.run(mlp_case("mlp-tanh-1h", 3, "8", "tanh", false, "normal", "0.5, 1.0, 3.0, 10.0", 40000));
  v.exact("mlp.tanh.exact", tanh1, {0.5, 1.0, 3.0, 10.0});
  layers_exact(v, "mlp.tanh.layers.exact", tanh1, {0.5, 1.0, 3.0, 10.0});
  const auto& tanh = v.run(mlp_case("mlp-tanh", 3, "8, 8, 8", "tanh", false, "normal", "1e3, 1e4, 1e6", 20000));
  v.energy_ratio("mlp.tanh.asym.energy", tanh, {1e4, 1e6});
  v.kappa("mlp.tanh.asym.kappa", tanh, {1e4, 1e6});
  layers_asym(v, "mlp.tanh.layers.asym", tanh, 1e6, 1);
  layers_equal(v, "mlp.tanh.layers.equal", tanh, 1e6);
  eta_row(v, "mlp.tanh.eta", tanh, 1e6, false);
  const auto& sig = v.run(mlp_case("mlp-sigmoid", 3, "8, 8, 8", "sigmoid", false, "normal", "1e3, 1e4, 1e6", 20000));
  {
    Verdict q = v.ratio("mlp.sigmoid.beta", sig.name + " / " + tanh.name, sig, tanh, {{{1e6, 1e6}}, 0.0, 0.5});
    char buf[160];
    std::snprintf(buf, sizeof buf, "T_sigmoid/T_tanh, same shape and scale; corrected beta f_3/2 = %.5f, unresolved",
                  sigmoid_factors(sig).back() / 2);
    q.note = buf;
    v.add(q);
  }
  layers_asym(v, "mlp.sigmoid.layers.asym", sig, 1e6, 2);
  eta_row(v, "mlp.sigmoid.eta", sig, 1e6, false);

  const auto& fan = v.run(mlp_case("mlp-tanh-fan-in", 3, "8, 8", "tanh", false, "normal", "1e4, 1e6", 20000, "fan_in"));
  v.energy_ratio("mlp.scaling.fan_in", fan, {1e4, 1e6});
  const auto& he = v.run(mlp_case("mlp-relu-he", 3, "8, 8", "relu", false, "normal", "0.5, 1.0, 10.0", 40000, "he"));
  v.exact("mlp.scaling.he.exact", he, {0.5, 1.0, 10.0});

  const auto& ur = v.run(mlp_case("mlp-relu-uniform", 3, "8, 8", "relu", false, "uniform", "1.0, 3.0, 10.0", 40000));
  v.exact("mlp.uniform.relu.exact", ur, {1.0, 3.0, 10.0});
  const auto& ut = v.run(mlp_case("mlp-tanh-1h-uniform", 3, "8", "tanh", false, "uniform", "1.0, 3.0, 10.0", 40000));
  v.exact("mlp.uniform.tanh.exact", ut, {1.0, 3.0, 10.0});
  const auto& utd = v.run(mlp_case("mlp-tanh-uniform", 3, "8, 8", "tanh", false, "uniform", "1e4, 1e6", 20000));
  v.energy_ratio("mlp.uniform.tanh.asym", utd, {1e4, 1e6});

  // Narrow sigmoid nets without biases: a layer whose units are all off (probability 2^-n)
  // feeds z = 0, h = 1/2 forward, so E|h_l|^2 -> n_l f_l / 2, not n_l / 2 (refs_mlp.h).
  struct Narrow {
    const char* name;
    const char* hidden;
    int particles;
  };
  const Narrow narrow_nets[] = {{"mlp-sigmoid-narrow", "2, 2", 40000},
                                {"mlp-sigmoid-narrow-3", "3, 3", 60000},
                                {"mlp-sigmoid-narrow-4", "4, 4", 100000},
                                {"mlp-sigmoid-narrow-deep", "2, 2, 2", 60000}};
  std::vector<const RunResult*> narrow;
  for (const auto& n : narrow_nets) {
    narrow.push_back(&v.run(mlp_case(n.name, 2, n.hidden, "sigmoid", false, "normal", "1e4", n.particles)));
    narrow_energy(v, *narrow.back());
  }
  narrow_layers(v, *narrow.back());
  {
    const auto& tanh_narrow = v.run(mlp_case("mlp-tanh-narrow", 2, "2, 2", "tanh", false, "normal", "1e4", 40000));
    Verdict q = v.ratio("mlp.sigmoid.narrow.beta", narrow[0]->name + " / " + tanh_narrow.name, *narrow[0], tanh_narrow,
                        {{{1e4, 1e4}}, 0.0, sigmoid_factors(*narrow[0]).back() / 2});
    q.note = correction_note(q, 0.5, Validator::corrects(q, 0.5));
    v.add(q);
  }
}

// ---- layer gaps and the order onset (validate.h)

double difference_se(double se_a, double se_b, double cov) {
  if (std::isnan(cov)) return se_a + se_b;
  return std::sqrt(std::max(se_a * se_a + se_b * se_b - 2.0 * cov, 0.0));
}

std::vector<LayerGap> layer_gaps(const RunResult& r, double scale) {
  const Table& t = *r.table("layers");
  bool has_cov = false;
  for (const auto& c : t.columns()) has_cov = has_cov || c.name == "E_l_cov_next";
  std::vector<LayerGap> gaps;
  for (int l = 1; l < layer_count(r); ++l) {
    const size_t a = layer_row(r, scale, l), b = layer_row(r, scale, l + 1);
    const double cov = has_cov ? t.get(a, "E_l_cov_next") / (t.get(a, "S_l") * t.get(b, "S_l")) : kNaN;
    gaps.push_back({l, t.get(b, "T_l") - t.get(a, "T_l"), difference_se(t.get(a, "T_l_se"), t.get(b, "T_l_se"), cov),
                    t.get(b, "T_l_exact") - t.get(a, "T_l_exact")});
  }
  return gaps;
}

OrderOnset order_onset(const RunResult& r) {
  const Table& t = *r.table("sweep");
  std::vector<double> scales;
  for (size_t i = 0; i < t.rows(); ++i) scales.push_back(t.get(i, "scale"));
  std::sort(scales.begin(), scales.end());
  OrderOnset on{kNaN, kNaN};
  bool mc = true, exact = true;
  for (auto s = scales.rbegin(); s != scales.rend(); ++s) {
    for (const auto& g : layer_gaps(r, *s)) {
      mc = mc && g.mc > kZ * g.se;
      exact = exact && g.exact > 0.0;
    }
    if (mc) on.mc = *s;
    if (exact) on.exact = *s;
  }
  return on;
}

}  // namespace mltemp
