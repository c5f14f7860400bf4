// Helpers shared by the tests: error-path checks, and running whole configs.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "config.h"
#include "errors.h"
#include "run.h"

namespace mltemp::test {

// Runs a TOML config quietly; relative data paths resolve against examples/.
inline RunResult run_text(const std::string& text) {
  Config c = Config::from_toml(text, "<test>", std::string(MLTEMP_SOURCE_DIR) + "/examples");
  RunContext ctx;
  ctx.quiet = true;
  return run_config(c, ctx);
}

// The message of the InputError that f() throws, or "" when it throws none.
template <class F>
std::string input_error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The message of the InputError a config raises, or "" when it runs.
inline std::string error_of(const std::string& text) {
  return input_error_of([&] { run_text(text); });
}

}  // namespace mltemp::test

// stmt must throw InputError whose message contains fragment: fails when nothing is thrown.
#define EXPECT_INPUT_ERROR(stmt, fragment)                                                  \
  do {                                                                                      \
    const std::string mltemp_msg_ = ::mltemp::test::input_error_of([&] { stmt; });          \
    EXPECT_NE(mltemp_msg_, "") << "no InputError from " #stmt;                              \
    EXPECT_NE(mltemp_msg_.find(fragment), std::string::npos) << "message: " << mltemp_msg_; \
  } while (0)
