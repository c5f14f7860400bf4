// Exact host-side references for the MAE (Section 3.5) and cross-entropy (Section 4) systems:
// E_init per data point and over a dataset, and the leading-order energy growth E_asym.
// See shared FORMULAS.md, sections "Linear regression, MAE" and "Logistic regression".
//
// Bad input throws mltemp::InputError. A quadrature that cannot reach its tolerance throws
// std::runtime_error; nothing here returns a silent NaN. These functions turn GSL's abort-on-error
// handler off (once, process wide) and check every GSL status themselves.
#pragma once

#include <Eigen/Dense>

namespace mltemp {

// ---- per data point, normal init theta_j ~ N(0, sigma_j^2): theta.x_i ~ N(0, s_i^2).

// E|y - s Z|, Z ~ N(0,1): folded-normal mean (the MAE E_init term of Section 3.5), exact;
// s >= 0, s = 0 gives |y|.
double mae_normal_point(double y, double s);

// phi(s) = E softplus(s Z), Z ~ N(0,1) (4.2-4.3): s/sqrt(2 pi) plus the smooth remainder
// (2/s) int_0^inf ln(1 + e^-u) phi_N(u/s) du, integrated adaptively (GSL QAG, 61-point
// Gauss-Kronrod); s >= 0, phi(0) = ln 2.
double ce_normal_phi(double s);

// ---- per data point, uniform init theta_j ~ U[-a_j, a_j]: theta.x_i = sum_j c_j u_j,
// c_j = a_j |x_ij|, u_j ~ U[-1, 1]. Negative c_j are taken as |c_j| (u_j is symmetric).

// E|sum_j c_j u_j - y| (3.40-3.45), exact for any m >= 0. Closed forms where one c_j dominates,
// the alternating sum in exact integer arithmetic (GMP) for up to kMaeExactMaxTerms nonzero c_j,
// the characteristic-function integral otherwise (see detail:: below).
double mae_uniform_point(const double* c, int m, double y);

// E softplus(sum_j c_j u_j) (4.11-4.14; labels drop out since E theta.x = 0), to ~1e-13 relative:
// (1/pi) int_0^inf (1 - (pi t / sinh(pi t)) prod_j sinc(c_j t)) / t^2 dt.
double ce_uniform_point(const double* c, int m);

// ---- dataset level. X is n x m (one row per data point), y has length n. scale_j (length m)
// holds sigma_j for the first normal_dims coordinates (normal) and a_j for the rest (uniform);
// only normal_dims = m (all normal) or 0 (all uniform) is supported here.

// <E|y_i - theta.x_i|> (Section 3.5).
double mae_e_init(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& scale_j, int normal_dims);
// <E softplus(theta.x_i)> (4.2-4.3, 4.11).
double ce_e_init(const Eigen::MatrixXd& X, const Eigen::VectorXd& scale_j, int normal_dims);

// Leading-order growth of E_init - E_min, all sigma_j = scale (uniform = false) or all
// a_j = scale (uniform = true); |x_i| is the Euclidean norm, W_i = sum_j u_j x_ij.
// MAE: sigma sqrt(2/pi) <|x_i|> (3.36-3.37); a <E|W_i|> (3.42-3.45).
double mae_e_asym(const Eigen::MatrixXd& X, double scale, bool uniform);
// CE: sigma <|x_i|> / sqrt(2 pi) (4.6-4.7); (a/2) <E|W_i|> (4.11-4.14).
double ce_e_asym(const Eigen::MatrixXd& X, double scale, bool uniform);

namespace detail {

// Most nonzero c_j for which mae_uniform_point uses the exact alternating sum (2^k terms).
constexpr int kMaeExactMaxTerms = 12;

// The two general methods behind mae_uniform_point, exposed so tests can check one against the
// other. Both take any c_j (zeros dropped, signs ignored).
// Alternating sum (2^k prod c_j)^-1 sum_eps (prod eps) K_k(eps.c - y), K_k(t) = |t| t^k/(k+1)!,
// evaluated exactly in integers (every double is a dyadic rational) and rounded once; only the
// terms with eps.c - y > 0 are summed, using E|X| = y + 2 E(X - y)_+ for y >= 0. k <= 30.
double mae_uniform_exact(const double* c, int m, double y);
// E|X| = (2/pi) int_0^inf (1 - cos(t y) prod_j sinc(c_j t)) / t^2 dt, the integrand >= 0
// (GSL QAGP in t c_max, breakpoints one period of the fastest frequency apart; beyond T the
// oscillating part is bounded by prod_j min(1, 1/(c_j T))/T < 1e-14 of the result and 1/T added).
double mae_uniform_cf(const double* c, int m, double y);
// The characteristic-function integral behind ce_uniform_point, without the dominant-c_j
// shortcut.
double ce_uniform_cf(const double* c, int m);

}  // namespace detail

}  // namespace mltemp
