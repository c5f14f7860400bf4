// MLP energy and backprop gradient, teacher data and the BFGS trainer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "errors.h"
#include "mlp_data.h"
#include "mltemp/rng.h"
#include "test_util.h"

namespace mltemp {
namespace {

Eigen::VectorXd random_vector(long n, double scale, uint64_t seed) {
  Eigen::VectorXd v(n);
  for (long i = 0; i < n; ++i) v[i] = scale * philox_normal(seed, 99, 0, static_cast<uint32_t>(i));
  return v;
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

// E = <(y - yhat)^2> (5.3), with yhat from the single-input forward pass.
TEST(MlpEnergy, MatchesForwardPass) {
  const MlpShape s{{3, 4, 3, 1}, true, Activation::kSigmoid};
  const TeacherData t = make_teacher_data(s, 9, 1.0, 0.3, 5);
  const Eigen::VectorXd theta = random_vector(mlp_param_count(s), 0.8, 6);
  std::vector<std::vector<double>> z;
  double e = 0.0;
  for (int i = 0; i < 9; ++i) {
    const std::vector<double> x = {t.X(i, 0), t.X(i, 1), t.X(i, 2)};
    e += std::pow(t.y[i] - mlp_forward(s, theta.data(), x.data(), z), 2);
  }
  EXPECT_NEAR(mlp_energy(s, theta, t.X, t.y), e / 9.0, 1e-14);
  EXPECT_INPUT_ERROR(mlp_energy(s, theta.head(5), t.X, t.y), "mlp theta: length 5, expected 35");
  EXPECT_INPUT_ERROR(mlp_energy(s, theta, t.X, t.y.head(4)), "mlp data: y and X have different lengths");
}

TEST(MlpEnergy, BackpropGradientMatchesFiniteDifferences) {
  for (Activation act : {Activation::kTanh, Activation::kSigmoid, Activation::kRelu}) {
    for (bool bias : {false, true}) {
      const MlpShape s{{3, 4, 3, 1}, bias, act};
      const TeacherData t = make_teacher_data(s, 7, 1.0, 0.5, 8);
      const Eigen::VectorXd theta = random_vector(mlp_param_count(s), 0.7, 9);
      Eigen::VectorXd g;
      const double e = mlp_energy_grad(s, theta, t.X, t.y, &g);
      EXPECT_DOUBLE_EQ(e, mlp_energy(s, theta, t.X, t.y));
      ASSERT_EQ(g.size(), theta.size());
      double worst = 0.0;
      for (long p = 0; p < theta.size(); ++p) {
        const double h = 1e-6;
        Eigen::VectorXd tp = theta, tm = theta;
        tp[p] += h;
        tm[p] -= h;
        const double fd = (mlp_energy(s, tp, t.X, t.y) - mlp_energy(s, tm, t.X, t.y)) / (2 * h);
        worst = std::max(worst, std::fabs(fd - g[p]) / (1.0 + std::fabs(g[p])));
      }
      EXPECT_LT(worst, 1e-8) << activation_name(act) << " bias=" << bias;
      EXPECT_GT(g.norm(), 1e-3);  // not trivially zero
    }
  }
}

// ---------------------------------------------------------------------------- teacher

TEST(TeacherData, DeterministicAndConsistent) {
  const MlpShape s{{4, 5, 3, 1}, true, Activation::kTanh};
  const TeacherData a = make_teacher_data(s, 50, 0.9, 0.2, 1234);
  const TeacherData b = make_teacher_data(s, 50, 0.9, 0.2, 1234);
  const TeacherData c = make_teacher_data(s, 50, 0.9, 0.2, 1235);
  EXPECT_TRUE(same_bits(a.X, b.X));
  EXPECT_TRUE(same_bits(a.y, b.y));
  EXPECT_TRUE(same_bits(a.theta, b.theta));
  for (int l = 0; l < 3; ++l) EXPECT_TRUE(same_bits(a.zstar[l], b.zstar[l]));
  EXPECT_FALSE(same_bits(a.X, c.X));
  EXPECT_FALSE(same_bits(a.theta, c.theta));
  // The documented streams.
  EXPECT_EQ(a.X(7, 2), philox_normal(1234, stream_id(Stream::kTeacherData, 0), 7, 2));
  const long off2 = mlp_layer_offset(s, 2);
  EXPECT_EQ(a.theta[off2 + 3], 0.9 * philox_normal(1234, stream_id(Stream::kTeacher, 2), 0, 3));
  EXPECT_DOUBLE_EQ(a.y[4] - a.zstar[2](4, 0), 0.2 * philox_normal(1234, stream_id(Stream::kTeacherData, 1), 4, 0));
  // zstar are the teacher's pre-activations.
  std::vector<std::vector<double>> z;
  for (int i = 0; i < 50; i += 7) {
    const std::vector<double> x = {a.X(i, 0), a.X(i, 1), a.X(i, 2), a.X(i, 3)};
    mlp_forward(s, a.theta.data(), x.data(), z);
    for (int l = 0; l < 3; ++l) {
      for (int j = 0; j < s.widths[l + 1]; ++j) EXPECT_NEAR(a.zstar[l](i, j), z[l][j], 1e-13);
    }
  }
  ASSERT_EQ(a.zstar[0].rows(), 50);
  ASSERT_EQ(a.zstar[0].cols(), 5);
  // Noise-free: y is the teacher output.
  const TeacherData d = make_teacher_data(s, 50, 0.9, 0.0, 1234);
  EXPECT_TRUE(same_bits(d.y, Eigen::VectorXd(d.zstar[2].col(0))));
  EXPECT_TRUE(same_bits(d.X, a.X));
}

TEST(TeacherData, Statistics) {
  const MlpShape s{{3, 6, 1}, false, Activation::kRelu};
  const int n = 4000;
  const TeacherData t = make_teacher_data(s, n, {0.5, 2.0}, 0.3, 77);
  const double m = t.X.mean();
  const double var = (t.X.array() - m).square().mean();
  EXPECT_LT(std::fabs(m), 4.0 / std::sqrt(3.0 * n));
  EXPECT_LT(std::fabs(var - 1.0), 4.0 * std::sqrt(2.0 / (3.0 * n)));
  const Eigen::VectorXd noise = t.y - t.zstar[1].col(0);
  const double sd = std::sqrt(noise.squaredNorm() / n);
  EXPECT_LT(std::fabs(sd - 0.3), 4.0 * 0.3 / std::sqrt(2.0 * n));
  // Per-layer teacher sigmas.
  for (long k = 0; k < 18; ++k) {
    EXPECT_EQ(t.theta[k], 0.5 * philox_normal(77, stream_id(Stream::kTeacher, 1), 0, k));
  }
  EXPECT_EQ(t.theta[18], 2.0 * philox_normal(77, stream_id(Stream::kTeacher, 2), 0, 0));
  EXPECT_INPUT_ERROR(make_teacher_data(s, 0, 1.0, 0.0, 1), "teacher: number of points must be >= 1");
  EXPECT_INPUT_ERROR(make_teacher_data(s, 10, 0.0, 0.0, 1), "teacher: sigma must be > 0");
  EXPECT_INPUT_ERROR(make_teacher_data(s, 10, 1.0, -0.1, 1), "teacher: noise must be >= 0");
  EXPECT_INPUT_ERROR(make_teacher_data(s, 10, std::vector<double>{1.0}, 0.0, 1),
                     "teacher: need one sigma per layer (2)");
}

// ---------------------------------------------------------------------------- trainer

TEST(TrainMlp, ReachesZeroOnRepresentableTeacher) {
  for (bool bias : {false, true}) {
    const MlpShape s{{3, 4, 1}, bias, Activation::kTanh};
    const TeacherData t = make_teacher_data(s, 40, 1.0, 0.0, 7);
    const double c = t.y.squaredNorm() / 40.0;
    const TrainResult r = train_mlp(s, t.X, t.y, 11, 3000);
    EXPECT_TRUE(r.converged) << "bias " << bias << " |g| " << r.grad_norm;
    EXPECT_TRUE(r.local_min_checked);
    EXPECT_LT(r.energy, 1e-12 * c);
    EXPECT_LE(r.grad_norm, 1e-8 * std::max(1.0, c));
    EXPECT_GE(r.hessian_min_eig, -1e-6 * r.hessian_max_eig);
    EXPECT_GT(r.iterations, 10);
    EXPECT_LE(r.iterations, 3000);
    EXPECT_DOUBLE_EQ(r.energy, mlp_energy(s, r.theta, t.X, t.y));
    // zstar are the trained network's pre-activations; the output fits y.
    ASSERT_EQ(r.zstar.size(), 2u);
    EXPECT_LT((r.zstar[1].col(0) - t.y).cwiseAbs().maxCoeff(), 1e-5);
    const auto Z = mlp_forward_batch(s, r.theta, t.X);
    EXPECT_TRUE(same_bits(Z[0], r.zstar[0]));
  }
}

TEST(TrainMlp, NoisyTeacherBeatsTheTeacher) {
  const MlpShape s{{3, 4, 1}, true, Activation::kTanh};
  const TeacherData t = make_teacher_data(s, 40, 1.0, 0.1, 7);
  const double e_teacher = mlp_energy(s, t.theta, t.X, t.y);
  const TrainResult r = train_mlp(s, t.X, t.y, 11, 3000);
  EXPECT_TRUE(r.converged);
  EXPECT_TRUE(r.local_min_checked);
  EXPECT_LT(r.energy, e_teacher);        // E_min <= E(teacher)
  EXPECT_GT(r.energy, 0.1 * e_teacher);  // 40 points, 21 parameters: noise cannot all be fit
  EXPECT_GE(r.min_energy_change, -1e-12);
  // Deterministic.
  const TrainResult r2 = train_mlp(s, t.X, t.y, 11, 3000);
  EXPECT_TRUE(same_bits(r.theta, r2.theta));
}

TEST(TrainMlp, ReluWithBiasConverges) {
  const MlpShape s{{3, 4, 1}, true, Activation::kRelu};
  const TeacherData t = make_teacher_data(s, 40, 1.0, 0.1, 7);
  const TrainResult r = train_mlp(s, t.X, t.y, 11, 3000);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.energy, mlp_energy(s, t.theta, t.X, t.y));
}

TEST(TrainMlp, TinyBudgetIsNotConverged) {
  const MlpShape s{{2, 3, 1}, false, Activation::kTanh};
  const TeacherData t = make_teacher_data(s, 30, 1.0, 0.0, 3);
  const TrainResult r = train_mlp(s, t.X, t.y, 11, 2);
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.local_min_checked);
  EXPECT_LE(r.iterations, 2);
  EXPECT_EQ(r.newton_steps, 0);
  EXPECT_GT(r.energy, 1e-4);
  EXPECT_INPUT_ERROR(train_mlp(s, t.X, t.y, 11, -1), "train_mlp: max_iter must be >= 0");
}

// theta = 0 is a critical point of a tanh net without biases (h = 0, yhat = 0) but a saddle:
// yhat ~ W_2 W_1 x is bilinear, so the Hessian is indefinite.
TEST(TrainMlp, LocalMinCheckRejectsSaddle) {
  const MlpShape s{{2, 3, 1}, false, Activation::kTanh};
  const TeacherData t = make_teacher_data(s, 30, 1.0, 0.0, 3);
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(mlp_param_count(s));
  Eigen::VectorXd g;
  mlp_energy_grad(s, zero, t.X, t.y, &g);
  EXPECT_EQ(g.norm(), 0.0);
  const LocalMinCheck chk = mlp_check_local_min(s, zero, t.X, t.y, 1, TrainOptions());
  EXPECT_FALSE(chk.passed);
  EXPECT_LT(chk.hessian_min_eig, -0.1);
  EXPECT_LT(chk.min_energy_change, 0.0);
  // Without the Hessian, the random directions alone still see the descent.
  TrainOptions no_hessian;
  no_hessian.hessian_max_params = 0;
  const LocalMinCheck chk2 = mlp_check_local_min(s, zero, t.X, t.y, 1, no_hessian);
  EXPECT_FALSE(chk2.passed);
  EXPECT_TRUE(std::isnan(chk2.hessian_min_eig));
}

}  // namespace
}  // namespace mltemp
