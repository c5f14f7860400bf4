// The particle loop, written once over the execution policy.
//
// Particles [0, total) are cut into fixed chunks of kChunk. One ChunkReducer call draws the
// particles of one chunk, evaluates their energies and folds them pairwise into one Moments
// partial; the host folds chunk partials pairwise in chunk order (PairwiseFolder). Chunks are
// independent, so any thread, batch or rank split gives the same bits.
//
// This header names no backend: host/engine_omp.cpp instantiates it with thrust::omp::par,
// kernels/engine_cuda.cu with thrust::cuda::par.
#pragma once

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>

#include "mltemp/hd.h"
#include "mltemp/moments.h"
#include "mltemp/sampler.h"

namespace mltemp {

template <class Energy>
struct ChunkReducer {
  static constexpr int K = Energy::kObs;
  Energy energy;
  InitParams init;
  const double* blob;
  uint64_t total;        // particles in the whole point
  uint64_t first_chunk;  // global index of local chunk 0
  double* scratch;       // per local chunk: dims + work_size doubles
  int scratch_stride;
  Moments<K>* out;  // per local chunk

  MLTEMP_HD void operator()(uint64_t local) const {
    const uint64_t chunk = first_chunk + local;
    const uint64_t begin = chunk * kChunk;
    const uint64_t end = begin + kChunk < total ? begin + kChunk : total;
    double* theta = scratch + local * static_cast<uint64_t>(scratch_stride);
    double* work = theta + init.dims;
    double obs[K];
    PairwiseFolder<K, kChunkLevels> fold;
    for (uint64_t k = begin; k < end; ++k) {
      draw_particle(init, blob, k, theta);
      energy(blob, theta, work, obs);
      fold.push(moments_leaf<K>(obs));
    }
    out[local] = fold.result();
  }
};

// Runs chunks [first_chunk, first_chunk + n_chunks) under `policy`; blob, scratch and out
// must live where the policy runs.
template <class Policy, class Energy>
void reduce_chunks(Policy&& policy, const Energy& energy, const InitParams& init, const double* blob, uint64_t total,
                   uint64_t first_chunk, uint64_t n_chunks, double* scratch, Moments<Energy::kObs>* out) {
  ChunkReducer<Energy> r{energy, init, blob, total, first_chunk, scratch, init.dims + energy.work_size(), out};
  thrust::for_each(policy, thrust::counting_iterator<uint64_t>(0), thrust::counting_iterator<uint64_t>(n_chunks), r);
}

}  // namespace mltemp
