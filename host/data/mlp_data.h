// Reference networks for the MLP checks (Section 5.2): a teacher network that generates data
// and "ideal" pre-activations z_l*, and a full-batch trainer (GSL BFGS2, analytic backprop)
// that finds E_min and the trained network's z_l*.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "refs_mlp.h"

namespace mltemp {

// E(theta) = <(y - yhat)^2> (5.3); with grad != nullptr also dE/dtheta by backpropagation,
// in the theta layout of refs_mlp.h.
double mlp_energy(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                  const Eigen::VectorXd& y);
double mlp_energy_grad(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                       const Eigen::VectorXd& y, Eigen::VectorXd* grad);

struct TeacherData {
  Eigen::MatrixXd X;                   // n x n_0
  Eigen::VectorXd y;                   // n
  std::vector<Eigen::MatrixXd> zstar;  // zstar[l-1]: n x n_l teacher pre-activations (no noise)
  Eigen::VectorXd theta;               // teacher parameters
};
// x_ij = N(0,1) from stream (kTeacherData, 0), particle i, draw j; noise_i from stream
// (kTeacherData, 1), particle i, draw 0; teacher parameter k of layer l (k counts within the
// layer's block of theta) = teacher_sigma_l * N(0,1) from stream (kTeacher, l), particle 0,
// draw k. y = teacher output + noise * noise_i. The scalar form uses teacher_sigma in every
// layer (note: a braced {s} argument selects the scalar form). Throws InputError for n < 1,
// sigma <= 0 or noise < 0.
TeacherData make_teacher_data(const MlpShape& shape, int n, const std::vector<double>& teacher_sigma_l, double noise,
                              uint64_t seed);
TeacherData make_teacher_data(const MlpShape& shape, int n, double teacher_sigma, double noise, uint64_t seed);

struct TrainOptions {
  int restarts = 4;                // independent starts; the lowest energy wins
  double init_gain = 1.0;          // start: N(0, init_gain^2 / fan_in) per layer, fan_in = n_{l-1} (+1)
  double grad_tol = 1e-8;          // converged when |grad|_2 <= grad_tol * max(1, <y^2>)
  int check_directions = 32;       // random +-directions for the local-minimum check
  long hessian_max_params = 1500;  // finite-difference Hessian (check, polish) up to this N
  int newton_steps = 20;           // iterations reserved for the Newton polish
};

struct TrainResult {
  Eigen::VectorXd theta;
  double energy;                       // E at theta
  double grad_norm;                    // |dE/dtheta|_2 at theta
  int iterations;                      // BFGS + Newton iterations of the winning restart
  bool converged;                      // grad_norm <= grad_tol * max(1, <y^2>)
  bool local_min_checked;              // converged, and mlp_check_local_min passed
  std::vector<Eigen::MatrixXd> zstar;  // trained pre-activations, zstar[l-1] n x n_l
  double hessian_min_eig;              // extreme eigenvalues of the finite-difference Hessian (NaN if skipped)
  double hessian_max_eig;
  double min_energy_change;  // min over the random directions of E(theta +- eps d) - E(theta)
  int restart;               // index of the winning restart
  int newton_steps;          // Newton polish steps taken after BFGS
};

// Local-minimum check at theta (meaningful where the gradient is ~0): min over random unit
// directions d (stream (kTrainInit, 0), particles 1..) of E(theta +- eps d) - E(theta), eps =
// 1e-3 (1 + |theta|/sqrt(N)), must be >= -(eps |grad| + 1e-13 E); and, for N <=
// hessian_max_params, the smallest eigenvalue of the symmetrized central-difference Hessian of
// the analytic gradient must be >= -1e-6 * |largest|.
struct LocalMinCheck {
  bool passed;
  double min_energy_change;
  double hessian_min_eig;  // NaN when skipped
  double hessian_max_eig;
};
LocalMinCheck mlp_check_local_min(const MlpShape& shape, const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                                  const Eigen::VectorXd& y, uint64_t seed, const TrainOptions& opt);

// Full-batch training on (X, y) with gsl_multimin_fdfminimizer_vector_bfgs2 and the analytic
// gradient, `restarts` starts from seeded small inits (stream (kTrainInit, r), particle 0).
// Iteration budget per start: max_iter. BFGS gets max_iter - min(newton_steps, max_iter/4) of
// them (stopping early at the gradient tolerance or when the line search stalls on round-off,
// GSL_ENOPROG); the lowest-energy start is then polished by saddle-free Newton steps on the
// finite-difference Hessian with what is left of its budget (only for N <= hessian_max_params).
// iterations counts both. The local-minimum check always runs on the winner;
// local_min_checked = converged && check passed. ReLU losses are piecewise quadratic: a run
// that stalls on a kink reports converged = false; so does a run whose infimum is at infinity
// (saturating units), which keeps lowering E with a non-vanishing gradient.
TrainResult train_mlp(const MlpShape& shape, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed,
                      int max_iter, const TrainOptions& opt);
TrainResult train_mlp(const MlpShape& shape, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed,
                      int max_iter);

}  // namespace mltemp
