// The GEMM-shaped part of a workload alone: z = theta . x over the data (linear MAE, CE) or the
// layer products (networks), through the engine's own tiles and micro-kernel with the loss and
// activations switched off (RunOptions::gemm_only). bench/run_bench.py divides its flop rate by
// the DGEMM ceiling measured in the same run.
//   mltemp_gemm_part WORKLOAD.toml [--particles N]
// prints one JSON line: {"particles_per_s": x, "gflops": y, "flops_per_particle": f}
// (marginal: N and 2N particles, N doubled until it takes half a second, so the one-off setup is
// excluded; all threads).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "config.h"
#include "dataset.h"
#include "engine.h"
#include "errors.h"
#include "system.h"

using namespace mltemp;

namespace {

double flops_per_particle(const PointSetup& p) {
  if (const auto* e = std::get_if<MaeEnergy>(&p.energy)) return 2.0 * e->n * e->m;
  if (const auto* e = std::get_if<CeEnergy>(&p.energy)) return 2.0 * e->n * e->m;
  if (const auto* e = std::get_if<MlpEnergy>(&p.energy)) {
    double per_point = 0.0;
    for (int l = 1; l <= e->layers; ++l) per_point += 2.0 * e->widths[l - 1] * e->widths[l];
    return per_point * e->n;
  }
  throw InputError("mltemp_gemm_part: the workload has no GEMM-shaped part (linear MSE uses sufficient statistics)");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw InputError("usage: mltemp_gemm_part WORKLOAD.toml [--particles N]");
    uint64_t n = 1 << 14;
    for (int i = 2; i + 1 < argc; i += 2)
      if (std::string(argv[i]) == "--particles") n = std::strtoull(argv[i + 1], nullptr, 10);
    const Config cfg = Config::from_file(argv[1]);
    const Dataset ds = load_dataset(data_spec(cfg));
    const auto sys = make_system(cfg, ds);
    const PointSetup setup = sys->point(sweep_scales(cfg).front(), static_cast<uint64_t>(cfg.get_int("mc.seed")));
    RunOptions o;
    o.gemm_only = true;
    auto seconds = [&](uint64_t particles) {
      o.particles = particles;
      const auto t0 = std::chrono::steady_clock::now();
      run_point(setup, o);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    seconds(n / 4 + 1024);                            // warm caches and threads
    while (seconds(n) < 0.5 && n < (1ull << 40)) n *= 2;  // long enough to time: at least half a second
    const double t1 = seconds(n), t2 = seconds(2 * n);
    const double rate = static_cast<double>(n) / std::max(t2 - t1, 1e-9);
    const double f = flops_per_particle(setup);
    std::printf("{\"particles_per_s\": %.6g, \"gflops\": %.6g, \"flops_per_particle\": %.6g}\n", rate, rate * f / 1e9, f);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mltemp_gemm_part: %s\n", e.what());
    return 2;
  }
}
