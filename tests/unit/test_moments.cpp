// Moments<K>: merges agree with direct two-pass statistics; the pairwise fold depends only on
// the sequence, not on how it is cut.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mltemp/moments.h"

using namespace mltemp;

namespace {
std::vector<std::array<double, 2>> sample(int n) {
  std::mt19937_64 g(3);
  std::lognormal_distribution<double> ln(0.0, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<std::array<double, 2>> v(n);
  for (auto& x : v) {
    x[0] = ln(g);
    x[1] = 2.0 * x[0] + z(g);
  }
  return v;
}
}  // namespace

TEST(Moments, MergeMatchesTwoPass) {
  const auto v = sample(10007);
  PairwiseFolder<2> f;
  for (const auto& x : v) f.push(moments_leaf<2>(x.data()));
  const Moments<2> m = f.result();
  const double n = v.size();
  double mean0 = 0, mean1 = 0;
  for (const auto& x : v) {
    mean0 += x[0];
    mean1 += x[1];
  }
  mean0 /= n;
  mean1 /= n;
  double m2 = 0, m3 = 0, m4 = 0, c01 = 0, mx = 0;
  for (const auto& x : v) {
    const double d = x[0] - mean0;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    c01 += d * (x[1] - mean1);
    mx = std::max(mx, x[0]);
  }
  EXPECT_EQ(m.n, n);
  EXPECT_NEAR(m.mean[0], mean0, 1e-13 * mean0);
  EXPECT_NEAR(m.mean[1], mean1, 1e-13 * std::abs(mean1));
  EXPECT_NEAR(m.c2[0][0], m2, 1e-11 * m2);
  EXPECT_NEAR(m.m3[0], m3, 1e-10 * std::abs(m3));
  EXPECT_NEAR(m.m4[0], m4, 1e-10 * m4);
  EXPECT_NEAR(m.c2[0][1], c01, 1e-11 * std::abs(c01));
  EXPECT_EQ(m.c2[0][1], m.c2[1][0]);
  EXPECT_EQ(m.max[0], mx);
}

TEST(Moments, FoldOfChunkPartialsIsAFixedTree) {
  // Folding 8 leaves directly equals folding two 4-leaf partials: the binary counter builds
  // the same perfect tree, so cutting the sequence into aligned chunks changes no bits.
  const auto v = sample(8);
  PairwiseFolder<2> all;
  for (const auto& x : v) all.push(moments_leaf<2>(x.data()));
  PairwiseFolder<2> top;
  for (int c = 0; c < 2; ++c) {
    PairwiseFolder<2> part;
    for (int i = 0; i < 4; ++i) part.push(moments_leaf<2>(v[c * 4 + i].data()));
    top.push(part.result());
  }
  const auto a = all.result(), b = top.result();
  EXPECT_EQ(a.mean[0], b.mean[0]);
  EXPECT_EQ(a.c2[0][0], b.c2[0][0]);
  EXPECT_EQ(a.m4[0], b.m4[0]);
  EXPECT_EQ(a.c2[0][1], b.c2[0][1]);
}

TEST(Moments, EmptyIsNeutral) {
  const double x[1] = {2.5};
  const auto leaf = moments_leaf<1>(x);
  const auto e = moments_empty<1>();
  EXPECT_EQ(moments_merge(e, leaf).mean[0], 2.5);
  EXPECT_EQ(moments_merge(leaf, e).n, 1.0);
  PairwiseFolder<1> f;
  EXPECT_EQ(f.result().n, 0.0);
}
