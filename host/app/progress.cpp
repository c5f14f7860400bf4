#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mltemp {

std::string format_duration(double s) {
  char buf[64];
  const double day = 86400.0, year = 365.25 * day;
  if (!(s < 1e6 * year))  // NaN, infinite, or beyond any run
    return "over a million years";
  const long long i = static_cast<long long>(s);
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", i / 60, i % 60);
  else if (s < 2 * day)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", i / 3600, (i % 3600) / 60);
  else if (s < year)
    std::snprintf(buf, sizeof buf, "%.1f days", s / day);
  else
    std::snprintf(buf, sizeof buf, "%.3g years", s / year);
  return buf;
}

Progress::Progress(uint64_t total, bool quiet, double log_interval_s, uint64_t resumed)
    : total_(total),
      resumed_(std::min(resumed, total)),
      quiet_(quiet),
      tty_(isatty(2) != 0),
      interval_(log_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(uint64_t done) {
  if (total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double el = std::chrono::duration<double>(now - start_).count();
  if (el < 1.0) return;
  const uint64_t ran = done > resumed_ ? done - resumed_ : 0;  // by this process
  if (!checked_eta_ && ran > 0) {
    checked_eta_ = true;
    const double eta = static_cast<double>(total_ - done) * el / static_cast<double>(ran);
    if (eta > kWarnEtaSeconds)
      std::fprintf(stderr,
                   "mltemp: warning: %llu particles in all at the measured %.3g particles/s will take about %s; "
                   "lower mc.particles (--particles) unless that is the plan\n",
                   static_cast<unsigned long long>(total_), ran / el, format_duration(eta).c_str());
  }
  if (quiet_) return;
  const double since = std::chrono::duration<double>(now - last_).count();
  if (!tty_ && shown_ && since < interval_) return;
  if (tty_ && shown_ && since < 0.2) return;
  last_ = now;
  const double frac = static_cast<double>(done) / static_cast<double>(total_);
  const double rate = ran / el;
  const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
  if (tty_) {
    const int width = 30, fill = static_cast<int>(frac * width);
    std::string bar(fill, '#');
    bar += std::string(width - fill, '.');
    std::fprintf(stderr, "\r[%s] %5.1f%%  %.3g particles/s  ETA %s   ", bar.c_str(), 100 * frac, rate,
                 format_duration(eta).c_str());
  } else {
    std::fprintf(stderr, "particles %.1f%% (%llu of %llu)  %.3g particles/s  elapsed %s  ETA %s\n", 100 * frac,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate,
                 format_duration(el).c_str(), format_duration(eta).c_str());
  }
  std::fflush(stderr);
  shown_ = true;
}

void Progress::clear() {
  if (shown_ && tty_) std::fprintf(stderr, "\r%80s\r", "");
}

void Progress::finish() {
  clear();
  shown_ = false;
}

}  // namespace mltemp
