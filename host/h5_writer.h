// The one place that knows HDF5. Files carry `filetype = "mltemp-results"` and
// `format_version` on the root group; runs live under /runs/<name>.
//
// Writes are atomic: the new content goes to a temporary copy beside the target, which is
// renamed over it only after every run is complete. A failure leaves the target untouched.
#pragma once

#include <string>
#include <vector>

#include "table.h"

namespace mltemp {

constexpr const char* kFileType = "mltemp-results";
constexpr int kFormatVersion = 1;

// Checks, before any work, that `path` can be written: its folder exists and is writable,
// and an existing file is an mltemp results file. Throws InputError naming the path.
void check_output_path(const std::string& path);

// Adds (or replaces) the given runs, and optional top-level tables, keeping all other runs.
void write_results(const std::string& path, const std::vector<RunResult>& runs,
                   const std::vector<Table>& top_tables = {});

// Reading back (tests, merge tools): a table of a run, or a top-level table (run = "").
Table read_table(const std::string& path, const std::string& run, const std::string& table);
std::vector<std::string> read_run_names(const std::string& path);
std::string read_run_attr(const std::string& path, const std::string& run, const std::string& attr);

}  // namespace mltemp
