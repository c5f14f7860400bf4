// Progress on stderr: a live bar (rate, ETA) on a terminal; in batch logs a plain line at an
// interval; nothing with --quiet or for runs that finish within a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mltemp {

class Progress {
 public:
  Progress(uint64_t total, bool quiet, double log_interval_s = 30.0);
  // done: particles finished so far over the whole job.
  void update(uint64_t done);
  void finish();

 private:
  uint64_t total_;
  bool quiet_, tty_, shown_ = false;
  double interval_;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string format_duration(double seconds);

}  // namespace mltemp
