// The paper's closed forms for the linear MSE family, each once, keyed by equation number
// (FORMULAS.md restores them). Per-coordinate forms: coordinate j is normal with std
// scale_j (j < normal_dims) or uniform on [-scale_j, scale_j].
#pragma once

#include <Eigen/Dense>

namespace mltemp {

// Variance of one coordinate: sigma^2 (normal) or a^2/3 (uniform).
double coord_variance(double scale, bool normal);
// E|theta_j|: sigma sqrt(2/pi) (3.27) or a/2 (3.31).
double coord_abs_mean(double scale, bool normal);
// Differential entropy: sum_j 0.5 ln(2 pi e sigma_j^2) (3.1-3.2) + sum_j ln(2 a_j) (3.13).
double entropy(const Eigen::VectorXd& scale_j, int normal_dims);
// Next-order entropy constant per coordinate, kappa = (H - m ln s)/m when scale_j = r_j s:
// 0.5 ln(2 pi e) normal, ln 2 uniform, plus ln r_j (FORMULAS.md, "Asymptotic").
double entropy_kappa(const Eigen::VectorXd& ratio_j, int normal_dims);

// E_init = c + sum_j v_j (A_jj + l2) + l1 sum_j E|theta_j|
// (3.3, 3.8, 3.14, 3.18, 3.21-3.22; L2 3.28, 3.32; L1 3.27, 3.31).
double mse_e_init(const Eigen::MatrixXd& A, double c, const Eigen::VectorXd& scale_j, int normal_dims, double l1,
                  double l2);
// Leading-order growth of E_init - E_min: sum_j v_j (A_jj + l2); the L1 term grows only like
// the scale and drops out (3.29, 3.33). With all v_j = v: v (tr A + m l2).
double mse_e_asym(const Eigen::MatrixXd& A, const Eigen::VectorXd& scale_j, int normal_dims, double l2);
// T_asym = E_asym / (m ln s) (3.6, 3.11, 3.16, 3.20, 3.25-3.26, 3.30, 3.34); NaN for s <= 1.
double t_asym(double e_asym, int m, double scale);

}  // namespace mltemp
