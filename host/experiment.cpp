#include "experiment.h"

#include "errors.h"

namespace mltemp {

RunResult run_mixing(const Config& cfg, RunContext& ctx);  // host/experiment_mixing.cpp
void check_mixing(const Config& cfg);
RunResult run_shift(const Config& cfg, RunContext& ctx);  // host/experiment_shift.cpp
void check_shift(const Config& cfg);

const std::vector<ExperimentEntry>& experiments() {
  // One entry per experiment: {kind, summary, run function, --print-config check}.
  static const std::vector<ExperimentEntry> list = {
      {"mixing", "systems A, B and their union: T_A, T_B, T_mix and the energy each gives up (3.48-3.56)", run_mixing,
       check_mixing},
      {"shift", "Type II: E_min and the fitted data entropy along a sequence of datasets, T_II (2.9, 2.11, A.2)",
       run_shift, check_shift},
  };
  return list;
}

namespace {

// The experiment an `experiment.*` key belongs to: the first word of its help text
// ("mixing, csv: ..." belongs to mixing).
std::string key_owner(const OptionSpec& o) { return o.help.substr(0, o.help.find_first_of(",:")); }

}  // namespace

const ExperimentEntry* find_experiment(const Config& cfg) {
  const std::string kind = cfg.get_string("experiment.kind");
  for (const auto& o : option_table())
    if (o.key.rfind("experiment.", 0) == 0 && o.key != "experiment.kind" && cfg.given(o.key) && key_owner(o) != kind)
      throw InputError(cfg.where(o.key) + ": only used with experiment.kind = \"" + key_owner(o) + "\"");
  if (kind == "sweep") return nullptr;
  for (const auto& e : experiments())
    if (kind == e.kind) return &e;
  throw InputError(cfg.where("experiment.kind") + ": unknown experiment \"" + kind + "\"");
}

}  // namespace mltemp
