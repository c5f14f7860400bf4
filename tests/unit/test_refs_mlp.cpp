// Exact MLP references and asymptotes (Section 5, Appendix E) against hand values, closed forms
// and Monte Carlo over the initial weights.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "errors.h"
#include "mltemp/rng.h"
#include "refs_mlp.h"
#include "test_util.h"

namespace mltemp {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Monte Carlo over the initial distribution: mean and standard error of |z_l|^2 per layer,
// of |h_1|^2, and of |z_l - zstar_l|^2 summed over a set of inputs.
struct McResult {
  std::vector<double> mean, se;  // E|z_l|^2
  double h1_mean = 0.0, h1_se = 0.0;
};

double draw_param(bool uniform, double var, uint64_t seed, uint64_t particle, uint32_t p) {
  const uint32_t stream = stream_id(Stream::kInit, 77);
  if (uniform) {
    const double a = std::sqrt(3.0 * var);
    return a * (2.0 * philox_uniform(seed, stream, particle, p) - 1.0);
  }
  return std::sqrt(var) * philox_normal(seed, stream, particle, p);
}

std::vector<double> draw_theta(const MlpShape& s, const std::vector<double>& var_l, bool uniform, uint64_t seed,
                               uint64_t particle) {
  std::vector<double> theta(mlp_param_count(s));
  for (int l = 1; l <= mlp_layers(s); ++l) {
    const long off = mlp_layer_offset(s, l);
    for (long k = 0; k < mlp_layer_param_count(s, l); ++k) {
      theta[off + k] = draw_param(uniform, var_l[l - 1], seed, particle, static_cast<uint32_t>(off + k));
    }
  }
  return theta;
}

McResult mc_moments(const MlpShape& s, const std::vector<double>& var_l, bool uniform, const std::vector<double>& x,
                    long draws, uint64_t seed) {
  const int L = mlp_layers(s);
  std::vector<double> sum(L, 0.0), sum2(L, 0.0);
  double h_sum = 0.0, h_sum2 = 0.0;
  std::vector<std::vector<double>> z;
  for (long i = 0; i < draws; ++i) {
    const std::vector<double> theta = draw_theta(s, var_l, uniform, seed, i);
    mlp_forward(s, theta.data(), x.data(), z);
    for (int l = 0; l < L; ++l) {
      double q = 0.0;
      for (double v : z[l]) q += v * v;
      sum[l] += q;
      sum2[l] += q * q;
    }
    if (L >= 2) {
      double q = 0.0;
      for (double v : z[0]) q += std::pow(mlp_activate(s.act, v), 2);
      h_sum += q;
      h_sum2 += q * q;
    }
  }
  McResult r;
  const double n = static_cast<double>(draws);
  for (int l = 0; l < L; ++l) {
    const double m = sum[l] / n;
    r.mean.push_back(m);
    r.se.push_back(std::sqrt(std::max(sum2[l] / n - m * m, 0.0) / n));
  }
  r.h1_mean = h_sum / n;
  r.h1_se = std::sqrt(std::max(h_sum2 / n - r.h1_mean * r.h1_mean, 0.0) / n);
  return r;
}

Eigen::MatrixXd random_matrix(long rows, long cols, uint64_t seed, uint32_t stream) {
  Eigen::MatrixXd m(rows, cols);
  for (long i = 0; i < rows; ++i) {
    for (long j = 0; j < cols; ++j) {
      m(i, j) = philox_normal(seed, stream, i, static_cast<uint32_t>(j));
    }
  }
  return m;
}

double log_cosh(double x) {
  x = std::fabs(x);
  return x + std::log1p(std::exp(-2.0 * x)) - std::log(2.0);
}

// ---------------------------------------------------------------------------- bookkeeping

TEST(MlpShape, CountsAndOffsets) {
  const MlpShape b{{3, 4, 2, 1}, true, Activation::kTanh};
  EXPECT_EQ(mlp_layers(b), 3);
  EXPECT_EQ(mlp_layer_param_count(b, 1), 16);
  EXPECT_EQ(mlp_layer_param_count(b, 2), 10);
  EXPECT_EQ(mlp_layer_param_count(b, 3), 3);
  EXPECT_EQ(mlp_param_count(b), 29);
  EXPECT_EQ(mlp_layer_offset(b, 1), 0);
  EXPECT_EQ(mlp_layer_offset(b, 2), 16);
  EXPECT_EQ(mlp_layer_offset(b, 3), 26);
  const MlpShape nb{{3, 4, 2, 1}, false, Activation::kRelu};
  EXPECT_EQ(mlp_param_count(nb), 22);
  EXPECT_EQ(mlp_layer_offset(nb, 3), 20);
  EXPECT_INPUT_ERROR(mlp_layers(MlpShape{{3}, false, Activation::kTanh}),
                     "mlp widths: need at least {n_0, 1}, got 1 entries");
  EXPECT_INPUT_ERROR(mlp_layers(MlpShape{{3, 2}, false, Activation::kTanh}),
                     "mlp widths: the output width n_L must be 1, got 2");
  EXPECT_INPUT_ERROR(mlp_layers(MlpShape{{3, 0, 1}, false, Activation::kTanh}),
                     "mlp widths: entry 1 is 0, must be >= 1");
  EXPECT_INPUT_ERROR(mlp_layer_param_count(b, 4), "mlp layer index 4 outside 1..3");
  EXPECT_INPUT_ERROR(activation_from_name("softplus"), "activation: expected tanh, sigmoid or relu, got 'softplus'");
  EXPECT_EQ(activation_from_name("sigmoid"), Activation::kSigmoid);
}

// 2-2-1 with explicit weights: W1 = [[1, -1], [0.5, 2]], b1 = [0.1, -0.2], W2 = [2, -3], b2 = 0.5,
// x = (0.3, 0.7): z1 = [-0.3, 1.35].
TEST(MlpForward, HandComputed221) {
  const std::vector<double> theta = {1.0, -1.0, 0.5, 2.0, 0.1, -0.2, 2.0, -3.0, 0.5};
  const std::vector<double> x = {0.3, 0.7};
  std::vector<std::vector<double>> z;
  const MlpShape relu{{2, 2, 1}, true, Activation::kRelu};
  EXPECT_NEAR(mlp_forward(relu, theta.data(), x.data(), z), -3.55, 1e-14);
  ASSERT_EQ(z.size(), 2u);
  EXPECT_NEAR(z[0][0], -0.3, 1e-15);
  EXPECT_NEAR(z[0][1], 1.35, 1e-15);
  EXPECT_NEAR(z[1][0], -3.55, 1e-14);
  const MlpShape tanh_net{{2, 2, 1}, true, Activation::kTanh};
  // tanh(-0.3) = -0.291312612451591, tanh(1.35) = 0.874053287886007
  EXPECT_NEAR(mlp_forward(tanh_net, theta.data(), x.data(), z),
              2.0 * -0.291312612451591 - 3.0 * 0.874053287886007 + 0.5, 1e-13);
  const MlpShape sig{{2, 2, 1}, true, Activation::kSigmoid};
  // sigmoid(-0.3) = 0.425557483188341, sigmoid(1.35) = 0.794129628199053
  EXPECT_NEAR(mlp_forward(sig, theta.data(), x.data(), z), 2.0 * 0.425557483188341 - 3.0 * 0.794129628199053 + 0.5,
              1e-13);
  // Without biases the same W (layout W1, W2 only).
  const std::vector<double> theta_nb = {1.0, -1.0, 0.5, 2.0, 2.0, -3.0};
  const MlpShape relu_nb{{2, 2, 1}, false, Activation::kRelu};
  EXPECT_NEAR(mlp_forward(relu_nb, theta_nb.data(), x.data(), z), -3.0 * 1.55, 1e-14);

  // The batch pass agrees with the single pass.
  const Eigen::MatrixXd X = random_matrix(5, 2, 3, 9);
  const Eigen::VectorXd th = Eigen::Map<const Eigen::VectorXd>(theta.data(), 9);
  const auto Z = mlp_forward_batch(tanh_net, th, X);
  for (int i = 0; i < 5; ++i) {
    const std::vector<double> xi = {X(i, 0), X(i, 1)};
    const double yhat = mlp_forward(tanh_net, theta.data(), xi.data(), z);
    EXPECT_NEAR(Z[1](i, 0), yhat, 1e-14);
    EXPECT_NEAR(Z[0](i, 1), z[0][1], 1e-14);
  }
  EXPECT_INPUT_ERROR(mlp_forward_batch(tanh_net, th.head(8), X), "mlp theta: length 8, expected 9");
}

// ---------------------------------------------------------------------------- one-unit moments

TEST(MlpMoments, GaussianLimitsAndSeries) {
  // Small s: E sigmoid^2(sZ) = 1/4 + s^2/16 + O(s^4).
  const double s = 1e-3;
  // E tanh^2(sZ) = s^2 - 2 s^4 + (17/3) s^6 - O(s^8) (tanh^2 x = x^2 - 2x^4/3 + 17x^6/45).
  EXPECT_NEAR(gauss_act2_mean(Activation::kTanh, s * s), s * s - 2 * std::pow(s, 4) + 17.0 / 3.0 * std::pow(s, 6),
              1e-21);
  EXPECT_NEAR(gauss_act2_mean(Activation::kSigmoid, s * s), 0.25 + s * s / 16, 1e-12);
  EXPECT_EQ(gauss_act2_mean(Activation::kTanh, 0.0), 0.0);
  EXPECT_EQ(gauss_act2_mean(Activation::kSigmoid, 0.0), 0.25);
  EXPECT_DOUBLE_EQ(gauss_act2_mean(Activation::kRelu, 2.5), 1.25);
  // Large s: E sech^2(sZ) = sqrt(2/pi)/s (1 - pi^2/(24 s^2) + O(s^-4)).
  for (double big : {100.0, 1e4, 1e8}) {
    const double k = std::sqrt(2.0 / kPi) / big * (1.0 - kPi * kPi / (24.0 * big * big));
    EXPECT_NEAR(1.0 - gauss_act2_mean(Activation::kTanh, big * big), k, 1e-7 * k) << big;
    const double k2 = std::sqrt(2.0 / kPi) / (0.5 * big) * (1.0 - kPi * kPi / (6.0 * big * big));
    EXPECT_NEAR(0.5 - gauss_act2_mean(Activation::kSigmoid, big * big), 0.25 * k2, 1e-7 * k2);
  }
  // The two tanh branches meet at s = 1.
  EXPECT_NEAR(gauss_act2_mean(Activation::kTanh, 1.0 - 1e-13), gauss_act2_mean(Activation::kTanh, 1.0 + 1e-13), 1e-13);
  EXPECT_INPUT_ERROR(gauss_act2_mean(Activation::kTanh, -1.0), "gauss_act2_mean: variance must be >= 0");
}

TEST(MlpMoments, UniformClosedForms) {
  // One term: E tanh^2(c u) = 1 - tanh(c)/c.
  for (double c : {0.2, 1.0, 7.0}) {
    EXPECT_NEAR(*uniform_act2_mean(Activation::kTanh, {c}), 1.0 - std::tanh(c) / c, 1e-14);
  }
  // Two terms: E sech^2(c1 u1 + c2 u2) = (ln cosh(c1 + c2) - ln cosh(c1 - c2)) / (2 c1 c2).
  for (double c1 : {0.3, 1.0, 3.0, 40.0, 900.0}) {
    for (double c2 : {0.5, 2.0, 60.0}) {
      const double k = (log_cosh(c1 + c2) - log_cosh(c1 - c2)) / (2 * c1 * c2);
      EXPECT_NEAR(*uniform_act2_mean(Activation::kTanh, {c1, -c2}), 1.0 - k, 1e-12 * (1.0 - k)) << c1 << " " << c2;
      const double h1 = 0.5 * c1, h2 = 0.5 * c2;
      const double kh = (log_cosh(h1 + h2) - log_cosh(h1 - h2)) / (2 * h1 * h2);
      EXPECT_NEAR(*uniform_act2_mean(Activation::kSigmoid, {c1, c2}), 0.5 - 0.25 * kh, 1e-13);
    }
  }
  EXPECT_DOUBLE_EQ(*uniform_act2_mean(Activation::kRelu, {1.0, 2.0, 3.0}), 14.0 / 6.0);
  // Tiny scale: series branch, E tanh^2 X = E X^2 - 2/3 E X^4 + ..., E X^2 = sum c^2 / 3.
  const double k2 = 5e-6 / 3.0, k4 = -2.0 / 15.0 * 17e-12;
  EXPECT_NEAR(*uniform_act2_mean(Activation::kTanh, {1e-3, 2e-3}), k2 - 2.0 / 3.0 * (k4 + 3.0 * k2 * k2), 1e-16);
  // Series and Fourier branches meet at sum c^2 / 3 = 1e-4.
  const double cb = std::sqrt(1.5e-4);
  const double below = *uniform_act2_mean(Activation::kTanh, {cb * (1 - 1e-14), cb * (1 - 1e-14)});
  const double above = *uniform_act2_mean(Activation::kTanh, {cb * (1 + 1e-14), cb * (1 + 1e-14)});
  EXPECT_NEAR(below, above, 1e-11 * below);
  EXPECT_FALSE(uniform_act2_mean(Activation::kTanh, {1e5, 1.0}).has_value());
  // Many wide terms are cheap (the sinc product dies fast) and close to the Gaussian value.
  std::vector<double> wide(30);
  double s2 = 0.0;
  for (int j = 0; j < 30; ++j) {
    wide[j] = 1e4 * (j + 1) / 30.0;
    s2 += wide[j] * wide[j] / 3.0;
  }
  const auto u = uniform_act2_mean(Activation::kTanh, wide);
  ASSERT_TRUE(u.has_value());
  const double g = gauss_act2_mean(Activation::kTanh, s2);
  EXPECT_NEAR((1.0 - *u) / (1.0 - g), 1.0, 0.05);
  EXPECT_NE(*u, g);
}

// ---------------------------------------------------------------------------- vs Monte Carlo

struct ReluCase {
  std::vector<int> widths;
  bool bias;
  bool uniform;
};

// (5.9-5.10): E|z_l|^2 = n_l v_l (E|z_{l-1}|^2 / 2 (+1)), exact at every layer and scale.
TEST(MlpExact, ReluRecursionMatchesMonteCarlo) {
  const std::vector<double> x = {0.8, -1.3, 0.4};
  const std::vector<double> var_all = {0.7, 1.3, 0.9};
  for (const ReluCase& c : std::vector<ReluCase>{{{3, 5, 1}, false, false},
                                                 {{3, 5, 1}, true, false},
                                                 {{3, 5, 1}, false, true},
                                                 {{3, 5, 1}, true, true},
                                                 {{3, 4, 3, 1}, false, false},
                                                 {{3, 4, 3, 1}, true, false},
                                                 {{3, 4, 3, 1}, false, true},
                                                 {{3, 4, 3, 1}, true, true}}) {
    const MlpShape s{c.widths, c.bias, Activation::kRelu};
    const int L = mlp_layers(s);
    const std::vector<double> var(var_all.begin(), var_all.begin() + L);
    const auto exact = mlp_layer_second_moments(s, var, c.uniform, x.data());
    const McResult mc = mc_moments(s, var, c.uniform, x, 200000, 101);
    for (int l = 0; l < L; ++l) {
      ASSERT_TRUE(exact[l].has_value());
      EXPECT_LT(std::fabs(mc.mean[l] - *exact[l]), 4.0 * mc.se[l])
          << "L=" << L << " bias=" << c.bias << " uniform=" << c.uniform << " layer " << l + 1 << ": exact "
          << *exact[l] << " mc " << mc.mean[l] << " +- " << mc.se[l];
      EXPECT_LT(mc.se[l], 0.02 * *exact[l]);  // the check has teeth
    }
    // Independent form of the recursion (FORMULAS.md): q_0 = |x|^2,
    // q_l = n_l v_l (q_{l-1} + b) / 2 = E|h_l|^2, E yhat^2 = v_L (q_{L-1} + b).
    const double b = c.bias ? 1.0 : 0.0;
    double q = 0.0;
    for (double v : x) q += v * v;
    for (int l = 1; l < L; ++l) q = c.widths[l] * var[l - 1] * (q + b) / 2.0;
    EXPECT_NEAR(*exact[L - 1], var[L - 1] * (q + b), 1e-13 * *exact[L - 1]);
  }
}

// One hidden layer: E|h_1|^2 = n_1 E g(s Z)^2 (normal) or n_1 E g(sum c_j u_j)^2 (uniform).
TEST(MlpExact, OneHiddenLayerQuadratureMatchesMonteCarlo) {
  const std::vector<double> x = {0.6, -1.1};
  for (Activation act : {Activation::kTanh, Activation::kSigmoid}) {
    for (bool uniform : {false, true}) {
      for (bool bias : {true, false}) {
        for (double scale : {0.5, 2.0, 20.0}) {
          const MlpShape s{{2, 3, 1}, bias, act};
          const double v = uniform ? scale * scale / 3.0 : scale * scale;
          const std::vector<double> var = {v, v};
          const auto exact = mlp_layer_second_moments(s, var, uniform, x.data());
          ASSERT_TRUE(exact[1].has_value());
          const McResult mc = mc_moments(s, var, uniform, x, 60000, 202);
          const double h1 = *exact[1] / v - (bias ? 1.0 : 0.0);  // E|h_1|^2
          EXPECT_LT(std::fabs(mc.h1_mean - h1), 4.0 * mc.h1_se)
              << activation_name(act) << " uniform=" << uniform << " bias=" << bias << " scale=" << scale << ": exact "
              << h1 << " mc " << mc.h1_mean << " +- " << mc.h1_se;
          EXPECT_LT(std::fabs(mc.mean[1] - *exact[1]), 4.0 * mc.se[1]);
          EXPECT_LT(std::fabs(mc.mean[0] - *exact[0]), 4.0 * mc.se[0]);
        }
      }
    }
  }
}

// Appendix E says sigma^2 -> a^2/3 turns the normal formulas into the uniform ones; for a
// tanh hidden layer that is only approximate: with one input (no bias) at a = 2 the Gaussian
// value is 14% low, and the Monte Carlo rejects it while agreeing with the exact quadrature.
TEST(MlpExact, UniformTanhIsNotTheGaussianSubstitution) {
  const MlpShape s{{1, 3, 1}, false, Activation::kTanh};
  const std::vector<double> x = {1.0};
  const double a = 2.0, v = a * a / 3.0;
  const double exact_h = 3.0 * *uniform_act2_mean(Activation::kTanh, {a});
  const double gauss_h = 3.0 * gauss_act2_mean(Activation::kTanh, v);
  EXPECT_NEAR(exact_h, 3.0 * (1.0 - std::tanh(2.0) / 2.0), 1e-14);
  EXPECT_NEAR(gauss_h / exact_h, 0.8626, 1e-3);
  const McResult mc = mc_moments(s, {v, v}, true, x, 60000, 303);
  EXPECT_LT(std::fabs(mc.h1_mean - exact_h), 4.0 * mc.h1_se);
  EXPECT_GT(std::fabs(mc.h1_mean - gauss_h), 20.0 * mc.h1_se);
}

TEST(MlpExact, DeeperTanhHasNoExactValue) {
  const MlpShape s{{2, 3, 3, 1}, true, Activation::kTanh};
  const std::vector<double> x = {0.5, 0.5};
  const auto m = mlp_layer_second_moments(s, {1.0, 1.0, 1.0}, false, x.data());
  EXPECT_TRUE(m[0].has_value());
  EXPECT_TRUE(m[1].has_value());
  EXPECT_FALSE(m[2].has_value());
  const Eigen::MatrixXd X = random_matrix(4, 2, 5, 1);
  const Eigen::VectorXd y = random_matrix(4, 1, 5, 2).col(0);
  EXPECT_FALSE(mlp_e_init_exact(s, {1.0, 1.0, 1.0}, false, X, y).has_value());
  EXPECT_INPUT_ERROR(mlp_layer_second_moments(s, {1.0, 1.0}, false, x.data()),
                     "mlp variances: need one value per layer (3), got 2");
  EXPECT_INPUT_ERROR(mlp_layer_second_moments(s, {1.0, -1.0, 1.0}, false, x.data()),
                     "mlp variances: per-layer values must be finite and >= 0");
}

// (5.10): E_init = c + sigma^(2L) prod_{l<L} (n_l / 2) <|x|^2> for ReLU without biases.
TEST(MlpExact, ReluEInitClosedForm) {
  const MlpShape s{{3, 6, 4, 1}, false, Activation::kRelu};
  const Eigen::MatrixXd X = random_matrix(7, 3, 11, 1);
  const Eigen::VectorXd y = random_matrix(7, 1, 11, 2).col(0);
  const double c = y.squaredNorm() / 7.0;
  const double x2 = X.rowwise().squaredNorm().mean();
  for (double sigma : {0.3, 1.0, 5.0}) {
    const double v = sigma * sigma;
    const auto e = mlp_e_init_exact(s, {v, v, v}, false, X, y);
    ASSERT_TRUE(e.has_value());
    const double closed = c + std::pow(sigma, 6) * 3.0 * 2.0 * x2;
    EXPECT_NEAR(*e, closed, 1e-13 * closed);
    // Uniform, a = sigma: the same with sigma^2 -> a^2/3 (exact for ReLU, Appendix E).
    const auto eu = mlp_e_init_exact(s, {v / 3, v / 3, v / 3}, true, X, y);
    EXPECT_NEAR(*eu, c + std::pow(sigma, 6) / 27.0 * 6.0 * x2, 1e-13 * closed);
  }
}

// (5.12-5.13): E_l = <E|z_l|^2> + <|z_l*|^2>, checked against <|z_l - z_l*|^2> by Monte Carlo.
TEST(MlpExact, LayerEnergiesMatchMonteCarlo) {
  for (bool uniform : {false, true}) {
    const MlpShape s{{3, 4, 3, 1}, true, Activation::kRelu};
    const int n = 4;
    const Eigen::MatrixXd X = random_matrix(n, 3, 21, 1);
    std::vector<Eigen::MatrixXd> zstar;
    for (int l = 1; l <= 3; ++l) zstar.push_back(2.0 * random_matrix(n, s.widths[l], 21, 10 + l));
    const std::vector<double> var = {0.8, 1.1, 0.6};
    const auto exact = mlp_layer_energies_exact(s, var, uniform, X, zstar);
    const long draws = 40000;
    std::vector<double> sum(3, 0.0), sum2(3, 0.0);
    std::vector<std::vector<double>> z;
    for (long i = 0; i < draws; ++i) {
      const std::vector<double> theta = draw_theta(s, var, uniform, 23, i);
      std::vector<double> e(3, 0.0);
      for (int p = 0; p < n; ++p) {
        const std::vector<double> xp = {X(p, 0), X(p, 1), X(p, 2)};
        mlp_forward(s, theta.data(), xp.data(), z);
        for (int l = 0; l < 3; ++l) {
          for (int j = 0; j < s.widths[l + 1]; ++j) e[l] += std::pow(z[l][j] - zstar[l](p, j), 2);
        }
      }
      for (int l = 0; l < 3; ++l) {
        sum[l] += e[l] / n;
        sum2[l] += e[l] * e[l] / (n * n);
      }
    }
    for (int l = 0; l < 3; ++l) {
      ASSERT_TRUE(exact[l].has_value());
      const double m = sum[l] / draws;
      const double se = std::sqrt((sum2[l] / draws - m * m) / draws);
      EXPECT_LT(std::fabs(m - *exact[l]), 4.0 * se) << "layer " << l + 1 << " uniform " << uniform;
    }
  }
}

// ---------------------------------------------------------------------------- asymptotes

TEST(MlpAsymptotes, ReluNoBiasEqualsExactAtAnyScale) {
  const MlpShape s{{3, 5, 4, 1}, false, Activation::kRelu};
  const Eigen::MatrixXd X = random_matrix(6, 3, 31, 1);
  const Eigen::VectorXd y = random_matrix(6, 1, 31, 2).col(0);
  const double c = y.squaredNorm() / 6.0;
  const std::vector<double> k = {1.0 / std::sqrt(3.0), std::sqrt(2.0 / 5.0), std::sqrt(2.0 / 4.0)};
  std::vector<Eigen::MatrixXd> zero;
  for (int l = 1; l <= 3; ++l) zero.push_back(Eigen::MatrixXd::Zero(6, s.widths[l]));
  for (bool uniform : {false, true}) {
    for (double scale : {0.7, 3.7, 40.0}) {
      const MlpAsymptotes a = mlp_asymptotes(s, k, scale, uniform, X);
      std::vector<double> var(3);
      for (int l = 0; l < 3; ++l) var[l] = std::pow(k[l] * scale, 2) / (uniform ? 3.0 : 1.0);
      const double e_init = *mlp_e_init_exact(s, var, uniform, X, y);
      EXPECT_NEAR(a.e_asym, e_init - c, 1e-12 * a.e_asym);
      EXPECT_DOUBLE_EQ(a.e_limit, a.e_asym);
      const auto el = mlp_layer_energies_exact(s, var, uniform, X, zero);
      for (int l = 0; l < 3; ++l) EXPECT_NEAR(a.layer_e_asym[l], *el[l], 1e-12 * *el[l]);
      EXPECT_EQ(a.eta_limit, 1.0);
      if (scale > 1.0) {
        EXPECT_NEAR(a.t_asym, a.e_asym / (mlp_param_count(s) * std::log(scale)), 1e-12 * a.t_asym);
      } else {
        EXPECT_TRUE(std::isnan(a.t_asym));
      }
    }
  }
}

TEST(MlpAsymptotes, ReluWithBiasApproachesExact) {
  const MlpShape s{{2, 4, 3, 1}, true, Activation::kRelu};
  const Eigen::MatrixXd X = random_matrix(5, 2, 41, 1);
  const Eigen::VectorXd y = random_matrix(5, 1, 41, 2).col(0);
  const double c = y.squaredNorm() / 5.0;
  for (double scale : {1e2, 1e3}) {
    const double v = scale * scale;
    const MlpAsymptotes a = mlp_asymptotes(s, {1.0, 1.0, 1.0}, scale, false, X);
    const double ratio = (*mlp_e_init_exact(s, {v, v, v}, false, X, y) - c) / a.e_asym;
    EXPECT_GT(ratio, 1.0);  // the bias terms dropped at leading order are positive
    EXPECT_LT(ratio - 1.0, 10.0 / v);
  }
  // Per-layer temperatures: T_{l+1}/T_l -> sigma^2 n_{l-1}/2 (5.21-5.22); with biases the layer
  // counts change, so check it without.
  const MlpShape nb{{2, 4, 3, 1}, false, Activation::kRelu};
  const MlpAsymptotes a = mlp_asymptotes(nb, {1.0, 1.0, 1.0}, 10.0, false, X);
  EXPECT_NEAR(a.layer_t_asym[1] / a.layer_t_asym[0], 100.0 * 2 / 2, 1e-10);
  EXPECT_NEAR(a.layer_t_asym[2] / a.layer_t_asym[1], 100.0 * 4 / 2, 1e-9);
}

TEST(MlpAsymptotes, SaturatingOneHiddenLayer) {
  const Eigen::MatrixXd X = random_matrix(5, 3, 51, 1);
  const Eigen::VectorXd y = random_matrix(5, 1, 51, 2).col(0);
  const double c = y.squaredNorm() / 5.0;
  for (Activation act : {Activation::kTanh, Activation::kSigmoid}) {
    for (bool bias : {false, true}) {
      const MlpShape s{{3, 4, 1}, bias, act};
      const double sat = act == Activation::kTanh ? 4.0 : 2.0;  // |h_1|^2 -> n_1 or n_1/2
      // E|h|^2 -> n at huge sigma.
      const std::vector<double> x = {X(0, 0), X(0, 1), X(0, 2)};
      const auto m = mlp_layer_second_moments(s, {1e16, 1e16}, false, x.data());
      EXPECT_NEAR(*m[1] / 1e16 - (bias ? 1.0 : 0.0), sat, 1e-7);
      for (double scale : {1e3, 1e6}) {
        const double v = scale * scale;
        const MlpAsymptotes a = mlp_asymptotes(s, {1.0, 1.0}, scale, false, X);
        EXPECT_DOUBLE_EQ(a.e_asym, v * (sat + (bias ? 1.0 : 0.0)));
        EXPECT_DOUBLE_EQ(a.e_limit, a.e_asym);
        const double ratio = (*mlp_e_init_exact(s, {v, v}, false, X, y) - c) / a.e_asym;
        EXPECT_LT(ratio, 1.0);
        EXPECT_GT(ratio, 1.0 - 2.0 / scale);  // saturation deficit ~ sqrt(2/pi)/s per unit
      }
    }
  }
}

// eta -> n_{L-1} / (k n_1 <|x|^2> + sum_{l>=2} n_l n_{l-1}), k = 1 tanh, 2 sigmoid (5.27).
TEST(MlpAsymptotes, WorkEfficiencyLimit) {
  const Eigen::MatrixXd X = random_matrix(8, 3, 61, 1);
  const double x2 = X.rowwise().squaredNorm().mean();
  const auto eta = [&](const MlpShape& s, std::vector<double> k = {}) {
    if (k.empty()) k.assign(mlp_layers(s), 1.0);
    return mlp_asymptotes(s, k, 50.0, false, X).eta_limit;
  };
  EXPECT_NEAR(eta({{3, 4, 5, 1}, false, Activation::kTanh}), 5.0 / (4.0 * x2 + 20.0 + 5.0), 1e-14);
  EXPECT_NEAR(eta({{3, 4, 5, 1}, false, Activation::kSigmoid}), 5.0 / (8.0 * x2 + 20.0 + 5.0), 1e-14);
  EXPECT_NEAR(eta({{3, 7, 1}, false, Activation::kTanh}), 1.0 / (1.0 + x2), 1e-14);
  EXPECT_NEAR(eta({{3, 7, 1}, false, Activation::kSigmoid}), 1.0 / (1.0 + 2.0 * x2), 1e-14);
  // Biases: E_1 = n_1 v (<|x|^2> + 1), E_2 = v (n_1 + 1).
  EXPECT_NEAR(eta({{3, 7, 1}, true, Activation::kTanh}), 8.0 / (7.0 * (x2 + 1.0) + 8.0), 1e-14);
  // k_l = 1/sqrt(n_{l-1}) (5.32): E_1 = n_1 <|x|^2>/n_0, E_2 = n_2, E_3 = 1.
  EXPECT_NEAR(eta({{3, 4, 5, 1}, false, Activation::kTanh}, {1.0 / std::sqrt(3.0), 0.5, 1.0 / std::sqrt(5.0)}),
              1.0 / (4.0 * x2 / 3.0 + 5.0 + 1.0), 1e-14);
  EXPECT_EQ(eta({{3, 4, 5, 1}, false, Activation::kRelu}), 1.0);
}

// (5.15-5.17): tanh T_1 = sigma^2 <|x|^2> / (n_0 ln sigma), T_l = sigma^2 / ln sigma for l >= 2;
// sigmoid half of that for l >= 2 (5.18-5.19). Uniform: sigma^2 -> a^2/3 (E.3).
TEST(MlpAsymptotes, LayerTemperatures) {
  const Eigen::MatrixXd X = random_matrix(8, 3, 71, 1);
  const double x2 = X.rowwise().squaredNorm().mean();
  const double scale = 30.0, ln = std::log(scale), v = scale * scale;
  for (bool uniform : {false, true}) {
    const double vv = uniform ? v / 3.0 : v;
    const MlpAsymptotes t = mlp_asymptotes({{3, 4, 5, 1}, false, Activation::kTanh}, {1, 1, 1}, scale, uniform, X);
    EXPECT_NEAR(t.layer_t_asym[0], vv * x2 / (3.0 * ln), 1e-12 * t.layer_t_asym[0]);
    EXPECT_NEAR(t.layer_t_asym[1], vv / ln, 1e-12 * vv);
    EXPECT_NEAR(t.layer_t_asym[2], vv / ln, 1e-12 * vv);
    EXPECT_NEAR(t.t_asym, vv * 5.0 / ((12 + 20 + 5) * ln), 1e-12 * t.t_asym);  // (5.6)
    const MlpAsymptotes sg = mlp_asymptotes({{3, 4, 5, 1}, false, Activation::kSigmoid}, {1, 1, 1}, scale, uniform, X);
    EXPECT_NEAR(sg.layer_t_asym[1], 0.5 * vv / ln, 1e-12 * vv);
    EXPECT_NEAR(sg.t_asym, 0.5 * t.t_asym, 1e-12 * t.t_asym);  // (5.8)
  }
}

// Sigmoid without biases, L >= 3: a hidden layer whose units are all off (probability 2^-n)
// hands z = 0, h = 1/2 to the next layer, so E|h_2|^2 -> n_2 (1 - 2^-n_1 / 2) / 2, not n_2 / 2.
// With n_1 = n_2 = 2 the paper's (5.7) overstates E_init - c by 1/0.875.
TEST(MlpAsymptotes, SigmoidAllOffCorrection) {
  const MlpShape s{{2, 2, 2, 1}, false, Activation::kSigmoid};
  Eigen::MatrixXd X(1, 2);
  X << 0.7, -0.4;
  const double scale = 1e4, v = scale * scale;
  const MlpAsymptotes a = mlp_asymptotes(s, {1, 1, 1}, scale, false, X);
  EXPECT_DOUBLE_EQ(a.e_asym / v, 1.0);
  EXPECT_DOUBLE_EQ(a.e_limit / v, 0.875);
  const McResult mc = mc_moments(s, {v, v, v}, false, {0.7, -0.4}, 200000, 404);
  const double m = mc.mean[2] / v, se = mc.se[2] / v;
  EXPECT_LT(std::fabs(m - 0.875), 4.0 * se) << m << " +- " << se;
  EXPECT_GT(std::fabs(m - 1.0), 10.0 * se);
  // Tanh never saturates to 0, so its deep limit n_{L-1} holds (5.5).
  const MlpShape t{{2, 3, 3, 1}, false, Activation::kTanh};
  const MlpAsymptotes at = mlp_asymptotes(t, {1, 1, 1}, scale, false, X);
  EXPECT_DOUBLE_EQ(at.e_limit, at.e_asym);
  const McResult mt = mc_moments(t, {v, v, v}, false, {0.7, -0.4}, 50000, 405);
  EXPECT_LT(std::fabs(mt.mean[2] / v - 3.0), 4.0 * mt.se[2] / v + 1e-3);
}

// The all-off recursion by hand: f_l = 1 - p_{l-1}/2, p_1 = 2^-n_1, p_l = (1 - p_{l-1}) 2^-n_l.
TEST(MlpSaturation, FactorsByHand) {
  using V = std::vector<double>;
  auto f = [](std::vector<int> w, Activation a, bool bias = false, bool zero = false) {
    return mlp_saturation_factors(MlpShape{std::move(w), bias, a}, zero);
  };
  const Activation sg = Activation::kSigmoid, th = Activation::kTanh;
  EXPECT_EQ(f({2, 2, 2, 1}, sg), (V{1.0, 0.875}));              // 1 - 2^-3
  EXPECT_EQ(f({2, 3, 3, 1}, sg), (V{1.0, 0.9375}));             // 1 - 2^-4
  EXPECT_EQ(f({2, 4, 4, 1}, sg), (V{1.0, 0.96875}));            // 1 - 2^-5
  EXPECT_EQ(f({2, 2, 2, 2, 1}, sg), (V{1.0, 0.875, 0.90625}));  // p_2 = (3/4)(1/4)
  const V wide = f({3, 8, 8, 8, 1}, sg);
  EXPECT_DOUBLE_EQ(wide[1], 1.0 - std::ldexp(1.0, -9));
  EXPECT_DOUBLE_EQ(wide[2], 1.0 - (1.0 - std::ldexp(1.0, -8)) * std::ldexp(1.0, -9));
  EXPECT_LT(1.0 - wide[2], 0.002);        // under 0.2% from width 8
  EXPECT_EQ(f({2, 5, 1}, sg), (V{1.0}));  // one hidden layer: no correction
  EXPECT_EQ(f({2, 2, 2, 2, 1}, th), (V{1.0, 1.0, 1.0}));
  EXPECT_EQ(f({2, 2, 2, 2, 1}, sg, true), (V{1.0, 1.0, 1.0}));
  // x = 0 without biases: tanh stays zero; sigmoid hands 1/2 to layer 1, which is never zero.
  EXPECT_EQ(f({2, 2, 2, 2, 1}, th, false, true), (V{0.0, 0.0, 0.0}));
  EXPECT_EQ(f({2, 2, 2, 2, 1}, sg, false, true), (V{0.5, 1.0, 0.875}));
  EXPECT_EQ(f({2, 2, 2, 1}, th, true, true), (V{1.0, 1.0}));
  EXPECT_INPUT_ERROR(f({2, 2, 1}, Activation::kRelu), "mlp saturation factors: ReLU does not saturate");
  // mlp_asymptotes carries the same factors: e_limit / e_asym = f_{L-1} for x != 0.
  Eigen::MatrixXd X(2, 2);
  X << 0.3, -1.2, 2.0, 0.1;
  const MlpAsymptotes a = mlp_asymptotes(MlpShape{{2, 2, 2, 2, 1}, false, sg}, {1, 1, 1, 1}, 1e3, false, X);
  EXPECT_DOUBLE_EQ(a.e_limit / a.e_asym, 0.90625);
  EXPECT_DOUBLE_EQ(a.layer_e_limit[2] / a.layer_e_asym[2], 0.875);
}

// An independent check of the recursion: the infinite-scale network itself (g = step for
// sigmoid, with step(0) = 1/2; sign for tanh), Gaussian weights, E|h_l|^2 by sampling.
TEST(MlpSaturation, FactorsMatchTheInfiniteScaleNetwork) {
  struct Case {
    std::vector<int> widths;
    Activation act;
    std::vector<double> x;
  };
  const std::vector<Case> cases = {{{2, 2, 2, 2, 1}, Activation::kSigmoid, {0.7, -0.4}},
                                   {{2, 3, 2, 4, 1}, Activation::kSigmoid, {1.5, 0.2}},
                                   {{2, 2, 2, 2, 1}, Activation::kSigmoid, {0.0, 0.0}},
                                   {{2, 2, 3, 1}, Activation::kTanh, {0.0, 0.0}},
                                   {{2, 2, 3, 1}, Activation::kTanh, {0.3, 0.0}}};
  const long draws = 50000;
  for (size_t c = 0; c < cases.size(); ++c) {
    const MlpShape s{cases[c].widths, false, cases[c].act};
    const int L = mlp_layers(s);
    const bool sig = s.act == Activation::kSigmoid;
    const bool zero = cases[c].x[0] == 0.0 && cases[c].x[1] == 0.0;
    const std::vector<double> f = mlp_saturation_factors(s, zero);
    std::vector<double> sum(L - 1, 0.0), sum2(L - 1, 0.0);
    for (long d = 0; d < draws; ++d) {
      std::vector<double> h = cases[c].x;
      uint32_t k = 0;
      for (int l = 1; l < L; ++l) {
        std::vector<double> next(s.widths[l]);
        double q = 0.0;
        for (int i = 0; i < s.widths[l]; ++i) {
          double z = 0.0;
          for (double hj : h) z += philox_normal(91 + c, 5, d, k++) * hj;
          next[i] = z == 0.0 ? (sig ? 0.5 : 0.0) : z > 0.0 ? 1.0 : (sig ? 0.0 : -1.0);
          q += next[i] * next[i];
        }
        sum[l - 1] += q;
        sum2[l - 1] += q * q;
        h = next;
      }
    }
    for (int l = 1; l < L; ++l) {
      const double m = sum[l - 1] / draws, se = std::sqrt((sum2[l - 1] / draws - m * m) / draws);
      const double want = s.widths[l] * (sig ? 0.5 : 1.0) * f[l - 1];
      EXPECT_LE(std::fabs(m - want), 4.0 * se + 1e-12) << "case " << c << " layer " << l << ": " << m << " vs " << want;
    }
  }
}

TEST(MlpAsymptotes, BadInput) {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(2, 3);
  const MlpShape s{{3, 4, 1}, false, Activation::kTanh};
  EXPECT_INPUT_ERROR(mlp_asymptotes(s, {1.0}, 10.0, false, X),
                     "mlp layer factors k_l: need one value per layer (2), got 1");
  EXPECT_INPUT_ERROR(mlp_asymptotes(s, {1.0, 0.0}, 10.0, false, X), "mlp layer factors k_l: must be > 0");
  EXPECT_INPUT_ERROR(mlp_asymptotes(s, {1.0, 1.0}, -1.0, false, X), "mlp asymptote scale must be > 0");
  EXPECT_INPUT_ERROR(mlp_asymptotes(s, {1.0, 1.0}, 10.0, false, Eigen::MatrixXd::Ones(2, 2)),
                     "mlp asymptotes: X has 2 columns, the input width n_0 is 3");
}

}  // namespace
}  // namespace mltemp
