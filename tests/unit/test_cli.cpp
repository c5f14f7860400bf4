// The command line as a user meets it: exit codes, messages, and no output created or
// damaged on bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "h5_writer.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out;  // stdout + stderr
};

Result sh(const std::string& args) {
  const std::string cmd = std::string(MLTEMP_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string dir() {
  const fs::path p = fs::temp_directory_path() / ("mltemp_cli_" + std::to_string(getpid()));
  fs::create_directories(p);
  return p.string();
}

std::string write(const std::string& name, const std::string& text) {
  const std::string p = dir() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::string kGood =
    "name = \"g\"\n[data]\nn = 40\nm = 2\n[sweep]\nscales = [1.0, 100.0]\n[mc]\nparticles = 20000\n";

}  // namespace

TEST(Cli, RunWritesTableAndExitsZero) {
  const std::string cfg = write("good.toml", kGood);
  const std::string out = dir() + "/good.h5";
  fs::remove(out);
  const Result r = sh("run " + cfg + " --out " + out + " --seed 3");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("T_mc"), std::string::npos);
  const auto t = mltemp::read_table(out, "g", "sweep");
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.get(0, "particles"), 20000.0);
  EXPECT_NE(mltemp::read_run_attr(out, "g", "config_effective").find("seed = 3  # command line"), std::string::npos);
}

TEST(Cli, BadInputsExitTwoAndWriteNothing) {
  const std::string out = dir() + "/never.h5";
  fs::remove(out);
  struct Case {
    std::string file, text, extra, fragment;
  };
  const Case cases[] = {
      {"malformed.toml", "name = \"x\"\n[mc\n", "", "malformed.toml:2"},
      {"unknown.toml", kGood + "[model]\nknd = \"linear\"\n", "", "model.knd: unknown key"},
      {"type.toml", "[mc]\nparticles = \"x\"\n", "", "expected an integer"},
      {"scale.toml", "[sweep]\nscales = [1.0, 0.0]\n", "", "scale must be > 0"},
      {"particles.toml", kGood, "--particles 0", "--particles: must be at least 1"},
      {"mbe.toml", "[energy]\nkind = \"mbe\"\n[sweep]\nscales = [1.0]\n", "", "no minimum"},
      {"nodata.toml", "[data]\nsource = \"csv\"\npath = \"absent.csv\"\n[sweep]\nscales = [1.0]\n", "",
       "absent.csv: cannot open"},
      {"badcsv.toml", "[data]\nsource = \"csv\"\npath = \"bad.csv\"\n[sweep]\nscales = [1.0]\n", "",
       "bad.csv:3: column 1 ('a'): not a number"},
      {"target.toml", "[data]\nsource = \"csv\"\npath = \"bad.csv\"\ntarget = \"zz\"\n[sweep]\nscales = [1.0]\n", "",
       "target column 'zz' not found"},
      {"backend.toml", kGood, "--backend gpu", "'gpu' is not one of"},
  };
  write("bad.csv", "a,y\n1,2\nx,3\n");
  for (const auto& c : cases) {
    const std::string cfg = write(c.file, c.text);
    const Result r = sh("run " + cfg + " --out " + out + " " + c.extra);
    EXPECT_EQ(r.code, 2) << c.file << ": " << r.out;
    EXPECT_NE(r.out.find(c.fragment), std::string::npos) << c.file << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << c.file;
  }
  EXPECT_EQ(sh("run").code, 2);         // missing config
  EXPECT_EQ(sh("frobnicate").code, 2);  // unknown subcommand
  EXPECT_EQ(sh("run " + dir() + "/missing.toml --out " + out).code, 2);
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, UnwritableOrForeignOutputIsRefusedBeforeWork) {
  const std::string cfg = write("good2.toml", kGood);
  Result r = sh("run " + cfg + " --out /nonexistent-dir/x.h5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("does not exist"), std::string::npos) << r.out;
  const std::string foreign = write("foreign.h5", "precious notes");
  r = sh("run " + cfg + " --out " + foreign);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(slurp(foreign), "precious notes");
}

TEST(Cli, ExistingResultsSurviveABadRun) {
  const std::string good = write("keep.toml", kGood);
  const std::string out = dir() + "/keep.h5";
  fs::remove(out);
  ASSERT_EQ(sh("run " + good + " --out " + out + " --quiet").code, 0);
  const std::string before = slurp(out);
  const std::string bad = write("bad2.toml", kGood + "[energy]\nl2 = -1.0\n");
  EXPECT_EQ(sh("run " + bad + " --out " + out).code, 2);
  EXPECT_EQ(slurp(out), before);
}

TEST(Cli, SystemsAndPrintConfig) {
  Result r = sh("systems");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("3.17"), std::string::npos);
  const std::string cfg = write("pc.toml", kGood);
  r = sh("run " + cfg + " --print-config --set energy.l2=0.5");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("l2 = 0.5  # command line"), std::string::npos) << r.out;
  r = sh("run --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("init.uniform_ratio"), std::string::npos);
}
