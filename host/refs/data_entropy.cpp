#include "data_entropy.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "dataset.h"
#include "mltemp/energies.h"
#include "solvers.h"
#include "solvers_glm.h"

namespace mltemp {
namespace {

constexpr double kTwoPiE = 17.079468445347132;  // 2 pi e

// The mean of v, summed in long double.
double mean(const Eigen::VectorXd& v) {
  long double s = 0.0L;
  for (Eigen::Index i = 0; i < v.size(); ++i) s += v[i];
  return static_cast<double>(s / static_cast<long double>(v.size()));
}

}  // namespace

FittedEntropy gaussian_entropy(const Eigen::MatrixXd& X) {
  const auto n = static_cast<double>(X.rows());
  const auto m = static_cast<double>(X.cols());
  const Eigen::MatrixXd c = X.rowwise() - X.colwise().mean();
  const Eigen::MatrixXd sigma = (c.transpose() * c) / n;
  const Eigen::LLT<Eigen::MatrixXd> llt(sigma);
  FittedEntropy f;
  if (llt.info() != Eigen::Success || !(llt.matrixLLT().diagonal().minCoeff() > 0.0)) {
    f.value = -std::numeric_limits<double>::infinity();
    return f;
  }
  const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  f.value = 0.5 * (m * std::log(kTwoPiE) + log_det);
  // d_i^2 = |L^-1 c_i|^2.
  const Eigen::MatrixXd w = llt.matrixL().solve(c.transpose());
  f.influence = 0.5 * (w.colwise().squaredNorm().transpose().array() - m);
  return f;
}

ConditionalFit fit_conditional(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::string& energy) {
  ConditionalFit f;
  Eigen::VectorXd loss(X.rows());
  if (energy == "mse") {
    const LinearMoments mo = linear_moments(Dataset{X, y, {}, "", ""});
    const Eigen::VectorXd r = y - X * minimize_quadratic(mo.A, mo.b, mo.c, 0.0, 0.0).theta;
    loss = r.array().square();
    f.e_min = mean(loss);
    f.s = 0.5 * std::log(kTwoPiE * f.e_min);
    f.model = "Gaussian residual";
    f.e_influence = loss.array() - f.e_min;
    f.s_influence = f.e_influence / (2.0 * f.e_min);
  } else if (energy == "mae") {
    const LadResult lad = solve_lad(X, y);
    const Eigen::VectorXd z = X * lad.theta;
    for (Eigen::Index i = 0; i < X.rows(); ++i) loss[i] = AbsLoss{}(y[i], z[i]);
    f.e_min = lad.e_min;
    f.s = 1.0 + std::log(2.0 * f.e_min);
    f.model = "Laplace residual";
    f.e_influence = loss.array() - f.e_min;
    f.s_influence = f.e_influence / f.e_min;
  } else if (energy == "ce") {
    const LogisticResult lr = solve_logistic(X, y);
    f.model = "Bernoulli";
    f.e_min = lr.e_min;
    f.attained = lr.converged && !lr.separable && !lr.quasi_separable;
    if (!f.attained) {  // p_i -> 0 or 1 on the separated points: their entropy and loss both -> 0
      f.s = f.e_min;
      f.e_influence = f.s_influence = Eigen::VectorXd::Constant(X.rows(), std::numeric_limits<double>::quiet_NaN());
      return f;
    }
    const Eigen::VectorXd z = X * lr.theta;
    Eigen::VectorXd h(X.rows());
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      loss[i] = CrossEntropyLoss{}(y[i], z[i]);
      // h(p) for p = sigmoid(z): softplus(z) - p z, the cross entropy of the label p itself.
      const double p = 1.0 / (1.0 + std::exp(-z[i]));
      h[i] = CrossEntropyLoss{}(p, z[i]);
    }
    f.s = mean(h);
    f.e_influence = loss.array() - f.e_min;
    f.s_influence = f.e_influence;
  } else {
    throw std::invalid_argument("fit_conditional: energy " + energy);
  }
  return f;
}

}  // namespace mltemp
