#include "experiment.h"

#include <omp.h>

#include <algorithm>
#include <sstream>

#include "errors.h"

namespace mltemp {
namespace {

std::string text_attr(const RunResult& r, const std::string& name) {
  for (const auto& [k, v] : r.text_attrs)
    if (k == name) return v;
  return "";
}

}  // namespace

const std::vector<ExperimentEntry>& experiments() {
  // One entry per experiment: {kind, summary, run function, --print-config check, report}.
  static const std::vector<ExperimentEntry> list = {
      {"training", "full-batch gradient descent of every particle: E_t, S_t and T_t = dE/dS per step", run_training,
       nullptr, training_report},
      {"entropy", "grid entropy of the particles: H_Delta + m ln Delta -> H (2.24-2.26)", run_entropy, nullptr,
       entropy_report},
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
      throw InputError(cfg.where(o.key) + ": only used with experiment.kind = \"" + key_owner(o) +
                       "\" (this run is \"" + kind + "\")");
  if (kind == "sweep") return nullptr;
  for (const auto& e : experiments())
    if (kind == e.kind) return &e;
  throw InputError(cfg.where("experiment.kind") + ": unknown experiment \"" + kind + "\"");
}

std::string experiment_report(const RunResult& r) {
  const std::string kind = text_attr(r, "experiment");
  for (const auto& e : experiments()) {
    if (kind != e.kind) continue;
    std::string o = "\n" + text_attr(r, "summary") + "\n";
    if (e.report) return o + e.report(r);
    for (const auto& t : r.tables) {
      if (t.name() == "sweep") continue;
      std::vector<std::string> cols;
      for (const auto& c : t.columns()) cols.push_back(c.name);
      o += "\n" + t.name() + ":\n" + format_columns(t, cols);
    }
    return o;
  }
  return "";
}

OmpThreads::OmpThreads(const Config& cfg) : saved_(omp_get_max_threads()) {
  if (cfg.get_int("mc.threads") > 0) omp_set_num_threads(static_cast<int>(cfg.get_int("mc.threads")));
}

OmpThreads::~OmpThreads() { omp_set_num_threads(saved_); }

}  // namespace mltemp
