// Neural networks: the energy functor on a network small enough to check by hand, Monte Carlo
// against the exact ReLU recursion and the one-hidden-layer quadrature, layer bookkeeping,
// the efficiency error, heavy-tail flags, determinism, and bad inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "config.h"
#include "errors.h"
#include "mltemp/energies.h"
#include "run.h"
#include "test_util.h"

using namespace mltemp;
using mltemp::test::error_of;
using mltemp::test::run_text;

namespace {

std::string teacher(const std::string& hidden, const std::string& act, bool bias, const std::string& scales,
                    const std::string& mc = "particles = 30000\nseed = 4\n", const std::string& dist = "normal") {
  return "name = \"t\"\n[data]\nsource = \"teacher\"\nn = 20\nm = 3\nnoise = 0.0\n[model]\nkind = \"mlp\"\nhidden = [" +
         hidden + "]\nactivation = \"" + act + "\"\nbias = " + (bias ? "true" : "false") + "\n[init]\ndist = \"" +
         dist + "\"\n[sweep]\nscales = [" + scales + "]\n[mc]\n" + mc;
}

}  // namespace

TEST(MlpEnergy, HandCheckedTwoTwoOne) {
  // Network 2-2-1 with biases, tanh. theta = W1 (2x2), b1 (2), W2 (1x2), b2 (1).
  // blob: X (2 points x 2), y (2), z1* (2 x 2), z2* (2 x 1).
  std::vector<double> blob = {1.0,  2.0,  -1.0, 0.5,   // X
                              0.3,  -0.2,              // y
                              0.1,  0.2,  0.0,  -0.1,  // z1*
                              0.05, 0.4};              // z2*
  MlpEnergy e{};
  e.n = 2;
  e.layers = 2;
  e.act = kMlpTanh;
  e.bias = 1;
  e.max_width = 2;
  e.widths[0] = 2;
  e.widths[1] = 2;
  e.widths[2] = 1;
  e.x_off = 0;
  e.y_off = 4;
  e.zstar_off[0] = 6;
  e.zstar_off[1] = 10;
  const double th[] = {0.5, -0.25, 0.1, 0.3, 0.05, -0.1, 1.5, -2.0, 0.2};
  std::vector<double> work(e.work_size());
  double obs[MlpEnergy::kObs];
  e(blob.data(), th, work.data(), obs);
  double E = 0, E1 = 0, E2 = 0;
  const double X[2][2] = {{1.0, 2.0}, {-1.0, 0.5}}, y[2] = {0.3, -0.2};
  const double z1s[2][2] = {{0.1, 0.2}, {0.0, -0.1}}, z2s[2] = {0.05, 0.4};
  for (int i = 0; i < 2; ++i) {
    const double a = 0.5 * X[i][0] - 0.25 * X[i][1] + 0.05;
    const double b = 0.1 * X[i][0] + 0.3 * X[i][1] - 0.1;
    const double out = 1.5 * std::tanh(a) - 2.0 * std::tanh(b) + 0.2;
    E += (y[i] - out) * (y[i] - out);
    E1 += (a - z1s[i][0]) * (a - z1s[i][0]) + (b - z1s[i][1]) * (b - z1s[i][1]);
    E2 += (out - z2s[i]) * (out - z2s[i]);
  }
  EXPECT_NEAR(obs[0], E / 2, 1e-15);
  EXPECT_NEAR(obs[1], E1 / 2, 1e-15);
  EXPECT_NEAR(obs[2], E2 / 2, 1e-15);
  for (int l = 3; l < MlpEnergy::kObs; ++l) EXPECT_EQ(obs[l], 0.0);
}

TEST(Mlp, ReluRecursionAndLayersExact) {
  for (bool bias : {false, true}) {
    const RunResult r = run_text(teacher("6, 5", "relu", bias, "0.5, 1.0, 4.0"));
    const Table& s = *r.table("sweep");
    const Table& l = *r.table("layers");
    for (size_t i = 0; i < s.rows(); ++i) EXPECT_LT(std::abs(s.get(i, "z")), 4.0) << "bias " << bias << " row " << i;
    ASSERT_EQ(l.rows(), 9u);  // 3 scales x 3 layers
    for (size_t i = 0; i < l.rows(); ++i) {
      EXPECT_TRUE(std::isfinite(l.get(i, "z")));
      EXPECT_LT(std::abs(l.get(i, "z")), 4.0) << "bias " << bias << " layer row " << i;
    }
    // The output layer's energy equals the system energy (noiseless teacher).
    EXPECT_NEAR(l.get(2, "E_l"), s.get(0, "E_init"), 1e-9 * s.get(0, "E_init"));
  }
}

TEST(Mlp, TanhSigmoidOneHiddenLayerQuadrature) {
  for (const char* act : {"tanh", "sigmoid"})
    for (const char* dist : {"normal", "uniform"}) {
      const RunResult r = run_text(teacher("7", act, true, "0.8, 2.0, 20.0", "particles = 30000\nseed = 4\n", dist));
      const Table& s = *r.table("sweep");
      for (size_t i = 0; i < s.rows(); ++i)
        EXPECT_LT(std::abs(s.get(i, "z")), 4.0) << act << " " << dist << " scale " << s.get(i, "scale");
    }
}

// The covariance of neighbouring layer energies (the se of a layer gap): finite for every layer
// but the output, within Cauchy-Schwarz of the two se's, and positive for ReLU (a big z_l makes a
// big z_{l+1}).
TEST(Mlp, LayerCovariancesBoundedBySes) {
  const RunResult r = run_text(teacher("6, 5", "relu", false, "1.0, 4.0", "particles = 8192\n"));
  const Table& t = *r.table("layers");
  for (size_t i = 0; i < t.rows(); ++i) {
    const double cov = t.get(i, "E_l_cov_next");
    if (t.get(i, "layer") == 3) {
      EXPECT_TRUE(std::isnan(cov)) << "the output layer has no next layer";
      continue;
    }
    const double bound = t.get(i, "E_l_se") * t.get(i + 1, "E_l_se");
    EXPECT_GT(cov, 0.0) << "row " << i;
    EXPECT_LE(cov, bound * (1 + 1e-12)) << "row " << i;
  }
}

TEST(Mlp, DeepTanhHasNoExactReferenceAndSaysSo) {
  const RunResult r = run_text(teacher("4, 4", "tanh", false, "2.0", "particles = 2048\n"));
  EXPECT_TRUE(std::isnan(r.table("sweep")->get(0, "T_exact")));
  EXPECT_TRUE(std::isnan(r.table("layers")->get(2, "E_l_exact")));   // layer 3
  EXPECT_FALSE(std::isnan(r.table("layers")->get(1, "E_l_exact")));  // layer 2 is exact
}

TEST(Mlp, EfficiencyErrorMatchesSpreadOfIndependentRuns) {
  // The delta-method se of eta against the spread of eta over 8 independent seeds.
  std::vector<double> etas;
  double se = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    const RunResult r =
        run_text(teacher("5, 5", "tanh", false, "3.0", "particles = 4096\nseed = " + std::to_string(seed) + "\n"));
    etas.push_back(r.table("efficiency")->get(0, "eta"));
    se += r.table("efficiency")->get(0, "eta_se") / 8;
  }
  double mean = 0, var = 0;
  for (double e : etas) mean += e / 8;
  for (double e : etas) var += (e - mean) * (e - mean) / 7;
  // The sample sd of 8 values is within a factor ~2 of the truth with high probability.
  EXPECT_GT(std::sqrt(var), se / 2.5);
  EXPECT_LT(std::sqrt(var), se * 2.5);
}

TEST(Mlp, HeavyTailsAreFlagged) {
  // Seven width-1 ReLU layers: the output is a product of Gaussians, with a huge kurtosis.
  const RunResult r = run_text(teacher("1, 1, 1, 1, 1, 1", "relu", false, "2.0", "particles = 20000\nseed = 3\n"));
  EXPECT_EQ(r.table("sweep")->get(0, "se_reliable"), 0.0);
  const RunResult ok = run_text(teacher("6", "tanh", false, "2.0", "particles = 20000\nseed = 3\n"));
  EXPECT_EQ(ok.table("sweep")->get(0, "se_reliable"), 1.0);
}

TEST(Mlp, BitwiseDeterministicAcrossThreadsAndBatches) {
  std::vector<double> ref;
  for (const char* v :
       {"threads = 1\nbatch = 1024\n", "threads = 2\nbatch = 3000\n", "threads = 2\nbatch = 100000\n"}) {
    const RunResult r =
        run_text(teacher("4, 3", "sigmoid", true, "1.5", std::string("particles = 10001\nseed = 8\n") + v));
    const Table& l = *r.table("layers");
    std::vector<double> got;
    for (size_t i = 0; i < l.rows(); ++i) got.push_back(l.get(i, "E_l"));
    got.push_back(r.table("efficiency")->get(0, "eta_se"));
    if (ref.empty())
      ref = got;
    else
      EXPECT_EQ(0, std::memcmp(ref.data(), got.data(), ref.size() * sizeof(double))) << v;
  }
}

TEST(Mlp, BadInputs) {
  EXPECT_NE(error_of(teacher("0", "tanh", false, "1.0")).find("model.hidden[0]: width must be between"),
            std::string::npos);
  EXPECT_NE(error_of(teacher("2, 2, 2, 2, 2, 2, 2, 2", "tanh", false, "1.0")).find("at most 7 hidden layers"),
            std::string::npos);
  EXPECT_NE(error_of(teacher("3", "tanh", false, "1.0") + "[energy]\nkind = \"mae\"\n").find("energy.kind = \"mse\""),
            std::string::npos);
  EXPECT_NE(error_of("[data]\nsource = \"teacher\"\n[sweep]\nscales = [1.0]\n").find("needs model.kind = \"mlp\""),
            std::string::npos);
  EXPECT_NE(error_of("[data]\nbias = true\n[model]\nkind = \"mlp\"\n[sweep]\nscales = [1.0]\n").find("use model.bias"),
            std::string::npos);
  EXPECT_NE(error_of("[model]\nhidden = [3]\n[sweep]\nscales = [1.0]\n").find("only used with model.kind = \"mlp\""),
            std::string::npos);
  EXPECT_NE(error_of(teacher("3", "tanh", false, "1.0", "particles = 100\n", "mixed")).find("mixed init"),
            std::string::npos);
}
