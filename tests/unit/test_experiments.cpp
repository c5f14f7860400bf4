// The training and entropy experiments (issue 9): gradients against finite differences, the
// exact linear-MSE training path against Monte Carlo (|z| < 4, fixed seeds), the entropy
// estimators against closed forms, determinism across thread counts, and every error path.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <random>

#include "config.h"
#include "dataset.h"
#include "entropy_estimators.h"
#include "experiment.h"
#include "mltemp/gradients.h"
#include "run.h"
#include "system.h"
#include "test_util.h"

using namespace mltemp;
using mltemp::test::error_of;
using mltemp::test::run_text;

namespace {

// ---- gradients and Hessians against central differences of the energy functors ----------------

// The point setup of a config's system at one scale (the particles' energy and blob).
struct Point {
  std::unique_ptr<System> sys;
  PointSetup setup;
};
Point point_of(const std::string& text, double scale) {
  const Config cfg = Config::from_toml(text, "<test>", ".");
  static Dataset ds;  // systems keep references to their data
  ds = load_dataset(data_spec(cfg));
  Point p;
  p.sys = make_system(cfg, ds);
  p.setup = p.sys->point(scale, 3);
  return p;
}

template <class E>
double energy_at(const E& e, const std::vector<double>& blob, const std::vector<double>& theta) {
  std::vector<double> work(std::max(1, e.work_size())), obs(E::kObs);
  e(blob.data(), theta.data(), work.data(), obs.data());
  return obs[0];
}

// Every gradient coordinate against (E(theta + h e_j) - E(theta - h e_j)) / 2h, relative to the
// gradient's size; with a Hessian, every entry against differences of the gradient.
void check_derivatives(const std::string& text, double scale, double tol) {
  const Point p = point_of(text, scale);
  std::visit(
      [&](const auto& e) {
        const int dims = p.setup.init.dims;
        std::vector<double> theta(dims), g(dims), gp(dims), gm(dims);
        draw_particle(p.setup.init, p.setup.blob.data(), 11, theta.data());
        std::vector<double> work(std::max(1, gradient_work_size(e)));
        energy_gradient(e, p.setup.blob.data(), theta.data(), work.data(), g.data());
        double norm = 0.0;
        for (double x : g) norm = std::max(norm, std::abs(x));
        ASSERT_GT(norm, 0.0);
        const double h = 1e-6 * std::max(1.0, scale);
        for (int j = 0; j < dims; ++j) {
          std::vector<double> a = theta, b = theta;
          a[j] += h;
          b[j] -= h;
          const double fd = (energy_at(e, p.setup.blob, a) - energy_at(e, p.setup.blob, b)) / (2 * h);
          EXPECT_NEAR(g[j], fd, tol * norm) << "coordinate " << j;
        }
        using E = std::decay_t<decltype(e)>;
        if constexpr (!std::is_same_v<E, MlpEnergy>) {
          std::vector<double> hess(dims * dims);
          energy_hessian(e, p.setup.blob.data(), theta.data(), hess.data());
          for (int j = 0; j < dims; ++j) {
            std::vector<double> a = theta, b = theta;
            a[j] += h;
            b[j] -= h;
            energy_gradient(e, p.setup.blob.data(), a.data(), work.data(), gp.data());
            energy_gradient(e, p.setup.blob.data(), b.data(), work.data(), gm.data());
            for (int i = 0; i < dims; ++i) EXPECT_NEAR(hess[i * dims + j], (gp[i] - gm[i]) / (2 * h), 1e-5) << i << j;
          }
        }
      },
      p.setup.energy);
}

const char* kData = "[data]\nsource = \"synthetic\"\nn = 40\nm = 3\nseed = 4\n";

TEST(Gradients, LinearMseWithPenalties) {
  check_derivatives(std::string(kData) + "[energy]\nl2 = 0.3\n", 1.0, 1e-7);
  check_derivatives(std::string(kData) + "[energy]\nl1 = 0.2\nl2 = 0.1\n", 2.0, 1e-7);  // no coordinate at 0
}

TEST(Gradients, MaeAwayFromKinks) { check_derivatives(std::string(kData) + "[energy]\nkind = \"mae\"\n", 1.5, 1e-7); }

TEST(Gradients, CrossEntropyAndHessian) {
  const std::string ce =
      std::string(kData) + "labels = \"binary\"\n[model]\nkind = \"logistic\"\n[energy]\nkind = \"ce\"\n";
  check_derivatives(ce, 0.7, 1e-7);
  check_derivatives(ce, 30.0, 1e-7);  // saturated logits: sigmoid without overflow
}

TEST(Gradients, MlpBackpropagation) {
  for (const char* act : {"tanh", "sigmoid", "relu"})
    for (const char* bias : {"false", "true"}) {
      SCOPED_TRACE(std::string(act) + " bias " + bias);
      check_derivatives(std::string("[data]\nsource = \"teacher\"\nn = 12\nm = 3\n[model]\nkind = \"mlp\"\n") +
                            "hidden = [4, 3]\nactivation = \"" + act + "\"\nbias = " + bias + "\n",
                        0.8, 1e-6);
    }
}

// ---- the exact linear-MSE training path -----------------------------------------------------

std::string training(const std::string& extra, const std::string& init = "dist = \"normal\"\n", int particles = 2048,
                     const std::string& lr = "0.04") {
  return "name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 120\nm = 3\nseed = 9\n" + extra + "[init]\n" + init +
         "[sweep]\nscales = [0.8, 2.5]\n[mc]\nparticles = " + std::to_string(particles) +
         "\nseed = 21\n[experiment]\nkind = \"training\"\nsteps = 30\nlearning_rate = " + lr + "\n";
}

std::string text_attr(const RunResult& r, const std::string& k) {
  for (const auto& [key, v] : r.text_attrs)
    if (key == k) return v;
  return "";
}

// Every row: MC E_t and T_t against the exact path (|z| < 4); the exact entropy's estimators
// move with it exactly (both are affine invariant), so their offset from S_t never changes.
void expect_exact_path(const RunResult& r) {
  EXPECT_EQ(text_attr(r, "entropy_method"), "exact");
  const Table& t = *r.table("training");
  ASSERT_EQ(t.rows(), 62u);
  for (size_t i = 0; i < t.rows(); ++i) {
    SCOPED_TRACE("scale " + std::to_string(t.get(i, "scale")) + " step " + std::to_string(t.get(i, "step")));
    EXPECT_LT(std::abs(t.get(i, "E_t_z")), 4.0);
    EXPECT_EQ(t.get(i, "S_t"), t.get(i, "S_t_exact"));
    EXPECT_EQ(t.get(i, "S_t_se"), 0.0);
    const size_t first = t.get(i, "step") == 0 ? i : i - static_cast<size_t>(t.get(i, "step"));
    EXPECT_NEAR(t.get(i, "S_t_gauss") - t.get(i, "S_t"), t.get(first, "S_t_gauss") - t.get(first, "S_t"), 1e-9);
    if (std::isfinite(t.get(i, "S_t_knn")))
      EXPECT_NEAR(t.get(i, "S_t_knn") - t.get(i, "S_t"), t.get(first, "S_t_knn") - t.get(first, "S_t"), 1e-9);
    if (t.get(i, "step") == 30) {
      EXPECT_TRUE(std::isnan(t.get(i, "T_t")));
      continue;
    }
    EXPECT_LT(std::abs(t.get(i, "T_t_z")), 4.0);
    EXPECT_GT(t.get(i, "T_t"), 0.0);  // energy drop over entropy drop
    EXPECT_NEAR(t.get(i, "dS_t"), t.get(i + 1, "S_t") - t.get(i, "S_t"), 1e-12);
  }
  // The energy's exact path ends near E_min, and T_t is far from constant.
  EXPECT_LT(t.get(30, "E_t_exact") - t.get(30, "E_min"), 0.2 * (t.get(0, "E_t_exact") - t.get(0, "E_min")));
  EXPECT_GT(t.get(0, "T_t_exact") / t.get(29, "T_t_exact"), 10.0);
}

}  // namespace

TEST(TrainingExact, NormalInit) {
  const RunResult r = run_text(training(""));
  expect_exact_path(r);
  // Step 0 is the sweep's particles: the same energies (the engine's lanes round alike to an
  // ulp or so), and its exact E_t the sweep's closed form.
  const Table& t = *r.table("training");
  const Table& s = *r.table("sweep");
  EXPECT_NEAR(t.get(0, "E_t"), s.get(0, "E_init"), 1e-13 * s.get(0, "E_init"));
  EXPECT_NEAR(t.get(31, "E_t"), s.get(1, "E_init"), 1e-13 * s.get(1, "E_init"));
  EXPECT_EQ(t.get(0, "T_typeI"), s.get(0, "T_mc"));
  EXPECT_NEAR(t.get(0, "E_t_exact"), s.get(0, "E_init_exact"), 1e-13 * s.get(0, "E_init_exact"));
}

TEST(TrainingExact, UniformMixedAndRidge) {
  expect_exact_path(run_text(training("", "dist = \"uniform\"\n")));
  expect_exact_path(run_text(training("", "dist = \"mixed\"\nnormal_dims = 2\nuniform_ratio = 2.0\n")));
  expect_exact_path(run_text(training("[energy]\nl2 = 0.5\n")));
}

TEST(TrainingExact, HandComputedOneParameter) {
  // One feature, no bias: E = A theta^2 - 2 b theta + c, sigma = 1 (v = 1), theta* = b/A, so
  // E_t - E_min = A (1 - 2 eta A)^(2t) (1 + theta*^2) and S_t = H + t ln|1 - 2 eta A|.
  const std::string text =
      "name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 50\nm = 1\nbias = false\n[sweep]\nscales = [1.0]\n"
      "[mc]\nparticles = 2048\n[experiment]\nkind = \"training\"\nsteps = 3\nlearning_rate = 0.1\n";
  const RunResult r = run_text(text);
  const LinearMoments mo = linear_moments(load_dataset(data_spec(Config::from_toml(text, "<test>", "."))));
  const double A = mo.A(0, 0), ts = mo.b[0] / A, rho = 1.0 - 2.0 * 0.1 * A;
  const Table& t = *r.table("training");
  ASSERT_EQ(t.rows(), 4u);
  const double e_min = mo.c - mo.b[0] * mo.b[0] / A, h = 0.5 * std::log(2 * M_PI * M_E);
  EXPECT_NEAR(t.get(0, "E_min"), e_min, 1e-12);
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(t.get(k, "E_t_exact"), e_min + A * std::pow(rho, 2 * k) * (1 + ts * ts), 1e-12);
    EXPECT_NEAR(t.get(k, "S_t_exact"), h + k * std::log(std::abs(rho)), 1e-12);
    EXPECT_LT(std::abs(t.get(k, "E_t_z")), 4.0);
  }
  for (int k = 0; k < 3; ++k)
    EXPECT_NEAR(t.get(k, "T_t_exact"),
                A * std::pow(rho, 2 * k) * (1 + ts * ts) * (rho * rho - 1) / std::log(std::abs(rho)), 1e-9);
}

// Every number of every table of two results, bit for bit.
void expect_same_bits(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (size_t k = 0; k < a.tables.size(); ++k) {
    const Table& ta = a.tables[k];
    const Table& tb = b.tables[k];
    ASSERT_EQ(ta.rows(), tb.rows());
    for (const auto& c : ta.columns()) {
      if (c.kind == Column::Kind::kText) continue;
      for (size_t i = 0; i < ta.rows(); ++i) {
        const double x = ta.get(i, c.name), y = tb.get(i, c.name);
        EXPECT_TRUE(std::memcmp(&x, &y, sizeof x) == 0) << ta.name() << "." << c.name << " row " << i;
      }
    }
  }
}

RunResult with_threads(int n, const std::string& text) {
  omp_set_num_threads(n);
  RunResult r = run_text(text);
  omp_set_num_threads(2);
  return r;
}

TEST(Training, SameBitsForAnyThreadCount) {
  // 5 chunks (the descent runs in parallel), and 66000 particles (the cloud's sums and the kNN too).
  const std::string small = training("", "dist = \"normal\"\n", 5000);
  expect_same_bits(with_threads(1, small), with_threads(2, small));
  std::string big = training("", "dist = \"uniform\"\n", 66000);
  big.replace(big.find("steps = 30"), 10, "steps = 1");
  big.replace(big.find("scales = [0.8, 2.5]"), 19, "scales = [0.8]");
  expect_same_bits(with_threads(1, big), with_threads(2, big));
}

// ---- the other entropy routes ---------------------------------------------------------------

const char* kCe = "labels = \"binary\"\n[model]\nkind = \"logistic\"\n[energy]\nkind = \"ce\"\n";

TEST(TrainingJacobian, CrossEntropyAgreesWithTheKnnChange) {
  // One parameter, 20000 particles: the kNN estimate of the entropy change is accurate to a few
  // hundredths of a nat in one dimension, and must follow the Jacobian route's S_t.
  std::string text = "name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 80\nm = 1\nbias = false\nseed = 3\n" +
                     std::string(kCe) +
                     "[sweep]\nscales = [2.0]\n[mc]\nparticles = 20000\n[experiment]\nkind = \"training\"\n"
                     "steps = 20\nlearning_rate = 1.0\n";
  const RunResult r = run_text(text);
  EXPECT_EQ(text_attr(r, "entropy_method"), "jacobian");
  const Table& t = *r.table("training");
  EXPECT_EQ(t.get(0, "S_t"), t.get(0, "S_t_knn") - t.get(0, "S_t_knn") + r.table("sweep")->get(0, "H"));
  const double drop = t.get(20, "S_t") - t.get(0, "S_t");
  EXPECT_LT(drop, -0.5);  // the cloud contracts
  for (size_t i = 0; i < t.rows(); ++i) {
    if (!std::isfinite(t.get(i, "S_t_knn"))) continue;
    const double knn_change = t.get(i, "S_t_knn") - t.get(0, "S_t_knn");
    EXPECT_NEAR(t.get(i, "S_t") - t.get(0, "S_t"), knn_change, 0.03 + 4 * t.get(i, "S_t_se")) << "step " << i;
    if (i < 20) {
      EXPECT_GT(t.get(i, "T_t"), 0.0);
      EXPECT_GT(t.get(i, "T_t_se"), 0.0);
    }
  }
}

TEST(TrainingJacobian, TemperatureErrorMatchesTheSpreadOfSeeds) {
  // T_0's standard error (energy and Jacobian terms with their covariance) against the spread of
  // T_0 over 12 independent seeds: the ratio of spread to mean se is near 1.
  std::vector<double> t0, se;
  for (int seed = 1; seed <= 12; ++seed) {
    const RunResult r =
        run_text("name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 60\nm = 2\nseed = 3\n" + std::string(kCe) +
                 "[sweep]\nscales = [1.5]\n[mc]\nparticles = 1024\nseed = " + std::to_string(seed) +
                 "\n[experiment]\nkind = \"training\"\nsteps = 1\nlearning_rate = 0.8\n");
    t0.push_back(r.table("training")->get(0, "T_t"));
    se.push_back(r.table("training")->get(0, "T_t_se"));
  }
  double mean = 0, var = 0, mse = 0;
  for (double x : t0) mean += x / t0.size();
  for (double x : t0) var += (x - mean) * (x - mean) / (t0.size() - 1);
  for (double x : se) mse += x / se.size();
  const double ratio = std::sqrt(var) / mse;
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 1.6);
}

TEST(TrainingKnn, MaeAndLassoTakeTheKnnRoute) {
  for (const char* energy : {"[energy]\nkind = \"mae\"\n", "[energy]\nl1 = 0.3\n"}) {
    const RunResult r = run_text(training(energy, "dist = \"normal\"\n", 2048));
    EXPECT_EQ(text_attr(r, "entropy_method"), "knn");
    const Table& t = *r.table("training");
    EXPECT_EQ(t.get(0, "S_t"), r.table("sweep")->get(0, "H"));  // anchored at the exact initial entropy
    for (size_t i = 0; i < t.rows(); ++i) {
      EXPECT_TRUE(std::isfinite(t.get(i, "S_t_knn"))) << "every step on its own route";
      EXPECT_TRUE(std::isnan(t.get(i, "S_t_se")));
      EXPECT_TRUE(std::isnan(t.get(i, "E_t_exact")) == (t.get(i, "step") != 0));
    }
    EXPECT_LT(t.get(30, "E_t"), t.get(0, "E_t"));
    EXPECT_LT(t.get(30, "S_t"), t.get(0, "S_t"));
  }
}

// ---- estimators -----------------------------------------------------------------------------

std::vector<double> normal_cloud(size_t n, int p, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z;
  std::vector<double> x(n * p);
  for (double& v : x) v = z(gen);
  return x;
}

TEST(Estimators, KnnAndGaussOnANormalCloud) {
  const int p = 3;
  const std::vector<double> x = normal_cloud(20000, p, 1);
  const double h = 1.5 * std::log(2 * M_PI * M_E);
  EXPECT_NEAR(knn_entropy(x.data(), 20000, p), h, 0.03);
  const CloudEntropy c = cloud_entropy(x.data(), 20000, p, true);
  EXPECT_TRUE(c.ok);
  EXPECT_NEAR(c.gauss, h, 0.02);
  EXPECT_NEAR(c.knn, h, 0.03);
}

TEST(Estimators, AffineMapsShiftBothEstimatesByTheLogDeterminant) {
  const int p = 3;
  const size_t n = 3000;
  const std::vector<double> x = normal_cloud(n, p, 2);
  const double M[3][3] = {{2.0, 0.3, 0.0}, {-0.4, 0.5, 0.1}, {0.2, 0.0, 3.0}};
  double det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
               M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  std::vector<double> y(n * p);
  for (size_t k = 0; k < n; ++k)
    for (int a = 0; a < p; ++a) {
      y[k * p + a] = 5.0 - a;
      for (int b = 0; b < p; ++b) y[k * p + a] += M[a][b] * x[k * p + b];
    }
  const CloudEntropy cx = cloud_entropy(x.data(), n, p, true), cy = cloud_entropy(y.data(), n, p, true);
  EXPECT_NEAR(cy.gauss - cx.gauss, std::log(std::abs(det)), 1e-9);
  EXPECT_NEAR(cy.knn - cx.knn, std::log(std::abs(det)), 1e-9);
}

TEST(Estimators, GaussianFitIsAnUpperBound) {
  // A uniform cube: the fit exceeds the true entropy by P (0.5 ln(2 pi e / 12)) = 0.1765 P; the
  // kNN estimate comes closer.
  const int p = 2;
  const size_t n = 20000;
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> x(n * p);
  for (double& v : x) v = u(gen);
  const CloudEntropy c = cloud_entropy(x.data(), n, p, true);
  const double h = p * std::log(2.0);
  EXPECT_NEAR(c.gauss - h, p * 0.5 * std::log(2 * M_PI * M_E / 12), 0.02);
  EXPECT_LT(std::abs(c.knn - h), 0.5 * (c.gauss - h));
}

TEST(Estimators, CountEntropiesByHand) {
  const CountEntropy c = count_entropy({1, 2, 1, 0});
  EXPECT_EQ(c.cells, 3u);
  EXPECT_NEAR(c.plugin, -(0.5 * std::log(0.25) + 0.5 * std::log(0.5)), 1e-15);
  EXPECT_NEAR(c.miller_madow, c.plugin + 2.0 / 8.0, 1e-15);
  // G(1) = -gamma - ln 2, G(2) = 2 - gamma - ln 2: ln 4 - (2 G(1) + 2 G(2))/4 = 3 ln 2 - 1 + gamma.
  EXPECT_NEAR(c.grassberger, 3 * std::log(2.0) - 1 + 0.57721566490153286, 1e-13);
  EXPECT_EQ(count_entropy({}).cells, 0u);
}

TEST(Estimators, ExactGridEntropies) {
  EXPECT_NEAR(grid_entropy_uniform(1.5, 0.5), std::log(6.0), 1e-14);  // aligned: 6 equal cells
  EXPECT_NEAR(grid_entropy_uniform(1.0, 1e-3) + std::log(1e-3), std::log(2.0), 2e-3);
  for (double sigma : {0.5, 2.0}) {
    const double h = 0.5 * std::log(2 * M_PI * M_E * sigma * sigma);
    EXPECT_NEAR(grid_entropy_normal(sigma, 1e-3 * sigma) + std::log(1e-3 * sigma), h, 1e-7);
    EXPECT_GT(grid_entropy_normal(sigma, sigma) + std::log(sigma), h + 0.03);  // coarse grids sit above H
  }
  EXPECT_NEAR(grid_entropy_normal(1.0, 100.0), std::log(2.0), 1e-12);  // two cells, 1/2 each
}

// ---- the entropy experiment -----------------------------------------------------------------

std::string entropy_cfg(const std::string& init, const std::string& particles, const std::string& more = "") {
  return "name = \"e\"\n[init]\n" + init + "[sweep]\nscales = [1.5]\n[mc]\nseed = 4\n" + more +
         "[experiment]\nkind = \"entropy\"\ndeltas = [1.0, 0.3, 0.1, 0.02]\ndims = [1, 3]\nparticles = " + particles +
         "\n";
}

TEST(EntropyExperiment, EstimatesMatchTheExactGridWhereWellSampled) {
  for (const char* init : {"dist = \"normal\"\n", "dist = \"uniform\"\n", "dist = \"mixed\"\nnormal_dims = 1\n"}) {
    SCOPED_TRACE(init);
    const RunResult r = run_text(entropy_cfg(init, "[500, 40000]"));
    const Table& t = *r.table("entropy");
    ASSERT_EQ(t.rows(), 16u);
    int good = 0, broken = 0;
    for (size_t i = 0; i < t.rows(); ++i) {
      const double m = t.get(i, "dims"), side = t.get(i, "cell_side");
      EXPECT_NEAR(t.get(i, "bridge_exact"), t.get(i, "H_delta_exact") + m * std::log(side), 1e-12);
      EXPECT_LE(t.get(i, "H_plugin"), t.get(i, "ln_N") + 1e-12);
      if (t.get(i, "per_cell") >= kEntropyWellSampled) {
        ++good;
        EXPECT_LT(std::abs(t.get(i, "z")), 4.0) << "row " << i;
      }
      if (t.get(i, "per_cell") < 1.5) {  // undersampled: biased low by far more than the sampling error
        ++broken;
        EXPECT_GT(t.get(i, "H_delta_exact") - t.get(i, "H_grassberger"), 0.1 + 4 * t.get(i, "H_se")) << "row " << i;
      }
    }
    EXPECT_GE(good, 4);
    EXPECT_GE(broken, 2);
  }
}

TEST(EntropyExperiment, NestedSamplesAndThreadCounts) {
  const RunResult both = run_text(entropy_cfg("dist = \"normal\"\n", "[40000, 500]"));
  const RunResult small = run_text(entropy_cfg("dist = \"normal\"\n", "[500]"));
  const Table& a = *both.table("entropy");
  const Table& b = *small.table("entropy");
  ASSERT_EQ(b.rows(), 8u);
  for (size_t i = 0; i < b.rows(); ++i) {  // the first 500 of 40000 particles are the 500 particles
    EXPECT_EQ(a.get(2 * i, "particles"), 500);
    EXPECT_EQ(a.get(2 * i, "H_grassberger"), b.get(i, "H_grassberger"));
    EXPECT_EQ(a.get(2 * i, "cells"), b.get(i, "cells"));
  }
  const std::string big = entropy_cfg("dist = \"normal\"\n", "[70000]");
  expect_same_bits(with_threads(1, big), with_threads(2, big));
}

// ---- error paths ----------------------------------------------------------------------------

TEST(ExperimentErrors, TrainingKeys) {
  std::string t = training("");
  const auto without = [&](const std::string& line) {
    std::string s = t;
    s.erase(s.find(line), line.size());
    return s;
  };
  EXPECT_NE(error_of(without("learning_rate = 0.04\n")).find("needs learning_rate"), std::string::npos);
  EXPECT_NE(error_of(without("learning_rate = 0.04\n") + "learning_rate = 0\n").find("learning_rate: must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of(without("learning_rate = 0.04\n") + "learning_rate = -1\n").find("must be at least 0"),
            std::string::npos);
  EXPECT_NE(error_of(training("", "dist = \"normal\"\n", 4096, "3.0")).find("1/lambda_max"), std::string::npos);
  EXPECT_NE(error_of(training("", "dist = \"normal\"\n", 5)).find("at least parameters + 2 = 6"), std::string::npos);
  EXPECT_NE(error_of(t + "deltas = [0.5]\n").find("experiment.deltas: only used with experiment.kind = \"entropy\""),
            std::string::npos);
  EXPECT_NE(error_of(without("steps = 30\n") + "steps = 0\n").find("experiment.steps: must be between 1 and"),
            std::string::npos);
}

TEST(ExperimentErrors, TrainingRoutesRefuseWhatTheyCannotMeasure) {
  // Cross entropy with a step past the Hessian's scale: the step is not invertible.
  std::string ce = "name = \"t\"\n[data]\nsource = \"synthetic\"\nn = 60\nm = 2\n" + std::string(kCe) +
                   "[sweep]\nscales = [0.3]\n[mc]\nparticles = 64\n[experiment]\nkind = \"training\"\nsteps = 2\n"
                   "learning_rate = 400.0\n";
  EXPECT_NE(error_of(ce).find("not positive definite"), std::string::npos);
  // The lasso with a huge step diverges (no exact check on the kNN route): the energy overflows.
  std::string lasso = training("[energy]\nl1 = 0.1\n", "dist = \"normal\"\n", 64, "50.0");
  lasso.replace(lasso.find("steps = 30"), 10, "steps = 400");
  EXPECT_NE(error_of(lasso).find("not finite at step"), std::string::npos);
  // No Hessian and 13 parameters: beyond the kNN estimate's reach.
  EXPECT_NE(error_of("name = \"t\"\n[data]\nsource = \"synthetic\"\nm = 12\n[energy]\nkind = \"mae\"\n[sweep]\n"
                     "scales = [1.0]\n[mc]\nparticles = 64\n[experiment]\nkind = \"training\"\nlearning_rate = 0.1\n")
                .find("at most 12 parameters (it has 13)"),
            std::string::npos);
}

TEST(ExperimentErrors, EntropyKeys) {
  const std::string e = entropy_cfg("dist = \"normal\"\n", "[500]");
  EXPECT_NE(error_of(e + "steps = 3\n").find("experiment.steps: only used with experiment.kind = \"training\""),
            std::string::npos);
  EXPECT_NE(error_of(entropy_cfg("dist = \"normal\"\n", "[500]", "particles = 100\n"))
                .find("mc.particles: experiment.kind = \"entropy\" takes its particle counts"),
            std::string::npos);
  EXPECT_NE(error_of(e + "[data]\nn = 30\n").find("data.n: not used by experiment.kind = \"entropy\""),
            std::string::npos);
  EXPECT_NE(error_of(entropy_cfg("dist = \"normal\"\n", "[]")).find("experiment.particles: needs at least one value"),
            std::string::npos);
  EXPECT_NE(error_of(entropy_cfg("dist = \"normal\"\n", "[1]")).find("experiment.particles[0]: must be between 2 and"),
            std::string::npos);
  std::string d = e;
  d.replace(d.find("dims = [1, 3]"), 13, "dims = [9]");
  EXPECT_NE(error_of(d).find("experiment.dims[0]: must be between 1 and 8"), std::string::npos);
  d = e;
  d.replace(d.find("deltas = [1.0, 0.3, 0.1, 0.02]"), 30, "deltas = [1.0, 0.0]");
  EXPECT_NE(error_of(d).find("experiment.deltas[1]: must be between 0.0001 and 1000"), std::string::npos);
  d = e;
  d.replace(d.find("deltas = [1.0, 0.3, 0.1, 0.02]"), 30, "deltas = [1e-4]");
  d.replace(d.find("dims = [1, 3]"), 13, "dims = [8]");
  EXPECT_NE(error_of(d).find("more grid cells than 2^127"), std::string::npos);
}

TEST(ExperimentErrors, SweepRefusesExperimentKeysAndUnknownKinds) {
  const std::string sweep = "name = \"s\"\n[sweep]\nscales = [1.0]\n[mc]\nparticles = 1024\n[experiment]\n";
  EXPECT_NE(error_of(sweep + "learning_rate = 0.1\n")
                .find("only used with experiment.kind = \"training\" (this run is \"sweep\")"),
            std::string::npos);
  EXPECT_NE(error_of(sweep + "dims = [2]\n").find("only used with experiment.kind = \"entropy\""), std::string::npos);
  EXPECT_NE(error_of(sweep + "kind = \"annealing\"\n").find("'annealing' is not one of"), std::string::npos);
  EXPECT_EQ(error_of(sweep), "");
  // --print-config makes the same check.
  EXPECT_INPUT_ERROR(check_config(Config::from_toml(sweep + "steps = 5\n", "<test>", ".")),
                     "experiment.steps: only used with experiment.kind = \"training\"");
}

TEST(ExperimentReport, TerminalTables) {
  const RunResult r = run_text(training("", "dist = \"normal\"\n", 1024));
  const std::string rep = experiment_report(r);
  EXPECT_NE(rep.find("scale 0.8 (entropy exact): T_t from"), std::string::npos) << rep;
  EXPECT_NE(rep.find("T_t_exact"), std::string::npos);
  const std::string e = experiment_report(run_text(entropy_cfg("dist = \"normal\"\n", "[500]")));
  EXPECT_NE(e.find("H_est + m ln D"), std::string::npos) << e;
  EXPECT_EQ(experiment_report(run_text("name = \"s\"\n[sweep]\nscales = [1.0]\n[mc]\nparticles = 1024\n")), "");
}
