// Experiments beyond the sweep (issue 9): `[experiment] kind = "..."` in a config runs one of
// these instead of the plain sweep. Each experiment reads the same config (data, model, energy,
// init, sweep scales, mc), builds what it needs through the same System and engine, and returns
// a RunResult whose tables it names itself (`/runs/<name>/<table>`).
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "run.h"
#include "table.h"

namespace mltemp {

struct ExperimentEntry {
  const char* kind;     // the value of experiment.kind
  const char* summary;  // one line for --help and the README
  // Runs the experiment; InputError (exit 2) for combinations where it makes no sense.
  RunResult (*run)(const Config& cfg, RunContext& ctx);
  // `run --print-config`: every check run makes before its particles (nullptr: none).
  void (*check)(const Config& cfg) = nullptr;
  // The terminal report of its result (after any sweep table); nullptr: every table in full.
  std::string (*report)(const RunResult& r) = nullptr;
};

// Every experiment, registered once (host/experiments/experiment.cpp).
const std::vector<ExperimentEntry>& experiments();
// The entry for experiment.kind, or nullptr for the plain sweep ("sweep"); refuses the
// experiment.* keys that only another kind reads (a key's kind is the first word of its help
// text in the option table: "training: ...", "mixing, csv: ...").
const ExperimentEntry* find_experiment(const Config& cfg);
// The terminal report of an experiment's result ("" for a plain sweep): its summary
// attribute, then its own tables, by the entry's report function.
std::string experiment_report(const RunResult& r);

// mc.threads (when > 0) for an experiment's own OpenMP loops while it lives; the previous count after.
class OmpThreads {
 public:
  explicit OmpThreads(const Config& cfg);
  ~OmpThreads();
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int saved_;
};

// Particles per occupied cell from which the entropy experiment's grid estimate is trusted: its
// bias falls below its sampling error there (at 1e5 to 1e6 particles, m = 1..4; at 10 to 15 per
// cell it is still 3 to 6 standard errors at 2e5 particles, m = 2..4).
constexpr double kEntropyWellSampled = 50.0;

// The experiments, one file each.
RunResult run_training(const Config& cfg, RunContext& ctx);  // host/experiments/experiment_training.cpp
std::string training_report(const RunResult& r);
RunResult run_entropy(const Config& cfg, RunContext& ctx);  // host/experiments/experiment_entropy.cpp
std::string entropy_report(const RunResult& r);
RunResult run_mixing(const Config& cfg, RunContext& ctx);  // host/experiments/experiment_mixing.cpp
void check_mixing(const Config& cfg);
RunResult run_shift(const Config& cfg, RunContext& ctx);  // host/experiments/experiment_shift.cpp
void check_shift(const Config& cfg);

}  // namespace mltemp
