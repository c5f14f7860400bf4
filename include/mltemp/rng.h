// Counter-based random numbers: Philox4x32-10 (Random123), stateless.
//
// Every draw is a pure function of (key, stream, particle index, draw index), so a particle
// is the same whatever the thread count, batch size, backend or rank count.
//   key     = the seed (64 bits); for initial particles, init_key(seed, scale): the seed mixed
//             with the bits of the scale, so a particle is keyed by what it is (seed, the
//             scale's value, its index), never by the scale's position in a sweep
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
  kInit = 1,         // particle coordinates at a scale (key: init_key(seed, scale))
  kSynthData = 2,    // synthetic dataset features / noise
  kSynthTruth = 3,   // synthetic dataset true parameters
  kTeacher = 4,      // teacher network weights
  kTeacherData = 5,  // teacher network inputs
  kTrainInit = 6,    // starting point of a trained reference network
};

MLTEMP_HD inline uint32_t stream_id(Stream s, uint32_t index) {
  return (static_cast<uint32_t>(s) << 24) | (index & 0xFFFFFFu);
}

// SplitMix64's finalizer: a bijective 64-bit mix.
MLTEMP_HD inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The Philox key of the initial particles at one scale: the seed mixed with the scale's 64
// bits (a scale of 10 gives the same particles alone or inside any sweep).
MLTEMP_HD inline uint64_t init_key(uint64_t seed, double scale) {
  uint64_t bits = 0;
  const unsigned char* src = reinterpret_cast<const unsigned char*>(&scale);
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(src[i]) << (8 * i);
  return mix64(seed ^ mix64(bits ^ 0x6D6C74656D702D31ull));  // "mltemp-1"
}

// Four raw 32-bit words for (key, stream, particle, draw).
MLTEMP_HD inline r123::Philox4x32::ctr_type philox_words(uint64_t key, uint32_t stream, uint64_t particle,
                                                         uint32_t draw) {
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {
      {draw, static_cast<uint32_t>(particle), static_cast<uint32_t>(particle >> 32), stream}};
  r123::Philox4x32::key_type k = {{static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)}};
  return gen(ctr, k);
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
