// MAE and cross-entropy systems end to end: Monte Carlo against the exact E_init at several
// scales (fixed seeds, |z| < 4), separability flagged, and the bad inputs of Sections 3.5/4.
#include <gtest/gtest.h>

#include <cmath>

#include "config.h"
#include "errors.h"
#include "run.h"
#include "test_util.h"

using namespace mltemp;
using mltemp::test::error_of;
using mltemp::test::run_text;

namespace {

std::string synth(const std::string& model, const std::string& energy, const std::string& dist,
                  const std::string& noise = "0.7") {
  return "name = \"g\"\n[data]\nn = 60\nm = 3\nnoise = " + noise + "\nlabels = \"binary\"\n[model]\nkind = \"" +
         model + "\"\n[energy]\nkind = \"" + energy + "\"\n[init]\ndist = \"" + dist +
         "\"\n[sweep]\nscales = [0.6, 3.0, 50.0, 1e4]\n[mc]\nparticles = 60000\nseed = 31\n";
}

}  // namespace

class GlmExact : public ::testing::TestWithParam<std::array<const char*, 3>> {};

TEST_P(GlmExact, MonteCarloMatchesExactEInit) {
  const auto p = GetParam();
  const RunResult r = run_text(synth(p[0], p[1], p[2]));
  const Table& t = *r.table("sweep");
  for (size_t i = 0; i < t.rows(); ++i) {
    if (t.get(i, "T_defined") == 0.0) continue;  // uniform a = 0.6 has H > 0; normal 0.6 too
    EXPECT_LT(std::abs(t.get(i, "z")), 4.0) << p[1] << "/" << p[2] << " scale " << t.get(i, "scale");
    EXPECT_LT(std::abs(t.get(i, "E_init") - t.get(i, "E_init_exact")), 4 * t.get(i, "E_init_se"));
  }
  // At 1e4 the leading-order energy is within a few standard errors.
  const size_t last = t.rows() - 1;
  EXPECT_LT(std::abs(t.get(last, "energy_ratio") - 1.0), 4 * t.get(last, "energy_ratio_se") + 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Glm, GlmExact,
                         ::testing::Values(std::array<const char*, 3>{"linear", "mae", "normal"},
                                           std::array<const char*, 3>{"linear", "mae", "uniform"},
                                           std::array<const char*, 3>{"logistic", "ce", "normal"},
                                           std::array<const char*, 3>{"logistic", "ce", "uniform"}),
                         [](const auto& info) { return std::string(info.param[1]) + "_" + info.param[2]; });

TEST(Glm, SeparableDataReportInfimum) {
  const RunResult r = run_text(synth("logistic", "ce", "normal", "0.0"));  // noiseless labels: separable
  const Table& t = *r.table("sweep");
  EXPECT_EQ(t.get(0, "E_min"), 0.0);
  EXPECT_EQ(t.get(0, "E_min_infimum"), 1.0);
  bool said = false;
  for (const auto& [k, v] : r.text_attrs)
    if (k == "minimum") said = v.find("infimum, not attained") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Glm, NonSeparableHasFiniteMinimum) {
  const RunResult r = run_text(synth("logistic", "ce", "normal"));
  const Table& t = *r.table("sweep");
  EXPECT_GT(t.get(0, "E_min"), 0.05);
  EXPECT_EQ(t.get(0, "E_min_infimum"), 0.0);
}

TEST(Glm, BadInputs) {
  // CE on a regression target (diabetes progression): names the file, row and value.
  const std::string reg =
      "[data]\nsource = \"csv\"\npath = \"diabetes.csv\"\ntarget = \"progression\"\n[model]\nkind = \"logistic\"\n"
      "[energy]\nkind = \"ce\"\n[sweep]\nscales = [1.0]\n[mc]\nparticles = 1000\n";
  std::string e = error_of(reg);
  EXPECT_NE(e.find("diabetes.csv: target 'progression' has value 151 in data row 1"), std::string::npos) << e;
  EXPECT_NE(e.find("labels 0 or 1"), std::string::npos) << e;
  e = error_of(synth("logistic", "mse", "normal"));
  EXPECT_NE(e.find("the logistic model takes energy.kind = \"ce\""), std::string::npos) << e;
  e = error_of(synth("linear", "ce", "normal"));
  EXPECT_NE(e.find("cross entropy needs model.kind = \"logistic\""), std::string::npos) << e;
  e = error_of(synth("linear", "mae", "mixed"));
  EXPECT_NE(e.find("mixed init is implemented for MSE only"), std::string::npos) << e;
  EXPECT_EQ(error_of(synth("linear", "mae", "normal")), "");
}
