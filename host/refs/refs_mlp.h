// Multilayer perceptrons with MSE energy (Section 5, Appendix E): network bookkeeping, the
// forward pass, exact finite-scale references and the sigma -> infinity asymptotes.
//
// Conventions: widths = {n_0, n_1, ..., n_{L-1}, 1}; z_l = W_l h_{l-1} (+ b_l), h_0 = x,
// h_l = g(z_l) for l < L, yhat = z_L. theta layout, for l = 1..L: W_l row-major
// (n_l x n_{l-1}), then b_l (n_l) when biases are on. Per-layer parameter variance v_l:
// sigma_l^2 (normal) or a_l^2 / 3 (uniform on [-a_l, a_l]).
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

namespace mltemp {

enum class Activation { kTanh, kSigmoid, kRelu };

struct MlpShape {
  std::vector<int> widths;  // {n_0, n_1, ..., n_{L-1}, 1}
  bool bias = false;
  Activation act = Activation::kTanh;
};

// "tanh", "sigmoid", "relu" (InputError otherwise) and back.
Activation activation_from_name(const std::string& name);
const char* activation_name(Activation act);

double mlp_activate(Activation act, double z);        // g(z)
double mlp_activate_deriv(Activation act, double z);  // g'(z); ReLU: 1 for z > 0, else 0

// Throws InputError unless widths has >= 2 entries, all >= 1, and the last is 1.
void mlp_check_shape(const MlpShape& shape);
int mlp_layers(const MlpShape& shape);                     // L
long mlp_param_count(const MlpShape& shape);               // N
long mlp_layer_param_count(const MlpShape& shape, int l);  // n_l n_{l-1} (+ n_l), l = 1..L
long mlp_layer_offset(const MlpShape& shape, int l);       // index of W_l(0,0) in theta

// Forward pass of one network on one input: fills z[l-1] (pre-activations of layer l, length
// n_l), returns yhat = z_L.
double mlp_forward(const MlpShape& shape, const double* theta, const double* x, std::vector<std::vector<double>>& z);
// Same for a batch: returns Z[l-1], the n x n_l pre-activations of layer l (X is n x n_0).
std::vector<Eigen::MatrixXd> mlp_forward_batch(const MlpShape& shape, const Eigen::VectorXd& theta,
                                               const Eigen::MatrixXd& X);

// ---- one-unit expectations
// E g(s Z)^2, Z ~ N(0,1), s^2 = s2 >= 0. ReLU s2/2; tanh 1 - E sech^2(sZ); sigmoid
// 1/2 - E sech^2(sZ/2)/4. 1-D Gauss-Legendre panels, ~1e-15 relative at any s.
double gauss_act2_mean(Activation act, double s2);
// E g(X)^2 for X = sum_j c_j u_j, u_j ~ U[-1,1] independent (c_j may have any sign).
// ReLU: sum c_j^2 / 6. tanh/sigmoid: Fourier form of E sech^2(X),
//   (1/pi) int_0^inf [pi t / sinh(pi t / 2)] prod_j sin(c_j t)/(c_j t) dt,
// exact to ~1e-13; std::nullopt when that needs more than 2e5 panels (a few |c_j| above ~1e4:
// too many oscillations).
std::optional<double> uniform_act2_mean(Activation act, const std::vector<double>& c);

// ---- exact references at finite scale. var_l (length L): per-layer parameter variance.
// E|z_l|^2 over the initial distribution for one input x (length n_0), by layer:
//   layer 1, any activation: n_1 v_1 (|x|^2 (+1)) (linear in the weights);
//   ReLU, every layer: E|h_{l-1}|^2 = E|z_{l-1}|^2 / 2 exactly for any symmetric weights, so
//     E|z_l|^2 = n_l v_l (E|z_{l-1}|^2 / 2 (+1)) (5.9-5.10), normal or uniform;
//   tanh/sigmoid, layer 2: E|z_2|^2 = n_2 v_2 (n_1 E g(z_{1j})^2 (+1)), a 1-D integral for normal
//     init (gauss_act2_mean) and for uniform init (uniform_act2_mean, nullopt if too wide);
//   tanh/sigmoid, layers >= 3: std::nullopt (no exact value; Monte Carlo only).
std::vector<std::optional<double>> mlp_layer_second_moments(const MlpShape& shape, const std::vector<double>& var_l,
                                                            bool uniform, const double* x);
// E_init = c + <E yhat^2> (5.3): exact when the last layer's moment is exact, else nullopt.
std::optional<double> mlp_e_init_exact(const MlpShape& shape, const std::vector<double>& var_l, bool uniform,
                                       const Eigen::MatrixXd& X, const Eigen::VectorXd& y);
// Per-layer energies E_l = <|z_l - z_l*|^2> over data and init (5.12-5.13):
// <E|z_l|^2> + <|z_l*|^2> (the cross term vanishes, E z_l = 0). zstar[l-1] is n x n_l.
std::vector<std::optional<double>> mlp_layer_energies_exact(const MlpShape& shape, const std::vector<double>& var_l,
                                                            bool uniform, const Eigen::MatrixXd& X,
                                                            const std::vector<Eigen::MatrixXd>& zstar);

// ---- asymptotes: sigma_l = k_l * scale (normal) or a_l = k_l * scale (uniform), scale -> inf.
// v_l = sigma_l^2 or a_l^2/3; b = 1 with biases, else 0.
//   e_asym (leading order of E_init - E_min, the paper's formulas):
//     tanh v_L (n_{L-1} + b) (5.4-5.5); sigmoid v_L (n_{L-1}/2 + b) (5.7);
//     ReLU v_L prod_{l<L} (n_l v_l / 2) <|x|^2 + b> (5.9-5.10); L = 1: v_1 <|x|^2 + b>.
//   t_asym = e_asym / (N ln scale) (5.6, 5.8, 5.11, E.2): leading order of H is N ln scale
//     for both normal and uniform; NaN when scale <= 1 (no asymptote there).
//   layer_e_asym[l-1] (leading order of E_l; the reference's <|z*|^2> is lower order):
//     l = 1: n_1 v_1 <|x|^2 + b>; tanh n_l v_l (n_{l-1} + b) (5.14); sigmoid
//     n_l v_l (n_{l-1}/2 + b) (5.18); ReLU n_l v_l prod_{k<l} (n_k v_k/2) <|x|^2 + b> (5.20).
//   layer_t_asym[l-1] = layer_e_asym / (N_l ln scale), N_l = mlp_layer_param_count (5.15-5.22);
//     N_l counts the layer's biases (so tanh T_l = v_l / ln scale for l >= 2 with or without).
//   eta_limit = E_L / sum_l E_l from layer_e_asym for tanh/sigmoid (5.26-5.28, 5.36-5.38);
//     1 for ReLU (5.29-5.31) and for L = 1.
//   e_limit, layer_e_limit, eta_limit_exact: the exact scale -> inf limits of the same
//     quantities (leading coefficient), from mlp_saturation_factors for tanh/sigmoid. They differ
//     from the paper's forms only for sigmoid without biases (L >= 3) and inputs x = 0 without
//     biases.
struct MlpAsymptotes {
  double e_asym;
  double t_asym;
  std::vector<double> layer_e_asym;
  std::vector<double> layer_t_asym;
  double eta_limit;
  double e_limit;
  std::vector<double> layer_e_limit;
  double eta_limit_exact;
};
// Saturating activations (tanh, sigmoid) as the scale -> inf, one input x. Given the layer below,
// the units of hidden layer l are independent and each pre-activation is symmetric, so every
// unit sits at g(+inf) or g(-inf) (sigmoid 1/0, tanh +1/-1) with probability 1/2 each -- unless
// the layer's pre-activations are all exactly zero, which happens without biases when the layer
// below is all zero: x = 0, or a sigmoid layer whose units are all off (probability 2^-n_l given
// a nonzero input). Then h_l = g(0) in every unit (sigmoid 1/2, tanh 0). With
// p_l = P(h_l = 0), p_0 = [x = 0 and no biases], g2 = lim E g(sZ)^2 (tanh 1, sigmoid 1/2):
//   E|h_l|^2 -> n_l g2 f_l,  f_l = 1 - p_{l-1} + p_{l-1} g(0)^2 / g2,
//   p_l = (1 - p_{l-1}) pi_l + p_{l-1} [g(0) = 0],  pi_l = 2^-n_l (sigmoid), 0 (tanh).
// Sigmoid without biases, x != 0: p_1 = 2^-n_1, f_1 = 1, f_l = 1 - p_{l-1}/2, so the paper's
// E|h_l|^2 ~ n_l/2 (5.7, 5.18) is too large by p_{l-1}/2: f_2 = 1 - 2^-(n_1+1) (0.875 at
// n_1 = 2, 0.9375 at 3, under 0.2% off from n_1 = 8); 2-2-2-2-1: f_3 = 1 - (3/16)/2 = 0.90625.
// Tanh with x != 0, and anything with biases: f_l = 1 (the paper's forms are exact limits).
// Returns f_1 .. f_{L-1} (index l - 1); E_l's limit is n_l v_l (n_{l-1} g2 f_{l-1} + b) for
// l >= 2. InputError for ReLU (it does not saturate).
std::vector<double> mlp_saturation_factors(const MlpShape& shape, bool zero_input);

MlpAsymptotes mlp_asymptotes(const MlpShape& shape, const std::vector<double>& k_l, double scale, bool uniform,
                             const Eigen::MatrixXd& X);

}  // namespace mltemp
