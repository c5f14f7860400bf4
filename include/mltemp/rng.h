// Counter-based random numbers: Philox4x32-10 (Random123), stateless.
//
// Every draw is a pure function of (seed, stream, particle index, draw index), so a particle
// is the same whatever the thread count, batch size, backend or rank count.
//   key     = seed (64 bits)
//   counter = {draw, particle_lo, particle_hi, stream}
// Streams are registered here, once, so no two purposes share random numbers.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

#include "mltemp/hd.h"

namespace mltemp {

// Stream ids: purpose in the high byte, a point index (sweep point, layer, ...) below it.
enum class Stream : uint32_t {
  kInit = 1,         // particle coordinates at a sweep point
  kSynthData = 2,    // synthetic dataset features / noise
  kSynthTruth = 3,   // synthetic dataset true parameters
  kTeacher = 4,      // teacher network weights
  kTeacherData = 5,  // teacher network inputs
  kTrainInit = 6,    // starting point of a trained reference network
};

MLTEMP_HD inline uint32_t stream_id(Stream s, uint32_t index) {
  return (static_cast<uint32_t>(s) << 24) | (index & 0xFFFFFFu);
}

// Four raw 32-bit words for (seed, stream, particle, draw).
MLTEMP_HD inline r123::Philox4x32::ctr_type philox_words(uint64_t seed, uint32_t stream, uint64_t particle,
                                                         uint32_t draw) {
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {
      {draw, static_cast<uint32_t>(particle), static_cast<uint32_t>(particle >> 32), stream}};
  r123::Philox4x32::key_type key = {{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}};
  return gen(ctr, key);
}

// 53-bit uniform in the open interval (0, 1) from two words.
MLTEMP_HD inline double u01_open(uint32_t hi, uint32_t lo) {
  const uint64_t x = ((static_cast<uint64_t>(hi) << 32) | lo) >> 11;
  return (static_cast<double>(x) + 0.5) * (1.0 / 9007199254740992.0);
}

// Uniform in (0,1): one Philox call per draw.
MLTEMP_HD inline double philox_uniform(uint64_t seed, uint32_t stream, uint64_t particle, uint32_t draw) {
  const auto w = philox_words(seed, stream, particle, draw);
  return u01_open(w[0], w[1]);
}

// Standard normal (Box-Muller, cosine branch): one Philox call per draw.
MLTEMP_HD inline double philox_normal(uint64_t seed, uint32_t stream, uint64_t particle, uint32_t draw) {
  const auto w = philox_words(seed, stream, particle, draw);
  const double u1 = u01_open(w[0], w[1]);
  const double u2 = u01_open(w[2], w[3]);
  const double two_pi = 6.283185307179586476925286766559;
  return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

}  // namespace mltemp
