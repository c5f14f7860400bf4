// Progress on stderr: a live bar (rate, ETA) on a terminal; in batch logs a plain line at an
// interval; nothing with --quiet or for runs that finish within a second. Once a second has
// been measured, a job whose ETA exceeds a day gets a one-line warning naming it (--quiet too:
// a run that will not finish in a day is more often a typo than a plan).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mltemp {

class Progress {
 public:
  static constexpr double kWarnEtaSeconds = 86400.0;

  // resumed: particles a checkpoint already holds (counted done, not in the rate).
  Progress(uint64_t total, bool quiet, double log_interval_s = 30.0, uint64_t resumed = 0);
  // done: particles finished so far over the whole job.
  void update(uint64_t done);
  // Clears a live bar so that a line can be printed (it is redrawn at the next update).
  void clear();
  void finish();

 private:
  uint64_t total_, resumed_;
  bool quiet_, tty_, shown_ = false, checked_eta_ = false;
  double interval_;
  std::chrono::steady_clock::time_point start_, last_;
};

// "42s", "3m05s", "5h07m", "3.2 days", "37 years".
std::string format_duration(double seconds);

}  // namespace mltemp
