// Initial ("Type I") parameter distributions: independent coordinates, the first normal_dims
// normal N(0, scale_j^2), the rest uniform U[-scale_j, scale_j]. Coordinates 2q and 2q+1 of
// particle k come from the Philox draw keyed by (init_key(seed, scale), kInit, k, q).
#pragma once

#include <cstdint>

#include "mltemp/hd.h"
#include "mltemp/rng.h"

namespace mltemp {

struct InitParams {
  uint64_t key;     // init_key(seed, scale)
  uint32_t stream;  // stream_id(Stream::kInit, 0)
  int dims;         // parameters per particle
  int normal_dims;  // leading coordinates that are normal; the rest are uniform
  int scale_off;    // offset of the per-coordinate scale (sigma_j or a_j) in the blob
};

// The initial distribution at sweep scale `scale`: particles keyed by (seed, scale, index).
inline InitParams init_params(uint64_t seed, double scale, int dims, int normal_dims, int scale_off) {
  return InitParams{init_key(seed, scale), stream_id(Stream::kInit, 0), dims, normal_dims, scale_off};
}

// Coordinates come in pairs: one Philox call (128 bits) gives two 53-bit uniforms u1, u2, which
// make two uniform coordinates, or two normal ones (Box-Muller: r cos, r sin). A pair that
// straddles the normal/uniform boundary (mixed init) draws its uniform coordinate from a
// separate counter, so no coordinate shares random bits with another.
// Coordinates j and j + 1 (j even; j + 1 only if < dims) of particle k: one Philox call.
// s holds the per-coordinate scales.
MLTEMP_HD inline void draw_pair(const InitParams& p, const double* s, uint64_t k, int j, double* t0, double* t1) {
  const double two_pi = 6.283185307179586476925286766559;
  const auto w = philox_words(p.key, p.stream, k, static_cast<uint32_t>(j / 2));
  const double u1 = u01_open(w[0], w[1]), u2 = u01_open(w[2], w[3]);
  const bool has_second = j + 1 < p.dims;
  if (j >= p.normal_dims) {  // both uniform
    *t0 = s[j] * (2.0 * u1 - 1.0);
    if (has_second) *t1 = s[j + 1] * (2.0 * u2 - 1.0);
    return;
  }
  const double r = sqrt(-2.0 * log(u1));
  *t0 = s[j] * r * cos(two_pi * u2);
  if (!has_second) return;
  if (j + 1 < p.normal_dims) {
    *t1 = s[j + 1] * r * sin(two_pi * u2);
  } else {  // the boundary pair: its uniform coordinate gets bits of its own
    const auto v = philox_words(p.key, p.stream, k, 0x80000000u | static_cast<uint32_t>(j + 1));
    *t1 = s[j + 1] * (2.0 * u01_open(v[0], v[1]) - 1.0);
  }
}

// All coordinates of particle k: theta[j * stride].
MLTEMP_HD inline void draw_particle(const InitParams& p, const double* blob, uint64_t k, double* theta,
                                    int stride = 1) {
  const double* s = blob + p.scale_off;
  for (int j = 0; j < p.dims; j += 2) draw_pair(p, s, k, j, theta + j * stride, theta + (j + 1) * stride);
}

}  // namespace mltemp
