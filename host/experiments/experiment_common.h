// Pieces the experiments of host/experiments/experiment_*.cpp share: the run's provenance attributes,
// datasets read raw and then put into one coordinate system, and the particle loop of one
// system over the sweep scales.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "dataset.h"
#include "progress.h"
#include "run.h"
#include "system.h"
#include "table.h"

namespace mltemp {

// A RunResult named by cfg (run_name) with the attributes every run carries (run_text_attrs:
// config, config_effective, backend, device, mltemp_version, created), and after the config's
// two, experiment (the kind) and system.
RunResult experiment_result(const Config& cfg, const RunContext& ctx, const std::string& system);

// The data of spec, read or generated, neither standardized nor with a bias column.
Dataset raw_dataset(DataSpec spec);
// Standardizes ds with st when the spec standardizes, then appends the bias column when the
// spec has one: datasets prepared with one st share one coordinate system.
void prepare_dataset(Dataset& ds, const DataSpec& spec, const Standardization& st);
// Index of the column named `name` among the features, or -1 when it is the target; the message
// of the InputError (unknown name) starts with `where` and lists the columns.
int column_index(const Dataset& ds, const std::string& name, const std::string& where);
// The rows of ds listed in `rows`, in that order.
Dataset select_rows(const Dataset& ds, const std::vector<int>& rows);

// One system's sweep over the scales with the particles of `seed` (mc.particles, mc.batch and
// ctx's backend), as a sweep table named `name` (the shared temperature columns plus the
// system's own); `done` counts the particles for the progress bar. Adds the particle-loop time
// to ctx.seconds.
Table system_sweep(const Config& cfg, RunContext& ctx, const System& sys, const std::vector<double>& scales,
                   uint64_t seed, const std::string& name, Progress& progress, uint64_t& done);

}  // namespace mltemp
