// validate rows for the training and entropy experiments (issue 9): the phase transition by
// gradient descent (Section 2.1, 2.4-2.7) and the bridge between discrete and differential
// entropy (Section 2.3, 2.24-2.26, Appendix B).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "experiment.h"
#include "validate.h"

namespace mltemp {
namespace {

// Gradient descent on built-in data: 200 points, 4 standard-normal features and a bias (P = 5).
std::string training_case(const std::string& name, const std::string& model, const std::string& data,
                          const std::string& scale, int steps, double eta) {
  return "name = \"" + name + "\"\n[data]\nsource = \"synthetic\"\nn = 200\nm = 4\nseed = 11\n" + data + model +
         "[sweep]\nscales = [" + scale + "]\n[mc]\nparticles = 1024\nseed = 2029\n[experiment]\nkind = \"training\"\n" +
         "steps = " + std::to_string(steps) + "\nlearning_rate = " + number_text(eta) + "\n";
}

// Rows [first, first + count) of a table.
std::vector<size_t> rows_from(size_t first, size_t count) {
  std::vector<size_t> r(count);
  for (size_t i = 0; i < count; ++i) r[i] = first + i;
  return r;
}

// T_t at the first and the last step against each other: not constant when they differ by
// more than kZ standard errors (independent errors assumed: the bound is the sum in quadrature).
void isothermal_row(Validator& v, const std::string& id, const RunResult& r, const char* route_note) {
  const Table& t = *r.table("training");
  const size_t last = t.rows() - 2;  // the last row has no step after it
  Verdict q = v.start(id, r.name + " steps 0 and " + std::to_string(static_cast<int>(t.get(last, "step"))));
  q.reference = t.get(0, "T_t");
  q.mc = t.get(last, "T_t");
  q.se = t.get(last, "T_t_se");
  q.stat_name = "|T_0-T_N|/se";
  q.stat = std::abs(q.reference - q.mc) / std::hypot(t.get(0, "T_t_se"), q.se);
  q.pass = std::isfinite(q.stat) && q.stat > kZ;
  char buf[400];
  std::snprintf(buf, sizeof buf, "reference = T_0; T_t falls %.3g-fold over %d steps (S_t %s)", q.reference / q.mc,
                static_cast<int>(t.get(last, "step")), route_note);
  q.note = buf;
  v.add(q);
}

// One m of the entropy run: the estimate against the exact H_Delta at the finest grid the
// largest sample fills well (kEntropyWellSampled per occupied cell), and the exact bridge converging.
void bridge_row(Validator& v, const RunResult& r, int m) {
  const Table& t = *r.table("entropy");
  double n_max = 0.0;
  for (size_t i = 0; i < t.rows(); ++i) n_max = std::max(n_max, t.get(i, "particles"));
  size_t best = t.rows(), coarse = t.rows();
  for (size_t i = 0; i < t.rows(); ++i) {
    if (t.get(i, "dims") != m || t.get(i, "particles") != n_max) continue;
    if (coarse == t.rows() || t.get(i, "delta") > t.get(coarse, "delta")) coarse = i;
    if (t.get(i, "per_cell") >= kEntropyWellSampled && (best == t.rows() || t.get(i, "delta") < t.get(best, "delta")))
      best = i;
  }
  Verdict q = v.start("entropy.bridge.m" + std::to_string(m), r.name + " m = " + std::to_string(m));
  if (best == t.rows()) {
    q.note = "no grid filled well enough";
    v.add(q);
    return;
  }
  q.stat_name = "|z|";
  Validator::worst_deviation(q, t, {best}, "bridge", "bridge_exact", 0.0, "H_se");
  const double gap = t.get(best, "bridge_exact") - t.get(best, "H");
  const double gap0 = t.get(coarse, "bridge_exact") - t.get(coarse, "H");
  q.pass = q.pass && std::abs(gap) < std::abs(gap0);
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "delta %g, N/K = %.3g; reference = exact grid value; H = %.6g: the grid's gap shrinks from %+.3g "
                "(delta %g) to %+.3g",
                t.get(best, "delta"), t.get(best, "per_cell"), t.get(best, "H"), gap0, t.get(coarse, "delta"), gap);
  q.note = buf;
  v.add(q);
}

}  // namespace

const std::vector<ClaimInfo>& claims_experiments() {
  static const std::vector<ClaimInfo> c = {
      {"training.mse.energy", "2.2,2.5,2.22", "gradient descent carries E_init to E_min (exact linear-MSE path)"},
      {"training.mse.isothermal", "2.4,2.7", "training is isothermal: T_t = dE/dS constant (MSE)", Outcome::kDisagrees},
      {"training.mse.typeI", "2.7,2.29", "Type I T = (E_init-E_min)/H against T_t on the path", Outcome::kIllustrates},
      {"training.ce.isothermal", "2.4,2.7", "training is isothermal: T_t = dE/dS constant (CE)", Outcome::kDisagrees},
      {"entropy.bridge.m1", "2.24-2.25", "H_Delta + m ln Delta -> H from samples, m = 1"},
      {"entropy.bridge.m2", "2.24-2.25", "H_Delta + m ln Delta -> H from samples, m = 2"},
      {"entropy.bridge.m3", "2.24-2.25", "H_Delta + m ln Delta -> H from samples, m = 3"},
      {"entropy.bridge.m4", "2.24-2.25", "H_Delta + m ln Delta -> H from samples, m = 4"},
      {"entropy.undersampled", "2.26", "few particles per cell: the estimate saturates at ln N", Outcome::kIllustrates},
  };
  return c;
}

void validate_experiments(Validator& v) {
  const auto& mse = v.run(training_case("training-mse", "", "", "3.0", 30, 0.05));
  const Table& t = *mse.table("training");
  {
    Verdict q = v.start("training.mse.energy", mse.name + " steps 0-30");
    q.stat_name = "max|z|";
    Validator::worst_deviation(q, t, rows_from(0, t.rows()), "E_t", "E_t_exact", 0.0, "E_t_se");
    // ... and every step temperature against its exact value.
    Verdict tq = q;
    Validator::worst_deviation(tq, t, rows_from(0, t.rows() - 1), "T_t", "T_t_exact", 0.0, "T_t_se");
    q.pass = q.pass && tq.pass;
    char buf[300];
    std::snprintf(buf, sizeof buf, "E_t at the worst step; E_0 = %.4g -> E_30 = %.6g, E_min = %.6g; T_t max|z| %.2f",
                  t.get(0, "E_t"), t.get(t.rows() - 1, "E_t"), t.get(0, "E_min"), tq.stat);
    q.note = buf;
    v.add(q);
  }
  isothermal_row(v, "training.mse.isothermal", mse, "exact");
  {
    Verdict q = v.start("training.mse.typeI", mse.name + " step 0");
    q.reference = t.get(0, "T_typeI");
    q.mc = t.get(0, "T_t");
    q.se = t.get(0, "T_t_se");
    q.stat_name = "|T_0-T_I|/se";
    q.stat = std::abs(q.mc - q.reference) / std::hypot(q.se, t.get(0, "T_typeI_se"));
    int cross = -1;
    for (size_t i = 0; i + 1 < t.rows() && cross < 0; ++i)
      if (t.get(i, "T_t") <= q.reference) cross = static_cast<int>(t.get(i, "step"));
    q.pass = std::isfinite(q.stat) && std::abs(t.get(0, "T_t_z")) < kZ;
    char buf[300];
    std::snprintf(buf, sizeof buf, "reference = Type I T; T_0/T_I = %.3g; T_t passes T_I at step %d of 30",
                  q.mc / q.reference, cross);
    q.note = buf;
    v.add(q);
  }
  const auto& ce = v.run(training_case("training-ce", "[model]\nkind = \"logistic\"\n[energy]\nkind = \"ce\"\n",
                                       "labels = \"binary\"\n", "3.0", 30, 0.5));
  {
    const Table& c = *ce.table("training");
    const size_t last = c.rows() - 1;
    char note[300];
    std::snprintf(note, sizeof note,
                  "Jacobian E ln det(I - eta Hess), MC; S_30 - S_0 = %.4g +- %.2g, kNN %.4g, Gaussian fit %.4g",
                  c.get(last, "S_t") - c.get(0, "S_t"), c.get(last, "S_t_se"),
                  c.get(last, "S_t_knn") - c.get(0, "S_t_knn"), c.get(last, "S_t_gauss") - c.get(0, "S_t_gauss"));
    isothermal_row(v, "training.ce.isothermal", ce, note);
  }

  const auto& ent = v.run(
      "name = \"entropy-normal\"\n[init]\ndist = \"normal\"\n[sweep]\nscales = [2.0]\n[mc]\nseed = 2030\n"
      "[experiment]\nkind = \"entropy\"\ndeltas = [2.0, 1.0, 0.5, 0.2, 0.1, 0.05]\ndims = [1, 2, 3, 4]\n"
      "particles = [1000, 100000]\n");
  for (int m = 1; m <= 4; ++m) bridge_row(v, ent, m);
  {
    const Table& e = *ent.table("entropy");
    size_t i = 0;  // m = 3, delta 0.05 (in units of the scale), N = 1000: every particle alone
    while (i < e.rows() && !(e.get(i, "dims") == 3 && e.get(i, "delta") == 0.05 && e.get(i, "particles") == 1000)) ++i;
    Verdict q = v.start("entropy.undersampled", ent.name + " m = 3, delta 0.05, N = 1000");
    q.reference = e.get(i, "bridge_exact");
    q.mc = e.get(i, "bridge");
    q.se = e.get(i, "H_se");
    q.stat_name = "H_plugin-ln N";
    q.stat = e.get(i, "H_plugin") - e.get(i, "ln_N");
    q.pass = q.stat <= 1e-12 && q.reference - q.mc > 1.0;
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "N/K = %.3g: the estimate is %.3g nats below the grid's H_Delta; N >> e^H / Delta^m = %.3g needed",
                  e.get(i, "per_cell"), q.reference - q.mc,
                  std::exp(e.get(i, "H")) / std::pow(e.get(i, "cell_side"), 3));
    q.note = buf;
    v.add(q);
  }
}

}  // namespace mltemp
