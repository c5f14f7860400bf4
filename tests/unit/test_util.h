// Helpers shared by the tests that run whole configs.
#pragma once

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

// The message of the InputError a config raises, or "" when it runs.
inline std::string error_of(const std::string& text) {
  try {
    run_text(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace mltemp::test
