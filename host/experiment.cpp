#include "experiment.h"

#include <omp.h>

#include <algorithm>
#include <sstream>

#include "errors.h"

namespace mltemp {
namespace {

std::vector<std::string> key_list(const char* keys) {
  std::vector<std::string> out;
  std::stringstream ss(keys);
  std::string k;
  while (std::getline(ss, k, ',')) out.push_back(k);
  return out;
}

std::string text_attr(const RunResult& r, const std::string& name) {
  for (const auto& [k, v] : r.text_attrs)
    if (k == name) return v;
  return "";
}

}  // namespace

const std::vector<ExperimentEntry>& experiments() {
  // One line per experiment: {kind, summary, run function, its experiment.* keys, report}.
  static const std::vector<ExperimentEntry> list = {
      {"training", "full-batch gradient descent of every particle: E_t, S_t and T_t = dE/dS per step", run_training,
       "experiment.steps,experiment.learning_rate", training_report},
      {"entropy", "grid entropy of the particles: H_Delta + m ln Delta -> H (2.24-2.26)", run_entropy,
       "experiment.deltas,experiment.dims,experiment.particles", entropy_report},
  };
  return list;
}

const ExperimentEntry* find_experiment(const Config& cfg) {
  const std::string kind = cfg.get_string("experiment.kind");
  const ExperimentEntry* found = nullptr;
  for (const auto& e : experiments())
    if (kind == e.kind) found = &e;
  if (!found && kind != "sweep")
    throw InputError(cfg.where("experiment.kind") + ": unknown experiment \"" + kind + "\"");
  for (const auto& e : experiments()) {
    if (&e == found) continue;
    const std::vector<std::string> own = found ? key_list(found->keys) : std::vector<std::string>{};
    for (const auto& k : key_list(e.keys))
      if (cfg.given(k) && std::find(own.begin(), own.end(), k) == own.end())
        throw InputError(cfg.where(k) + ": only used with experiment.kind = \"" + e.kind + "\" (this run is \"" + kind +
                         "\")");
  }
  return found;
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
