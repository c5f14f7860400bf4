// The entropy experiment (issue 9; paper Section 2.3, 2.24-2.26, Appendix B): the Type I
// particles (the sweep's: same seed, scale and index; their first m coordinates) are counted on
// the grid of cubic cells [k Delta, (k+1) Delta)^m, deterministically (cell keys sorted on the
// CPU), and the discrete entropy H_Delta is estimated from the counts: plug-in, Miller-Madow,
// and Grassberger's (2003) estimate, the one the bridge uses (its bias is about half Miller-Madow's
// at 1 to 10 particles per cell, and it is unbiased within the sampling error above that). The paper's bridge H_Delta ~
// H - m ln Delta says H_Delta + m ln Delta -> H as Delta -> 0; the table holds each estimate against two references:
//   H_delta_exact  the exact discrete entropy of the distribution on that grid (independent
//                  coordinates: a sum of one-dimensional sums), so the estimator's error and the
//                  grid's own error (H_delta_exact + m ln Delta - H) are separated;
//   H              the differential entropy, the paper's limit.
// With N particles the estimate cannot exceed ln N: once the occupied cells approach N (few
// particles per cell), the estimate saturates and the bridge breaks.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "entropy_estimators.h"
#include "errors.h"
#include "experiment.h"
#include "formulas.h"
#include "mltemp/moments.h"
#include "mltemp/sampler.h"
#include "system.h"

namespace mltemp {
namespace {

using Key = unsigned __int128;

void refuse_unused(const Config& cfg) {
  for (const auto& o : option_table()) {
    const bool data_model = o.key.rfind("data.", 0) == 0 || o.key.rfind("model.", 0) == 0 ||
                            o.key.rfind("energy.", 0) == 0 || o.key == "init.layer_scaling";
    if (data_model && cfg.given(o.key))
      throw InputError(cfg.where(o.key) +
                       ": not used by experiment.kind = \"entropy\", which samples the initial distribution alone");
  }
  if (cfg.given("mc.particles"))
    throw InputError(cfg.where("mc.particles") +
                     ": experiment.kind = \"entropy\" takes its particle counts from experiment.particles");
}

// Counts of the first n_i particles in each occupied cell of side delta, for every n_i of
// `counts_of` (ascending), cells in key order. x holds n_max points of `stride` coordinates,
// of which the first m are used.
std::vector<std::vector<uint64_t>> cell_counts(const Config& cfg, const std::vector<double>& x, size_t n_max,
                                               int stride, int m, double delta, const std::vector<uint64_t>& sizes) {
  std::vector<int64_t> lo(m, INT64_MAX), hi(m, INT64_MIN);
  std::vector<int64_t> cell(n_max * m);
  for (size_t k = 0; k < n_max; ++k)
    for (int j = 0; j < m; ++j) {
      const int64_t c = static_cast<int64_t>(std::floor(x[k * stride + j] / delta));
      cell[k * m + j] = c;
      lo[j] = std::min(lo[j], c);
      hi[j] = std::max(hi[j], c);
    }
  // A mixed-radix key over the occupied ranges; it must fit in 127 bits.
  std::vector<Key> radix(m);
  Key span = 1;
  for (int j = 0; j < m; ++j) {
    radix[j] = span;
    const Key r = static_cast<Key>(hi[j] - lo[j] + 1);
    if (span > (~Key(0) >> 1) / r)
      throw InputError(cfg.where("experiment.deltas") + ": a cell side of " + format_value(delta) +
                       " makes more grid cells than 2^127; use larger deltas");
    span *= r;
  }
  std::vector<std::pair<Key, uint32_t>> keyed(n_max);
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < n_max; ++k) {
    Key key = 0;
    for (int j = 0; j < m; ++j) key += static_cast<Key>(cell[k * m + j] - lo[j]) * radix[j];
    keyed[k] = {key, static_cast<uint32_t>(k)};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::vector<uint64_t>> out(sizes.size());
  std::vector<uint64_t> c(sizes.size());
  for (size_t a = 0; a < n_max;) {
    size_t b = a;
    std::fill(c.begin(), c.end(), 0);
    for (; b < n_max && keyed[b].first == keyed[a].first; ++b)
      for (size_t i = 0; i < sizes.size(); ++i)
        if (keyed[b].second < sizes[i]) ++c[i];
    for (size_t i = 0; i < sizes.size(); ++i)
      if (c[i]) out[i].push_back(c[i]);
    a = b;
  }
  return out;
}

void add_entropy_columns(Table& t) {
  using K = Column::Kind;
  add_scale_column(t);
  t.add_column("dims", "count", "m: the first m coordinates of each particle are histogrammed", K::kInt);
  t.add_column("particles", "count", "N: the first N particles", K::kInt);
  t.add_column("delta", "", "cell side in units of the scale");
  t.add_column("cell_side", "", "Delta = delta * scale (parameter units)");
  t.add_column("cells", "count", "K: occupied cells", K::kInt);
  t.add_column("per_cell", "count", "N / K: particles per occupied cell (the estimate breaks when it nears 1)");
  t.add_column("H_plugin", "nats", "plug-in discrete entropy -sum p ln p of the counts (at most ln N)");
  t.add_column("H_mm", "nats", "Miller-Madow estimate H_plugin + (K - 1)/(2N)");
  t.add_column("H_grassberger", "nats", "Grassberger (2003) estimate ln N - sum c G(c) / N: the estimate used below");
  t.add_column("H_se", "nats", "sampling standard error of the estimates, sqrt((sum p ln^2 p - H^2)/N)");
  t.add_column("H_delta_exact", "nats", "exact discrete entropy of the distribution on this grid");
  t.add_column("bridge", "nats", "H_grassberger + m ln Delta: the paper's bridge, tends to H (2.24-2.25)");
  t.add_column("bridge_exact", "nats", "H_delta_exact + m ln Delta: the grid's own approach to H");
  t.add_column("H", "nats", "differential entropy of the first m coordinates (the limit)");
  t.add_column("z", "",
               "(H_grassberger - H_delta_exact)/H_se: the estimator's error in standard errors (NaN when every "
               "particle has a cell of its own: H_se = 0)");
  t.add_column("ln_N", "nats", "ln N, the largest entropy N particles can show");
}

}  // namespace

RunResult run_entropy(const Config& cfg, RunContext& ctx) {
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  const OmpThreads threads(cfg);
  refuse_unused(cfg);
  const std::vector<double> scales = sweep_scales(cfg);
  const std::vector<double> deltas = cfg.get_doubles("experiment.deltas");
  const std::vector<int64_t> dims = cfg.get_ints("experiment.dims");
  std::vector<int64_t> counts = cfg.get_ints("experiment.particles");
  for (const auto& [key, empty] : {std::pair<const char*, bool>{"experiment.deltas", deltas.empty()},
                                   {"experiment.dims", dims.empty()},
                                   {"experiment.particles", counts.empty()}})
    if (empty) throw InputError(cfg.where(key) + ": needs at least one value");
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  const std::vector<uint64_t> sizes(counts.begin(), counts.end());
  const uint64_t n_max = sizes.back();
  const int m_max = static_cast<int>(*std::max_element(dims.begin(), dims.end()));
  const InitLayout layout = init_layout(cfg, m_max);
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("mc.seed"));

  RunResult res;
  res.name = cfg.get_string("name");
  Table t("entropy");
  add_entropy_columns(t);
  std::ostringstream summary;
  for (const double s : scales) {
    const Eigen::VectorXd sj = layout.ratio * s;
    const std::vector<double> blob(sj.data(), sj.data() + m_max);
    const InitParams init = init_params(seed, s, m_max, layout.normal_dims, 0);
    std::vector<double> x(n_max * m_max);
#pragma omp parallel for schedule(static)
    for (uint64_t k = 0; k < n_max; ++k) draw_particle(init, blob.data(), k, &x[k * m_max]);
    for (const int64_t m64 : dims) {
      const int m = static_cast<int>(m64);
      const double h = entropy(sj.head(m), std::min(m, layout.normal_dims));
      double best_gap = kNaN, best_delta = kNaN, best_z = kNaN;
      for (const double d : deltas) {
        const double side = d * s;
        double exact = 0.0;
        for (int j = 0; j < m; ++j)
          exact += j < layout.normal_dims ? grid_entropy_normal(sj[j], side) : grid_entropy_uniform(sj[j], side);
        const auto per_size = cell_counts(cfg, x, n_max, m_max, m, side, sizes);
        for (size_t i = 0; i < sizes.size(); ++i) {
          const CountEntropy ce = count_entropy(per_size[i]);
          const double nn = static_cast<double>(sizes[i]);
          const size_t r = t.new_row();
          t.set(r, "scale", s);
          t.set(r, "dims", m);
          t.set(r, "particles", nn);
          t.set(r, "delta", d);
          t.set(r, "cell_side", side);
          t.set(r, "cells", static_cast<double>(ce.cells));
          t.set(r, "per_cell", nn / static_cast<double>(ce.cells));
          t.set(r, "H_plugin", ce.plugin);
          t.set(r, "H_mm", ce.miller_madow);
          t.set(r, "H_grassberger", ce.grassberger);
          t.set(r, "H_se", ce.se);
          t.set(r, "H_delta_exact", exact);
          t.set(r, "bridge", ce.grassberger + m * std::log(side));
          t.set(r, "bridge_exact", exact + m * std::log(side));
          t.set(r, "H", h);
          const double z = ce.se > 0.0 ? (ce.grassberger - exact) / ce.se : kNaN;
          t.set(r, "z", z);
          t.set(r, "ln_N", std::log(nn));
          // The closest approach of the largest sample, among grids it fills well.
          if (i + 1 == sizes.size() && nn / ce.cells >= kEntropyWellSampled &&
              !(std::abs(ce.grassberger + m * std::log(side) - h) >= std::abs(best_gap))) {
            best_gap = ce.grassberger + m * std::log(side) - h;
            best_delta = d;
            best_z = z;
          }
        }
      }
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "scale %g, m = %d: H = %.6g; with N = %llu and >= %g particles per cell, H_Delta + m ln Delta - H "
                    "= %+.3g nats at delta = %g (estimator z = %.2f against the exact H_Delta)\n",
                    s, m, h, static_cast<unsigned long long>(n_max), kEntropyWellSampled, best_gap, best_delta, best_z);
      summary << buf;
    }
  }
  ctx.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  res.tables.push_back(std::move(t));
  std::string sum = summary.str();
  if (!sum.empty()) sum.pop_back();
  res.text_attrs = run_text_attrs(cfg, ctx);
  res.text_attrs.insert(res.text_attrs.end(),
                        {{"system", "initial distribution alone: " + layout.name + " init, m = 1.." +
                                        std::to_string(m_max) + " coordinates"},
                         {"experiment", "entropy"},
                         {"summary", sum}});
  res.int_attrs = {{"seed", static_cast<int64_t>(seed)},
                   {"particles_per_scale", static_cast<int64_t>(n_max)},
                   {"scales", static_cast<int64_t>(scales.size())}};
  res.num_attrs = {{"seconds", ctx.seconds},
                   {"particles_per_second", static_cast<double>(n_max * scales.size()) / std::max(ctx.seconds, 1e-9)}};
  return res;
}

std::string entropy_report(const RunResult& r) {
  const Table& t = *r.table("entropy");
  std::ostringstream o;
  char buf[256];
  std::snprintf(buf, sizeof buf, "\n%9s %4s %10s %8s %10s %10s %22s %12s %12s %8s\n", "scale", "m", "N", "delta",
                "cells", "N/K", "H_est + m ln D +- se", "exact grid", "H", "z");
  o << buf;
  for (size_t i = 0; i < t.rows(); ++i) {
    std::snprintf(buf, sizeof buf, "%9.4g %4d %10.0f %8.4g %10.0f %10.4g %11.6g +- %7.2g %12.6g %12.6g %8.2f\n",
                  t.get(i, "scale"), static_cast<int>(t.get(i, "dims")), t.get(i, "particles"), t.get(i, "delta"),
                  t.get(i, "cells"), t.get(i, "per_cell"), t.get(i, "bridge"), t.get(i, "H_se"),
                  t.get(i, "bridge_exact"), t.get(i, "H"), t.get(i, "z"));
    o << buf;
  }
  return o.str();
}

}  // namespace mltemp
