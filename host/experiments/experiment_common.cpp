#include "experiment_common.h"

#include <chrono>
#include <cmath>

#include "errors.h"

namespace mltemp {

RunResult experiment_result(const Config& cfg, const RunContext& ctx, const std::string& system) {
  RunResult r;
  r.name = run_name(cfg);
  r.text_attrs = run_text_attrs(cfg, ctx);
  // After the config's two attributes: which experiment, on what.
  r.text_attrs.insert(r.text_attrs.begin() + 2,
                      {{"experiment", cfg.get_string("experiment.kind")}, {"system", system}});
  return r;
}

Dataset raw_dataset(DataSpec spec) {
  spec.standardize = false;
  spec.bias = false;
  return load_dataset(spec);
}

void prepare_dataset(Dataset& ds, const DataSpec& spec, const Standardization& st) {
  if (spec.standardize) apply_standardization(ds, st);
  if (spec.bias) append_bias(ds);
}

int column_index(const Dataset& ds, const std::string& name, const std::string& where) {
  if (name == ds.target_name) return -1;
  std::string names;
  for (size_t j = 0; j < ds.feature_names.size(); ++j) {
    if (ds.feature_names[j] == name) return static_cast<int>(j);
    names += (j ? ", '" : "'") + ds.feature_names[j] + "'";
  }
  throw InputError(where + ": no column '" + name + "' in " + ds.origin + " (columns: " + names + ", target '" +
                   ds.target_name + "')");
}

Dataset select_rows(const Dataset& ds, const std::vector<int>& rows) {
  Dataset out;
  out.X.resize(static_cast<Eigen::Index>(rows.size()), ds.X.cols());
  out.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    out.X.row(static_cast<Eigen::Index>(i)) = ds.X.row(rows[i]);
    out.y[static_cast<Eigen::Index>(i)] = ds.y[rows[i]];
  }
  out.feature_names = ds.feature_names;
  out.target_name = ds.target_name;
  out.origin = ds.origin;
  return out;
}

Table system_sweep(const Config& cfg, RunContext& ctx, const System& sys, const std::vector<double>& scales,
                   uint64_t seed, const std::string& name, Progress& progress, uint64_t& done) {
  Table t(name);
  add_temperature_columns(t);
  sys.add_columns(t);
  std::vector<Table> extra;  // per-layer tables of networks: not kept by the experiments
  sys.add_tables(extra);
  RunOptions opts;
  opts.backend = ctx.backend;
  opts.particles = static_cast<uint64_t>(cfg.get_int("mc.particles"));
  opts.batch_particles = static_cast<uint64_t>(cfg.get_int("mc.batch"));
  opts.threads = static_cast<int>(cfg.get_int("mc.threads"));
  for (const double s : scales) {
    const uint64_t before = done;
    opts.progress = [&](uint64_t n) { progress.update(before + n); };
    const auto t0 = std::chrono::steady_clock::now();
    const ObsStats st = run_point(sys.point(s, seed), opts);
    ctx.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done += opts.particles;
    if (!std::isfinite(st.mean[0]))
      throw InputError(cfg.where("sweep.scales") + ": the energy overflowed at scale " + format_value(s) + " (" + name +
                       "; mean is not finite); lower the scale");
    sys.fill_row(t, extra, t.new_row(), s, st);
  }
  return t;
}

}  // namespace mltemp
