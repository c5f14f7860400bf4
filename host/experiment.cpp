#include "experiment.h"

#include "errors.h"

namespace mltemp {

const std::vector<ExperimentEntry>& experiments() {
  // One line per experiment: {kind, summary, run function}.
  static const std::vector<ExperimentEntry> list = {};
  return list;
}

const ExperimentEntry* find_experiment(const Config& cfg) {
  const std::string kind = cfg.get_string("experiment.kind");
  if (kind == "sweep") return nullptr;
  for (const auto& e : experiments())
    if (kind == e.kind) return &e;
  throw InputError(cfg.where("experiment.kind") + ": unknown experiment \"" + kind + "\"");
}

}  // namespace mltemp
