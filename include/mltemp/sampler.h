// Initial ("Type I") parameter distributions: independent coordinates, the first normal_dims
// normal N(0, scale_j^2), the rest uniform U[-scale_j, scale_j]. Coordinate j of particle k
// is one Philox draw keyed by (seed, stream, k, j).
#pragma once

#include <cstdint>

#include "mltemp/hd.h"
#include "mltemp/rng.h"

namespace mltemp {

struct InitParams {
  uint64_t seed;
  uint32_t stream;    // stream_id(Stream::kInit, sweep point)
  int dims;           // parameters per particle
  int normal_dims;    // leading coordinates that are normal; the rest are uniform
  int scale_off;      // offset of the per-coordinate scale (sigma_j or a_j) in the blob
};

MLTEMP_HD inline double draw_coordinate(const InitParams& p, const double* blob, uint64_t k,
                                        int j) {
  const double s = blob[p.scale_off + j];
  if (j < p.normal_dims) return s * philox_normal(p.seed, p.stream, k, static_cast<uint32_t>(j));
  return s * (2.0 * philox_uniform(p.seed, p.stream, k, static_cast<uint32_t>(j)) - 1.0);
}

MLTEMP_HD inline void draw_particle(const InitParams& p, const double* blob, uint64_t k,
                                    double* theta) {
  for (int j = 0; j < p.dims; ++j) theta[j] = draw_coordinate(p, blob, k, j);
}

}  // namespace mltemp
