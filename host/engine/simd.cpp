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

// u1, u2 of Philox draw `d` (coordinate pair j has d = j / 2) for particles k0 .. k0 + n - 1
// (n a multiple of kLanes), four groups of lanes at a time.
void pairs(uint64_t k0, int n, uint32_t d, const InitParams& ip, double* u1, double* u2) {
  constexpr int kG = 4;
  int p = 0;
  for (; p + kG * kLanes <= n; p += kG * kLanes) {
    vu draw[kG], particle[kG];
    for (int g = 0; g < kG; ++g) {
      draw[g] = bcast_u(d);
      for (int l = 0; l < kLanes; ++l) particle[g][l] = k0 + static_cast<uint64_t>(p + g * kLanes + l);
    }
    uniform_pairs<kG>(draw, particle, ip.stream, ip.key, u1 + p, u2 + p);
  }
  for (; p < n; p += kLanes) {
    vu draw[1] = {bcast_u(d)}, particle[1];
    for (int l = 0; l < kLanes; ++l) particle[0][l] = k0 + static_cast<uint64_t>(p + l);
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
      pairs(k0 + c0, n, static_cast<uint32_t>(j / 2), ip, u1, u2);
      if (boundary) {  // the boundary pair's uniform coordinate: a draw of its own, as draw_pair
        alignas(64) double unused[kMaxLanes];
        pairs(k0 + c0, n, 0x80000000u | static_cast<uint32_t>(j + 1), ip, second, unused);
      }
      double* t0 = theta + static_cast<size_t>(j) * ld + c0;
      finish_pair(ip, scale, j, n, u1, u2, second, t0, t0 + ld);
    }
  }
}

void draw_one(const InitParams& ip, const double* scale, uint64_t k, double* theta) {
  // Lanes across the particle's coordinate pairs: lane p is pair q0 + p (coordinates 2q, 2q+1).
  const int pairs = (ip.dims + 1) / 2;
  const bool all_normal = ip.normal_dims >= ip.dims, all_uniform = ip.normal_dims == 0;
  alignas(64) double u1[kMaxLanes], u2[kMaxLanes], se[kMaxLanes], so[kMaxLanes], even[kMaxLanes], odd[kMaxLanes];
  for (int q0 = 0; q0 < pairs; q0 += kMaxLanes) {
    const int n = pairs - q0 < kMaxLanes ? pairs - q0 : kMaxLanes;
    int g = 0;
    for (; g + 4 * kLanes <= n; g += 4 * kLanes) {
      vu draw[4], particle[4];
      for (int h = 0; h < 4; ++h) {
        particle[h] = bcast_u(k);
        for (int l = 0; l < kLanes; ++l) draw[h][l] = static_cast<uint64_t>(q0 + g + h * kLanes + l);
      }
      uniform_pairs<4>(draw, particle, ip.stream, ip.key, u1 + g, u2 + g);
    }
    for (; g < n; g += kLanes) {
      vu draw[1], particle[1] = {bcast_u(k)};
      for (int l = 0; l < kLanes; ++l) draw[0][l] = static_cast<uint64_t>(q0 + g + l);
      uniform_pairs<1>(draw, particle, ip.stream, ip.key, u1 + g, u2 + g);
    }
    if (!all_normal && !all_uniform) {  // mixed: pair by pair (the MSE path draws mixed tiles with draw_soa)
      for (int p = 0; p < n; ++p) {
        const int j = 2 * (q0 + p);
        double second = 0.0;
        if (boundary_pair(ip, j)) {
          const auto w = philox_words(ip.key, ip.stream, k, 0x80000000u | static_cast<uint32_t>(j + 1));
          second = u01_open(w[0], w[1]);
        }
        finish_pair(ip, scale, j, 1, u1 + p, u2 + p, &second, theta + j, theta + j + 1);
      }
      continue;
    }
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
