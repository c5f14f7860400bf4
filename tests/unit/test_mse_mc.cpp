// The linear MSE family: Monte Carlo against the exact formulas at several scales (fixed
// seeds, |z| < 4), and bitwise determinism across threads, batch sizes and particle splits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "config.h"
#include "run.h"
#include "test_util.h"

using namespace mltemp;
using mltemp::test::error_of;
using mltemp::test::run_text;

namespace {

std::string cfg_text(const std::string& init, const std::string& energy, const std::string& mc) {
  return "name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 150\nm = 3\nseed = 5\n[energy]\n" + energy + "[init]\n" +
         init + "[sweep]\nscales = [0.7, 2.0, 30.0, 1e3]\n[mc]\n" + mc;
}

void expect_exact(const RunResult& r) {
  const Table& t = *r.table("sweep");
  ASSERT_EQ(t.rows(), 4u);
  for (size_t i = 0; i < t.rows(); ++i) {
    const double z = t.get(i, "z");
    EXPECT_TRUE(std::isfinite(z)) << "scale " << t.get(i, "scale");
    EXPECT_LT(std::abs(z), 4.0) << "scale " << t.get(i, "scale") << " T_mc " << t.get(i, "T_mc") << " T_exact "
                                << t.get(i, "T_exact");
    // The MC E_init must also agree with the exact E_init column within 4 se.
    EXPECT_LT(std::abs(t.get(i, "E_init") - t.get(i, "E_init_exact")), 4 * t.get(i, "E_init_se"));
  }
}

}  // namespace

struct Family {
  const char* name;
  const char* init;
  const char* energy;
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

class MseFamily : public ::testing::TestWithParam<Family> {};

TEST_P(MseFamily, MonteCarloMatchesExactTemperature) {
  const auto& f = GetParam();
  expect_exact(run_text(cfg_text(f.init, f.energy, "particles = 200000\nseed = 17\n")));
}

INSTANTIATE_TEST_SUITE_P(
    Linear, MseFamily,
    ::testing::Values(Family{"normal", "dist = \"normal\"\n", ""}, Family{"uniform", "dist = \"uniform\"\n", ""},
                      Family{"mixed", "dist = \"mixed\"\nnormal_dims = 2\nuniform_ratio = 2.0\n", ""},
                      Family{"l2_normal", "dist = \"normal\"\n", "l2 = 0.3\n"},
                      Family{"l1_uniform", "dist = \"uniform\"\n", "l1 = 0.4\n"},
                      Family{"elastic", "dist = \"normal\"\n", "l1 = 0.2\nl2 = 0.1\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MseFamily, WrongReferenceIsDetected) {
  // The z-test has teeth: the same run checked against a 1% wrong E_init fails.
  const RunResult r = run_text(cfg_text("dist = \"normal\"\n", "", "particles = 200000\nseed = 17\n"));
  const Table& t = *r.table("sweep");
  const size_t i = 3;
  const double wrong = 1.01 * (t.get(i, "E_init_exact") - t.get(i, "E_min")) / t.get(i, "H");
  EXPECT_GT(std::abs(t.get(i, "T_mc") - wrong) / t.get(i, "T_mc_se"), 4.0);
}

TEST(MseFamily, UndefinedBelowZeroEntropy) {
  const RunResult r = run_text("name = \"u\"\n[sweep]\nscales = [0.1, 0.3]\n[mc]\nparticles = 5000\n");
  const Table& t = *r.table("sweep");
  EXPECT_LT(t.get(0, "H"), 0.0);
  EXPECT_EQ(t.get(0, "T_defined"), 0.0);
  EXPECT_TRUE(std::isnan(t.get(0, "T_mc")));
  EXPECT_TRUE(std::isnan(t.get(0, "T_exact")));
  EXPECT_GT(t.get(1, "H"), 0.0);
  EXPECT_EQ(t.get(1, "T_defined"), 1.0);
  EXPECT_TRUE(std::isfinite(t.get(1, "T_mc")));
}

TEST(Determinism, BitwiseAcrossThreadsAndBatches) {
  // 100003 particles: a ragged last chunk. Every split must give the same bits.
  const char* variants[] = {"threads = 1\nbatch = 1024\n", "threads = 2\nbatch = 1024\n", "threads = 2\nbatch = 5000\n",
                            "threads = 1\nbatch = 1000000\n", "threads = 2\nbatch = 65536\n"};
  std::vector<double> ref;
  for (const char* v : variants) {
    const RunResult r = run_text(cfg_text("dist = \"mixed\"\nnormal_dims = 1\n", "l1 = 0.1\n",
                                          std::string("particles = 100003\nseed = 99\n") + v));
    const Table& t = *r.table("sweep");
    std::vector<double> got;
    for (size_t i = 0; i < t.rows(); ++i) {
      got.push_back(t.get(i, "E_init"));
      got.push_back(t.get(i, "E_init_se"));
      got.push_back(t.get(i, "E_kurtosis"));
    }
    if (ref.empty()) {
      ref = got;
      continue;
    }
    ASSERT_EQ(got.size(), ref.size());
    EXPECT_EQ(0, std::memcmp(got.data(), ref.data(), got.size() * sizeof(double))) << "variant: " << v;
  }
}

TEST(Determinism, SeedChangesTheParticles) {
  const auto a = run_text(cfg_text("dist = \"normal\"\n", "", "particles = 4096\nseed = 1\n"));
  const auto b = run_text(cfg_text("dist = \"normal\"\n", "", "particles = 4096\nseed = 2\n"));
  EXPECT_NE(a.table("sweep")->get(2, "E_init"), b.table("sweep")->get(2, "E_init"));
}
