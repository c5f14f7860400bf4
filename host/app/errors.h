// Error kinds the command line maps to exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace mltemp {

// Process exit codes (README "Exit codes", `mltemp --help`).
enum ExitCode : int {
  kExitOk = 0,
  kExitValidateFailed = 1,  // validate: a row failed
  kExitBadInput = 2,        // InputError
  kExitInternal = 3,        // a bug
  kExitIo = 4,              // IoError: the environment failed (disk full, unwritable, lock wait exceeded)
  kExitInterrupted = 5,     // Interrupted: SIGINT/SIGTERM; the finished work is checkpointed (--resume)
};

// Bad user input (config, data, command line, output path): message names the key, line,
// column or file at fault; the program exits with code 2 and writes nothing.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The environment failed (disk full, file-size limit, permissions changed, I/O error, a lock
// not granted in time): exit code 4. The message names the file and the system's reason.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT or SIGTERM stopped a run (host/checkpoint.h saved its finished work): exit code 5.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mltemp
