// Mergeable moment accumulators and the fixed-order pairwise fold.
//
// Moments<K> holds, for K observables of a particle, the count, means, co-moments (sum of
// (x_i - mean_i)(x_j - mean_j)), third and fourth central sums and the maximum. Two
// accumulators merge exactly (Chan/Pebay update), so partial sums can be saved, sent between
// ranks and merged. PairwiseFolder merges a sequence of accumulators as a perfect binary tree
// over their index (a binary counter): the result depends only on the sequence, never on
// threads, batch sizes or rank counts.
#pragma once

#include <cstdint>

#include "mltemp/hd.h"

namespace mltemp {

template <int K>
struct Moments {
  double n;
  double mean[K];
  double c2[K][K];  // co-moment sums; c2[i][i] is the M2 of observable i
  double m3[K];
  double m4[K];
  double max[K];
};

template <int K>
MLTEMP_HD inline Moments<K> moments_empty() {
  Moments<K> r;
  r.n = 0.0;
  for (int i = 0; i < K; ++i) {
    r.mean[i] = 0.0;
    r.m3[i] = 0.0;
    r.m4[i] = 0.0;
    r.max[i] = -1.0 / 0.0;
    for (int j = 0; j < K; ++j) r.c2[i][j] = 0.0;
  }
  return r;
}

// One particle's observables x[i * stride], i < K, as an accumulator of count 1.
template <int K>
MLTEMP_HD inline void moments_leaf_into(const double* x, uint64_t stride, Moments<K>& r) {
  r.n = 1.0;
  for (int i = 0; i < K; ++i) {
    r.mean[i] = x[i * stride];
    r.m3[i] = 0.0;
    r.m4[i] = 0.0;
    r.max[i] = x[i * stride];
    for (int j = 0; j < K; ++j) r.c2[i][j] = 0.0;
  }
}

template <int K>
MLTEMP_HD inline Moments<K> moments_leaf(const double* x) {
  Moments<K> r;
  moments_leaf_into<K>(x, 1, r);
  return r;
}

// r = a then b (order matters for the bits, not for the value). r must not alias a or b;
// written through references so that GPU kernels merge in place in global memory.
template <int K>
MLTEMP_HD inline void moments_merge_into(const Moments<K>& a, const Moments<K>& b, Moments<K>& r) {
  if (b.n == 0.0) {
    r = a;
    return;
  }
  if (a.n == 0.0) {
    r = b;
    return;
  }
  const double na = a.n, nb = b.n, n = na + nb;
  double d[K];
  for (int i = 0; i < K; ++i) d[i] = b.mean[i] - a.mean[i];
  r.n = n;
  for (int i = 0; i < K; ++i) {
    r.mean[i] = a.mean[i] + d[i] * (nb / n);
    r.max[i] = a.max[i] > b.max[i] ? a.max[i] : b.max[i];
  }
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) r.c2[i][j] = a.c2[i][j] + b.c2[i][j] + d[i] * d[j] * (na * nb / n);
  for (int i = 0; i < K; ++i) {
    const double di = d[i], d2 = di * di;
    const double m2a = a.c2[i][i], m2b = b.c2[i][i];
    r.m3[i] = a.m3[i] + b.m3[i] + d2 * di * na * nb * (na - nb) / (n * n) + 3.0 * di * (na * m2b - nb * m2a) / n;
    r.m4[i] = a.m4[i] + b.m4[i] + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
              6.0 * d2 * (na * na * m2b + nb * nb * m2a) / (n * n) + 4.0 * di * (na * b.m3[i] - nb * a.m3[i]) / n;
  }
}

template <int K>
MLTEMP_HD inline Moments<K> moments_merge(const Moments<K>& a, const Moments<K>& b) {
  Moments<K> r;
  moments_merge_into(a, b, r);
  return r;
}

// Particles per chunk: the unit of determinism. Every backend folds a chunk's particles with
// the same pairwise tree (PairwiseFolder's), and the host folds chunk partials in chunk order.
constexpr uint64_t kChunk = 1024;
constexpr int kChunkLevels = 11;  // log2(kChunk) + 1

// Binary-counter pairwise fold: push items in index order, read result() at the end.
// Holds at most Levels partial trees (enough for 2^Levels - 1 items).
template <int K, int Levels = 64>
struct PairwiseFolder {
  Moments<K> tree[Levels];
  unsigned long long count[Levels];  // items under each partial tree (a power of two)
  int depth = 0;

  MLTEMP_HD void push(const Moments<K>& m) {
    tree[depth] = m;
    count[depth] = 1;
    ++depth;
    while (depth >= 2 && count[depth - 1] == count[depth - 2]) {
      tree[depth - 2] = moments_merge(tree[depth - 2], tree[depth - 1]);
      count[depth - 2] *= 2;
      --depth;
    }
  }

  MLTEMP_HD Moments<K> result() const {
    if (depth == 0) return moments_empty<K>();
    Moments<K> acc = tree[depth - 1];
    for (int i = depth - 2; i >= 0; --i) acc = moments_merge(tree[i], acc);
    return acc;
  }
};

}  // namespace mltemp
