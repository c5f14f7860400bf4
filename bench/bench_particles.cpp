// Particle throughput of the engine, against baselines measured in the same run:
//   BM_engine_mse/m      the engine (OpenMP, all threads) on the MSE energy, m parameters
//   BM_engine_mse_1t/m   the same on one thread
//   BM_naive_mse/m       a plain serial loop: std::mt19937_64 + std::normal_distribution and
//                        the same quadratic form (what a first hand-written MC would do)
// Read the ratios (items_per_second), not the absolute numbers: these machines are noisy.
#include <benchmark/benchmark.h>

#include <random>

#include "engine.h"
#include "mltemp/rng.h"

namespace {

using namespace mltemp;

PointSetup mse_setup(int m) {
  PointSetup p;
  p.blob.assign(static_cast<size_t>(m) * m + 2 * m, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) p.blob[i * m + j] = (i == j ? 1.0 : 0.1);
    p.blob[m * m + i] = 0.3;
    p.blob[m * m + m + i] = 10.0;
  }
  p.energy = MseEnergy{m, 0, m * m, 1.0, 0.0, 0.0};
  p.init = InitParams{1, stream_id(Stream::kInit, 0), m, m, m * m + m};
  return p;
}

void run_engine(benchmark::State& st, int threads) {
  const int m = static_cast<int>(st.range(0));
  const PointSetup p = mse_setup(m);
  RunOptions o;
  o.particles = 1 << 20;
  o.threads = threads;
  for (auto _ : st) benchmark::DoNotOptimize(run_point(p, o).mean[0]);
  st.SetItemsProcessed(st.iterations() * o.particles);
}

void BM_engine_mse(benchmark::State& st) { run_engine(st, 0); }
void BM_engine_mse_1t(benchmark::State& st) { run_engine(st, 1); }

void BM_naive_mse(benchmark::State& st) {
  const int m = static_cast<int>(st.range(0));
  const PointSetup p = mse_setup(m);
  std::mt19937_64 gen(1);
  std::normal_distribution<double> z(0.0, 10.0);
  std::vector<double> th(m);
  const uint64_t n = 1 << 20;
  for (auto _ : st) {
    double sum = 0.0;
    for (uint64_t k = 0; k < n; ++k) {
      for (int j = 0; j < m; ++j) th[j] = z(gen);
      double e;
      std::get<MseEnergy>(p.energy)(p.blob.data(), th.data(), nullptr, &e);
      sum += e;
    }
    benchmark::DoNotOptimize(sum);
  }
  st.SetItemsProcessed(st.iterations() * n);
}

BENCHMARK(BM_engine_mse)->Arg(5)->Arg(11)->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_engine_mse_1t)->Arg(5)->Arg(11)->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_naive_mse)->Arg(5)->Arg(11)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
