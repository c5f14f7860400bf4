// MLP references (Section 5, Appendix E): see refs_mlp.h for the conventions.
#include "refs_mlp.h"

#include <gsl/gsl_integration.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "errors.h"

namespace mltemp {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

double sq(double v) { return v * v; }

// ---- fixed-order Gauss-Legendre panels (GSL's glfixed table, read once)
class GaussLegendre {
 public:
  explicit GaussLegendre(size_t order) : nodes_(order), weights_(order) {
    gsl_integration_glfixed_table* t = gsl_integration_glfixed_table_alloc(order);
    for (size_t i = 0; i < order; ++i) {
      gsl_integration_glfixed_point(-1.0, 1.0, i, &nodes_[i], &weights_[i], t);
    }
    gsl_integration_glfixed_table_free(t);
  }
  // int_a^b f over `panels` equal panels.
  template <class F>
  double integrate(F&& f, double a, double b, long panels) const {
    const double w = (b - a) / static_cast<double>(panels);
    double total = 0.0;
    for (long p = 0; p < panels; ++p) {
      const double mid = a + (static_cast<double>(p) + 0.5) * w;
      double s = 0.0;
      for (size_t i = 0; i < nodes_.size(); ++i) s += weights_[i] * f(mid + 0.5 * w * nodes_[i]);
      total += 0.5 * w * s;
    }
    return total;
  }

 private:
  std::vector<double> nodes_;
  std::vector<double> weights_;
};

const GaussLegendre& gl20() {
  static const GaussLegendre rule(20);
  return rule;
}

double normal_pdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

double sech2(double u) {
  const double e = std::exp(-2.0 * std::fabs(u));
  return 4.0 * e / sq(1.0 + e);
}

// K(t) = E sech^2(t Z), Z ~ N(0,1). Integrate on the scale of the narrower factor:
// t <= 1: 2 int_0^40 sech^2(t z) phi(z) dz; t > 1: (2/t) int_0^40 sech^2(u) phi(u/t) du.
double gauss_sech2_mean(double t) {
  t = std::fabs(t);
  if (t == 0.0) return 1.0;
  if (t <= 1.0) {
    return 2.0 * gl20().integrate([t](double z) { return sech2(t * z) * normal_pdf(z); }, 0.0, 40.0, 80);
  }
  return (2.0 / t) * gl20().integrate([t](double u) { return sech2(u) * normal_pdf(u / t); }, 0.0, 40.0, 160);
}

// E tanh^2(s Z) directly (no cancellation at small s).
double gauss_tanh2_direct(double s) {
  return 2.0 * gl20().integrate(
                   [s](double z) {
                     const double th = std::tanh(s * z);
                     return th * th * normal_pdf(z);
                   },
                   0.0, 40.0, 80);
}

// Fourier transform of sech^2: int sech^2(x) e^{itx} dx = pi t / sinh(pi t / 2).
double sech2_fourier(double t) {
  t = std::fabs(t);
  if (t < 1e-8) return 2.0;
  const double x = 0.5 * kPi * t;
  if (x > 40.0) return 2.0 * kPi * t * std::exp(-x);
  return kPi * t / std::sinh(x);
}

double sinc(double x) {
  if (std::fabs(x) < 1e-4) return 1.0 - x * x / 6.0;
  return std::sin(x) / x;
}

// E sech^2(sum_j c_j u_j), u_j ~ U[-1,1], c_j > 0 (zeros removed). One term: tanh(c)/c.
// Otherwise (1/pi) int_0^T F(t) prod_j sinc(c_j t) dt on 20-point Gauss-Legendre panels half a
// period of the fastest sinc wide. T: the tail beyond it is below 1e-18, using
// |prod sinc(c_j t)| <= P(T) = prod_j min(1, 1/(c_j T)) for t >= T and
// int_T^inf F <= min(pi, 1.05 (4T + 2.6) e^{-pi T / 2}). nullopt beyond 2e5 panels.
std::optional<double> uniform_sech2_mean(const std::vector<double>& c) {
  if (c.empty()) return 1.0;
  if (c.size() == 1) return std::tanh(c[0]) / c[0];
  const double c_max = *std::max_element(c.begin(), c.end());
  double t_end = 60.0;
  for (double t = 1e-6; t < 60.0; t *= 1.05) {
    double p = 1.0;
    for (double cj : c) p *= std::min(1.0, 1.0 / (cj * t));
    const double f_tail = std::min(kPi, 1.05 * (4.0 * t + 2.6) * std::exp(-0.5 * kPi * t));
    if (p * f_tail / kPi < 1e-18) {
      t_end = t;
      break;
    }
  }
  const double width = std::min(0.25, kPi / c_max);
  const double panels_d = std::ceil(t_end / width);
  if (panels_d > 2e5) return std::nullopt;
  const long panels = std::max(1L, static_cast<long>(panels_d));
  const double integral = gl20().integrate(
      [&c](double t) {
        double p = sech2_fourier(t);
        for (double cj : c) p *= sinc(cj * t);
        return p;
      },
      0.0, t_end, panels);
  return integral / kPi;
}

void check_var(const MlpShape& shape, const std::vector<double>& var_l, const char* what) {
  const int L = mlp_layers(shape);
  if (static_cast<int>(var_l.size()) != L) {
    throw InputError(std::string(what) + ": need one value per layer (" + std::to_string(L) + "), got " +
                     std::to_string(var_l.size()));
  }
  for (double v : var_l) {
    if (!std::isfinite(v) || v < 0.0) {
      throw InputError(std::string(what) + ": per-layer values must be finite and >= 0");
    }
  }
}

void check_data(const MlpShape& shape, const Eigen::MatrixXd& X, const char* what) {
  if (X.rows() < 1) throw InputError(std::string(what) + ": no data points");
  if (X.cols() != shape.widths[0]) {
    throw InputError(std::string(what) + ": X has " + std::to_string(X.cols()) + " columns, the input width n_0 is " +
                     std::to_string(shape.widths[0]));
  }
}

}  // namespace

Activation activation_from_name(const std::string& name) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "relu") return Activation::kRelu;
  throw InputError("activation: expected tanh, sigmoid or relu, got '" + name + "'");
}

const char* activation_name(Activation act) {
  switch (act) {
    case Activation::kTanh:
      return "tanh";
    case Activation::kSigmoid:
      return "sigmoid";
    case Activation::kRelu:
      return "relu";
  }
  return "?";
}

double mlp_activate(Activation act, double z) {
  switch (act) {
    case Activation::kTanh:
      return std::tanh(z);
    case Activation::kSigmoid:
      return z >= 0.0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
    case Activation::kRelu:
      return z > 0.0 ? z : 0.0;
  }
  return 0.0;
}

double mlp_activate_deriv(Activation act, double z) {
  switch (act) {
    case Activation::kTanh:
      return sech2(z);
    case Activation::kSigmoid: {
      const double s = mlp_activate(Activation::kSigmoid, z);
      return s * (1.0 - s);
    }
    case Activation::kRelu:
      return z > 0.0 ? 1.0 : 0.0;
  }
  return 0.0;
}

void mlp_check_shape(const MlpShape& shape) {
  if (shape.widths.size() < 2) {
    throw InputError("mlp widths: need at least {n_0, 1}, got " + std::to_string(shape.widths.size()) + " entries");
  }
  for (size_t i = 0; i < shape.widths.size(); ++i) {
    if (shape.widths[i] < 1) {
      throw InputError("mlp widths: entry " + std::to_string(i) + " is " + std::to_string(shape.widths[i]) +
                       ", must be >= 1");
    }
  }
  if (shape.widths.back() != 1) {
    throw InputError("mlp widths: the output width n_L must be 1, got " + std::to_string(shape.widths.back()));
  }
}

int mlp_layers(const MlpShape& shape) {
  mlp_check_shape(shape);
  return static_cast<int>(shape.widths.size()) - 1;
}

long mlp_layer_param_count(const MlpShape& shape, int l) {
  const int L = mlp_layers(shape);
  if (l < 1 || l > L) {
    throw InputError("mlp layer index " + std::to_string(l) + " outside 1.." + std::to_string(L));
  }
  const long n_l = shape.widths[l];
  const long n_prev = shape.widths[l - 1];
  return n_l * n_prev + (shape.bias ? n_l : 0);
}

long mlp_param_count(const MlpShape& shape) {
  const int L = mlp_layers(shape);
  long total = 0;
  for (int l = 1; l <= L; ++l) total += mlp_layer_param_count(shape, l);
  return total;
}

long mlp_layer_offset(const MlpShape& shape, int l) {
  const int L = mlp_layers(shape);
  if (l < 1 || l > L) {
    throw InputError("mlp layer index " + std::to_string(l) + " outside 1.." + std::to_string(L));
  }
  long off = 0;
  for (int k = 1; k < l; ++k) off += mlp_layer_param_count(shape, k);
  return off;
}

// (5.1-5.2)
double mlp_forward(const MlpShape& shape, const double* theta, const double* x, std::vector<std::vector<double>>& z) {
  const int L = mlp_layers(shape);
  z.resize(L);
  std::vector<double> h(x, x + shape.widths[0]);
  const double* p = theta;
  for (int l = 1; l <= L; ++l) {
    const int n_l = shape.widths[l];
    const int n_prev = shape.widths[l - 1];
    std::vector<double>& zl = z[l - 1];
    zl.assign(n_l, 0.0);
    for (int i = 0; i < n_l; ++i) {
      double s = 0.0;
      for (int j = 0; j < n_prev; ++j) s += p[static_cast<long>(i) * n_prev + j] * h[j];
      zl[i] = s;
    }
    p += static_cast<long>(n_l) * n_prev;
    if (shape.bias) {
      for (int i = 0; i < n_l; ++i) zl[i] += p[i];
      p += n_l;
    }
    if (l < L) {
      h.resize(n_l);
      for (int i = 0; i < n_l; ++i) h[i] = mlp_activate(shape.act, zl[i]);
    }
  }
  return z[L - 1][0];
}

std::vector<Eigen::MatrixXd> mlp_forward_batch(const MlpShape& shape, const Eigen::VectorXd& theta,
                                               const Eigen::MatrixXd& X) {
  const int L = mlp_layers(shape);
  if (theta.size() != mlp_param_count(shape)) {
    throw InputError("mlp theta: length " + std::to_string(theta.size()) + ", expected " +
                     std::to_string(mlp_param_count(shape)));
  }
  if (X.cols() != shape.widths[0]) {
    throw InputError("mlp forward: X has " + std::to_string(X.cols()) + " columns, n_0 is " +
                     std::to_string(shape.widths[0]));
  }
  using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::vector<Eigen::MatrixXd> Z(L);
  Eigen::MatrixXd H = X;
  const double* p = theta.data();
  const Activation act = shape.act;
  for (int l = 1; l <= L; ++l) {
    const int n_l = shape.widths[l];
    const int n_prev = shape.widths[l - 1];
    Eigen::Map<const RowMat> W(p, n_l, n_prev);
    p += static_cast<long>(n_l) * n_prev;
    Z[l - 1] = H * W.transpose();
    if (shape.bias) {
      Eigen::Map<const Eigen::RowVectorXd> b(p, n_l);
      Z[l - 1].rowwise() += b;
      p += n_l;
    }
    if (l < L) H = Z[l - 1].unaryExpr([act](double v) { return mlp_activate(act, v); });
  }
  return Z;
}

double gauss_act2_mean(Activation act, double s2) {
  if (!std::isfinite(s2) || s2 < 0.0) throw InputError("gauss_act2_mean: variance must be >= 0");
  const double s = std::sqrt(s2);
  switch (act) {
    case Activation::kRelu:
      return 0.5 * s2;
    case Activation::kTanh:
      // tanh^2 = 1 - sech^2
      return s <= 1.0 ? gauss_tanh2_direct(s) : 1.0 - gauss_sech2_mean(s);
    case Activation::kSigmoid:
      // sigmoid(x)^2 + sigmoid(-x)^2 = 1 - sech^2(x/2)/2, and Z is symmetric
      return 0.5 - 0.25 * gauss_sech2_mean(0.5 * s);
  }
  return 0.0;
}

std::optional<double> uniform_act2_mean(Activation act, const std::vector<double>& c) {
  std::vector<double> cp;
  double k2 = 0.0, k4 = 0.0, k6 = 0.0;  // sums of c^2, c^4, c^6
  for (double cj : c) {
    if (!std::isfinite(cj)) throw InputError("uniform_act2_mean: non-finite half-width");
    const double a = std::fabs(cj);
    if (a > 0.0) cp.push_back(a);
    k2 += a * a;
    k4 += a * a * a * a;
    k6 += a * a * a * a * a * a;
  }
  switch (act) {
    case Activation::kRelu:
      return k2 / 6.0;
    case Activation::kTanh: {
      if (k2 / 3.0 < 1e-4) {
        // Small X: tanh^2 x = x^2 - 2x^4/3 + 17x^6/45 - ..., moments from the cumulants of
        // U[-1,1] (1/3, -2/15, 16/63).
        const double c2 = k2 / 3.0, c4 = -2.0 * k4 / 15.0, c6 = 16.0 * k6 / 63.0;
        const double m4 = c4 + 3.0 * c2 * c2;
        const double m6 = c6 + 15.0 * c4 * c2 + 15.0 * c2 * c2 * c2;
        return c2 - 2.0 * m4 / 3.0 + 17.0 * m6 / 45.0;
      }
      const auto k = uniform_sech2_mean(cp);
      if (!k) return std::nullopt;
      return 1.0 - *k;
    }
    case Activation::kSigmoid: {
      for (double& a : cp) a *= 0.5;
      const auto k = uniform_sech2_mean(cp);
      if (!k) return std::nullopt;
      return 0.5 - 0.25 * *k;
    }
  }
  return std::nullopt;
}

// (5.9-5.10) for ReLU, (5.4) with one hidden layer for tanh/sigmoid.
std::vector<std::optional<double>> mlp_layer_second_moments(const MlpShape& shape, const std::vector<double>& var_l,
                                                            bool uniform, const double* x) {
  const int L = mlp_layers(shape);
  check_var(shape, var_l, "mlp variances");
  const double b = shape.bias ? 1.0 : 0.0;
  const int n0 = shape.widths[0];
  double x2 = 0.0;
  for (int j = 0; j < n0; ++j) x2 += x[j] * x[j];

  std::vector<std::optional<double>> out(L);
  out[0] = shape.widths[1] * var_l[0] * (x2 + b);
  // E|h_1|^2
  std::optional<double> h2;
  if (L >= 2) {
    const int n1 = shape.widths[1];
    if (shape.act == Activation::kRelu) {
      h2 = 0.5 * *out[0];
    } else if (!uniform) {
      h2 = n1 * gauss_act2_mean(shape.act, var_l[0] * (x2 + b));
    } else {
      const double a1 = std::sqrt(3.0 * var_l[0]);
      std::vector<double> c(x, x + n0);
      for (double& cj : c) cj *= a1;
      if (shape.bias) c.push_back(a1);
      const auto g2 = uniform_act2_mean(shape.act, c);
      if (g2) h2 = n1 * *g2;
    }
  }
  for (int l = 2; l <= L; ++l) {
    if (!h2) break;
    out[l - 1] = shape.widths[l] * var_l[l - 1] * (*h2 + b);
    if (shape.act == Activation::kRelu) {
      h2 = 0.5 * *out[l - 1];
    } else {
      h2.reset();  // no exact E|h_l|^2 beyond the first hidden layer
    }
  }
  return out;
}

// (5.3): E_init = c + <E yhat^2>
std::optional<double> mlp_e_init_exact(const MlpShape& shape, const std::vector<double>& var_l, bool uniform,
                                       const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const int L = mlp_layers(shape);
  check_data(shape, X, "mlp E_init");
  if (y.size() != X.rows()) throw InputError("mlp E_init: y and X have different lengths");
  const long n = X.rows();
  double sum = 0.0;
  std::vector<double> x(X.cols());
  for (long i = 0; i < n; ++i) {
    for (long j = 0; j < X.cols(); ++j) x[j] = X(i, j);
    const auto m = mlp_layer_second_moments(shape, var_l, uniform, x.data());
    if (!m[L - 1]) return std::nullopt;
    sum += *m[L - 1];
  }
  return y.squaredNorm() / n + sum / n;
}

// (5.12-5.13)
std::vector<std::optional<double>> mlp_layer_energies_exact(const MlpShape& shape, const std::vector<double>& var_l,
                                                            bool uniform, const Eigen::MatrixXd& X,
                                                            const std::vector<Eigen::MatrixXd>& zstar) {
  const int L = mlp_layers(shape);
  check_data(shape, X, "mlp layer energies");
  if (static_cast<int>(zstar.size()) != L) {
    throw InputError("mlp layer energies: need one reference matrix per layer");
  }
  const long n = X.rows();
  for (int l = 1; l <= L; ++l) {
    if (zstar[l - 1].rows() != n || zstar[l - 1].cols() != shape.widths[l]) {
      throw InputError("mlp layer energies: reference of layer " + std::to_string(l) + " must be n x n_l");
    }
  }
  std::vector<double> sum(L, 0.0);
  std::vector<bool> ok(L, true);
  std::vector<double> x(X.cols());
  for (long i = 0; i < n; ++i) {
    for (long j = 0; j < X.cols(); ++j) x[j] = X(i, j);
    const auto m = mlp_layer_second_moments(shape, var_l, uniform, x.data());
    for (int l = 0; l < L; ++l) {
      if (m[l]) {
        sum[l] += *m[l];
      } else {
        ok[l] = false;
      }
    }
  }
  std::vector<std::optional<double>> out(L);
  for (int l = 0; l < L; ++l) {
    if (ok[l]) out[l] = sum[l] / n + zstar[l].squaredNorm() / n;
  }
  return out;
}

std::vector<double> mlp_saturation_factors(const MlpShape& shape, bool zero_input) {
  const int L = mlp_layers(shape);
  if (shape.act == Activation::kRelu) throw InputError("mlp saturation factors: ReLU does not saturate");
  const bool sig = shape.act == Activation::kSigmoid;
  const double g0_sq_over_g2 = sig ? 0.5 : 0.0;      // g(0)^2 / g2: (1/4)/(1/2) sigmoid, 0 tanh
  double p = zero_input && !shape.bias ? 1.0 : 0.0;  // P(h_{l-1} = 0)
  std::vector<double> f;
  for (int l = 1; l < L; ++l) {
    f.push_back(1.0 - p + p * g0_sq_over_g2);
    if (shape.bias) continue;  // never all zero: p stays 0
    const double all_off = sig ? std::ldexp(1.0, -shape.widths[l]) : 0.0;
    p = (1.0 - p) * all_off + (sig ? 0.0 : p);
  }
  return f;
}

// (5.4-5.11), (5.14-5.22), (5.26-5.31), (5.32-5.42), (E.1-E.4)
MlpAsymptotes mlp_asymptotes(const MlpShape& shape, const std::vector<double>& k_l, double scale, bool uniform,
                             const Eigen::MatrixXd& X) {
  const int L = mlp_layers(shape);
  check_var(shape, k_l, "mlp layer factors k_l");
  for (double k : k_l) {
    if (!(k > 0.0)) throw InputError("mlp layer factors k_l: must be > 0");
  }
  if (!std::isfinite(scale) || !(scale > 0.0)) throw InputError("mlp asymptote scale must be > 0");
  check_data(shape, X, "mlp asymptotes");
  const long n = X.rows();
  const double b = shape.bias ? 1.0 : 0.0;
  const std::vector<int>& w = shape.widths;
  std::vector<double> v(L);
  for (int l = 0; l < L; ++l) v[l] = sq(k_l[l] * scale) / (uniform ? 3.0 : 1.0);
  const double mean_x2b = X.rowwise().squaredNorm().mean() + b;

  MlpAsymptotes out;
  out.layer_e_asym.assign(L, 0.0);
  out.layer_t_asym.assign(L, 0.0);
  out.layer_e_limit.assign(L, 0.0);

  // Paper forms.
  out.layer_e_asym[0] = w[1] * v[0] * mean_x2b;
  double relu_prod = 1.0;  // prod_{k<l} n_k v_k / 2
  for (int l = 2; l <= L; ++l) {
    const double n_l = w[l], n_prev = w[l - 1];
    relu_prod *= n_prev * v[l - 2] / 2.0;
    switch (shape.act) {
      case Activation::kTanh:
        out.layer_e_asym[l - 1] = n_l * v[l - 1] * (n_prev + b);
        break;
      case Activation::kSigmoid:
        out.layer_e_asym[l - 1] = n_l * v[l - 1] * (0.5 * n_prev + b);
        break;
      case Activation::kRelu:
        out.layer_e_asym[l - 1] = n_l * v[l - 1] * relu_prod * mean_x2b;
        break;
    }
  }

  // Exact limits, point by point (x = 0 without biases feeds zeros forward).
  std::vector<double> f_nonzero, f_zero;
  const double g2 = shape.act == Activation::kSigmoid ? 0.5 : 1.0;
  if (shape.act != Activation::kRelu) {
    f_nonzero = mlp_saturation_factors(shape, false);
    f_zero = mlp_saturation_factors(shape, true);
  }
  for (long i = 0; i < n; ++i) {
    const double x2 = X.row(i).squaredNorm();
    out.layer_e_limit[0] += w[1] * v[0] * (x2 + b);
    if (shape.act == Activation::kRelu) {
      double prod = 1.0;
      for (int l = 2; l <= L; ++l) {
        prod *= w[l - 1] * v[l - 2] / 2.0;
        out.layer_e_limit[l - 1] += w[l] * v[l - 1] * prod * (x2 + b);
      }
      continue;
    }
    const std::vector<double>& f = x2 + b > 0.0 ? f_nonzero : f_zero;
    for (int l = 2; l <= L; ++l) out.layer_e_limit[l - 1] += w[l] * v[l - 1] * (w[l - 1] * g2 * f[l - 2] + b);
  }
  for (double& e : out.layer_e_limit) e /= static_cast<double>(n);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double ln_scale = std::log(scale);
  const long N = mlp_param_count(shape);
  out.e_asym = out.layer_e_asym[L - 1];
  out.e_limit = out.layer_e_limit[L - 1];
  out.t_asym = scale > 1.0 ? out.e_asym / (N * ln_scale) : nan;
  for (int l = 1; l <= L; ++l) {
    out.layer_t_asym[l - 1] =
        scale > 1.0 ? out.layer_e_asym[l - 1] / (mlp_layer_param_count(shape, l) * ln_scale) : nan;
  }
  if (shape.act == Activation::kRelu || L == 1) {
    out.eta_limit = 1.0;
    out.eta_limit_exact = 1.0;
  } else {
    double sum = 0.0, sum_exact = 0.0;
    for (int l = 0; l < L; ++l) {
      sum += out.layer_e_asym[l];
      sum_exact += out.layer_e_limit[l];
    }
    out.eta_limit = out.layer_e_asym[L - 1] / sum;
    out.eta_limit_exact = out.layer_e_limit[L - 1] / sum_exact;
  }
  return out;
}

}  // namespace mltemp
