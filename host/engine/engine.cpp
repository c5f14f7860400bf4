#include "engine.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "bytes.h"
#include "cluster.h"
#include "errors.h"

namespace mltemp {
namespace {

template <int K>
ObsStats to_stats(const Moments<K>& m) {
  ObsStats s;
  s.n = static_cast<uint64_t>(m.n);
  const double n = m.n;
  s.cov.assign(K, std::vector<double>(K, 0.0));
  for (int i = 0; i < K; ++i) {
    const double var = n > 1 ? m.c2[i][i] / (n - 1.0) : 0.0;
    s.mean.push_back(m.mean[i]);
    s.var.push_back(var);
    s.se.push_back(n > 1 ? std::sqrt(var / n) : 0.0);
    const double m2 = m.c2[i][i];
    s.kurtosis.push_back(m2 > 0 ? n * m.m4[i] / (m2 * m2) - 3.0 : 0.0);
    s.max.push_back(m.max[i]);
    const double sum = m.mean[i] * n;
    s.max_share.push_back(sum > 0 ? m.max[i] / sum : 0.0);
    for (int j = 0; j < K; ++j) s.cov[i][j] = n > 1 ? m.c2[i][j] / (n - 1.0) : 0.0;
  }
  return s;
}

// The folder's partial trees as bytes: K, depth, then each tree's count and moments.
template <int K>
std::string save_fold(const PairwiseFolder<K>& f) {
  ByteWriter w;
  w.put<uint32_t>(K);
  w.put<uint32_t>(static_cast<uint32_t>(f.depth));
  for (int i = 0; i < f.depth; ++i) {
    w.put<uint64_t>(f.count[i]);
    w.put(f.tree[i]);
  }
  return w.take();
}

// Restores a saved fold of chunks [0, next_chunk) of a point of n_chunks chunks.
template <int K>
void restore_fold(const FoldState& s, uint64_t n_chunks, PairwiseFolder<K>& f) {
  const auto bad = [&](const char* why) {
    return InputError(std::string("checkpoint: the saved state of the scale in progress is damaged (") + why + ")");
  };
  try {
    ByteReader r(s.trees);
    if (r.get<uint32_t>() != K) throw bad("another energy's observables");
    const uint32_t depth = r.get<uint32_t>();
    if (depth > 64) throw bad("too deep");
    f.depth = static_cast<int>(depth);
    uint64_t folded = 0;
    for (uint32_t i = 0; i < depth; ++i) {
      f.count[i] = r.get<uint64_t>();
      f.tree[i] = r.get<Moments<K>>();
      const bool power = f.count[i] != 0 && (f.count[i] & (f.count[i] - 1)) == 0;
      if (!power || (i > 0 && f.count[i] >= f.count[i - 1])) throw bad("not a pairwise fold");
      folded += f.count[i];
    }
    if (r.left() != 0 || folded != s.next_chunk || s.next_chunk > n_chunks) throw bad("chunk count");
  } catch (const std::out_of_range&) {
    throw bad("truncated");
  }
}

template <class Energy>
ObsStats run_typed(const Energy& energy, const PointSetup& setup, const RunOptions& o) {
  constexpr int K = Energy::kObs;
  Cluster& job = Cluster::world();
  const uint64_t total = o.particles;
  const uint64_t n_chunks = (total + kChunk - 1) / kChunk;
  // The default batch: 64 chunks on a CPU; a GPU needs far more particles in flight, 2^20 (2^17
  // for networks, whose fold partials are large). Batches (per rank) never change results.
  const uint64_t auto_chunks = o.backend == Backend::kCuda ? (K > 3 ? 128 : 1024) : 64;
  const uint64_t batch =
      o.batch_particles == 0 ? auto_chunks : std::max<uint64_t>(1, (o.batch_particles + kChunk - 1) / kChunk);
  std::unique_ptr<ChunkRunner<K>> runner;
  const RunnerArgs<Energy> args{energy, setup.init, setup.blob, total, batch, o};
  switch (o.backend) {
    case Backend::kCuda:
      runner = make_cuda_runner(args);
      break;
    case Backend::kReference:
      runner = make_reference_runner(args);
      break;
    case Backend::kEmulate:
      runner = make_emulate_runner(args);
      break;
    default:
      runner = make_omp_runner(args);
  }
  std::vector<Moments<K>> partial(batch);
  auto fold = std::make_unique<PairwiseFolder<K>>();
  uint64_t first = 0;
  if (o.resume) {
    restore_fold(*o.resume, n_chunks, *fold);
    first = o.resume->next_chunk;
  }
  // Each round runs `batch` chunks on every rank; rank r takes the r-th contiguous share, so
  // the partials arrive at rank 0 in chunk order.
  const uint64_t step = batch * static_cast<uint64_t>(job.size());
  for (uint64_t c = first; c < n_chunks; c += step) {
    const uint64_t n = std::min(step, n_chunks - c);
    const std::pair<uint64_t, uint64_t> mine = job.share(n);
    const uint64_t lo = mine.first, hi = mine.second;
    job.round(
        [&] {
          if (hi > lo) runner->run(c + lo, hi - lo, partial.data());
          return std::string(reinterpret_cast<const char*>(partial.data()), (hi - lo) * sizeof(Moments<K>));
        },
        [&](std::vector<std::string>& parts) {
          for (const std::string& p : parts) {
            ByteReader r(p);
            while (r.left() > 0) fold->push(r.get<Moments<K>>());
          }
          if (o.progress) o.progress(std::min<uint64_t>(total, (c + n) * kChunk));
          if (o.folded) o.folded(FoldState{c + n, save_fold(*fold)});
          return std::string();
        });
  }
  // Every rank returns rank 0's statistics.
  const std::string result = job.round([] { return std::string(); },
                                       [&](std::vector<std::string>&) {
                                         const Moments<K> m = fold->result();
                                         return std::string(reinterpret_cast<const char*>(&m), sizeof m);
                                       });
  return to_stats(ByteReader(result).get<Moments<K>>());
}

}  // namespace

ObsStats run_point(const PointSetup& setup, const RunOptions& opts) {
  if (opts.particles == 0) throw InputError("mc.particles: must be at least 1");
  return std::visit([&](const auto& e) { return run_typed(e, setup, opts); }, setup.energy);
}

void refuse_shared_memory(const char* backend, unsigned long long need, unsigned long long have) {
  throw InputError(std::string("--backend ") + backend + ": the GPU kernel needs " + std::to_string(need / 1024) +
                   " KiB of shared memory per block, more than the device's " + std::to_string(have / 1024) +
                   " KiB; use --backend omp");
}

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::kCuda:
      return "cuda";
    case Backend::kReference:
      return "reference";
    case Backend::kEmulate:
      return "emulate";
    default:
      return "omp";
  }
}

Backend select_backend(const std::string& requested, bool quiet, std::string* device_out) {
  for (Backend b : {Backend::kOmp, Backend::kReference, Backend::kEmulate})
    if (requested == backend_name(b)) {
      *device_out = "cpu";
      return b;
    }
  const DeviceInfo info = cuda_device_info();
  if (requested == "cuda") {
    if (!info.available) throw InputError("--backend cuda: no CUDA device available (" + info.name + ")");
    *device_out = info.name;
    return Backend::kCuda;
  }
  if (info.available) {
    *device_out = info.name;
    return Backend::kCuda;
  }
  if (!quiet && cuda_compiled())
    std::fprintf(stderr, "mltemp: no CUDA device (%s); running on the CPU (OpenMP)\n", info.name.c_str());
  *device_out = "cpu";
  return Backend::kOmp;
}

}  // namespace mltemp
