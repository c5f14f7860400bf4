// The validator's own machinery on hand-made tables: verdict names and counts, the terminal
// table (nothing cut), the temperature-ratio and CORRECTS checks, layer gaps and the order onset.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"
#include "validate.h"

namespace mltemp {
namespace {

Verdict row(const std::string& id, Outcome outcome, bool pass) {
  Verdict v;
  v.id = id;
  v.eq = "1.1";
  v.claim = "claim of " + id;
  v.outcome = outcome;
  v.pass = pass;
  v.reference = 1.0;
  v.mc = 1.0;
  v.se = 0.1;
  v.stat = 0.0;
  v.stat_name = "|z|";
  return v;
}

TEST(ValidateVerdicts, NamesAndCounts) {
  const std::vector<Verdict> rows = {row("a", Outcome::kPass, true),        row("b", Outcome::kPass, true),
                                     row("c", Outcome::kCorrects, true),    row("d", Outcome::kDisagrees, true),
                                     row("e", Outcome::kIllustrates, true), row("f", Outcome::kIllustrates, true),
                                     row("g", Outcome::kCorrects, false),   row("h", Outcome::kPass, false)};
  const std::vector<std::string> names = {"pass",        "pass",        "CORRECTS", "DISAGREES",
                                          "ILLUSTRATES", "ILLUSTRATES", "FAIL",     "FAIL"};
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(verdict_name(rows[i]), names[i]) << i;
  const VerdictCounts c = count_verdicts(rows);
  EXPECT_EQ(c.pass, 2);
  EXPECT_EQ(c.corrects, 1);
  EXPECT_EQ(c.disagrees, 1);
  EXPECT_EQ(c.illustrates, 2);
  EXPECT_EQ(c.fail, 2);
  EXPECT_EQ(summary_line(c), "2 pass, 1 CORRECTS, 1 DISAGREES, 2 ILLUSTRATES, 2 FAIL (8 rows)");

  // The HDF5 table: `pass` is 1 unless the row failed; `verdict` names the case.
  const Table t = verdict_table(rows);
  ASSERT_EQ(t.rows(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(t.get_text(i, "verdict"), names[i]);
    EXPECT_EQ(t.get(i, "pass"), names[i] == "FAIL" ? 0.0 : 1.0);
  }
}

TEST(ValidateVerdicts, TerminalTableCutsNothing) {
  Verdict a = row("short", Outcome::kPass, true);
  Verdict b = row("a.much.longer.identifier.than.usual", Outcome::kCorrects, true);
  b.claim = std::string(130, 'c') + " end of claim";
  b.note = std::string(150, 'n') + " end of note";
  const std::string out = format_verdicts({a, b});
  EXPECT_NE(out.find(b.claim), std::string::npos);
  EXPECT_NE(out.find(b.note), std::string::npos);
  EXPECT_NE(out.find(b.id), std::string::npos);
  // Columns line up: the verdict of each row starts at the header's "verdict" column.
  std::vector<std::string> lines;
  for (size_t p = 0, q; (q = out.find('\n', p)) != std::string::npos; p = q + 1) lines.push_back(out.substr(p, q - p));
  ASSERT_EQ(lines.size(), 4u);  // header, two rows, summary
  const size_t col = lines[0].find("verdict");
  EXPECT_EQ(lines[1].substr(col, 4), "pass");
  EXPECT_EQ(lines[2].substr(col, 8), "CORRECTS");
  EXPECT_EQ(lines[3], "1 pass, 1 CORRECTS, 0 DISAGREES, 0 ILLUSTRATES, 0 FAIL (2 rows)");
}

TEST(ValidateCatalogue, IdsUniqueAndOutcomes) {
  std::set<std::string> ids;
  for (const auto& c : all_claims()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_FALSE(c.claim.empty()) << c.id;
  }
  auto outcome = [](const std::string& id) {
    for (const auto& c : all_claims())
      if (c.id == id) return c.outcome;
    ADD_FAILURE() << id << " not in the catalogue";
    return Outcome::kPass;
  };
  EXPECT_EQ(outcome("mlp.sigmoid.narrow"), Outcome::kCorrects);
  EXPECT_EQ(outcome("mlp.sigmoid.narrow.layers"), Outcome::kCorrects);
  EXPECT_EQ(outcome("mlp.sigmoid.narrow.beta"), Outcome::kCorrects);
  EXPECT_EQ(outcome("mlp.relu.order.break"), Outcome::kIllustrates);
  EXPECT_EQ(outcome("mlp.relu.order"), Outcome::kPass);
}

// ---- checks on hand-made runs

// A sweep table with T_mc, its se and T_exact at the given scales.
RunResult sweep_run(const std::string& name, const std::vector<double>& scales, const std::vector<double>& t_mc,
                    const std::vector<double>& t_se, const std::vector<double>& t_exact) {
  Table t("sweep");
  for (const char* c : {"scale", "T_mc", "T_mc_se", "T_exact"}) t.add_column(c, "", "");
  for (size_t i = 0; i < scales.size(); ++i) {
    const size_t r = t.new_row();
    t.set(r, "scale", scales[i]);
    t.set(r, "T_mc", t_mc[i]);
    t.set(r, "T_mc_se", t_se[i]);
    t.set(r, "T_exact", t_exact[i]);
  }
  RunResult run;
  run.name = name;
  run.tables.push_back(t);
  return run;
}

TEST(ValidateChecks, TemperatureRatio) {
  const Validator v(RunContext{});
  const RunResult a = sweep_run("a", {1.0, 10.0}, {4.0, 30.0}, {0.04, 0.3}, {4.1, 30.3});
  const RunResult b = sweep_run("b", {1.0, 10.0}, {2.0, 10.0}, {0.02, 0.1}, {2.0, 10.0});
  // Against the exact ratio: mc = 2, se = 2 hypot(0.01, 0.01), reference 2.05.
  Verdict r = v.ratio("mse.u_vs_n.ratio", "a/b", a, b, {{{1.0, 1.0}}});
  EXPECT_DOUBLE_EQ(r.mc, 2.0);
  EXPECT_DOUBLE_EQ(r.se, 2.0 * std::hypot(0.01, 0.01));
  EXPECT_DOUBLE_EQ(r.reference, 2.05);
  EXPECT_NEAR(r.stat, 0.05 / r.se, 1e-12);
  EXPECT_TRUE(r.pass);  // 1.77 se
  EXPECT_EQ(r.eq, "3.17");
  // A constant reference that is 7 se away fails.
  r = v.ratio("mse.u_vs_n.ratio", "a/b", a, b, {{{1.0, 1.0}}, 0.0, 2.2});
  EXPECT_FALSE(r.pass);
  // Normalized by scale^1: (30/10)/10 = 0.3 against (30.3/10)/10.
  r = v.ratio("mse.u_vs_n.ratio", "a/b", a, b, {{{10.0, 10.0}}, 1.0});
  EXPECT_DOUBLE_EQ(r.mc, 0.3);
  EXPECT_DOUBLE_EQ(r.reference, 0.303);
  // An ordering claim over two pairs reports the weakest: (2 - 1)/0.028 and (3 - 1)/0.042.
  Validator::RatioTest order{{{1.0, 1.0}, {10.0, 10.0}}};
  order.exceeds = 1.0;
  r = v.ratio("mse.u_vs_n.order", "a/b", a, b, order);
  EXPECT_NEAR(r.stat, 1.0 / (2.0 * std::hypot(0.01, 0.01)), 1e-9);
  EXPECT_DOUBLE_EQ(r.mc, 2.0);
  EXPECT_TRUE(r.pass);
  order.exceeds = 1.9;  // 2 exceeds 1.9 by only 3.5 se
  EXPECT_FALSE(v.ratio("mse.u_vs_n.order", "a/b", a, b, order).pass);
  // An ordering claim must also match the exact ratio: at scale 10, 3 vs 3.03 is fine, but
  // a ratio far from its exact value fails even when it is far above 1.
  const RunResult off = sweep_run("off", {1.0}, {4.0}, {0.04}, {5.0});
  order.scales = {{1.0, 1.0}};
  order.exceeds = 1.0;
  EXPECT_FALSE(v.ratio("mse.u_vs_n.order", "off/b", off, b, order).pass);
  EXPECT_ERROR_MESSAGE(v.ratio("no.such.claim", "", a, b, {{{1.0, 1.0}}}), std::logic_error,
                       "validate: claim no.such.claim is not in the catalogue");
}

TEST(ValidateChecks, Corrects) {
  Verdict q = row("x", Outcome::kCorrects, false);
  q.reference = 0.875;  // corrected
  q.mc = 0.88;
  q.se = 0.007;
  EXPECT_NEAR(Validator::corrects(q, 1.0), 0.12 / 0.007, 1e-9);
  EXPECT_TRUE(q.pass);
  EXPECT_NEAR(q.stat, 0.005 / 0.007, 1e-12);
  q.se = 0.04;  // the paper's 1 is 3 se away: the correction is not verified
  Validator::corrects(q, 1.0);
  EXPECT_FALSE(q.pass);
  q.se = 0.007;
  q.mc = 0.95;  // far from the corrected value
  Validator::corrects(q, 1.0);
  EXPECT_FALSE(q.pass);
  q.se = kNaN;
  Validator::corrects(q, 1.0);
  EXPECT_FALSE(q.pass);
}

TEST(ValidateChecks, DifferenceSe) {
  EXPECT_DOUBLE_EQ(difference_se(3.0, 4.0), 7.0);        // any correlation: the bound
  EXPECT_DOUBLE_EQ(difference_se(3.0, 4.0, 0.0), 5.0);   // independent
  EXPECT_DOUBLE_EQ(difference_se(3.0, 4.0, 12.0), 1.0);  // correlation 1
  EXPECT_DOUBLE_EQ(difference_se(3.0, 4.0, -12.0), 7.0);
  EXPECT_DOUBLE_EQ(difference_se(2.0, 2.0, 4.5), 0.0);  // rounding past 1 clamps at 0
}

// A three-layer run: T_l (and exact T_l) per scale; every T_l_se = se, S_l = 2.
RunResult layers_run(const std::vector<double>& scales, const std::vector<std::vector<double>>& t,
                     const std::vector<std::vector<double>>& exact, double se, double cov_next = kNaN) {
  RunResult r = sweep_run("layers", scales, scales, scales, scales);
  Table l("layers");
  for (const char* c : {"scale", "layer", "T_l", "T_l_se", "T_l_exact", "S_l"}) l.add_column(c, "", "");
  if (!std::isnan(cov_next)) l.add_column("E_l_cov_next", "", "");
  for (size_t i = 0; i < scales.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      const size_t row = l.new_row();
      l.set(row, "scale", scales[i]);
      l.set(row, "layer", k + 1);
      l.set(row, "T_l", t[i][k]);
      l.set(row, "T_l_se", se);
      l.set(row, "T_l_exact", exact[i][k]);
      l.set(row, "S_l", 2.0);
      if (!std::isnan(cov_next)) l.set(row, "E_l_cov_next", cov_next);
    }
  r.tables.push_back(l);
  return r;
}

TEST(ValidateChecks, LayerGapsAndOrderOnset) {
  // Ordered at 0.3 only by chance, broken at 0.5, ordered from 0.6 on (the sweep is unsorted).
  const std::vector<double> scales = {0.6, 0.3, 0.5, 1.5};
  const std::vector<std::vector<double>> t = {{1.0, 1.5, 3.0}, {1.0, 2.0, 3.0}, {1.0, 0.5, 3.0}, {1.0, 5.0, 50.0}};
  const RunResult r = layers_run(scales, t, t, 0.05);
  const auto g = layer_gaps(r, 0.6);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].layer, 1);
  EXPECT_DOUBLE_EQ(g[0].mc, 0.5);
  EXPECT_DOUBLE_EQ(g[0].exact, 0.5);
  EXPECT_DOUBLE_EQ(g[0].se, 0.1);  // no covariance column: the bound
  EXPECT_DOUBLE_EQ(g[1].mc, 1.5);
  OrderOnset on = order_onset(r);
  EXPECT_EQ(on.mc, 0.6);
  EXPECT_EQ(on.exact, 0.6);
  // Gaps of 0.5 with se 0.15 are 3.3 se: the Monte Carlo sees the order only from 1.5.
  on = order_onset(layers_run(scales, t, t, 0.075));
  EXPECT_EQ(on.mc, 1.5);
  EXPECT_EQ(on.exact, 0.6);
  // With the covariance of E_l and E_{l+1} (T units: cov / (S_l S_{l+1})), the se shrinks:
  // sqrt(2 * 0.075^2 - 2 * 0.02 / 4) = 0.035, so 0.5 is 14 se.
  const RunResult rc = layers_run(scales, t, t, 0.075, 0.02);
  EXPECT_NEAR(layer_gaps(rc, 0.6)[0].se, std::sqrt(2 * 0.075 * 0.075 - 0.01), 1e-15);
  EXPECT_EQ(order_onset(rc).mc, 0.6);
  // Broken at the largest scale: no onset.
  std::vector<std::vector<double>> broken = t;
  broken[3] = {1.0, 0.9, 50.0};
  on = order_onset(layers_run(scales, broken, broken, 0.01));
  EXPECT_TRUE(std::isnan(on.mc));
  EXPECT_TRUE(std::isnan(on.exact));
}

}  // namespace
}  // namespace mltemp
