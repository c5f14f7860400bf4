// Exact references for MAE and cross-entropy systems (Sections 3.5 and 4).
#include "refs_mae_ce.h"

#include <gmp.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "errors.h"

namespace mltemp {
namespace {

constexpr double kPi = 3.141592653589793238462643383279502884;
constexpr double kSqrt2Pi = 2.506628274631000502415765284811045253;
constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934381868;

// GSL aborts on errors by default; every status is checked here instead.
void gsl_quiet() {
  static std::once_flag once;
  std::call_once(once, [] { gsl_set_error_handler_off(); });
}

class GslWorkspace {
 public:
  explicit GslWorkspace(size_t limit) : w_(gsl_integration_workspace_alloc(limit)) {
    if (w_ == nullptr) throw std::bad_alloc();
  }
  ~GslWorkspace() { gsl_integration_workspace_free(w_); }
  GslWorkspace(const GslWorkspace&) = delete;
  GslWorkspace& operator=(const GslWorkspace&) = delete;
  gsl_integration_workspace* get() const { return w_; }

 private:
  gsl_integration_workspace* w_;
};

// A GSL status other than success is accepted only when the error estimate still meets
// `accept_rel` (GSL_EROUND near machine precision is common); otherwise the call fails loudly.
void check_quadrature(int status, double result, double abserr, double accept_rel, const char* who) {
  if (!std::isfinite(result) || !std::isfinite(abserr)) {
    throw std::runtime_error(std::string(who) + ": quadrature returned a non-finite value");
  }
  // Only a round-off warning with a good error estimate passes; anything else (bad tolerance,
  // subdivision limit, divergence) is a failure even when GSL hands back a number.
  if (status != GSL_SUCCESS && (status != GSL_EROUND || !(abserr <= accept_rel * std::fabs(result)))) {
    throw std::runtime_error(std::string(who) + ": quadrature failed (" + gsl_strerror(status) +
                             ", estimated relative error " + std::to_string(abserr / std::fabs(result)) + ")");
  }
}

// sin(x)/x - 1 without cancellation at small |x|.
double sinc_m1(double x) {
  if (std::fabs(x) >= 1.0) return std::sin(x) / x - 1.0;
  const double x2 = x * x;
  double term = 1.0, sum = 0.0;
  for (int n = 1; n <= 12; ++n) {  // sum_{n>=1} (-1)^n x^2n / (2n+1)!
    term *= -x2 / ((2.0 * n) * (2.0 * n + 1.0));
    sum += term;
    if (std::fabs(term) < 1e-18 * std::fabs(sum)) break;
  }
  return sum;
}

// sinh(x)/x - 1 without cancellation at small |x|.
double sinhc_m1(double x) {
  if (std::fabs(x) >= 1.0) return std::sinh(x) / x - 1.0;
  const double x2 = x * x;
  double term = 1.0, sum = 0.0;
  for (int n = 1; n <= 12; ++n) {
    term *= x2 / ((2.0 * n) * (2.0 * n + 1.0));
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return sum;
}

// |c_j| of the nonzero coordinates, sorted descending; rejects bad input.
std::vector<double> nonzero_coefficients(const double* c, int m, const char* who) {
  if (m < 0) throw InputError(std::string(who) + ": number of coordinates m = " + std::to_string(m) + " must be >= 0");
  if (m > 0 && c == nullptr) throw InputError(std::string(who) + ": c is null");
  std::vector<double> v;
  v.reserve(static_cast<size_t>(m));
  for (int j = 0; j < m; ++j) {
    if (!std::isfinite(c[j])) {
      throw InputError(std::string(who) + ": c[" + std::to_string(j) + "] is not finite");
    }
    if (c[j] != 0.0) v.push_back(std::fabs(c[j]));
  }
  std::sort(v.begin(), v.end(), [](double a, double b) { return a > b; });
  return v;
}

double sum_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

// prod_j min(1, 1/(c_j t)): a bound on |prod_j sinc(c_j t')| for every t' >= t.
double sinc_product_bound(const std::vector<double>& v, double t) {
  double b = 1.0;
  for (double cj : v) {
    const double x = cj * t;
    if (x > 1.0) b /= x;
  }
  return b;
}

// ---- exact integer alternating sum (MAE, uniform) ----

class Mpz {
 public:
  Mpz() { mpz_init(v_); }
  ~Mpz() { mpz_clear(v_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return v_; }
  mpz_srcptr get() const { return v_; }

 private:
  mpz_t v_;
};

// A finite positive double as M * 2^e with M odd.
void dyadic(double v, int64_t* mant, int* exp2) {
  int e = 0;
  const double f = std::frexp(v, &e);
  int64_t m = static_cast<int64_t>(std::ldexp(f, 53));
  e -= 53;
  while ((m & 1) == 0) {
    m >>= 1;
    ++e;
  }
  *mant = m;
  *exp2 = e;
}

struct ExactSum {
  int k = 0;
  std::vector<Mpz>* coef = nullptr;     // C_j, descending
  std::vector<Mpz>* suffix = nullptr;   // sum_{i >= j} C_i
  std::vector<Mpz>* partial = nullptr;  // T at each depth
  Mpz* power = nullptr;
  Mpz* acc = nullptr;  // sum over eps with T > 0 of (prod eps) T^(k+1)

  void visit(int j, int sign) {
    mpz_ptr t = (*partial)[j].get();
    if (j == k) {
      if (mpz_sgn(t) <= 0) return;
      mpz_pow_ui(power->get(), t, static_cast<unsigned long>(k + 1));
      if (sign > 0) {
        mpz_add(acc->get(), acc->get(), power->get());
      } else {
        mpz_sub(acc->get(), acc->get(), power->get());
      }
      return;
    }
    // Prune: every T in this subtree is <= T + sum_{i >= j} C_i.
    mpz_add(power->get(), t, (*suffix)[j].get());
    if (mpz_sgn(power->get()) <= 0) return;
    mpz_add((*partial)[j + 1].get(), t, (*coef)[j].get());
    visit(j + 1, sign);
    mpz_sub((*partial)[j + 1].get(), t, (*coef)[j].get());
    visit(j + 1, -sign);
  }
};

// ---- characteristic-function integrands ----

// Integrands in a scaled variable tau (t = tau / scale, so that t^2 never underflows or
// overflows): c holds c_j / scale, y holds y / scale, g_scale = pi / scale.
struct CfParams {
  const std::vector<double>* c;
  double y;
  double cmax;
  double sum_c2;
  double g_scale;
};

// (1 - cos(tau y) prod_j sinc(c_j tau)) / tau^2 >= 0.
double mae_cf_integrand(double t, void* p) {
  const auto& q = *static_cast<const CfParams*>(p);
  if (t == 0.0) return 0.5 * (q.y * q.y + q.sum_c2 / 3.0);
  const double half = std::sin(0.5 * t * q.y);
  const double one_minus_cos = 2.0 * half * half;
  double one_minus_p;
  if (t * q.cmax < 1.0) {  // P close to 1: 1 - P = -expm1(sum ln sinc)
    double log_p = 0.0;
    for (double cj : *q.c) log_p += std::log1p(sinc_m1(cj * t));
    one_minus_p = -std::expm1(log_p);
  } else {  // P <= sinc(1) < 0.85
    double prod = 1.0;
    for (double cj : *q.c) prod *= std::sin(cj * t) / (cj * t);
    one_minus_p = 1.0 - prod;
  }
  return (one_minus_cos + std::cos(t * q.y) * one_minus_p) / (t * t);
}

// (1 - g(tau) prod_j sinc(c_j tau)) / tau^2 >= 0, g(tau) = x / sinh(x), x = g_scale tau.
double ce_cf_integrand(double t, void* p) {
  const auto& q = *static_cast<const CfParams*>(p);
  if (t == 0.0) return (q.g_scale * q.g_scale + q.sum_c2) / 6.0;
  const double x = q.g_scale * t;
  if (x < 1.0 && t * q.cmax < 1.0) {
    double log_gp = -std::log1p(sinhc_m1(x));
    for (double cj : *q.c) log_gp += std::log1p(sinc_m1(cj * t));
    return -std::expm1(log_gp) / (t * t);
  }
  const double g = x < 700.0 ? x / std::sinh(x) : 0.0;
  double prod = g;
  for (double cj : *q.c) prod *= std::sin(cj * t) / (cj * t);
  return (1.0 - prod) / (t * t);
}

// int_0^T f over `intervals` equal pieces, adaptively (QAGP).
double integrate_pieces(double (*f)(double, void*), CfParams* params, double T, size_t intervals, double epsabs,
                        const char* who) {
  constexpr size_t kMaxIntervals = 2000000;
  if (intervals > kMaxIntervals) {
    throw std::runtime_error(std::string(who) + ": characteristic-function integral needs " +
                             std::to_string(intervals) + " oscillation periods (too many)");
  }
  std::vector<double> pts(intervals + 1);
  for (size_t i = 0; i <= intervals; ++i) pts[i] = T * static_cast<double>(i) / intervals;
  pts[intervals] = T;
  const size_t limit = 4 * intervals + 1000;
  GslWorkspace ws(limit);
  gsl_function F;
  F.function = f;
  F.params = params;
  double result = 0.0, abserr = 0.0;
  const int status = gsl_integration_qagp(&F, pts.data(), pts.size(), epsabs, 1e-13, limit, ws.get(), &result, &abserr);
  check_quadrature(status, result, abserr, 1e-11, who);
  return result;
}

constexpr double kTailTol = 1e-14;  // neglected oscillatory tail, relative to a lower bound

void check_dataset(const Eigen::MatrixXd& X, const Eigen::VectorXd& scale_j, int normal_dims, const char* who) {
  const std::string w(who);
  if (X.rows() == 0 || X.cols() == 0) {
    throw InputError(w + ": X is empty (" + std::to_string(X.rows()) + " x " + std::to_string(X.cols()) + ")");
  }
  if (scale_j.size() != X.cols()) {
    throw InputError(w + ": scale_j has length " + std::to_string(scale_j.size()) + ", X has " +
                     std::to_string(X.cols()) + " columns");
  }
  if (normal_dims < 0 || normal_dims > X.cols()) {
    throw InputError(w + ": normal_dims = " + std::to_string(normal_dims) + " is outside [0, " +
                     std::to_string(X.cols()) + "]");
  }
  if (normal_dims != 0 && normal_dims != X.cols()) {
    throw InputError(w + ": normal_dims = " + std::to_string(normal_dims) + " of m = " + std::to_string(X.cols()) +
                     ": mixed init is not supported for mae/ce");
  }
  for (Eigen::Index j = 0; j < scale_j.size(); ++j) {
    if (!std::isfinite(scale_j[j]) || scale_j[j] < 0.0) {
      throw InputError(w + ": scale_j[" + std::to_string(j) + "] = " + std::to_string(scale_j[j]) +
                       " must be finite and >= 0");
    }
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      if (!std::isfinite(X(i, j))) {
        throw InputError(w + ": X(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                         ") (1-based) is not finite");
      }
    }
  }
}

// s_i = |sigma o x_i| (normal) or c_ij = a_j |x_ij| (uniform) must stay finite.
void check_finite_scaled(double v, Eigen::Index i, const char* who) {
  if (!std::isfinite(v)) {
    throw InputError(std::string(who) + ": scale times row " + std::to_string(i + 1) + " of X overflows");
  }
}

// E|c1 u1 + R - y| when c1 = v[0] >= sum_{j>=2} c_j + |y| (so |R - y| <= c1):
// (c1^2 + E(R - y)^2) / (2 c1) = c1/2 + (sum_{j>=2} c_j^2/3 + y^2)/(2 c1) (m = 2: 3.40-3.41).
double dominant_abs_mean(const std::vector<double>& v, double ay) {
  const double c1 = v.front();
  double var_over_c1 = 0.0;
  for (size_t j = 1; j < v.size(); ++j) var_over_c1 += (v[j] / c1) * v[j] / 3.0;
  return 0.5 * c1 + 0.5 * (var_over_c1 + (ay / c1) * ay);
}

// <f_i> over the data points. All-normal init: f_i = normal_point(i, s_i) with
// s_i = |sigma .* x_i|; all-uniform init: f_i = uniform_point(i, c, m) with c_j = a_j |x_ij|.
template <class NormalPoint, class UniformPoint>
double mean_over_points(const Eigen::MatrixXd& X, const Eigen::VectorXd& scale_j, int normal_dims, const char* who,
                        NormalPoint normal_point, UniformPoint uniform_point) {
  const Eigen::Index n = X.rows(), m = X.cols();
  double sum = 0.0;
  if (normal_dims == m) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double s = X.row(i).cwiseProduct(scale_j.transpose()).stableNorm();
      check_finite_scaled(s, i, who);
      sum += normal_point(i, s);
    }
  } else {
    std::vector<double> c(static_cast<size_t>(m));
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < m; ++j) {
        c[static_cast<size_t>(j)] = scale_j[j] * std::fabs(X(i, j));
        check_finite_scaled(c[static_cast<size_t>(j)], i, who);
      }
      sum += uniform_point(i, c.data(), static_cast<int>(m));
    }
  }
  return sum / static_cast<double>(n);
}


void check_scale(double scale, const char* who) {
  if (!std::isfinite(scale) || scale < 0.0) {
    throw InputError(std::string(who) + ": scale = " + std::to_string(scale) + " must be finite and >= 0");
  }
}

// <E|W_i|>, W_i = sum_j u_j x_ij.
double mean_abs_w(const Eigen::MatrixXd& X, const char* who) {
  if (X.rows() == 0 || X.cols() == 0) throw InputError(std::string(who) + ": X is empty");
  std::vector<double> c(static_cast<size_t>(X.cols()));
  double sum = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      if (!std::isfinite(X(i, j))) {
        throw InputError(std::string(who) + ": X(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                         ") (1-based) is not finite");
      }
      c[static_cast<size_t>(j)] = std::fabs(X(i, j));
    }
    sum += mae_uniform_point(c.data(), static_cast<int>(X.cols()), 0.0);
  }
  return sum / static_cast<double>(X.rows());
}

// <|x_i|>, Euclidean norm.
double mean_norm(const Eigen::MatrixXd& X, const char* who) {
  if (X.rows() == 0 || X.cols() == 0) throw InputError(std::string(who) + ": X is empty");
  double sum = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double r = X.row(i).stableNorm();
    if (!std::isfinite(r)) {
      throw InputError(std::string(who) + ": row " + std::to_string(i + 1) + " of X is not finite");
    }
    sum += r;
  }
  return sum / static_cast<double>(X.rows());
}

}  // namespace

// ---- normal init ----

// Folded normal mean: s sqrt(2/pi) exp(-y^2/(2 s^2)) + y erf(y/(sqrt 2 s)) (Section 3.5).
double mae_normal_point(double y, double s) {
  if (!std::isfinite(y)) throw InputError("mae_normal_point: y is not finite");
  if (!std::isfinite(s) || s < 0.0) {
    throw InputError("mae_normal_point: s = " + std::to_string(s) + " must be finite and >= 0");
  }
  const double ay = std::fabs(y);
  if (s == 0.0) return ay;
  const double r = ay / s;  // may be +inf for tiny s: exp -> 0, erf -> 1
  const double gauss = r < 40.0 ? std::exp(-0.5 * r * r) : 0.0;
  return s * (2.0 * kInvSqrt2Pi) * gauss + ay * std::erf(r / std::sqrt(2.0));
}

namespace {
struct PhiParams {
  double s;
};
// ln(1 + e^{-s z}) phi_N(z), z = u for s <= 1.
double phi_remainder_z(double z, void* p) {
  const double s = static_cast<const PhiParams*>(p)->s;
  return std::log1p(std::exp(-s * z)) * kInvSqrt2Pi * std::exp(-0.5 * z * z);
}
// ln(1 + e^{-u}) phi_N(u/s), for s > 1.
double phi_remainder_u(double u, void* p) {
  const double s = static_cast<const PhiParams*>(p)->s;
  const double z = u / s;
  return std::log1p(std::exp(-u)) * kInvSqrt2Pi * std::exp(-0.5 * z * z);
}
}  // namespace

// phi(s) = s/sqrt(2 pi) + E ln(1 + e^{-s|Z|}) (4.2-4.3), the kink split off.
double ce_normal_phi(double s) {
  if (!std::isfinite(s) || s < 0.0) {
    throw InputError("ce_normal_phi: s = " + std::to_string(s) + " must be finite and >= 0");
  }
  if (s == 0.0) return kLn2;
  gsl_quiet();
  PhiParams params{s};
  gsl_function F;
  F.params = &params;
  double upper, factor;
  if (s <= 1.0) {  // 2 int_0^12 ln(1 + e^{-s z}) phi_N(z) dz; phi_N(12) ~ 5e-33
    F.function = &phi_remainder_z;
    upper = 12.0;
    factor = 2.0;
  } else {  // (2/s) int_0^U ln(1 + e^{-u}) phi_N(u/s) du; e^-60 ~ 1e-26
    F.function = &phi_remainder_u;
    upper = std::min(12.0 * s, 60.0);
    factor = 2.0 / s;
  }
  constexpr size_t kLimit = 200;
  GslWorkspace ws(kLimit);
  double result = 0.0, abserr = 0.0;
  // Absolute target 1e-16 of phi itself (phi >= max(ln 2, s / sqrt(2 pi))); GSL accepts no
  // relative tolerance below 50 DBL_EPSILON.
  const double epsabs = 1e-16 * std::max(kLn2, s * kInvSqrt2Pi) / factor;
  const int status =
      gsl_integration_qag(&F, 0.0, upper, epsabs, 2e-14, kLimit, GSL_INTEG_GAUSS61, ws.get(), &result, &abserr);
  check_quadrature(status, result, abserr, 1e-12, "ce_normal_phi");
  return s * kInvSqrt2Pi + factor * result;
}

// ---- uniform init ----

namespace detail {

double mae_uniform_exact(const double* c, int m, double y) {
  const std::vector<double> v = nonzero_coefficients(c, m, "mae_uniform_exact");
  if (!std::isfinite(y)) throw InputError("mae_uniform_exact: y is not finite");
  const int k = static_cast<int>(v.size());
  const double ay = std::fabs(y);  // E|W - y| = E|W + y|: W is symmetric
  if (k == 0) return ay;
  if (k > 30) {
    throw InputError("mae_uniform_exact: " + std::to_string(k) + " nonzero coefficients (2^k terms); at most 30");
  }
  // Common binary exponent: every value is an integer multiple of 2^e0.
  std::vector<int64_t> mant(static_cast<size_t>(k));
  std::vector<int> ex(static_cast<size_t>(k));
  int e0 = std::numeric_limits<int>::max();
  for (int j = 0; j < k; ++j) {
    dyadic(v[static_cast<size_t>(j)], &mant[static_cast<size_t>(j)], &ex[static_cast<size_t>(j)]);
    e0 = std::min(e0, ex[static_cast<size_t>(j)]);
  }
  int64_t ymant = 0;
  int yex = 0;
  if (ay != 0.0) {
    dyadic(ay, &ymant, &yex);
    e0 = std::min(e0, yex);
  }
  std::vector<Mpz> coef(static_cast<size_t>(k)), suffix(static_cast<size_t>(k) + 1),
      partial(static_cast<size_t>(k) + 1);
  for (int j = 0; j < k; ++j) {
    mpz_set_si(coef[static_cast<size_t>(j)].get(), static_cast<long>(mant[static_cast<size_t>(j)]));
    mpz_mul_2exp(coef[static_cast<size_t>(j)].get(), coef[static_cast<size_t>(j)].get(),
                 static_cast<mp_bitcnt_t>(ex[static_cast<size_t>(j)] - e0));
  }
  for (int j = k - 1; j >= 0; --j) {
    mpz_add(suffix[static_cast<size_t>(j)].get(), suffix[static_cast<size_t>(j) + 1].get(),
            coef[static_cast<size_t>(j)].get());
  }
  // T starts at -Y.
  if (ay != 0.0) {
    mpz_set_si(partial[0].get(), static_cast<long>(ymant));
    mpz_mul_2exp(partial[0].get(), partial[0].get(), static_cast<mp_bitcnt_t>(yex - e0));
    mpz_neg(partial[0].get(), partial[0].get());
  }
  Mpz power, acc;
  ExactSum walk;
  walk.k = k;
  walk.coef = &coef;
  walk.suffix = &suffix;
  walk.partial = &partial;
  walk.power = &power;
  walk.acc = &acc;
  walk.visit(0, +1);
  if (mpz_sgn(acc.get()) < 0) {
    throw std::logic_error("mae_uniform_exact: negative E(W - y)_+ (internal error)");
  }
  if (mpz_sgn(acc.get()) == 0) return ay;
  // E|W - y| = y + 2 E(W - y)_+ = y + acc 2^e0 / ((k+1)! 2^(k-1) prod C_j).
  Mpz den, q;
  mpz_fac_ui(den.get(), static_cast<unsigned long>(k + 1));
  mpz_mul_2exp(den.get(), den.get(), static_cast<mp_bitcnt_t>(k - 1));
  for (int j = 0; j < k; ++j) mpz_mul(den.get(), den.get(), coef[static_cast<size_t>(j)].get());
  const long shift = std::max<long>(
      0, 70 + static_cast<long>(mpz_sizeinbase(den.get(), 2)) - static_cast<long>(mpz_sizeinbase(acc.get(), 2)));
  mpz_mul_2exp(q.get(), acc.get(), static_cast<mp_bitcnt_t>(shift));
  mpz_tdiv_q(q.get(), q.get(), den.get());
  long qexp = 0;
  const double qd = mpz_get_d_2exp(&qexp, q.get());
  return ay + std::ldexp(qd, static_cast<int>(qexp - shift + e0));
}

double mae_uniform_cf(const double* c, int m, double y) {
  std::vector<double> v = nonzero_coefficients(c, m, "mae_uniform_cf");
  if (!std::isfinite(y)) throw InputError("mae_uniform_cf: y is not finite");
  const double ay = std::fabs(y);
  if (v.empty() || ay >= sum_of(v)) return ay;
  gsl_quiet();
  // E|W - y| is homogeneous: work with c_j / c_max and y / c_max.
  const double scale = v.front();
  for (double& cj : v) cj /= scale;
  const double yh = ay / scale;
  double sum_c2 = 0.0;
  for (double cj : v) sum_c2 += cj * cj;
  const double omega = sum_of(v) + yh;                   // fastest frequency in cos(t y) prod sinc(c_j t)
  const double lower = (kPi / 2.0) * std::max(yh, 0.5);  // E|X| >= max(|y|, c_max/2)
  // Tail beyond T: int_T^inf (1 - cos P)/t^2 = 1/T - int_T^inf cos P / t^2, the last bounded by
  // prod_j min(1, 1/(c_j T)) / T.
  double T = 1.0;
  while (sinc_product_bound(v, T) / T > kTailTol * lower) T *= 1.25;
  const size_t intervals = std::max<size_t>(8, static_cast<size_t>(std::ceil(T * omega / (2.0 * kPi))));
  CfParams params{&v, yh, 1.0, sum_c2, 0.0};
  const double integral =
      integrate_pieces(&mae_cf_integrand, &params, T, intervals, 1e-15 * lower, "mae_uniform_point");
  return scale * (2.0 / kPi) * (integral + 1.0 / T);
}

double ce_uniform_cf(const double* c, int m) {
  std::vector<double> v = nonzero_coefficients(c, m, "ce_uniform_cf");
  if (v.empty()) return kLn2;
  gsl_quiet();
  // t = tau / scale with scale = max(c_max, 1): E softplus(W) = (scale/pi) int_0^inf
  // (1 - g(tau/scale) prod_j sinc(c_j tau / scale)) / tau^2 dtau.
  const double cmax_orig = v.front();
  const double scale = std::max(cmax_orig, 1.0);
  for (double& cj : v) cj /= scale;
  const double cmax = v.front();
  double sum_c2 = 0.0;
  for (double cj : v) sum_c2 += cj * cj;
  const double omega = sum_of(v);
  const double g_scale = kPi / scale;
  // E softplus(W) >= max(ln 2, E|W|/2 >= c_max/4), in units of the tau integral.
  const double lower = kPi * std::max(kLn2, 0.25 * cmax_orig) / scale;
  auto tail = [&](double t) {
    const double x = g_scale * t;
    const double g = x < 700.0 ? x / std::sinh(x) : 0.0;
    return g * sinc_product_bound(v, t) / t;
  };
  double T = 1.0;
  while (tail(T) > kTailTol * lower) T *= 1.25;
  const double spacing = std::min(2.0 * kPi / omega, 0.5 * scale);
  const size_t intervals = std::max<size_t>(8, static_cast<size_t>(std::ceil(T / spacing)));
  CfParams params{&v, 0.0, cmax, sum_c2, g_scale};
  const double integral = integrate_pieces(&ce_cf_integrand, &params, T, intervals, 1e-15 * lower, "ce_uniform_point");
  return scale * (integral + 1.0 / T) / kPi;
}

}  // namespace detail

double mae_uniform_point(const double* c, int m, double y) {
  const std::vector<double> v = nonzero_coefficients(c, m, "mae_uniform_point");
  if (!std::isfinite(y)) throw InputError("mae_uniform_point: y is not finite");
  const double ay = std::fabs(y);
  if (v.empty()) return ay;
  const double c1 = v.front();
  const double rest = sum_of(v) - c1;
  if (ay >= c1 + rest) return ay;  // W - y never changes sign
  if (c1 >= rest + ay) return dominant_abs_mean(v, ay);
  if (static_cast<int>(v.size()) <= detail::kMaeExactMaxTerms) {
    return detail::mae_uniform_exact(v.data(), static_cast<int>(v.size()), ay);
  }
  return detail::mae_uniform_cf(v.data(), static_cast<int>(v.size()), ay);
}

double ce_uniform_point(const double* c, int m) {
  const std::vector<double> v = nonzero_coefficients(c, m, "ce_uniform_point");
  if (v.empty()) return kLn2;
  const double c1 = v.front();
  const double rest = sum_of(v) - c1;
  if (c1 - rest >= 40.0) {
    // |W| >= c1 - rest >= 40 outside a set where ln(1 + e^-|W|) < e^-40: with
    // E ln(1 + e^{-|W|}) = pi^2/(12 c1) + O(e^-40 / c1) and E|W| from the closed form,
    // E softplus(W) = E|W|/2 + pi^2/(12 c1) to double precision.
    return 0.5 * dominant_abs_mean(v, 0.0) + kPi * kPi / (12.0 * c1);
  }
  return detail::ce_uniform_cf(v.data(), static_cast<int>(v.size()));
}

// ---- dataset level ----

double mae_e_init(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& scale_j, int normal_dims) {
  const char* who = "mae_e_init";
  check_dataset(X, scale_j, normal_dims, who);
  if (y.size() != X.rows()) {
    throw InputError(std::string(who) + ": y has length " + std::to_string(y.size()) + ", X has " +
                     std::to_string(X.rows()) + " rows");
  }
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw InputError(std::string(who) + ": y[" + std::to_string(i + 1) + "] (1-based) is not finite");
    }
  }
  return mean_over_points(
      X, scale_j, normal_dims, who, [&](Eigen::Index i, double s) { return mae_normal_point(y[i], s); },
      [&](Eigen::Index i, const double* c, int m) { return mae_uniform_point(c, m, y[i]); });
}

double ce_e_init(const Eigen::MatrixXd& X, const Eigen::VectorXd& scale_j, int normal_dims) {
  const char* who = "ce_e_init";
  check_dataset(X, scale_j, normal_dims, who);
  return mean_over_points(
      X, scale_j, normal_dims, who, [](Eigen::Index, double s) { return ce_normal_phi(s); },
      [](Eigen::Index, const double* c, int m) { return ce_uniform_point(c, m); });
}

// Normal: sigma sqrt(2/pi) <|x_i|> (3.36-3.37); uniform: a <E|W_i|> (3.42-3.45).
double mae_e_asym(const Eigen::MatrixXd& X, double scale, bool uniform) {
  check_scale(scale, "mae_e_asym");
  if (uniform) return scale * mean_abs_w(X, "mae_e_asym");
  return scale * (2.0 * kInvSqrt2Pi) * mean_norm(X, "mae_e_asym");
}

// Normal: sigma <|x_i|> / sqrt(2 pi) (4.6-4.7); uniform: (a/2) <E|W_i|> (4.11-4.14).
double ce_e_asym(const Eigen::MatrixXd& X, double scale, bool uniform) {
  check_scale(scale, "ce_e_asym");
  if (uniform) return 0.5 * scale * mean_abs_w(X, "ce_e_asym");
  return scale * mean_norm(X, "ce_e_asym") / kSqrt2Pi;
}

}  // namespace mltemp
