// The one place that knows HDF5. Files carry `filetype = "mltemp-results"` and
// `format_version` on the root group; runs live under /runs/<name>.
//
// Writes are atomic and serialized: under an exclusive lock on FILE.h5.lock (host/file_lock.h)
// the file is copied to FILE.h5.tmp.PID, the runs are added to the copy, and the copy is synced
// and renamed over the file. A failure, or SIGINT/SIGTERM/SIGHUP, leaves the file untouched and
// removes the copy; copies left by killed writers are removed by the next writer. An output
// path that is a symbolic link is written through: its target gets the run, the link stays.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "table.h"

namespace mltemp {

constexpr const char* kFileType = "mltemp-results";
// 1: fixed-length text cells, seed/particles as floats. 2: variable-length text cells,
// integer counts, data provenance. Readers accept 1 .. kFormatVersion; writing a run into a
// version-1 file marks it version 2 (its old runs stay readable).
constexpr int kFormatVersion = 2;

struct WriteOptions {
  bool replace = false;  // replace runs of the same name (else InputError naming --replace)
  // Tests only: called with the complete temporary copy in place, just before the rename.
  std::function<void()> before_rename;
};

// Checks, before any work, that `path` can be written: its folder exists and is writable, an
// existing file is an mltemp results file of a version this build reads, and (unless replace)
// holds none of `run_names`. Throws InputError naming the path.
void check_output_path(const std::string& path, const std::vector<std::string>& run_names = {}, bool replace = false);

// Adds the runs, and optional top-level tables (always replaced), keeping all other runs.
// InputError: the file is not ours, too new, or a run name is taken (see WriteOptions).
// IoError: the environment failed (disk full, file-size limit, lock wait exceeded, ...).
void write_results(const std::string& path, const std::vector<RunResult>& runs,
                   const std::vector<Table>& top_tables = {}, const WriteOptions& opts = {});

// After a failed write_results: saves the runs into a new results file beside `path`
// (STEM.rescue-PID.h5) or, failing that, in the temporary folder. Returns its path, or ""
// when nothing could be saved (nothing is left behind then).
std::string rescue_results(const std::string& path, const std::vector<RunResult>& runs,
                           const std::vector<Table>& top_tables);

// Reading back (tests, merge tools): a table of a run, or a top-level table (run = "").
// Text cells may be fixed or variable length; numbers any integer or float type.
Table read_table(const std::string& path, const std::string& run, const std::string& table);
std::vector<std::string> read_run_names(const std::string& path);
std::string read_run_attr(const std::string& path, const std::string& run, const std::string& attr);
// An integer attribute of a run (InputError if it is missing or not stored as an integer).
int64_t read_run_int_attr(const std::string& path, const std::string& run, const std::string& attr);
// An array of a run, e.g. "data/X", as doubles.
ArrayData read_array(const std::string& path, const std::string& run, const std::string& name);
// A whole run as stored (`mltemp merge`): its attributes by type (text, integer, real; in name
// order), its tables (compound datasets directly under the run) and its arrays (every other
// dataset, at any depth, e.g. "data/X"). InputError when the file holds no such run.
RunResult read_run(const std::string& path, const std::string& run);
// The root's format_version (any integer or float type).
int read_format_version(const std::string& path);

}  // namespace mltemp
