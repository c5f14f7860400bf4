// The entropy of a fitted data distribution p(x, y) = p(x) p(y | x) (the Type II state,
// 2.8, 2.12, A.1) and the trained energy E_min of the same data, each with per-point influence
// values for the delta method.
//
// p(x) is a Gaussian fitted by maximum likelihood; p(y | x) is the likelihood whose negative
// logarithm is the energy, fitted at the energy's minimum theta*: a Gaussian residual for MSE,
// a Laplace residual for MAE, a Bernoulli for cross entropy. Their entropies:
//   Gaussian p(x):      S_x = 0.5 ln det(2 pi e Sigma), Sigma the covariance divided by n
//   Gaussian residual:  S_y|x = 0.5 ln(2 pi e s^2),  s^2 = <r_i^2> = E_min (MSE)
//   Laplace residual:   S_y|x = 1 + ln(2 b),         b = <|r_i|> = E_min (MAE)
//   Bernoulli:          S_y|x = <h(p_i)>, p_i = sigmoid(theta*.x_i), h the binary entropy; at the
//                       maximum-likelihood theta* this equals E_min exactly (<CE_i - h(p_i)> =
//                       theta*.<x (p - y)> = 0 by the score equation).
// So S_y|x is a function of E_min alone, S_y|x = g(E_min), with g = 0.5 ln(2 pi e E) (MSE),
// 1 + ln(2E) (MAE), E (CE).
//
// Errors (delta method): a statistic Q of n points with influence values psi_i (its
// first-order change when point i's weight grows, mean zero) has se = sqrt(sum psi_i^2) / n.
// S_x: psi_i = 0.5 (d_i^2 - m), d_i the Mahalanobis distance of x_i. E_min: psi_i = loss_i -
// E_min (the envelope theorem: theta*'s own change is second order at a minimum). S_y|x:
// g'(E_min) times E_min's. Differences and ratios of statistics of overlapping datasets
// combine the values point by point (host/experiment_shift.cpp).
#pragma once

#include <Eigen/Dense>
#include <string>

namespace mltemp {

struct FittedEntropy {
  double value = 0.0;         // nats; -inf when the covariance is singular
  Eigen::VectorXd influence;  // psi_i, one per point (empty when value is -inf)
};

// Gaussian p(x) fitted to the rows of X (features only, no constant column).
FittedEntropy gaussian_entropy(const Eigen::MatrixXd& X);

struct ConditionalFit {
  double e_min = 0.0;           // E_min of the data (the trained energy E_k)
  Eigen::VectorXd e_influence;  // loss_i - E_min
  double s = 0.0;               // entropy of the fitted p(y | x), nats
  Eigen::VectorXd s_influence;  // g'(E_min) (loss_i - E_min)
  bool attained = true;         // false: E_min is an infimum (separable labels): influences NaN
  const char* model = "";       // "Gaussian residual", "Laplace residual", "Bernoulli"
};

// E_min and the fitted p(y | x) of X (bias column included) and y for energy "mse", "mae" or
// "ce" (no penalty: a penalized minimum is not the maximum-likelihood fit). For MSE a noiseless
// fit (E_min = 0) has S_y|x = -inf.
ConditionalFit fit_conditional(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::string& energy);

}  // namespace mltemp
