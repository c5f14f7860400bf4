// Orchestration: a resolved config becomes a dataset, a system, particles at each scale, and
// a RunResult (sweep table + metadata). Nothing here touches HDF5.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "engine.h"
#include "table.h"

namespace mltemp {

class Checkpointer;

struct RunContext {
  Backend backend = Backend::kOmp;
  std::string device = "cpu";
  bool quiet = false;
  double seconds = 0.0;  // filled by run_config: wall time of the particle loops alone
  // Filled by run_config: wall time of the setup, apart from the particles.
  double data_seconds = 0.0;       // reading or generating the data
  double system_seconds = 0.0;     // the system: E_min (solvers, training), shapes, checks
  double reference_seconds = 0.0;  // per-scale references (exact E_init, asymptotes) and tables
  // `mltemp run`: the sweep keeps checkpoints there and resumes them (host/checkpoint.h).
  Checkpointer* checkpoint = nullptr;
};

// "setup 1.2 s (data 0.1, system and minimum 0.9, references 0.2); particles 10.3 s"
std::string timing_line(const RunContext& ctx);

// The run's name (its HDF5 group /runs/<name>); InputError unless it is non-empty, has no '/'
// and does not start with '.'.
std::string run_name(const Config& cfg);

class System;
struct Dataset;
using TextAttrs = std::vector<std::pair<std::string, std::string>>;
// The text attributes every run stores: the config as written and as effective, the backend,
// device, code version and time; with a system (and its dataset), what it is, its minimum,
// its exact reference and where the data came from. Experiments store the same.
TextAttrs run_text_attrs(const Config& cfg, const RunContext& ctx, const System* sys = nullptr,
                         const Dataset* ds = nullptr);

// Applies the run-time settings of cfg (threads, backend) and runs the sweep. Collective
// (host/cluster.h): every rank of a job calls it and returns the same result. Unless quiet,
// rank 0 prints each scale's row as it finishes.
RunResult run_config(const Config& cfg, RunContext& ctx);
// Every check run_config makes before its first particle (the data read, the system and its
// minimum built), without running particles; throws the InputError a run would.
void check_config(const Config& cfg);

// A fixed-width terminal table of a sweep.
std::string format_sweep(const Table& t);
// Any table, the named columns only.
std::string format_columns(const Table& t, const std::vector<std::string>& cols);

extern const char* const kVersion;

}  // namespace mltemp
