#include "run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sstream>

#include "errors.h"
#include "experiment.h"
#include "progress.h"
#include "provenance.h"
#include "system.h"

namespace mltemp {

const char* const kVersion = "0.1.0";

namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Everything a run checks and builds before its first particle (--print-config stops here).
// The mc.* ranges are checked by the option table when the values are set.
struct RunPlan {
  explicit RunPlan(const Config& cfg) {
    const std::string name = cfg.get_string("name");
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
      throw InputError(cfg.where("name") + ": run name must be non-empty, without '/' and not start with '.'");
    scales = sweep_scales(cfg);
    const uint64_t particles = static_cast<uint64_t>(cfg.get_int("mc.particles"));
    if (particles > std::numeric_limits<uint64_t>::max() / scales.size())
      throw InputError(cfg.where("mc.particles") + ": " + std::to_string(particles) + " particles at each of " +
                       std::to_string(scales.size()) + " scales overflow the 64-bit particle count");
    using Clock = std::chrono::steady_clock;
    auto t = Clock::now();
    spec = data_spec(cfg);
    ds = load_dataset(spec);
    data_seconds = std::chrono::duration<double>(Clock::now() - t).count();
    t = Clock::now();
    sys = make_system(cfg, ds);
    system_seconds = std::chrono::duration<double>(Clock::now() - t).count();
  }
  std::vector<double> scales;
  DataSpec spec;
  Dataset ds;
  std::unique_ptr<System> sys;
  double data_seconds = 0.0, system_seconds = 0.0;
};

}  // namespace

void check_config(const Config& cfg) {
  find_experiment(cfg);  // experiment.* keys that only another kind reads
  RunPlan{cfg};
}

TextAttrs run_text_attrs(const Config& cfg, const RunContext& ctx, const System* sys, const Dataset* ds) {
  TextAttrs a = {{"config", cfg.text()}, {"config_effective", cfg.echo()}};
  if (sys)
    a.insert(a.end(), {{"system", sys->describe()},
                       {"minimum", sys->minimum_note()},
                       {"exact_reference", sys->reference_note()},
                       {"data_origin", sys->data_origin(*ds)}});
  a.insert(a.end(), {{"backend", backend_name(ctx.backend)},
                     {"device", ctx.device},
                     {"mltemp_version", kVersion},
                     {"created", now_iso()}});
  return a;
}

RunResult run_config(const Config& cfg, RunContext& ctx) {
  if (const ExperimentEntry* e = find_experiment(cfg)) return e->run(cfg, ctx);
  const RunPlan plan(cfg);
  const std::vector<double>& scales = plan.scales;
  const Dataset& ds = plan.ds;
  const auto& sys = plan.sys;
  const int64_t particles = cfg.get_int("mc.particles");
  const int64_t batch = cfg.get_int("mc.batch");
  const int64_t threads = cfg.get_int("mc.threads");
  const std::string name = cfg.get_string("name");
  const DataSpec& spec = plan.spec;
  ctx.data_seconds = plan.data_seconds;
  ctx.system_seconds = plan.system_seconds;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  double reference_seconds = 0.0;
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("mc.seed"));

  RunResult res;
  res.name = name;
  Table sweep("sweep");
  add_temperature_columns(sweep);
  sys->add_columns(sweep);
  std::vector<Table> extra;
  sys->add_tables(extra);

  RunOptions opts;
  opts.backend = ctx.backend;
  opts.particles = static_cast<uint64_t>(particles);
  opts.batch_particles = static_cast<uint64_t>(batch);
  opts.threads = static_cast<int>(threads);
  Progress progress(opts.particles * scales.size(), ctx.quiet);
  double loop_seconds = 0.0;
  for (size_t i = 0; i < scales.size(); ++i) {
    const uint64_t before = opts.particles * i;
    opts.progress = [&](uint64_t done) { progress.update(before + done); };
    auto t0 = Clock::now();
    const PointSetup setup = sys->point(scales[i], seed);
    reference_seconds += since(t0);
    t0 = Clock::now();
    const ObsStats st = run_point(setup, opts);
    loop_seconds += since(t0);
    if (!std::isfinite(st.mean[0]))
      throw InputError(cfg.where("sweep.scales") + ": the energy overflowed at scale " + format_value(scales[i]) +
                       " (mean is not finite); lower the scale");
    t0 = Clock::now();
    const size_t row = sweep.new_row();
    sys->fill_row(sweep, extra, row, scales[i], st);
    reference_seconds += since(t0);
  }
  progress.finish();
  ctx.seconds = loop_seconds;
  ctx.reference_seconds = reference_seconds;

  res.tables.push_back(std::move(sweep));
  for (auto& t : extra) res.tables.push_back(std::move(t));
  res.text_attrs = run_text_attrs(cfg, ctx, sys.get(), &ds);
  res.int_attrs = {{"seed", static_cast<int64_t>(seed)},
                   {"particles_per_scale", particles},
                   {"scales", static_cast<int64_t>(scales.size())}};
  res.num_attrs = {
      {"seconds", ctx.seconds},
      {"setup_seconds_data", ctx.data_seconds},
      {"setup_seconds_system", ctx.system_seconds},
      {"setup_seconds_references", ctx.reference_seconds},
      {"particles_per_second", static_cast<double>(particles) * scales.size() / std::max(ctx.seconds, 1e-9)}};
  sys->add_arrays(res);
  add_data_provenance(res, spec, sys->energy_X(ds), sys->energy_y(ds));
  return res;
}

std::string timing_line(const RunContext& ctx) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "setup %.2f s (data %.2f, system and minimum %.2f, references %.2f); particles %.2f s",
                ctx.data_seconds + ctx.system_seconds + ctx.reference_seconds, ctx.data_seconds, ctx.system_seconds,
                ctx.reference_seconds, ctx.seconds);
  return buf;
}

std::string format_sweep(const Table& t) {
  std::ostringstream o;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%11s %24s %12s %9s %24s %12s %7s %9s %10s\n", "scale", "E_init +- se", "E_min", "H",
                "T_mc +- se", "T_exact", "z", "T/T_asym", "kappa_st");
  o << buf;
  for (size_t r = 0; r < t.rows(); ++r) {
    auto f = [&](const char* c) { return t.get(r, c); };
    const char* flag = f("se_reliable") == 0.0 ? "  ! heavy tails: se unreliable" : "";
    if (f("T_defined") == 0.0) {
      std::snprintf(buf, sizeof buf, "%11.4g %13.6g +- %8.2g %12.6g %9.4g   undefined (H <= 0): no temperature\n",
                    f("scale"), f("E_init"), f("E_init_se"), f("E_min"), f("H"));
    } else {
      std::snprintf(buf, sizeof buf,
                    "%11.4g %13.6g +- %8.2g %12.6g %9.4g %13.6g +- %8.2g %12.6g %7.2f %9.4f %10.4f%s\n", f("scale"),
                    f("E_init"), f("E_init_se"), f("E_min"), f("H"), f("T_mc"), f("T_mc_se"), f("T_exact"), f("z"),
                    f("T_mc_over_T_asym"), f("kappa_stat"), flag);
    }
    o << buf;
  }
  return o.str();
}

std::string format_columns(const Table& t, const std::vector<std::string>& cols) {
  std::ostringstream o;
  char buf[64];
  for (const auto& c : cols) {
    std::snprintf(buf, sizeof buf, "%13s", c.c_str());
    o << buf;
  }
  o << "\n";
  for (size_t r = 0; r < t.rows(); ++r) {
    for (const auto& c : cols) {
      bool text = false;
      for (const auto& col : t.columns())
        if (col.name == c && col.kind == Column::Kind::kText) text = true;
      if (text)
        std::snprintf(buf, sizeof buf, "  %-28.28s", t.get_text(r, c).c_str());
      else
        std::snprintf(buf, sizeof buf, "%13.6g", t.get(r, c));
      o << buf;
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace mltemp
