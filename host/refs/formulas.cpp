#include "formulas.h"

#include <cmath>
#include <limits>

namespace mltemp {
namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kE = 2.71828182845904523536;
}  // namespace

double coord_variance(double scale, bool normal) { return normal ? scale * scale : scale * scale / 3.0; }

double coord_abs_mean(double scale, bool normal) { return normal ? scale * std::sqrt(2.0 / kPi) : 0.5 * scale; }

double entropy(const Eigen::VectorXd& scale_j, int normal_dims) {
  double h = 0.0;
  for (int j = 0; j < scale_j.size(); ++j)
    h += j < normal_dims ? 0.5 * std::log(2.0 * kPi * kE * scale_j[j] * scale_j[j]) : std::log(2.0 * scale_j[j]);
  return h;
}

double entropy_kappa(const Eigen::VectorXd& ratio_j, int normal_dims) {
  double k = 0.0;
  for (int j = 0; j < ratio_j.size(); ++j)
    k += (j < normal_dims ? 0.5 * std::log(2.0 * kPi * kE) : std::log(2.0)) + std::log(ratio_j[j]);
  return k / static_cast<double>(ratio_j.size());
}

double mse_e_init(const Eigen::MatrixXd& A, double c, const Eigen::VectorXd& scale_j, int normal_dims, double l1,
                  double l2) {
  double e = c;
  for (int j = 0; j < scale_j.size(); ++j) {
    const bool normal = j < normal_dims;
    e += coord_variance(scale_j[j], normal) * (A(j, j) + l2) + l1 * coord_abs_mean(scale_j[j], normal);
  }
  return e;
}

double mse_e_asym(const Eigen::MatrixXd& A, const Eigen::VectorXd& scale_j, int normal_dims, double l2) {
  double e = 0.0;
  for (int j = 0; j < scale_j.size(); ++j) e += coord_variance(scale_j[j], j < normal_dims) * (A(j, j) + l2);
  return e;
}

double t_asym(double e_asym, int m, double scale) {
  if (!(scale > 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return e_asym / (m * std::log(scale));
}

}  // namespace mltemp
