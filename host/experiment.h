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
};

// Every experiment, registered once (host/experiment.cpp).
const std::vector<ExperimentEntry>& experiments();
// The entry for experiment.kind, or nullptr for the plain sweep ("sweep").
const ExperimentEntry* find_experiment(const Config& cfg);

}  // namespace mltemp
