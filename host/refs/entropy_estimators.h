// Entropy from samples: what the experiments use where no closed form exists.
//
// - A cloud of N particles in P dimensions (the training experiment's parameters after t steps):
//   the Gaussian fit 0.5 ln det(2 pi e C), an upper bound on the differential entropy of any
//   density with covariance C (the normal maximizes entropy at fixed covariance), and the
//   Kozachenko-Leonenko k-nearest-neighbour estimate, computed on the whitened cloud so that it
//   is affine invariant: an affine map theta -> M theta + d changes it by exactly ln|det M|,
//   as it changes the true entropy (so linear gradient descent is tracked exactly).
// - Counts of particles in grid cells (the entropy experiment, 2.24-2.26): plug-in, Miller-Madow
//   and Grassberger estimates of the discrete entropy H_Delta, and the exact H_Delta of one
//   normal or uniform coordinate (the reference the histogram is tested against).
// Every sum runs in a fixed order (particles in chunks of kChunk, chunks in order), so the bits
// do not depend on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mltemp {

struct CloudEntropy {
  double gauss = 0.0;    // P/2 ln(2 pi e) + 1/2 ln det C, C estimated without bias (Wishart)
  double knn = 0.0;      // Kozachenko-Leonenko on the whitened cloud (NaN unless asked for)
  double log_det = 0.0;  // ln det of the sample covariance (N - 1 denominator)
  bool ok = false;       // false when the sample covariance is singular (gauss, knn = -inf)
};

// The number of neighbours of the kNN estimate: k = 4 (a compromise between the bias of small
// k in heavy regions and the variance of k = 1; the bias is measured in README "Experiments").
constexpr int kKnnNeighbours = 4;

// x: N points of P coordinates, point k at x[k * p .. k * p + p). Needs n > p + 1.
CloudEntropy cloud_entropy(const double* x, size_t n, int p, bool knn);

// Kozachenko-Leonenko estimate of the differential entropy of the points as given (no
// whitening): psi(N) - psi(k) + ln V_P + (P/N) sum_i ln eps_i, eps_i the distance to the k-th
// nearest other point (a k-d tree; exact distances). -inf when two points coincide.
double knn_entropy(const double* x, size_t n, int p, int k = kKnnNeighbours);

// Discrete entropy of cell counts (the cells' order fixes the summation order).
struct CountEntropy {
  double plugin = 0.0;        // -sum p ln p with p = count / N: biased low by about (K - 1)/(2N)
  double miller_madow = 0.0;  // plugin + (K - 1)/(2N)
  double grassberger = 0.0;   // ln N - (1/N) sum c G(c) (Grassberger 2003), less biased when undersampled
  double se = 0.0;            // sqrt((sum p ln^2 p - H^2)/N): the plug-in's sampling error
  uint64_t cells = 0;         // K, the occupied cells
};
CountEntropy count_entropy(const std::vector<uint64_t>& counts);

// Exact discrete entropy of one coordinate on the grid of cells [k Delta, (k+1) Delta):
// N(0, sigma^2), or uniform on [-a, a]. H_Delta -> H - ln Delta as Delta -> 0 (2.24-2.25).
double grid_entropy_normal(double sigma, double delta);
double grid_entropy_uniform(double a, double delta);

}  // namespace mltemp
