// Initial ("Type I") parameter distributions: independent coordinates, the first normal_dims
// normal N(0, scale_j^2), the rest uniform U[-scale_j, scale_j]. Coordinates 2q and 2q+1 of
// particle k come from the Philox draw keyed by (seed, stream, k, q).
#pragma once

#include <cstdint>

#include "mltemp/hd.h"
#include "mltemp/rng.h"

namespace mltemp {

struct InitParams {
  uint64_t seed;
  uint32_t stream;  // stream_id(Stream::kInit, sweep point)
  int dims;         // parameters per particle
  int normal_dims;  // leading coordinates that are normal; the rest are uniform
  int scale_off;    // offset of the per-coordinate scale (sigma_j or a_j) in the blob
};

// Coordinates come in pairs: one Philox call (128 bits) gives two 53-bit uniforms u1, u2, which
// make two uniform coordinates, or two normal ones (Box-Muller: r cos, r sin). A pair that
// straddles the normal/uniform boundary (mixed init) draws its uniform coordinate from a
// separate counter, so no coordinate shares random bits with another.
MLTEMP_HD inline void draw_particle(const InitParams& p, const double* blob, uint64_t k, double* theta) {
  const double* s = blob + p.scale_off;
  const double two_pi = 6.283185307179586476925286766559;
  for (int j = 0; j < p.dims; j += 2) {
    const auto w = philox_words(p.seed, p.stream, k, static_cast<uint32_t>(j / 2));
    const double u1 = u01_open(w[0], w[1]), u2 = u01_open(w[2], w[3]);
    const bool has_second = j + 1 < p.dims;
    if (j >= p.normal_dims) {  // both uniform
      theta[j] = s[j] * (2.0 * u1 - 1.0);
      if (has_second) theta[j + 1] = s[j + 1] * (2.0 * u2 - 1.0);
      continue;
    }
    const double r = sqrt(-2.0 * log(u1));
    theta[j] = s[j] * r * cos(two_pi * u2);
    if (!has_second) continue;
    if (j + 1 < p.normal_dims) {
      theta[j + 1] = s[j + 1] * r * sin(two_pi * u2);
    } else {  // the boundary pair: its uniform coordinate gets bits of its own
      const auto v = philox_words(p.seed, p.stream, k, 0x80000000u | static_cast<uint32_t>(j + 1));
      theta[j + 1] = s[j + 1] * (2.0 * u01_open(v[0], v[1]) - 1.0);
    }
  }
}

}  // namespace mltemp
