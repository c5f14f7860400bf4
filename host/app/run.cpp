#include "run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sstream>

#include "checkpoint.h"
#include "cluster.h"
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
    run_name(cfg);
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

// What a resumed run, and every rank of a job, must share with this run.
Identity run_identity(const Config& cfg, const RunPlan& plan, Backend backend) {
  Identity id = config_identity(cfg);
  id.emplace_back("the mltemp version", kVersion);
  id.emplace_back("the backend", backend_name(backend));
  id.emplace_back("the data's X (SHA-256)", values_sha256(plan.sys->energy_X(plan.ds)));
  id.emplace_back("the data's y (SHA-256)", values_sha256(plan.sys->energy_y(plan.ds)));
  return id;
}

// What every rank of a job must share: the run's identity, and the batch (a round holds a
// batch of chunks on every rank).
Identity rank_identity(Identity id, const Config& cfg) {
  id.emplace_back("mc.batch", format_value(cfg.value("mc.batch")));
  return id;
}

std::string sweep_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%11s %24s %12s %9s %24s %12s %7s %9s %10s\n", "scale", "E_init +- se", "E_min", "H",
                "T_mc +- se", "T_exact", "z", "T/T_asym", "kappa_st");
  return buf;
}

std::string sweep_row(const Table& t, size_t r) {
  char buf[512];
  auto f = [&](const char* c) { return t.get(r, c); };
  const char* flag = f("se_reliable") == 0.0 ? "  ! heavy tails: se unreliable" : "";
  if (f("T_defined") == 0.0)
    std::snprintf(buf, sizeof buf, "%11.4g %13.6g +- %8.2g %12.6g %9.4g   undefined (H <= 0): no temperature\n",
                  f("scale"), f("E_init"), f("E_init_se"), f("E_min"), f("H"));
  else
    std::snprintf(buf, sizeof buf, "%11.4g %13.6g +- %8.2g %12.6g %9.4g %13.6g +- %8.2g %12.6g %7.2f %9.4f %10.4f%s\n",
                  f("scale"), f("E_init"), f("E_init_se"), f("E_min"), f("H"), f("T_mc"), f("T_mc_se"), f("T_exact"),
                  f("z"), f("T_mc_over_T_asym"), f("kappa_stat"), flag);
  return buf;
}

}  // namespace

std::string run_name(const Config& cfg) {
  const std::string name = cfg.get_string("name");
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
    throw InputError(cfg.where("name") + ": run name must be non-empty, without '/' and not start with '.'");
  return name;
}

void check_config(const Config& cfg) {
  const ExperimentEntry* e = find_experiment(cfg);  // also refuses another kind's experiment.* keys
  if (e && e->check) {
    e->check(cfg);
    return;
  }
  RunPlan{cfg};  // the sweep, and the experiments that run on the sweep's system
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
  Cluster& job = Cluster::world();
  Checkpointer* const ckpt = ctx.checkpoint;
  // Every rank builds the plan; rank 0 checks that all ranks built the same run, and hands
  // every rank the checkpoint it resumes.
  std::unique_ptr<RunPlan> planned;
  Identity identity;
  const std::string resumed_bytes = job.round(
      [&] {
        planned = std::make_unique<RunPlan>(cfg);
        if (ckpt || job.size() > 1) identity = run_identity(cfg, *planned, ctx.backend);
        return encode_identity(rank_identity(identity, cfg));
      },
      [&](std::vector<std::string>& ids) {
        for (size_t r = 1; r < ids.size(); ++r) {
          const std::string diff = identity_difference(rank_identity(identity, cfg), decode_identity(ids[r]),
                                                       "on rank 0", "on rank " + std::to_string(r));
          if (!diff.empty()) throw InputError("the ranks do not run the same job: " + diff);
        }
        return ckpt ? ckpt->load(identity) : std::string();
      });
  const Checkpoint resumed = resumed_bytes.empty() ? Checkpoint{} : decode_checkpoint(resumed_bytes, ckpt->path());
  const RunPlan& plan = *planned;
  const std::vector<double>& scales = plan.scales;
  if (resumed.done.size() > scales.size() || (resumed.done.size() == scales.size() && resumed.current.next_chunk))
    throw InputError(ckpt->path() + ": the checkpoint holds more scales than the sweep");
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
  const bool show = job.root() && !ctx.quiet;

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
  const uint64_t resumed_particles =
      opts.particles * resumed.done.size() + std::min(opts.particles, resumed.current.next_chunk * kChunk);
  Progress progress(opts.particles * scales.size(), ctx.quiet, 30.0, resumed_particles);
  if (show && ckpt && ckpt->resuming() && resumed_bytes.empty())
    std::fprintf(stderr, "mltemp: --resume: no checkpoint %s: starting from the first scale\n", ckpt->path().c_str());
  if (show && !resumed_bytes.empty())
    std::fprintf(stderr, "mltemp: resuming from %s: %zu of %zu scales done, %.1f%% of the next\n", ckpt->path().c_str(),
                 resumed.done.size(), scales.size(),
                 100.0 * static_cast<double>(std::min(opts.particles, resumed.current.next_chunk * kChunk)) /
                     static_cast<double>(opts.particles));
  if (ckpt) ckpt->begin(identity, resumed);
  double loop_seconds = 0.0;
  if (ckpt && job.root()) opts.folded = [ckpt](const FoldState& f) { ckpt->folded(f); };
  for (size_t i = 0; i < scales.size(); ++i) {
    ObsStats st;
    if (i < resumed.done.size()) {
      st = resumed.done[i];
    } else {
      const uint64_t before = opts.particles * i;
      if (job.root()) opts.progress = [&progress, before](uint64_t done) { progress.update(before + done); };
      opts.resume = i == resumed.done.size() && resumed.current.next_chunk ? &resumed.current : nullptr;
      auto t0 = Clock::now();
      const PointSetup setup = sys->point(scales[i], seed);
      reference_seconds += since(t0);
      t0 = Clock::now();
      st = run_point(setup, opts);
      loop_seconds += since(t0);
      if (ckpt) ckpt->scale_done(st);
    }
    if (!std::isfinite(st.mean[0]))
      throw InputError(cfg.where("sweep.scales") + ": the energy overflowed at scale " + format_value(scales[i]) +
                       " (mean is not finite); lower the scale");
    const auto t0 = Clock::now();
    const size_t row = sweep.new_row();
    sys->fill_row(sweep, extra, row, scales[i], st);
    reference_seconds += since(t0);
    if (show) {
      progress.clear();
      std::printf("%s%s", row == 0 ? sweep_header().c_str() : "", sweep_row(sweep, row).c_str());
      std::fflush(stdout);
    }
  }
  if (ckpt) try {  // every scale: a failed or interrupted results write loses nothing
      ckpt->save();
    } catch (const IoError& e) {
      std::fprintf(stderr, "mltemp: warning: %s\n", e.what());
    }
  progress.finish();
  if (show) std::printf("\n");
  ctx.seconds = loop_seconds;
  ctx.reference_seconds = reference_seconds;

  res.tables.push_back(std::move(sweep));
  for (auto& t : extra) res.tables.push_back(std::move(t));
  res.text_attrs = run_text_attrs(cfg, ctx, sys.get(), &ds);
  res.int_attrs = {{"seed", static_cast<int64_t>(seed)},
                   {"particles_per_scale", particles},
                   {"scales", static_cast<int64_t>(scales.size())},
                   {"ranks", job.size()},
                   {"resumed", resumed_bytes.empty() ? 0 : 1}};
  const double ran = static_cast<double>(opts.particles * scales.size() - resumed_particles);
  res.num_attrs = {{"seconds", ctx.seconds},
                   {"setup_seconds_data", ctx.data_seconds},
                   {"setup_seconds_system", ctx.system_seconds},
                   {"setup_seconds_references", ctx.reference_seconds},
                   {"particles_per_second", ran / std::max(ctx.seconds, 1e-9)}};
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
  std::string o = sweep_header();
  for (size_t r = 0; r < t.rows(); ++r) o += sweep_row(t, r);
  return o;
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
