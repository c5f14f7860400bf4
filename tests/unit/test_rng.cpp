// Philox streams: known-answer vector, ranges, distribution moments, stream independence.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mltemp/rng.h"
#include "mltemp/sampler.h"

using namespace mltemp;

TEST(Rng, PhiloxKnownAnswer) {
  // Random123's published known-answer test for philox4x32_10 with zero counter and key.
  const auto w = philox_words(0, 0, 0, 0);
  EXPECT_EQ(w[0], 0x6627e8d5u);
  EXPECT_EQ(w[1], 0xe169c58du);
  EXPECT_EQ(w[2], 0xbc57ac4cu);
  EXPECT_EQ(w[3], 0x9b00dbd8u);
}

TEST(Rng, PureFunctionOfKey) {
  EXPECT_EQ(philox_normal(5, 7, 123456789012ull, 3), philox_normal(5, 7, 123456789012ull, 3));
  EXPECT_NE(philox_normal(5, 7, 1, 3), philox_normal(6, 7, 1, 3));
  EXPECT_NE(philox_normal(5, 7, 1, 3), philox_normal(5, 8, 1, 3));
  EXPECT_NE(philox_normal(5, 7, 1, 3), philox_normal(5, 7, 1ull << 32 | 1, 3));
}

TEST(Rng, UniformMoments) {
  const int n = 1 << 20;
  double s = 0, s2 = 0, lo = 1, hi = 0;
  for (int k = 0; k < n; ++k) {
    const double u = philox_uniform(42, stream_id(Stream::kInit, 0), k, 0);
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
    s2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_LT(std::abs(mean - 0.5) / std::sqrt(1.0 / 12 / n), 4.0);
  EXPECT_NEAR(var, 1.0 / 12, 4 * std::sqrt(1.0 / 180 / n));
  EXPECT_LT(lo, 1e-5);
  EXPECT_GT(hi, 1 - 1e-5);
}

TEST(Rng, NormalMoments) {
  const int n = 1 << 20;
  double s = 0, s2 = 0, s3 = 0, s4 = 0;
  for (int k = 0; k < n; ++k) {
    const double z = philox_normal(42, stream_id(Stream::kInit, 1), k, 5);
    s += z;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
  }
  // z-scores of the first four moments against N(0,1): sd of the sample moments is
  // sqrt(Var z^k / n) with Var z = 1, Var z^2 = 2, Var z^3 = 15, Var z^4 = 96.
  EXPECT_LT(std::abs(s / n) / std::sqrt(1.0 / n), 4.0);
  EXPECT_LT(std::abs(s2 / n - 1.0) / std::sqrt(2.0 / n), 4.0);
  EXPECT_LT(std::abs(s3 / n) / std::sqrt(15.0 / n), 4.0);
  EXPECT_LT(std::abs(s4 / n - 3.0) / std::sqrt(96.0 / n), 4.0);
}

TEST(Rng, StreamsAndDrawsUncorrelated) {
  const int n = 1 << 19;
  for (auto [a, b] : {std::pair<uint32_t, uint32_t>{4, 7}, {0, 1}, {5, 8}}) {
    double sxy = 0, sx = 0, sy = 0;
    for (int k = 0; k < n; ++k) {
      const double x = philox_normal(9, stream_id(Stream::kInit, a), k, 0);
      const double y = philox_normal(9, stream_id(Stream::kInit, b), k, 0);
      sxy += x * y;
      sx += x;
      sy += y;
    }
    const double corr = sxy / n - (sx / n) * (sy / n);
    EXPECT_LT(std::abs(corr) * std::sqrt(n), 4.0) << "streams " << a << " and " << b;
  }
  double sxy = 0;
  for (int k = 0; k < n; ++k) sxy += philox_normal(9, 1, k, 0) * philox_normal(9, 1, k, 1);
  EXPECT_LT(std::abs(sxy / n) * std::sqrt(n), 4.0);
}

TEST(Sampler, PairedCoordinatesHaveTheRightLawAndAreUncorrelated) {
  // dims 7, normal_dims 3: pairs (0,1) normal-normal, (2,3) the normal/uniform boundary,
  // (4,5) uniform-uniform, 6 alone. Scales differ per coordinate.
  const int dims = 7, nd = 3;
  std::vector<double> blob = {1.0, 2.0, 0.5, 3.0, 1.0, 2.0, 4.0};
  const InitParams p{77, stream_id(Stream::kInit, 3), dims, nd, 0};
  const int n = 1 << 19;
  std::vector<double> s1(dims, 0), s2(dims, 0), s4(dims, 0), cross(dims - 1, 0);
  std::vector<double> th(dims);
  for (int k = 0; k < n; ++k) {
    draw_particle(p, blob.data(), k, th.data());
    for (int j = 0; j < dims; ++j) {
      const double x = th[j] / blob[j];  // standardized: N(0,1) or U[-1,1]
      s1[j] += x;
      s2[j] += x * x;
      s4[j] += x * x * x * x;
      if (j + 1 < dims) cross[j] += x * th[j + 1] / blob[j + 1];
    }
  }
  for (int j = 0; j < dims; ++j) {
    const bool normal = j < nd;
    const double var = normal ? 1.0 : 1.0 / 3.0, m4 = normal ? 3.0 : 0.2;
    EXPECT_LT(std::abs(s1[j] / n) / std::sqrt(var / n), 4.0) << "coordinate " << j;
    EXPECT_LT(std::abs(s2[j] / n - var) / std::sqrt((m4 - var * var) / n), 4.0) << "coordinate " << j;
    if (!normal) EXPECT_LE(s4[j] / n, 0.2 + 0.01);
  }
  for (int j = 0; j + 1 < dims; ++j) {
    const double sd = std::sqrt(((j < nd ? 1.0 : 1.0 / 3.0) * (j + 1 < nd ? 1.0 : 1.0 / 3.0)) / n);
    EXPECT_LT(std::abs(cross[j] / n) / sd, 4.0) << "pair " << j << "," << j + 1;
  }
  // |x1|^2 + |x0|^2 is chi-square with 2 dof only if the Box-Muller pair is independent:
  // check P(x0^2 + x1^2 > 2) = e^-1 through the same draws.
  int above = 0;
  for (int k = 0; k < n; ++k) {
    draw_particle(p, blob.data(), k, th.data());
    above += th[0] * th[0] + th[1] * th[1] / 4.0 > 2.0;
  }
  const double pr = std::exp(-1.0);
  EXPECT_LT(std::abs(above / double(n) - pr) / std::sqrt(pr * (1 - pr) / n), 4.0);
}
