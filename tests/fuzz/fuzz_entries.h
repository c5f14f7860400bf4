// The entry points the fuzz targets (tests/fuzz/fuzz_*.cpp, clang + libFuzzer) and the corpus
// regression test (tests/fuzz/test_corpus.cpp, the normal build) feed bytes to. Bad input may
// only end in InputError, which they catch; anything else escapes: a crash, a leak, another
// exception or a non-finite number where the contract promises finite ones is a bug.
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "config.h"
#include "dataset.h"
#include "errors.h"

namespace mltemp::fuzz {

// How many steps accepted their input (the rest threw InputError).
using Accepted = int;

// Config text: TOML, then (after the first NUL byte, if any) one `--set KEY=VALUE` per line.
inline Accepted config_entry(const std::string& data) {
  const auto nul = data.find('\0');
  Accepted ok = 0;
  try {
    Config cfg = Config::from_toml(data.substr(0, nul), "fuzz.toml", "/fuzz");
    ++ok;
    if (nul != std::string::npos) {
      size_t pos = nul + 1;
      while (pos <= data.size()) {
        const size_t end = std::min(data.find('\n', pos), data.size());
        try {
          cfg.set_assignment(data.substr(pos, end - pos));
          ++ok;
        } catch (const InputError&) {
        }
        pos = end + 1;
      }
    }
    // The echo is TOML that reads back to the same values (it is stored with every run).
    const std::string echo = cfg.echo();
    std::optional<Config> back;
    try {
      back = Config::from_toml(echo, "echo.toml", "/fuzz");
    } catch (const InputError& e) {
      throw std::logic_error(std::string("the echo is not a valid config: ") + e.what());
    }
    for (const auto& spec : option_table())
      if (format_value(cfg.value(spec.key)) != format_value(back->value(spec.key)))
        throw std::logic_error("the echo does not read back: " + spec.key);
    for (const auto& spec : option_table()) {
      (void)cfg.where(spec.key);
      if (spec.key == "data.path" && cfg.has(spec.key)) (void)cfg.resolve_path(spec.key);
    }
  } catch (const InputError&) {
  }
  return ok;
}

// CSV text, read with the last column as the target and with a column named "y".
inline Accepted csv_entry(const std::string& data) {
  Accepted ok = 0;
  for (const char* target : {"", "y"}) {
    try {
      Dataset ds = parse_csv(data, "fuzz.csv", target);
      if (ds.X.rows() < 1 || ds.X.cols() < 1 || ds.y.size() != ds.X.rows() ||
          ds.feature_names.size() != static_cast<size_t>(ds.X.cols()))
        throw std::logic_error("parse_csv returned an inconsistent dataset");
      if (!ds.X.allFinite() || !ds.y.allFinite()) throw std::logic_error("parse_csv returned a non-finite value");
      standardize_columns(ds, true);
      if (!ds.X.allFinite() || !ds.y.allFinite())
        throw std::logic_error("standardize_columns made a non-finite value without an InputError");
      ++ok;
    } catch (const InputError&) {
    }
  }
  return ok;
}

}  // namespace mltemp::fuzz
