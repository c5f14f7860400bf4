#include "engine.h"

#include <cmath>
#include <cstdio>

#include "errors.h"
#include "mltemp/reduce.h"

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

template <class Energy>
ObsStats run_typed(const Energy& energy, const PointSetup& setup, const RunOptions& o) {
  constexpr int K = Energy::kObs;
  const uint64_t total = o.particles;
  const uint64_t n_chunks = (total + kChunk - 1) / kChunk;
  // The default batch: 64 chunks on a CPU; a GPU needs far more particles in flight, 2^20 (2^17
  // for networks, whose fold partials are large). Batches never change results.
  const uint64_t auto_chunks = o.backend == Backend::kCuda ? (K > 3 ? 128 : 1024) : 64;
  const uint64_t batch =
      o.batch_particles == 0 ? auto_chunks : std::max<uint64_t>(1, (o.batch_particles + kChunk - 1) / kChunk);
  std::unique_ptr<ChunkRunner<K>> runner;
  switch (o.backend) {
    case Backend::kCuda:
      runner = make_cuda_runner(energy, setup.init, setup.blob, total, batch);
      break;
    case Backend::kReference:
      runner = make_reference_runner(energy, setup.init, setup.blob, total, batch, o.threads);
      break;
    case Backend::kEmulate:
      runner = make_emulate_runner(energy, setup.init, setup.blob, total, batch, o.threads, o.emulate_shuffle);
      break;
    default:
      runner = make_omp_runner(energy, setup.init, setup.blob, total, batch, o.threads, o.gemm_only);
  }
  std::vector<Moments<K>> partial(batch);
  auto fold = std::make_unique<PairwiseFolder<K>>();
  for (uint64_t c = 0; c < n_chunks; c += batch) {
    const uint64_t n = std::min(batch, n_chunks - c);
    runner->run(c, n, partial.data());
    for (uint64_t i = 0; i < n; ++i) fold->push(partial[i]);
    if (o.progress) o.progress(std::min<uint64_t>(total, (c + n) * kChunk));
  }
  return to_stats(fold->result());
}

}  // namespace

ObsStats run_point(const PointSetup& setup, const RunOptions& opts) {
  if (opts.particles == 0) throw InputError("mc.particles: must be at least 1");
  return std::visit([&](const auto& e) { return run_typed(e, setup, opts); }, setup.energy);
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
