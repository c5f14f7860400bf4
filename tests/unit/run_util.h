// Helpers of the checkpoint and MPI tests: mltemp as a child process that can be signalled
// while it runs, and the tables of two runs compared bit for bit.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "h5_writer.h"
#include "test_util.h"

namespace mltemp::test {

// `sh -c "exec CMD"` with stdout and stderr read as they come; pid() is CMD's.
class Child {
 public:
  explicit Child(const std::string& cmd) {
    std::fflush(nullptr);
    pipe_ = popen(("echo $$; exec " + cmd + " 2>&1").c_str(), "r");
    char buf[64];
    if (pipe_ && std::fgets(buf, sizeof buf, pipe_)) pid_ = static_cast<pid_t>(std::atol(buf));
  }
  ~Child() {
    if (pipe_) finish();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  // Reads until a line containing `want` arrives (true) or the output ends (false).
  bool wait_for(const std::string& want) {
    char buf[4096];
    while (pipe_ && std::fgets(buf, sizeof buf, pipe_)) {
      out_ += buf;
      if (std::strstr(buf, want.c_str())) return true;
    }
    return false;
  }
  // Reads to the end: the exit code, or 128 + the signal that ended it.
  int finish() {
    wait_for("\x01 never");
    const int st = pclose(pipe_);
    pipe_ = nullptr;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

 private:
  FILE* pipe_ = nullptr;
  pid_t pid_ = 0;
  std::string out_;
};

struct Ran {
  int code;
  std::string out;
};

inline Ran run_cmd(const std::string& cmd) {
  Child c(cmd);
  const int code = c.finish();
  return {code, c.out()};
}

// A fresh folder for one test, removed at its end unless the test failed.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_((std::filesystem::temp_directory_path() / ("mltemp_" + name + "_" + std::to_string(getpid()))).string()) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "" when the tables of run `run` in files a and b hold the same columns with the same bits
// (NaNs included) and the same text; else the first difference.
inline std::string tables_differ(const std::string& a, const std::string& b, const std::string& run,
                                 const std::vector<std::string>& tables) {
  for (const auto& name : tables) {
    const Table x = read_table(a, run, name), y = read_table(b, run, name);
    if (x.rows() != y.rows() || x.columns().size() != y.columns().size()) return name + ": shapes differ";
    for (size_t c = 0; c < x.columns().size(); ++c) {
      const Column &p = x.columns()[c], &q = y.columns()[c];
      const bool same = p.name == q.name && p.text == q.text && p.num.size() == q.num.size() &&
                        std::memcmp(p.num.data(), q.num.data(), p.num.size() * sizeof(double)) == 0;
      if (!same) return name + "." + p.name + " differs";
    }
  }
  return "";
}

}  // namespace mltemp::test
