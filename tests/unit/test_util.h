// Helpers shared by the tests: error-path checks, and running whole configs.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config.h"
#include "errors.h"
#include "file_lock.h"
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

// ---- the command line (test_cli, test_merge) ----

struct CommandResult {
  int code;         // the exit code (-1: ended by a signal)
  std::string out;  // stdout + stderr
};

// Runs a shell command line (stdout and stderr together).
inline CommandResult shell(const std::string& cmd_line) {
  const std::string cmd = "{ " + cmd_line + "; } 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// ---- results files (test_hdf5, test_cli, test_merge) ----

// Temporaries, lock files and rescue files left in a folder by the results writer.
inline std::vector<std::string> strays(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(folder)) {
    const std::string n = e.path().filename().string();
    if (n.find(".tmp.") != std::string::npos || n.find(".lock") != std::string::npos ||
        n.find(".rescue-") != std::string::npos)
      out.push_back(n);
  }
  return out;
}

// Another process holding the writers' lock on `lock_path` until this object ends it (SIGTERM:
// its lock file stays behind, as after a crash).
class LockHolder {
 public:
  explicit LockHolder(const std::string& lock_path) {
    int ready[2];
    if (pipe(ready) != 0) throw std::runtime_error("pipe");
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      FileLock lock(lock_path, lock_path, 5.0);
      (void)!write(ready[1], "x", 1);
      pause();
      _exit(0);
    }
    char c;
    const bool ok = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    close(ready[1]);
    if (!ok) throw std::runtime_error("the lock holder did not start");
  }
  ~LockHolder() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

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
