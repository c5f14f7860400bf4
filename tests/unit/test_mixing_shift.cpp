// The mixing experiment (host/experiment_mixing.cpp), the Type II data shift
// (host/experiment_shift.cpp) and the fitted data entropies they use (host/data_entropy.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "data_entropy.h"
#include "dataset.h"
#include "experiment.h"
#include "mltemp/rng.h"
#include "solvers.h"
#include "test_util.h"

namespace mltemp {
namespace {

using test::input_error_of;
using test::run_text;

constexpr double kTwoPiE = 17.079468445347132;

// ---- fitted entropies

// n x m standard normal draws times `scale`, from the synthetic-data stream.
Eigen::MatrixXd normal_matrix(int n, int m, double scale, uint64_t seed) {
  Eigen::MatrixXd x(n, m);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) x(i, j) = scale * philox_normal(seed, stream_id(Stream::kSynthData, 0), i, j);
  return x;
}

TEST(DataEntropy, GaussianMatchesLogDetAndInfluenceHasMeanZero) {
  const Eigen::MatrixXd x = normal_matrix(400, 3, 2.0, 5);
  const FittedEntropy f = gaussian_entropy(x);
  const Eigen::MatrixXd c = x.rowwise() - x.colwise().mean();
  const Eigen::MatrixXd sigma = c.transpose() * c / 400.0;
  EXPECT_NEAR(f.value, 0.5 * std::log((kTwoPiE * sigma).determinant()), 1e-12);
  ASSERT_EQ(f.influence.size(), 400);
  EXPECT_NEAR(f.influence.mean(), 0.0, 1e-12);  // sum_i d_i^2 = n m exactly
  // Population value 1.5 ln(2 pi e 4) within 4 se (se = sqrt(sum psi^2)/n ~ sqrt(2m/n)/2).
  const double se = std::sqrt(f.influence.squaredNorm()) / 400.0;
  EXPECT_NEAR(se, 0.5 * std::sqrt(2.0 * 3 / 400.0), 0.2 * se);
  EXPECT_LT(std::abs(f.value - 1.5 * std::log(kTwoPiE * 4.0)), 4 * se);
  // A collinear column: no density.
  Eigen::MatrixXd y(400, 2);
  y << x.col(0), 2.0 * x.col(0);
  EXPECT_TRUE(std::isinf(gaussian_entropy(y).value));
}

TEST(DataEntropy, InfluenceIsTheDerivativeOfTheWeightedStatistic) {
  // Q(weights) with point 7's weight raised by eps: (Q(eps) - Q(0)) / eps * n -> psi_7.
  const int n = 60;
  const Eigen::MatrixXd x = normal_matrix(n, 2, 1.0, 9);
  Eigen::MatrixXd xb(n, 3);
  xb << x, Eigen::VectorXd::Ones(n);
  Eigen::VectorXd y = x.col(0) * 0.7 + 0.5 * normal_matrix(n, 1, 1.0, 10).col(0);
  const ConditionalFit f = fit_conditional(xb, y, "mse");
  // Duplicating point 7 k times is a weight of (1 + k) over n + k points.
  const int k = 1;
  Eigen::MatrixXd x2(n + k, 3);
  Eigen::VectorXd y2(n + k);
  x2 << xb, xb.row(7);
  y2 << y, y[7];
  const ConditionalFit g = fit_conditional(x2, y2, "mse");
  const double eps = static_cast<double>(k) / (n + k);
  // Q(P + eps (delta_7 - P)) - Q(P) = eps psi_7 + O(eps^2).
  EXPECT_NEAR((g.e_min - f.e_min) / eps, f.e_influence[7], 0.05 * std::abs(f.e_influence[7]) + 0.01);
  EXPECT_NEAR((g.s - f.s) / eps, f.s_influence[7], 0.05 * std::abs(f.s_influence[7]) + 0.01);
}

TEST(DataEntropy, ConditionalFitsAreTheEnergysOwnLikelihood) {
  const int n = 300;
  const Eigen::MatrixXd x = normal_matrix(n, 3, 1.0, 11);
  Eigen::MatrixXd xb(n, 4);
  xb << x, Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd noise = normal_matrix(n, 1, 1.0, 12).col(0);
  const Eigen::VectorXd y = x.col(0) - 0.5 * x.col(2) + 0.8 * noise;
  // MSE: E_min equals the least-squares minimum c - b'A^+b; S = 0.5 ln(2 pi e E).
  const ConditionalFit mse = fit_conditional(xb, y, "mse");
  const LinearMoments mo = linear_moments(Dataset{xb, y, {}, "", ""});
  EXPECT_NEAR(mse.e_min, minimize_quadratic(mo.A, mo.b, mo.c, 0, 0).e_min, 1e-12);
  EXPECT_DOUBLE_EQ(mse.s, 0.5 * std::log(kTwoPiE * mse.e_min));
  EXPECT_STREQ(mse.model, "Gaussian residual");
  // MAE: Laplace, S = 1 + ln(2 E).
  const ConditionalFit mae = fit_conditional(xb, y, "mae");
  EXPECT_DOUBLE_EQ(mae.s, 1.0 + std::log(2.0 * mae.e_min));
  EXPECT_NEAR(mae.e_influence.mean(), 0.0, 1e-12);
  // CE: <h(p_i)> = E_min exactly at the maximum-likelihood fit (the score equation).
  Eigen::VectorXd labels(n);
  for (int i = 0; i < n; ++i) labels[i] = y[i] > 0 ? 1.0 : 0.0;
  const ConditionalFit ce = fit_conditional(xb, labels, "ce");
  ASSERT_TRUE(ce.attained);
  EXPECT_NEAR(ce.s, ce.e_min, 1e-10);
  EXPECT_GT(ce.e_min, 0.05);
  // Separable labels: an infimum, no error estimate.
  for (int i = 0; i < n; ++i) labels[i] = x(i, 0) > 0 ? 1.0 : 0.0;
  const ConditionalFit sep = fit_conditional(xb, labels, "ce");
  EXPECT_FALSE(sep.attained);
  EXPECT_EQ(sep.e_min, 0.0);
  EXPECT_TRUE(std::isnan(sep.e_influence[0]));
}

// ---- mixing

std::string mixing(const std::string& extra, const std::string& scales = "0.5, 1.0, 30.0") {
  return "name = \"m\"\n[data]\nn = 120\nm = 3\nnoise = 0.5\nseed = 7\n[experiment]\nkind = \"mixing\"\n" + extra +
         "\n[sweep]\nscales = [" + scales + "]\n[mc]\nparticles = 20000\n";
}

TEST(Mixing, UnionIdentityAndGap) {
  const RunResult r = run_text(mixing("b_x_scale = 1.5\nb_flip_target = true\nb_n = 80"));
  const Table& t = *r.table("mixing");
  const Table& a = *r.table("system_A");
  const Table& b = *r.table("system_B");
  const Table& m = *r.table("system_mix");
  double w_a = 0;
  for (const auto& [k, v] : r.num_attrs)
    if (k == "w_A") w_a = v;
  EXPECT_DOUBLE_EQ(w_a, 120.0 / 200.0);
  ASSERT_EQ(t.rows(), 3u);
  for (size_t i = 0; i < t.rows(); ++i) {
    // E_init is a mean over the points: exact at every scale.
    EXPECT_NEAR(m.get(i, "E_init_exact"), w_a * a.get(i, "E_init_exact") + (1 - w_a) * b.get(i, "E_init_exact"),
                1e-12 * m.get(i, "E_init_exact"));
    const double gap = t.get(i, "E_min_gap");
    EXPECT_GT(gap, 0.1);  // the flipped target moves B's minimizer far from A's
    EXPECT_NEAR(gap, m.get(i, "E_min") - w_a * a.get(i, "E_min") - (1 - w_a) * b.get(i, "E_min"), 1e-15);
    // So the exact temperatures obey T_mix = T_mean - gap/H.
    const double mean_exact = w_a * t.get(i, "T_A_exact") + (1 - w_a) * t.get(i, "T_B_exact");
    EXPECT_NEAR(t.get(i, "T_mix_exact"), mean_exact - gap / t.get(i, "H"), 1e-12 * mean_exact);
    // And the Monte Carlo agrees with it.
    EXPECT_LT(std::abs(t.get(i, "z_pred")), 4.0);
    EXPECT_DOUBLE_EQ(t.get(i, "dE_A"),
                     (m.get(i, "E_init") - m.get(i, "E_min")) - (a.get(i, "E_init") - a.get(i, "E_min")));
    EXPECT_NEAR(t.get(i, "dE_A"), t.get(i, "H") * (t.get(i, "T_mix") - t.get(i, "T_A")),
                1e-9 * std::abs(t.get(i, "dE_A")));
    EXPECT_DOUBLE_EQ(t.get(i, "dE_sum"), t.get(i, "dE_A") + t.get(i, "dE_B"));
  }
  // The correction is resolved at scale 0.5 (the paper's T_mean rejected), negligible at 30.
  EXPECT_GT(std::abs(t.get(0, "z_paper")), 10.0);
  EXPECT_LT(t.get(2, "E_min_gap") / t.get(2, "H") / t.get(2, "T_mean"), 1e-3);
}

TEST(Mixing, IdenticalSystemsHaveNoGap) {
  // B = A (same seed, nothing changed): the union has A's moments, so T_mix_exact = T_A_exact.
  const Table t = *run_text(mixing("b_seed = 7")).table("mixing");
  for (size_t i = 0; i < t.rows(); ++i) {
    EXPECT_NEAR(t.get(i, "E_min_gap"), 0.0, 1e-14);
    EXPECT_NEAR(t.get(i, "T_mix_exact"), t.get(i, "T_A_exact"), 1e-12 * t.get(i, "T_A_exact"));
    EXPECT_EQ(t.get(i, "T_A_exact"), t.get(i, "T_B_exact"));
    // Independent particles (A: mc.seed, B: mc.seed + 1): the same system, other estimates.
    EXPECT_NE(t.get(i, "T_A"), t.get(i, "T_B"));
    EXPECT_LT(std::abs(t.get(i, "T_A") - t.get(i, "T_B")) / std::hypot(t.get(i, "T_A_se"), t.get(i, "T_B_se")), 4.0);
  }
}

TEST(Mixing, SameSeedSameBits) {
  const std::string cfg = mixing("b_x_scale = 2.0");
  const Table t1 = *run_text(cfg).table("mixing");
  const Table t2 = *run_text(cfg).table("mixing");
  for (const char* c : {"T_A", "T_B", "T_mix", "dE_A", "dE_B"})
    for (size_t i = 0; i < t1.rows(); ++i) EXPECT_EQ(t1.get(i, c), t2.get(i, c)) << c;
}

// A folder of this process's own (tests of several checkouts may run at once), removed at exit.
struct TempFolder {
  std::string path = std::filesystem::temp_directory_path() / ("mltemp_test_mixing_" + std::to_string(getpid()));
  ~TempFolder() { std::filesystem::remove_all(path); }
};
const TempFolder kTemp;

// A small CSV in the temporary folder: columns x1, g (group 0/1/2), x2, y.
std::string write_csv(const std::string& name, int n, double shift) {
  const std::string& dir = kTemp.path;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name;
  std::ofstream f(path);
  f << "x1,g,x2,y\n";
  for (int i = 0; i < n; ++i) {
    const double a = philox_normal(3, 1, i, 0), b = philox_normal(3, 1, i, 1), e = philox_normal(3, 1, i, 2);
    f << a + shift << "," << i % 3 << "," << b << "," << a - b + 0.3 * e + shift << "\n";
  }
  return path;
}

std::string csv_mixing(const std::string& extra) {
  return "name = \"c\"\n[data]\nsource = \"csv\"\npath = \"" + write_csv("a.csv", 90, 0.0) +
         "\"\ntarget = \"y\"\n[experiment]\nkind = \"mixing\"\n" + extra +
         "\n[sweep]\nscales = [2.0]\n[mc]\nparticles = 2048\n";
}

TEST(Mixing, SplitByColumnUsesTheUnionsCoordinates) {
  const RunResult r = run_text(csv_mixing("split_column = \"g\""));  // lower median of 0,1,2: 1
  int64_t n_a = 0, n_b = 0;
  for (const auto& [k, v] : r.int_attrs) {
    if (k == "n_A") n_a = v;
    if (k == "n_B") n_b = v;
  }
  EXPECT_EQ(n_a, 60);  // g = 0 or 1
  EXPECT_EQ(n_b, 30);
  // The stored union (A's rows, then B's): g dropped, features and target z-scored with the
  // union's statistics, then the bias column.
  std::vector<double> x;
  for (const auto& a : r.arrays)
    if (a.path == "data/X") {
      ASSERT_EQ(a.dims, (std::vector<uint64_t>{90, 3}));
      x = a.values;
    }
  ASSERT_EQ(x.size(), 270u);
  for (int j = 0; j < 2; ++j) {
    double s = 0, s2 = 0;
    for (int i = 0; i < 90; ++i) {
      s += x[i * 3 + j];
      s2 += x[i * 3 + j] * x[i * 3 + j];
    }
    EXPECT_NEAR(s / 90, 0.0, 1e-12);
    EXPECT_NEAR(s2 / 90, 1.0, 1e-12);
  }
  for (int i = 0; i < 90; ++i) EXPECT_EQ(x[i * 3 + 2], 1.0);
  const std::string how = [&] {
    for (const auto& [k, v] : r.text_attrs)
      if (k == "mixing_data") return v;
    return std::string();
  }();
  EXPECT_NE(how.find("split by 'g' <= 1 (A, 60 rows) and > (B, 30 rows)"), std::string::npos) << how;
  EXPECT_NE(how.find("standardized with the union's mean and sd"), std::string::npos) << how;
  // split_at moves the threshold.
  const RunResult r0 = run_text(csv_mixing("split_column = \"g\"\nsplit_at = 0.5"));
  for (const auto& [k, v] : r0.int_attrs)
    if (k == "n_A") EXPECT_EQ(v, 30);
}

TEST(Mixing, SecondFileAndFlippedCopy) {
  const std::string b = write_csv("b.csv", 45, 1.0);
  const RunResult r = run_text(csv_mixing("data_b = \"" + b + "\""));
  for (const auto& [k, v] : r.int_attrs)
    if (k == "n_B") EXPECT_EQ(v, 45);
  bool hashed = false;
  for (const auto& [k, v] : r.text_attrs)
    if (k == "data_b_file_sha256") hashed = v.size() == 64;
  EXPECT_TRUE(hashed);
  // B a flipped copy of A: equal exact temperatures, the union's colder by gap/H.
  const Table t = *run_text(csv_mixing("b_flip_target = true")).table("mixing");
  EXPECT_DOUBLE_EQ(t.get(0, "T_A_exact"), t.get(0, "T_B_exact"));
  EXPECT_LT(t.get(0, "T_mix_exact"), t.get(0, "T_A_exact"));
}

TEST(Mixing, RefusesWhatItCannotUse) {
  const std::string a = write_csv("a.csv", 90, 0.0);
  const std::string bad = write_csv("bad.csv", 10, 0.0);
  {  // different columns in data_b
    std::ofstream f(bad);
    f << "x1,x2,y\n1,2,3\n4,5,6\n";
  }
  struct Case {
    std::string cfg, msg;
  };
  const std::vector<Case> cases = {
      {mixing("split_column = \"x1\""), "experiment.split_column: only used with data.source = \"csv\""},
      {mixing("data_b = \"b.csv\""), "experiment.data_b: only used with data.source = \"csv\""},
      {csv_mixing("b_seed = 3"), "experiment.b_seed: only used with data.source = \"synthetic\""},
      {csv_mixing("b_n = 3"), "experiment.b_n: only used with data.source = \"synthetic\""},
      {csv_mixing("split_at = 1.0"), "experiment.split_at: only used with experiment.split_column"},
      {csv_mixing("split_column = \"y\""), "'y' is the target; split by a feature column"},
      {csv_mixing("split_column = \"nope\""), "no column 'nope' in " + a + " (columns: 'x1', 'g', 'x2', target 'y')"},
      {csv_mixing("split_column = \"g\"\nsplit_at = 5.0"), "leaves system B without rows (values from 0 to 2"},
      {csv_mixing("split_column = \"g\"\ndata_b = \"" + a + "\""), "give experiment.data_b or experiment.split_column"},
      {csv_mixing("data_b = \"" + bad + "\""), "must have the columns of"},
      {"name = \"t\"\n[data]\nsource = \"teacher\"\n[model]\nkind = \"mlp\"\n[experiment]\nkind = \"mixing\"\n"
       "[sweep]\nscales = [1.0]\n",
       "mixing needs data of its own"},
      // A key of another experiment, or of any experiment under the plain sweep.
      {mixing("drift_steps = 3"), "experiment.drift_steps: only used with experiment.kind = \"shift\""},
      {"[experiment]\nsplit_column = \"g\"\n[sweep]\nscales = [1.0]\n",
       "experiment.split_column: only used with experiment.kind = \"mixing\""},
  };
  for (const auto& c : cases) {
    const std::string msg = input_error_of([&] { run_text(c.cfg); });
    EXPECT_NE(msg.find(c.msg), std::string::npos) << "got: '" << msg << "'\nwanted: " << c.msg;
  }
}

TEST(ExperimentKeys, PrintConfigChecksWhatTheExperimentChecks) {
  // run --print-config: an experiment's own checks, not the sweep's (a shift has no scales).
  auto check = [](const std::string& text) {
    return input_error_of(
        [&] { check_config(Config::from_toml(text, "<test>", std::string(MLTEMP_SOURCE_DIR) + "/examples")); });
  };
  EXPECT_EQ(check("[experiment]\nkind = \"shift\"\n"), "");
  EXPECT_NE(check("[experiment]\nkind = \"shift\"\nshift = \"extend\"\ndrift_steps = 400\n").find("same rows"),
            std::string::npos);
  EXPECT_NE(check(csv_mixing("split_column = \"nope\"")).find("no column 'nope'"), std::string::npos);
  EXPECT_EQ(check(csv_mixing("split_column = \"g\"")), "");
}

TEST(ExperimentKeys, HelpNamesARegisteredKind) {
  // find_experiment decides a key's owner by the first word of its help text.
  for (const auto& o : option_table()) {
    if (o.key.rfind("experiment.", 0) != 0 || o.key == "experiment.kind") continue;
    const std::string owner = o.help.substr(0, o.help.find_first_of(",:"));
    bool registered = false;
    for (const auto& e : experiments()) registered = registered || owner == e.kind;
    EXPECT_TRUE(registered) << o.key << ": " << o.help;
    // Numbers have a range; split_at is a threshold on the column's own values (any finite one).
    if ((o.type == OptType::kInt || o.type == OptType::kDouble) && o.key != "experiment.split_at")
      EXPECT_FALSE(range_text(o).empty()) << o.key << " has no range";
  }
}

// ---- Type II data shift

std::string drift(double noise_to, double x_to, uint64_t seed, int n = 2000, const std::string& extra = "") {
  return "name = \"s\"\n[data]\nn = " + std::to_string(n) + "\nm = 3\nnoise = 0.5\nseed = " + std::to_string(seed) +
         "\n" + extra +
         "[experiment]\nkind = \"shift\"\ndrift_steps = 4\ndrift_noise_to = " + std::to_string(noise_to) +
         "\ndrift_x_scale_to = " + std::to_string(x_to) + "\n";
}

TEST(Shift, DriftAgreesWithItsSchedule) {
  const Table t = *run_text(drift(2.0, 1.0, 7)).table("shift");
  ASSERT_EQ(t.rows(), 4u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(t.get(k, "noise"), 0.5 * std::pow(4.0, k / 3.0), 1e-12);
    EXPECT_LT(std::abs(t.get(k, "E") - t.get(k, "E_exact")) / t.get(k, "E_se"), 4.0) << k;
    EXPECT_LT(std::abs(t.get(k, "S") - t.get(k, "S_exact")) / t.get(k, "S_se"), 4.0) << k;
    EXPECT_DOUBLE_EQ(t.get(k, "S"), t.get(k, "S_x") + t.get(k, "S_y_given_x"));
    // Gaussian residual: S_y|x = 0.5 ln(2 pi e E).
    EXPECT_DOUBLE_EQ(t.get(k, "S_y_given_x"), 0.5 * std::log(kTwoPiE * t.get(k, "E")));
  }
  EXPECT_TRUE(std::isnan(t.get(0, "T_II")));
  for (size_t k = 1; k < 4; ++k) {
    EXPECT_DOUBLE_EQ(t.get(k, "T_II"), t.get(k, "dE") / t.get(k, "dS"));
    EXPECT_LT(std::abs(t.get(k, "z")), 4.0) << k;
    // Noise only: T_II_exact = (E_k - E_k-1) / (0.5 ln(E_k / E_k-1)), between 2 E_k-1 and 2 E_k.
    const double e0 = t.get(k - 1, "E_exact"), e1 = t.get(k, "E_exact");
    EXPECT_NEAR(t.get(k, "T_II_exact"), (e1 - e0) / (0.5 * std::log(e1 / e0)), 1e-12 * e1);
    EXPECT_GT(t.get(k, "T_II_exact"), 2 * e0);
    EXPECT_LT(t.get(k, "T_II_exact"), 2 * e1);
  }
}

TEST(Shift, DeltaMethodErrorsMatchTheSpreadOfReplicates) {
  // 40 independent drifts (data seeds): the spread of S, dE and T_II against the mean se. Not
  // standardized: every generator seed draws its own true weights, and D_0's target sd would
  // set a different energy unit in each replicate.
  const int reps = 40;
  std::vector<std::vector<double>> vals(3);
  std::vector<double> se(3, 0.0);
  for (int r = 0; r < reps; ++r) {
    const Table t = *run_text(drift(2.0, 1.0, 100 + 10 * r, 1000, "standardize = false\n")).table("shift");
    const double v[3] = {t.get(2, "S"), t.get(2, "dE"), t.get(2, "T_II")};
    const double s[3] = {t.get(2, "S_se"), t.get(2, "dE_se"), t.get(2, "T_II_se")};
    for (int q = 0; q < 3; ++q) {
      vals[q].push_back(v[q]);
      se[q] += s[q] / reps;
    }
  }
  for (int q = 0; q < 3; ++q) {
    double mean = 0, var = 0;
    for (double x : vals[q]) mean += x / reps;
    for (double x : vals[q]) var += (x - mean) * (x - mean) / (reps - 1);
    // The sd of 40 draws is known to about 11%: allow 0.65-1.35.
    EXPECT_GT(std::sqrt(var) / se[q], 0.65) << q;
    EXPECT_LT(std::sqrt(var) / se[q], 1.35) << q;
  }
}

TEST(Shift, NestedPrefixesCountTheirSharedRows) {
  // extend on one synthetic sample: the steps share rows, so dS and dE are far more precise
  // than independent draws would be; the spread over replicate samples confirms the se.
  const int reps = 40;
  std::vector<double> ds, de;
  double ds_se = 0, de_se = 0, indep_se = 0;
  for (int r = 0; r < reps; ++r) {
    const Table t =
        *run_text("name = \"e\"\n[data]\nn = 600\nm = 3\nnoise = 0.5\nstandardize = false\nseed = " +
                  std::to_string(300 + r) +
                  "\n[experiment]\nkind = \"shift\"\nshift = \"extend\"\ndrift_steps = 3\nextend_from = 0.5\n")
             .table("shift");
    EXPECT_EQ(t.get(1, "n"), 450);
    ds.push_back(t.get(1, "dS"));
    de.push_back(t.get(1, "dE"));
    ds_se += t.get(1, "dS_se") / reps;
    de_se += t.get(1, "dE_se") / reps;
    indep_se += std::hypot(t.get(0, "S_se"), t.get(1, "S_se")) / reps;
  }
  auto sd = [&](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x / reps;
    for (double x : v) s += (x - m) * (x - m) / (reps - 1);
    return std::sqrt(s);
  };
  // Nested: var(dS) = var(S_0) - var(S_1) = sigma^2 (1/300 - 1/450), not the sum: 0.45 of it.
  EXPECT_LT(ds_se, 0.55 * indep_se);
  EXPECT_GT(sd(ds) / ds_se, 0.65);
  EXPECT_LT(sd(ds) / ds_se, 1.35);
  EXPECT_GT(sd(de) / de_se, 0.65);
  EXPECT_LT(sd(de) / de_se, 1.35);
}

TEST(Shift, ExtendsARealFileSortedByAColumn) {
  const RunResult r = run_text(
      "name = \"d\"\n[data]\nsource = \"csv\"\npath = \"diabetes.csv\"\ntarget = \"progression\"\n[experiment]\n"
      "kind = \"shift\"\nshift = \"extend\"\ndrift_steps = 3\nextend_from = 0.5\nextend_order = \"progression\"\n");
  const Table& t = *r.table("shift");
  EXPECT_EQ(t.get(0, "n"), 221);
  EXPECT_EQ(t.get(2, "n"), 442);
  EXPECT_TRUE(std::isnan(t.get(1, "T_II_exact")));
  // The milder half has the smaller residual energy; adding sicker patients raises E.
  EXPECT_GT(t.get(2, "dE") / t.get(2, "dE_se"), 4.0);
}

TEST(Shift, RefusesWhatItCannotUse) {
  const std::string csv = "[data]\nsource = \"csv\"\npath = \"diabetes.csv\"\ntarget = \"progression\"\n";
  struct Case {
    std::string cfg, msg;
  };
  const std::vector<Case> cases = {
      {"[model]\nkind = \"mlp\"\n[experiment]\nkind = \"shift\"\n", "shift fits p(y|x) by the model's own likelihood"},
      {"[energy]\nl2 = 0.1\n[experiment]\nkind = \"shift\"\n", "energy.l2: shift needs the unpenalized minimum"},
      {"[experiment]\nkind = \"shift\"\n[sweep]\nscales = [1.0]\n", "sweep.scales: experiment.kind = \"shift\" has no"},
      {csv + "[experiment]\nkind = \"shift\"\n", "drift makes its own synthetic data"},
      {"[data]\nnoise = 0.0\n[experiment]\nkind = \"shift\"\n", "data.noise: drift needs noise > 0"},
      {"[experiment]\nkind = \"shift\"\nextend_from = 0.3\n",
       "experiment.extend_from: only used with experiment.shift"},
      {"[experiment]\nkind = \"shift\"\nshift = \"extend\"\ndrift_noise_to = 2.0\n",
       "experiment.drift_noise_to: only used with experiment.shift = \"drift\""},
      {csv + "[experiment]\nkind = \"shift\"\nshift = \"extend\"\ndrift_steps = 400\n",
       "leave two steps with the same rows; use fewer steps"},
      {csv + "[experiment]\nkind = \"shift\"\nshift = \"extend\"\nextend_from = 0.01\n",
       "the first dataset has 4 rows, too few to fit 11 parameters"},
      // Sorted by sex, the first half is all one sex: a constant column.
      {csv + "[experiment]\nkind = \"shift\"\nshift = \"extend\"\nextend_order = \"sex\"\n",
       "column 'sex' is constant and cannot be standardized"},
      {"[data]\nsource = \"csv\"\npath = \"diabetes.csv\"\nstandardize = false\n[experiment]\nkind = \"shift\"\n"
       "shift = \"extend\"\nextend_order = \"sex\"\n",
       "the features' covariance is singular"},
      {csv + "[experiment]\nkind = \"shift\"\nshift = \"extend\"\nextend_order = \"weight\"\n", "no column 'weight'"},
      {"[experiment]\nkind = \"shift\"\nsplit_column = \"x\"\n",
       "experiment.split_column: only used with experiment.kind = \"mixing\""},
  };
  for (const auto& c : cases) {
    const std::string msg = input_error_of([&] { run_text("name = \"s\"\n" + c.cfg); });
    EXPECT_NE(msg.find(c.msg), std::string::npos) << "got: '" << msg << "'\nwanted: " << c.msg;
  }
}

}  // namespace
}  // namespace mltemp
