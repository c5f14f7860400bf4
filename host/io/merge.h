// `mltemp merge OUT.h5 PART.h5...`: the parts of one run, written by separate jobs that each ran
// some of its scales (a Slurm job array, scripts/slurm/), become that run; runs of other names
// are copied side by side. `mltemp split CONFIG` prints the overrides such jobs run.
//
// Parts of one run share a run name, and everything else but their scales: every attribute
// (seed, particles_per_scale, data hashes, mltemp_version, system, ...), every config_effective
// key outside [sweep], every array and every table without a `scale` column must be equal to the
// bit, else the merge is refused (InputError, exit 2) naming the field and both parts. The
// attributes that describe the job rather than the run are combined instead (kAttrRules in
// merge.cpp: seconds summed, the earliest `created`, ...). Tables with a `scale` column take
// every part's rows, sorted by scale (a scale's rows keep their order: the layer index); a scale
// found in two parts is kept once when its rows are bitwise equal, else refused.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "table.h"

namespace mltemp {

// One run as read from a part file; `source` names it in messages ("FILE:/runs/NAME").
struct RunPart {
  RunResult run;
  std::string source;
};

// Merges parts of one run (all of one name). The result's tables are sorted by scale, its
// `scales` attribute counts them, its config_effective's [sweep] describes them, and its text
// attribute `merged_from` lists the parts. InputError naming the field on a mismatch.
RunResult merge_run(std::vector<RunPart> parts);

struct MergedRun {
  RunResult run;
  std::vector<std::string> sources;  // the parts it came from (one: copied unchanged)
};

// Reads every run of the part files; runs of one name are merged (merge_run), a run found in
// one file only is copied unchanged. InputError for a missing, unreadable or foreign file, a file
// given twice, or runs of one name that are not parts of one run.
std::vector<MergedRun> merge_files(const std::vector<std::string>& paths);

// For each scale of cfg's sweep, in sweep order: the command-line arguments that restrict the
// sweep to that scale alone, reproducing its value to the bit ("--set sweep.scales=[0.5]", or
// for a log-spaced sweep "--set sweep.from=X --set sweep.to=X --set sweep.points=1", whose one
// scale is `to`). InputError when the sweep is invalid.
std::vector<std::string> split_overrides(const Config& cfg);

}  // namespace mltemp
