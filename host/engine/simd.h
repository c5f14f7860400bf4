// CPU lanes for the blocked particle path (host compiler only; never included by nvcc).
//
// The blocked kernels vectorize across particles (or, inside one network, across units), never
// across the terms of a sum: every lane runs the same scalar arithmetic in the same order as
// the reference functors, so the order of each particle's sums is fixed by constants.
//
// - vd / vu: 8 doubles / 8 uint64 in one value; the compiler maps them to AVX-512 registers,
//   or to two AVX2 (four SSE2) registers on narrower machines, with the same results per lane.
// - Transcendentals over arrays of lanes go through glibc's libmvec (exp, expm1, log, log1p, sin,
//   cos): the `declare simd`
//   declarations below let GCC call its vector variants from `#pragma omp simd` loops (this
//   needs -fno-math-errno on the unit; CMakeLists.txt sets it for engine_omp.cpp). libmvec
//   agrees with scalar glibc to a few ulp, not bitwise.
// - Philox4x32-10 over 8 lanes reproduces Random123's bits exactly (tested).
#pragma once

#if defined(__CUDACC__)
#error "host/engine/simd.h is for the host compiler only"
#endif

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#endif

#include "mltemp/rng.h"
#include "mltemp/sampler.h"

extern "C" {
#pragma omp declare simd notinbranch
double exp(double) noexcept;
#pragma omp declare simd notinbranch
double log(double) noexcept;
#pragma omp declare simd notinbranch
double log1p(double) noexcept;
#pragma omp declare simd notinbranch
double sin(double) noexcept;
#pragma omp declare simd notinbranch
double cos(double) noexcept;
#pragma omp declare simd notinbranch
double expm1(double) noexcept;
}

namespace mltemp::simd {

constexpr int kLanes = 8;
typedef double vd __attribute__((vector_size(64)));
typedef uint64_t vu __attribute__((vector_size(64)));
typedef int64_t vi __attribute__((vector_size(64)));

inline vd bcast(double x) { return vd{x, x, x, x, x, x, x, x}; }
inline vu bcast_u(uint64_t x) { return vu{x, x, x, x, x, x, x, x}; }
// Unaligned loads and stores of 8 lanes (plain vmovupd; memcpy compiled to masked byte moves).
typedef double vd_unaligned __attribute__((vector_size(64), aligned(8), may_alias));
inline vd load(const double* p) { return *reinterpret_cast<const vd_unaligned*>(p); }
inline void store(double* p, vd v) { *reinterpret_cast<vd_unaligned*>(p) = v; }

// a * b + c with one rounding per lane (the fma of the scalar functors).
inline vd vfma(vd a, vd b, vd c) {
#if defined(__AVX512F__)
  return reinterpret_cast<vd>(
      _mm512_fmadd_pd(reinterpret_cast<__m512d>(a), reinterpret_cast<__m512d>(b), reinterpret_cast<__m512d>(c)));
#elif defined(__FMA__)
  typedef double v4 __attribute__((vector_size(32)));
  v4 lo[2], hi[2], out[2];
  std::memcpy(lo, &a, 64);
  std::memcpy(hi, &b, 64);
  std::memcpy(out, &c, 64);
  for (int h = 0; h < 2; ++h)
    out[h] = reinterpret_cast<v4>(_mm256_fmadd_pd(reinterpret_cast<__m256d>(lo[h]), reinterpret_cast<__m256d>(hi[h]),
                                                  reinterpret_cast<__m256d>(out[h])));
  vd r;
  std::memcpy(&r, out, 64);
  return r;
#else
  vd r;
  for (int l = 0; l < kLanes; ++l) r[l] = std::fma(a[l], b[l], c[l]);
  return r;
#endif
}

inline vd vabs(vd a) { return a < bcast(0.0) ? -a : a; }

// 32 x 32 -> 64-bit products of the low halves of each lane.
inline vu mul32(vu a, vu b) {
#if defined(__AVX512F__)
  return reinterpret_cast<vu>(_mm512_mul_epu32(reinterpret_cast<__m512i>(a), reinterpret_cast<__m512i>(b)));
#else
  const vu lo = bcast_u(0xFFFFFFFFull);
  return (a & lo) * (b & lo);
#endif
}

// Philox4x32-10 (Random123's constants and round order) on 8 counters at once; each 32-bit
// word sits in the low half of a 64-bit lane.
struct Words {
  vu w0, w1, w2, w3;
};

// G independent groups at once: the ten rounds are a chain of dependent multiplies, so
// interleaving groups keeps the multipliers busy.
template <int G>
inline void philox_groups(Words (&w)[G], uint64_t key) {
  const vu mask = bcast_u(0xFFFFFFFFull);
  const vu m0 = bcast_u(0xD2511F53u), m1 = bcast_u(0xCD9E8D57u);
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int r = 0; r < 10; ++r) {
    const vu kv0 = bcast_u(k0), kv1 = bcast_u(k1);
    for (int g = 0; g < G; ++g) {
      const vu p0 = mul32(w[g].w0, m0), p1 = mul32(w[g].w2, m1);
      const vu y0 = (p1 >> 32) ^ w[g].w1 ^ kv0;
      const vu y2 = (p0 >> 32) ^ w[g].w3 ^ kv1;
      w[g].w0 = y0;
      w[g].w1 = p1 & mask;
      w[g].w2 = y2;
      w[g].w3 = p0 & mask;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

// u01_open of (hi, lo) per lane: a 53-bit uniform in (0, 1).
inline vd u01(vu hi, vu lo) {
  const vu x = ((hi << 32) | lo) >> 11;
  const vd d = __builtin_convertvector(reinterpret_cast<vi>(x), vd);  // x < 2^53: exact
  return (d + bcast(0.5)) * bcast(1.0 / 9007199254740992.0);
}

// Uniform pairs (u1, u2) of Philox draws for G groups of 8 lanes: counters {draw, particle_lo,
// particle_hi, stream} exactly as philox_words, so u1/u2 equal draw_particle's bits. Lane l of
// group g lands at u1[g * kLanes + l].
template <int G>
inline void uniform_pairs(const vu (&draw)[G], const vu (&particle)[G], uint32_t stream, uint64_t key, double* u1,
                          double* u2) {
  Words w[G];
  for (int g = 0; g < G; ++g)
    w[g] = Words{draw[g], particle[g] & bcast_u(0xFFFFFFFFull), particle[g] >> 32, bcast_u(stream)};
  philox_groups<G>(w, key);
  for (int g = 0; g < G; ++g) {
    store(u1 + g * kLanes, u01(w[g].w0, w[g].w1));
    store(u2 + g * kLanes, u01(w[g].w2, w[g].w3));
  }
}

// Draws particles into a structure-of-arrays tile: coordinate j of particle k0 + p goes to
// theta[j * ld + p], for p < count (a multiple of kLanes). Same coordinates as draw_particle
// (uniform ones bit for bit; normal ones through libmvec's log/cos/sin, within a few ulp).
void draw_soa(const InitParams& ip, const double* scale, uint64_t k0, int count, double* theta, int ld);

// Draws one particle, lanes across its coordinate pairs: theta[j] for j < ip.dims.
void draw_one(const InitParams& ip, const double* scale, uint64_t k, double* theta);

}  // namespace mltemp::simd
