#include "entropy_estimators.h"

#include <gsl/gsl_sf_psi.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

#include "mltemp/moments.h"

namespace mltemp {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Below these sizes a loop runs on one thread: a parallel region costs more than it saves, and
// on a shared machine each barrier waits for the slowest, possibly descheduled, thread.
constexpr size_t kParallelLight = 65536;  // O(P^2) work per point
constexpr size_t kParallelKnn = 8192;     // a k-d tree query per point

// sum_k f(k, out) over k < n, each chunk of kChunk summed in order into its own partial, the
// partials added in chunk order: the same bits for any thread count. f adds into out[0..width).
template <class F>
std::vector<double> chunked_sum(size_t n, int width, bool parallel, F f) {
  const size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> part(chunks * width, 0.0);
#pragma omp parallel for schedule(static) if (parallel)
  for (size_t c = 0; c < chunks; ++c) {
    const size_t end = std::min(n, (c + 1) * kChunk);
    for (size_t k = c * kChunk; k < end; ++k) f(k, &part[c * width]);
  }
  std::vector<double> total(width, 0.0);
  for (size_t c = 0; c < chunks; ++c)
    for (int j = 0; j < width; ++j) total[j] += part[c * width + j];
  return total;
}

// A k-d tree over n points of p coordinates (leaves of at most kLeaf points), answering "the
// distance to the k-th nearest other point". Distances are computed in coordinate order, so
// the answer does not depend on the tree's shape or the traversal.
class KdTree {
 public:
  KdTree(const double* y, size_t n, int p) : y_(y), p_(p), idx_(n) {
    for (size_t i = 0; i < n; ++i) idx_[i] = static_cast<uint32_t>(i);
    nodes_.reserve(2 * (n / kLeaf + 1));
    build(0, static_cast<uint32_t>(n));
  }

  // Squared distance from point self to its k-th nearest other point (k <= kMaxK).
  double kth_distance2(uint32_t self, int k) const {
    double best[kMaxK];
    for (int i = 0; i < k; ++i) best[i] = kInf;
    query(0, y_ + static_cast<size_t>(self) * p_, self, best, k);
    return best[k - 1];
  }

  static constexpr int kMaxK = 16;

 private:
  static constexpr uint32_t kLeaf = 12;
  struct Node {
    int dim = -1;  // -1: a leaf holding idx_[lo, hi)
    double split = 0.0;
    int left = -1, right = -1;
    uint32_t lo = 0, hi = 0;
  };

  double coord(uint32_t i, int d) const { return y_[static_cast<size_t>(i) * p_ + d]; }

  int build(uint32_t lo, uint32_t hi) {
    const int id = static_cast<int>(nodes_.size());
    nodes_.push_back(Node{});
    nodes_[id].lo = lo;
    nodes_[id].hi = hi;
    if (hi - lo <= kLeaf) return id;
    int dim = 0;
    double spread = -1.0;
    for (int d = 0; d < p_; ++d) {
      double mn = kInf, mx = -kInf;
      for (uint32_t i = lo; i < hi; ++i) {
        mn = std::min(mn, coord(idx_[i], d));
        mx = std::max(mx, coord(idx_[i], d));
      }
      if (mx - mn > spread) {
        spread = mx - mn;
        dim = d;
      }
    }
    if (!(spread > 0.0)) return id;  // all points equal: a leaf
    const uint32_t mid = lo + (hi - lo) / 2;
    std::nth_element(idx_.begin() + lo, idx_.begin() + mid, idx_.begin() + hi,
                     [&](uint32_t a, uint32_t b) { return coord(a, dim) < coord(b, dim); });
    const double split = coord(idx_[mid], dim);
    const int left = build(lo, mid);
    const int right = build(mid, hi);
    nodes_[id].dim = dim;
    nodes_[id].split = split;
    nodes_[id].left = left;
    nodes_[id].right = right;
    return id;
  }

  // Left holds coordinates <= split, right >= split: the far side is visited only when the
  // splitting plane is nearer than the current k-th distance.
  void query(int node, const double* q, uint32_t self, double* best, int k) const {
    const Node& nd = nodes_[node];
    if (nd.dim < 0) {
      for (uint32_t t = nd.lo; t < nd.hi; ++t) {
        const uint32_t i = idx_[t];
        if (i == self) continue;
        const double* yi = y_ + static_cast<size_t>(i) * p_;
        double d2 = 0.0;
        for (int d = 0; d < p_; ++d) d2 += (yi[d] - q[d]) * (yi[d] - q[d]);
        if (d2 < best[k - 1]) {
          int s = k - 1;
          for (; s > 0 && best[s - 1] > d2; --s) best[s] = best[s - 1];
          best[s] = d2;
        }
      }
      return;
    }
    const double diff = q[nd.dim] - nd.split;
    query(diff < 0 ? nd.left : nd.right, q, self, best, k);
    if (diff * diff < best[k - 1]) query(diff < 0 ? nd.right : nd.left, q, self, best, k);
  }

  const double* y_;
  int p_;
  std::vector<uint32_t> idx_;
  std::vector<Node> nodes_;
};

// ln of the volume of the unit ball in p dimensions.
double log_unit_ball(int p) { return 0.5 * p * std::log(kPi) - std::lgamma(0.5 * p + 1.0); }

}  // namespace

double knn_entropy(const double* x, size_t n, int p, int k) {
  const KdTree tree(x, n, p);
  const std::vector<double> s = chunked_sum(n, 1, n >= kParallelKnn, [&](size_t i, double* out) {
    out[0] += 0.5 * std::log(tree.kth_distance2(static_cast<uint32_t>(i), k));
  });
  const double nn = static_cast<double>(n);
  return gsl_sf_psi(nn) - gsl_sf_psi(k) + log_unit_ball(p) + p * s[0] / nn;
}

CloudEntropy cloud_entropy(const double* x, size_t n, int p, bool knn) {
  CloudEntropy r;
  r.knn = kNaN;
  const std::vector<double> sum = chunked_sum(n, p, n >= kParallelLight, [&](size_t k, double* out) {
    for (int j = 0; j < p; ++j) out[j] += x[k * p + j];
  });
  std::vector<double> mean(p);
  for (int j = 0; j < p; ++j) mean[j] = sum[j] / static_cast<double>(n);
  const std::vector<double> co = chunked_sum(n, p * p, n >= kParallelLight, [&](size_t k, double* out) {
    for (int a = 0; a < p; ++a)
      for (int b = 0; b <= a; ++b) out[a * p + b] += (x[k * p + a] - mean[a]) * (x[k * p + b] - mean[b]);
  });
  Eigen::MatrixXd cov(p, p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b <= a; ++b) cov(a, b) = cov(b, a) = co[a * p + b] / static_cast<double>(n - 1);
  const Eigen::LLT<Eigen::MatrixXd> llt(cov);
  const double half_log_2pie = 0.5 * std::log(2.0 * kPi * std::exp(1.0));
  if (llt.info() != Eigen::Success) {
    r.gauss = r.knn = r.log_det = -kInf;
    return r;
  }
  const Eigen::MatrixXd L = llt.matrixL();
  for (int j = 0; j < p; ++j) r.log_det += 2.0 * std::log(L(j, j));
  if (!std::isfinite(r.log_det)) {
    r.gauss = r.knn = -kInf;
    return r;
  }
  r.ok = true;
  // (N - 1) C_hat is Wishart(N - 1, C): E ln det C_hat = ln det C + P ln(2/(N-1)) + sum_{i=1}^P psi((N-i)/2).
  double wishart = p * std::log(2.0 / static_cast<double>(n - 1));
  for (int i = 1; i <= p; ++i) wishart += gsl_sf_psi(0.5 * static_cast<double>(n - i));
  r.gauss = p * half_log_2pie + 0.5 * (r.log_det - wishart);
  if (!knn) return r;
  // Whitened points L^-1 (x - mean): entropy of x = entropy of y + ln det L.
  std::vector<double> y(n * static_cast<size_t>(p));
#pragma omp parallel for schedule(static) if (n >= kParallelLight)
  for (size_t k = 0; k < n; ++k) {
    double* yk = &y[k * p];
    for (int a = 0; a < p; ++a) {
      double v = x[k * p + a] - mean[a];
      for (int b = 0; b < a; ++b) v -= L(a, b) * yk[b];
      yk[a] = v / L(a, a);
    }
  }
  r.knn = knn_entropy(y.data(), n, p) + 0.5 * r.log_det;
  return r;
}

CountEntropy count_entropy(const std::vector<uint64_t>& counts) {
  CountEntropy r;
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  r.cells = 0;
  if (total == 0) return r;
  const double n = static_cast<double>(total);
  // Grassberger's G(c) = psi(c) + (-1)^c (psi((c+1)/2) - psi(c/2)) / 2, kept for small counts.
  auto grassberger_g = [](uint64_t c) {
    const double cd = static_cast<double>(c);
    const double sign = (c % 2 == 0) ? 1.0 : -1.0;
    return gsl_sf_psi(cd) + 0.5 * sign * (gsl_sf_psi(0.5 * (cd + 1.0)) - gsl_sf_psi(0.5 * cd));
  };
  std::vector<double> small(256, kNaN);
  double s1 = 0.0, s2 = 0.0, g = 0.0;  // sum p ln p, sum p ln^2 p, sum c G(c)
  for (uint64_t c : counts) {
    if (c == 0) continue;
    ++r.cells;
    const double cd = static_cast<double>(c);
    const double p = cd / n, lp = std::log(p);
    s1 += p * lp;
    s2 += p * lp * lp;
    if (c < small.size() && std::isnan(small[c])) small[c] = grassberger_g(c);
    g += cd * (c < small.size() ? small[c] : grassberger_g(c));
  }
  r.plugin = -s1;
  r.miller_madow = r.plugin + (static_cast<double>(r.cells) - 1.0) / (2.0 * n);
  r.grassberger = std::log(n) - g / n;
  r.se = std::sqrt(std::max(0.0, s2 - s1 * s1) / n);
  return r;
}

double grid_entropy_normal(double sigma, double delta) {
  // Cells [k u, (k+1) u) in units of sigma; the negative half mirrors the positive one.
  const double u = delta / sigma, r2 = std::sqrt(2.0);
  double h = 0.0;
  for (long k = 0;; ++k) {
    const double lo = k * u, hi = (k + 1) * u;
    if (lo > 40.0) break;
    // Small arguments by erf (relative accuracy near 0), tails by erfc.
    const double p =
        lo < 1.0 ? 0.5 * (std::erf(hi / r2) - std::erf(lo / r2)) : 0.5 * (std::erfc(lo / r2) - std::erfc(hi / r2));
    if (p > 0.0) h -= 2.0 * p * std::log(p);
  }
  return h;
}

double grid_entropy_uniform(double a, double delta) {
  const long first = static_cast<long>(std::floor(-a / delta)), last = static_cast<long>(std::floor(a / delta));
  double h = 0.0;
  for (long k = first; k <= last; ++k) {
    const double lo = std::max(-a, k * delta), hi = std::min(a, (k + 1) * delta);
    const double p = (hi - lo) / (2.0 * a);
    if (p > 0.0) h -= p * std::log(p);
  }
  return h;
}

}  // namespace mltemp
