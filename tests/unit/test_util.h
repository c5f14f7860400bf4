// Helpers shared by the tests: error-path checks, and running whole configs.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
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

// The message of the E that f() throws, or "" when it throws none.
template <class E, class F>
std::string thrown_message(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

// The message of the InputError that f() throws, or "" when it throws none.
template <class F>
std::string input_error_of(F f) {
  return thrown_message<InputError>(f);
}

// ---- text and files ----

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

inline std::string slurp_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Writes text to path (binary: line ends as given); returns path.
inline std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A fresh, empty folder <tmp>/mltemp_<prefix>_<pid>/<name>, so that a test's checks see only
// its own files.
inline std::string fresh_dir(const std::string& prefix, const std::string& name) {
  const std::filesystem::path p =
      std::filesystem::temp_directory_path() / ("mltemp_" + prefix + "_" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
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

// stmt must throw an E whose message contains fragment: fails when nothing is thrown.
#define EXPECT_ERROR_MESSAGE(stmt, E, fragment)                                             \
  do {                                                                                      \
    const std::string mltemp_msg_ = ::mltemp::test::thrown_message<E>([&] { stmt; });       \
    EXPECT_NE(mltemp_msg_, "") << "no " #E " from " #stmt;                                  \
    EXPECT_NE(mltemp_msg_.find(fragment), std::string::npos) << "message: " << mltemp_msg_; \
  } while (0)
// stmt must throw InputError whose message contains fragment: fails when nothing is thrown.
#define EXPECT_INPUT_ERROR(stmt, fragment) EXPECT_ERROR_MESSAGE(stmt, ::mltemp::InputError, fragment)
