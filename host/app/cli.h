// The command line: `mltemp run|validate|merge|split|systems`. Returns the process exit code
// (ExitCode in host/errors.h): 0 success, 1 a validation row failed, 2 bad input or usage, 3 internal
// error, 4 I/O or environment error.
#pragma once

namespace mltemp {
int cli_main(int argc, char** argv);
}
