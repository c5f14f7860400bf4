// Lane-parallel particle draws (see simd.h). Built with -fno-math-errno so that the lane loops
// call libmvec.
#include "simd.h"

namespace mltemp::simd {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr int kMaxLanes = 1024;  // lanes per call of the pair kernels below

// Writes coordinates j and j + 1 (if j + 1 < dims) of `count` lanes from their uniform pairs.
// `second` is the separate uniform of a boundary pair (mixed init), else unused.
void finish_pair(const InitParams& ip, const double* s, int j, int count, const double* u1, const double* u2,
                 const double* second, double* t0, double* t1) {
  const bool has_second = j + 1 < ip.dims;
  if (j >= ip.normal_dims) {  // both uniform
    const double s0 = s[j];
#pragma omp simd
    for (int p = 0; p < count; ++p) t0[p] = s0 * (2.0 * u1[p] - 1.0);
    if (has_second) {
      const double s1 = s[j + 1];
#pragma omp simd
      for (int p = 0; p < count; ++p) t1[p] = s1 * (2.0 * u2[p] - 1.0);
    }
    return;
  }
  alignas(64) double r[kMaxLanes], ang[kMaxLanes];
#pragma omp simd
  for (int p = 0; p < count; ++p) {
    r[p] = std::sqrt(-2.0 * log(u1[p]));
    ang[p] = kTwoPi * u2[p];
  }
  const double s0 = s[j];
  // cos and sin in separate loops: GCC would fuse them into a scalar sincos otherwise.
#pragma omp simd
  for (int p = 0; p < count; ++p) t0[p] = s0 * r[p] * cos(ang[p]);
  if (!has_second) return;
  const double s1 = s[j + 1];
  if (j + 1 < ip.normal_dims) {
#pragma omp simd
    for (int p = 0; p < count; ++p) t1[p] = s1 * r[p] * sin(ang[p]);
  } else {
#pragma omp simd
    for (int p = 0; p < count; ++p) t1[p] = s1 * (2.0 * second[p] - 1.0);
  }
}

// u1, u2 of n lanes (rounded up to whole vectors; the arrays hold kMaxLanes): lane p is the
// Philox draw d0 + p * dd of particle k0 + p * dk. Across particles (dd = 0, dk = 1) for tiles,
// across one particle's coordinate pairs (dd = 1, dk = 0) for draw_one; four vectors at a time.
void lanes(uint32_t d0, uint32_t dd, uint64_t k0, uint64_t dk, int n, const InitParams& ip, double* u1, double* u2) {
  constexpr int kG = 4;
  auto fill = [&](int p, vu& draw, vu& particle) {
    for (int l = 0; l < kLanes; ++l) {
      draw[l] = d0 + dd * static_cast<uint32_t>(p + l);
      particle[l] = k0 + dk * static_cast<uint64_t>(p + l);
    }
  };
  int p = 0;
  for (; p + kG * kLanes <= n; p += kG * kLanes) {
    vu draw[kG], particle[kG];
    for (int g = 0; g < kG; ++g) fill(p + g * kLanes, draw[g], particle[g]);
    uniform_pairs<kG>(draw, particle, ip.stream, ip.key, u1 + p, u2 + p);
  }
  for (; p < n; p += kLanes) {
    vu draw[1], particle[1];
    fill(p, draw[0], particle[0]);
    uniform_pairs<1>(draw, particle, ip.stream, ip.key, u1 + p, u2 + p);
  }
}

bool boundary_pair(const InitParams& ip, int j) {
  return j < ip.normal_dims && j + 1 < ip.dims && j + 1 >= ip.normal_dims;
}

}  // namespace

void draw_soa(const InitParams& ip, const double* scale, uint64_t k0, int count, double* theta, int ld) {
  for (int c0 = 0; c0 < count; c0 += kMaxLanes) {
    const int n = count - c0 < kMaxLanes ? count - c0 : kMaxLanes;
    alignas(64) double u1[kMaxLanes], u2[kMaxLanes], second[kMaxLanes];
    for (int j = 0; j < ip.dims; j += 2) {
      const bool boundary = boundary_pair(ip, j);
      lanes(static_cast<uint32_t>(j / 2), 0, k0 + c0, 1, n, ip, u1, u2);
      if (boundary) {  // the boundary pair's uniform coordinate: a draw of its own, as draw_pair
        alignas(64) double unused[kMaxLanes];
        lanes(0x80000000u | static_cast<uint32_t>(j + 1), 0, k0 + c0, 1, n, ip, second, unused);
      }
      double* t0 = theta + static_cast<size_t>(j) * ld + c0;
      finish_pair(ip, scale, j, n, u1, u2, second, t0, t0 + ld);
    }
  }
}

void draw_one(const InitParams& ip, const double* scale, uint64_t k, double* theta) {
  const bool all_normal = ip.normal_dims >= ip.dims, all_uniform = ip.normal_dims == 0;
  if (!all_normal && !all_uniform) {  // mixed init is MSE's, drawn by draw_soa: the scalar path
    for (int j = 0; j < ip.dims; j += 2) draw_pair(ip, scale, k, j, theta + j, theta + j + 1);
    return;
  }
  // Lanes across the particle's coordinate pairs: lane p is pair q0 + p (coordinates 2q, 2q+1).
  const int pairs = (ip.dims + 1) / 2;
  alignas(64) double u1[kMaxLanes], u2[kMaxLanes], se[kMaxLanes], so[kMaxLanes], even[kMaxLanes], odd[kMaxLanes];
  for (int q0 = 0; q0 < pairs; q0 += kMaxLanes) {
    const int n = pairs - q0 < kMaxLanes ? pairs - q0 : kMaxLanes;
    lanes(static_cast<uint32_t>(q0), 1, k, 0, n, ip, u1, u2);
    for (int p = 0; p < n; ++p) {
      const int j = 2 * (q0 + p);
      se[p] = scale[j];
      so[p] = j + 1 < ip.dims ? scale[j + 1] : 0.0;
    }
    if (all_uniform) {
#pragma omp simd
      for (int p = 0; p < n; ++p) {
        even[p] = se[p] * (2.0 * u1[p] - 1.0);
        odd[p] = so[p] * (2.0 * u2[p] - 1.0);
      }
    } else {
      alignas(64) double r[kMaxLanes], ang[kMaxLanes];
#pragma omp simd
      for (int p = 0; p < n; ++p) {
        r[p] = std::sqrt(-2.0 * log(u1[p]));
        ang[p] = kTwoPi * u2[p];
      }
#pragma omp simd
      for (int p = 0; p < n; ++p) even[p] = se[p] * r[p] * cos(ang[p]);
#pragma omp simd
      for (int p = 0; p < n; ++p) odd[p] = so[p] * r[p] * sin(ang[p]);
    }
    for (int p = 0; p < n; ++p) {
      const int j = 2 * (q0 + p);
      theta[j] = even[p];
      if (j + 1 < ip.dims) theta[j + 1] = odd[p];
    }
  }
}

}  // namespace mltemp::simd
