// Error kinds the command line maps to exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace mltemp {

// Bad user input (config, data, command line, output path): message names the key, line,
// column or file at fault; the program exits with code 2 and writes nothing.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mltemp
