// The command line as a user meets it: exit codes, messages, and no output created or
// damaged on bad input.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "errors.h"
#include "file_lock.h"
#include "h5_writer.h"
#include "progress.h"
#include "provenance.h"
#include "sha256.h"
#include "test_util.h"

namespace fs = std::filesystem;
using mltemp::test::strays;

namespace {

using Result = mltemp::test::CommandResult;
using mltemp::test::contains;
using mltemp::test::shell;
using mltemp::test::slurp_file;

Result sh(const std::string& args) { return shell(std::string(MLTEMP_BINARY) + " " + args); }

std::string dir() {
  const fs::path p = fs::temp_directory_path() / ("mltemp_cli_" + std::to_string(getpid()));
  fs::create_directories(p);
  return p.string();
}

std::string write(const std::string& name, const std::string& text) {
  return mltemp::test::write_file(dir() + "/" + name, text);
}

// A fresh folder for one test, so that "no stray file" checks see only its files.
std::string fresh(const std::string& name) {
  const std::string p = dir() + "/" + name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// The "mltemp: error: ..." line of an output, or "".
std::string error_line(const std::string& out) {
  const auto b = out.find("mltemp: error: ");
  if (b == std::string::npos) return "";
  return out.substr(b, out.find('\n', b) - b);
}

// Starts mltemp, reads its stderr until a line containing `want` appears (or it ends), stops
// it, and returns that line ("" if none).
std::string line_while_running(const std::string& args, const std::string& want) {
  const std::string cmd = "echo $$; exec timeout 120 " + std::string(MLTEMP_BINARY) + " " + args + " 2>&1 >/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  const pid_t pid = fgets(buf, sizeof buf, p) ? static_cast<pid_t>(std::atol(buf)) : 0;
  std::string found;
  while (fgets(buf, sizeof buf, p))
    if (std::string(buf).find(want) != std::string::npos) {
      found = buf;
      break;
    }
  if (pid > 0) kill(pid, SIGTERM);
  pclose(p);
  return found;
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
  EXPECT_EQ(slurp_file(foreign), "precious notes");
}

TEST(Cli, ExistingResultsSurviveABadRun) {
  const std::string good = write("keep.toml", kGood);
  const std::string out = dir() + "/keep.h5";
  fs::remove(out);
  ASSERT_EQ(sh("run " + good + " --out " + out + " --quiet").code, 0);
  const std::string before = slurp_file(out);
  const std::string bad = write("bad2.toml", kGood + "[energy]\nl2 = -1.0\n");
  EXPECT_EQ(sh("run " + bad + " --out " + out).code, 2);
  EXPECT_EQ(slurp_file(out), before);
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

TEST(Cli, HelpListsExitCodes) {
  for (const char* args : {"--help", "run --help"}) {
    const Result r = sh(args);
    EXPECT_EQ(r.code, 0) << args;
    EXPECT_TRUE(contains(r.out, "Exit codes: 0 success; 1 validate: a row failed; 2 bad input") &&
                contains(r.out, "4 I/O or environment error"))
        << args << ": " << r.out;
  }
  EXPECT_TRUE(contains(sh("run --help").out, "--replace"));
}

// Six writers adding different runs to one file at the same time: every run survives.
TEST(Cli, ConcurrentWritersLoseNoRun) {
  const std::string d = fresh("concurrent"), cfg = write("concurrent.toml", kGood), out = d + "/shared.h5";
  for (int trial = 0; trial < 2; ++trial) {
    fs::remove(out);
    std::string cmd;
    for (int i = 1; i <= 6; ++i)
      cmd += "(" + std::string(MLTEMP_BINARY) + " run " + cfg + " --out " + out + " --quiet --name t" +
             std::to_string(trial) + "r" + std::to_string(i) + "; echo \"exit " + std::to_string(i) + " $?\") & ";
    const Result r = shell(cmd + "wait");
    for (int i = 1; i <= 6; ++i) EXPECT_TRUE(contains(r.out, "exit " + std::to_string(i) + " 0")) << r.out;
    EXPECT_EQ(mltemp::read_run_names(out).size(), 6u) << "trial " << trial << ": " << r.out;
    EXPECT_TRUE(strays(d).empty());
  }
}

TEST(Cli, TakenRunNameExitsTwoUnlessReplace) {
  const std::string d = fresh("taken"), cfg = write("taken.toml", kGood), out = d + "/t.h5";
  ASSERT_EQ(sh("run " + cfg + " --out " + out + " --quiet").code, 0);
  const std::string before = slurp_file(out);
  Result r = sh("run " + cfg + " --out " + out + " --seed 5");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "already has a run named 'g'; pass --replace")) << r.out;
  EXPECT_FALSE(contains(r.out, "T_mc")) << "refused before any work";
  EXPECT_EQ(slurp_file(out), before);
  r = sh("run " + cfg + " --out " + out + " --seed 5 --replace --quiet");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(mltemp::read_run_int_attr(out, "g", "seed"), 5);
  EXPECT_EQ(mltemp::read_run_names(out), std::vector<std::string>{"g"});
  EXPECT_TRUE(strays(d).empty());
}

TEST(Cli, SymlinkOutputKeepsTheLink) {
  const std::string d = fresh("link"), cfg = write("link.toml", kGood);
  fs::create_symlink("real.h5", d + "/link.h5");
  const Result r = sh("run " + cfg + " --out " + d + "/link.h5 --quiet");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(d + "/link.h5")));
  EXPECT_EQ(mltemp::read_run_names(d + "/real.h5"), std::vector<std::string>{"g"});
  EXPECT_TRUE(strays(d).empty());
}

TEST(Cli, NewerFormatVersionExitsTwo) {
  const std::string d = fresh("newer"), cfg = write("newer.toml", kGood), out = d + "/n.h5";
  ASSERT_EQ(sh("run " + cfg + " --out " + out + " --quiet --name old").code, 0);
  {
    const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    const long long v = 99;
    ASSERT_GE(H5Awrite(a, H5T_NATIVE_LLONG, &v), 0);
    H5Aclose(a);
    H5Fclose(f);
  }
  const std::string before = slurp_file(out);
  const Result r = sh("run " + cfg + " --out " + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "format_version 99 is newer than this mltemp reads")) << r.out;
  EXPECT_EQ(slurp_file(out), before);
}

// A full disk (here a file-size limit, which needs no root) at the end of a run: the table is
// already on the terminal, the exit code is 4, the message says the file is unchanged and where
// the results are; nothing is left behind.
TEST(Cli, DiskFullAtTheEndExitsFourAfterTheTable) {
  const std::string d = fresh("diskfull"), cfg = write("diskfull.toml", kGood), out = d + "/disk.h5";
  ASSERT_EQ(sh("run " + cfg + " --out " + out + " --quiet --name first").code, 0);
  const std::string before = slurp_file(out);
  for (const char* quiet : {"", " --quiet"}) {
    SCOPED_TRACE(quiet);
    const Result r = shell("ulimit -f 8; " + std::string(MLTEMP_BINARY) + " run " + cfg + " --out " + out + quiet);
    EXPECT_EQ(r.code, 4) << r.out;
    const size_t table = r.out.find("T_mc +- se"), error = r.out.find("mltemp: I/O error: " + out);
    EXPECT_NE(table, std::string::npos) << r.out;
    EXPECT_NE(error, std::string::npos) << r.out;
    EXPECT_LT(table, error) << "the table comes before the error";
    // No rescue file fits either: the run's checkpoint keeps the results for --resume.
    EXPECT_TRUE(contains(r.out, "File too large") &&
                contains(r.out, out + " is unchanged: none of its earlier runs was lost") &&
                contains(r.out, "The results are saved in the checkpoint " + out + ".g.ckpt"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "internal error")) << r.out;
    EXPECT_EQ(slurp_file(out), before);
    EXPECT_TRUE(fs::remove(out + ".g.ckpt"));
    EXPECT_TRUE(strays(d).empty());
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
      EXPECT_FALSE(contains(e.path().filename().string(), "disk.rescue-")) << e.path();
  }
}

// Another writer holds the lock past MLTEMP_LOCK_TIMEOUT: exit 4, the run saved in a rescue file.
TEST(Cli, LockWaitExceededExitsFourAndRescuesTheRun) {
  const std::string d = fresh("lockwait"), cfg = write("lockwait.toml", kGood), out = d + "/busy.h5";
  ASSERT_EQ(sh("run " + cfg + " --out " + out + " --quiet --name first").code, 0);
  const std::string before = slurp_file(out);
  auto holder = std::make_unique<mltemp::test::LockHolder>(out + ".lock");
  const pid_t holder_pid = holder->pid();
  const Result r =
      shell("MLTEMP_LOCK_TIMEOUT=1.5 " + std::string(MLTEMP_BINARY) + " run " + cfg + " --out " + out + " --name late");
  holder.reset();
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_TRUE(contains(r.out, "is being written by pid " + std::to_string(holder_pid)) &&
              contains(r.out, "waiting for the lock"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "gave up after 1.5 s waiting for the lock " + out + ".lock")) << r.out;
  const std::string rescue = d + "/busy.rescue-";
  const size_t at = r.out.find("The results are saved in " + rescue);
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string saved = r.out.substr(at + 25, r.out.find(' ', at + 25) - at - 25);
  EXPECT_EQ(mltemp::read_run_names(saved), std::vector<std::string>{"late"});
  EXPECT_EQ(slurp_file(out), before);
  fs::remove(saved);
  fs::remove(out + ".lock");  // the killed holder's
  EXPECT_TRUE(strays(d).empty());
}

// Everything needed to redo a run is in the file: data hashes, the processed data, integer
// seed and counts; a trained reference says whether training converged; teacher data are kept.
TEST(Cli, RunsAreSelfContained) {
  const std::string d = fresh("provenance"), out = d + "/p.h5";
  const std::string csv = "a,b,y\n1,2,3\n2,1,5\n3,5,4\n4,3,9\n5,4,7\n";
  write("prov.csv", csv);
  const std::string cfg = write("prov.toml",
                                "name = \"csv\"\n[data]\nsource = \"csv\"\npath = \"prov.csv\"\n[sweep]\n"
                                "scales = [1.0]\n[mc]\nparticles = 2000\nseed = 11\n");
  ASSERT_EQ(sh("run " + cfg + " --out " + out + " --quiet").code, 0);
  EXPECT_EQ(mltemp::read_run_attr(out, "csv", "data_file_sha256"), mltemp::sha256_hex(csv));
  EXPECT_EQ(mltemp::read_run_int_attr(out, "csv", "seed"), 11);
  EXPECT_EQ(mltemp::read_run_int_attr(out, "csv", "particles_per_scale"), 2000);
  EXPECT_EQ(mltemp::read_run_int_attr(out, "csv", "data_points"), 5);
  EXPECT_EQ(mltemp::read_run_int_attr(out, "csv", "data_features"), 3);  // a, b and the bias column
  EXPECT_EQ(mltemp::read_run_int_attr(out, "csv", "data_stored"), 1);
  const auto X = mltemp::read_array(out, "csv", "data/X"), y = mltemp::read_array(out, "csv", "data/y");
  ASSERT_EQ(X.dims, (std::vector<uint64_t>{5, 3}));
  Eigen::MatrixXd Xm(5, 3);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 3; ++j) Xm(i, j) = X.values[i * 3 + j];
  EXPECT_EQ(Xm(2, 2), 1.0) << "bias column last";
  EXPECT_NEAR(Xm.col(0).mean(), 0.0, 1e-15) << "standardized";
  EXPECT_EQ(mltemp::values_sha256(Xm), mltemp::read_run_attr(out, "csv", "data_X_sha256"));
  EXPECT_EQ(mltemp::values_sha256(Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(y.values.data(), 5))),
            mltemp::read_run_attr(out, "csv", "data_y_sha256"));

  const std::string mlp = write("prov-mlp.toml",
                                "name = \"mlp\"\n[data]\nsource = \"csv\"\npath = \"prov.csv\"\n[model]\nkind = "
                                "\"mlp\"\nhidden = [2]\ntrain_iters = 200\n[sweep]\nscales = [1.0]\n[mc]\nparticles = "
                                "2000\n");
  ASSERT_EQ(sh("run " + mlp + " --out " + out + " --quiet").code, 0);
  const int64_t converged = mltemp::read_run_int_attr(out, "mlp", "trainer_converged");
  EXPECT_TRUE(converged == 0 || converged == 1);
  const bool said = contains(mltemp::read_run_attr(out, "mlp", "minimum"), "NOT converged");
  EXPECT_EQ(converged, said ? 0 : 1) << "the flag agrees with the text";

  const std::string teacher = write("prov-teacher.toml",
                                    "name = \"teacher\"\n[data]\nsource = \"teacher\"\nn = 7\nm = 3\n[model]\nkind = "
                                    "\"mlp\"\nhidden = [4]\n[sweep]\nscales = [1.0]\n[mc]\nparticles = 2000\n");
  ASSERT_EQ(sh("run " + teacher + " --out " + out + " --quiet").code, 0);
  EXPECT_EQ(mltemp::read_array(out, "teacher", "data/X").dims, (std::vector<uint64_t>{7, 3}));
  EXPECT_EQ(mltemp::read_array(out, "teacher", "data/y").dims, (std::vector<uint64_t>{7}));
  EXPECT_EQ(mltemp::read_array(out, "teacher", "reference/theta").dims, (std::vector<uint64_t>{3 * 4 + 4}));
  EXPECT_TRUE(strays(d).empty());
}

TEST(Cli, HelpTypesEveryFlag) {
  const Result r = sh("run --help");
  EXPECT_EQ(r.code, 0);
  for (const char* f :
       {"--particles INT", "--seed INT", "--threads INT", "--batch INT", "--name TEXT",
        "--backend TEXT:{auto,cuda,omp,reference,emulate}", "--set KEY=VALUE", "config FILE.toml REQUIRED",
        "--out FILE.h5 REQUIRED (unless --print-config)", "between 0 and 4096"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f << "\n" << r.out;
  EXPECT_NE(r.out.find("mc.threads (an integer, default 0, between 0 and 4096)"), std::string::npos) << r.out;
  const Result v = sh("validate --help");
  for (const char* f : {"--threads INT", "--backend TEXT:{auto,cuda,omp,reference,emulate}", "--out FILE.h5 REQUIRED",
                        "--particle-factor FLOAT"})
    EXPECT_NE(v.out.find(f), std::string::npos) << f << "\n" << v.out;
}

// run, validate and run --print-config refuse a bad value with the same message, write nothing.
TEST(Cli, OneValidationForRunValidateAndPrintConfig) {
  const std::string cfg = write("same.toml", kGood);
  const std::string out = dir() + "/same.h5";
  fs::remove(out);
  const std::pair<std::string, std::string> flags[] = {{"--threads -1", "--threads: must be between 0 and 4096"},
                                                       {"--threads 5000", "--threads: must be between 0 and 4096"},
                                                       {"--threads 1.5", "--threads: expected an integer"},
                                                       {"--backend gpu", "--backend: 'gpu' is not one of"}};
  for (const auto& [flag, message] : flags) {
    const Result run = sh("run " + cfg + " --out " + out + " " + flag);
    const Result val = sh("validate --out " + out + " " + flag);
    const Result pc = sh("run " + cfg + " --print-config " + flag);
    EXPECT_NE(error_line(run.out).find(message), std::string::npos) << flag << ": " << run.out;
    EXPECT_EQ(error_line(val.out), error_line(run.out)) << flag;
    EXPECT_EQ(error_line(pc.out), error_line(run.out)) << flag;
    EXPECT_EQ(run.code, 2);
    EXPECT_EQ(val.code, 2);
    EXPECT_EQ(pc.code, 2);
    EXPECT_EQ(pc.out.find("[mc]"), std::string::npos) << "printed a config run refuses: " << pc.out;
  }
  // Keys only the system checks: --print-config builds it (no particles) and refuses alike.
  const std::pair<std::string, std::string> sets[] = {
      {"--set model.hidden=[8]", "--set model.hidden: only used with model.kind = \"mlp\""},
      {"--set mc.batch=-1", "--batch: must be between 0 and 268435456"},
      {"--set mc.seed=-1", "--seed: must be at least 0"},
      {"--set data.source=csv", "needs data.path"},
      {"--name a/b", "run name"},
      {"--set sweep.scales=[1.0,-1.0]", "sweep.scales[1]: scale must be > 0"}};
  for (const auto& [set, message] : sets) {
    const Result run = sh("run " + cfg + " --out " + out + " " + set);
    const Result pc = sh("run " + cfg + " --print-config " + set);
    EXPECT_NE(error_line(run.out).find(message), std::string::npos) << set << ": " << run.out;
    EXPECT_EQ(error_line(pc.out), error_line(run.out)) << set;
    EXPECT_EQ(pc.code, 2) << set;
  }
  EXPECT_FALSE(fs::exists(out));
  // --out is required for a run, not for --print-config.
  Result r = sh("run " + cfg);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--out FILE.h5 is required"), std::string::npos) << r.out;
  r = sh("run " + cfg + " --print-config");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("particles = 20000  # file"), std::string::npos) << r.out;
}

TEST(Cli, HugeParticleCountsWarnWithTheEtaOrRefuseWhenTheyOverflow) {
  const std::string cfg = write("huge.toml", kGood);
  const std::string out = dir() + "/huge.h5";
  fs::remove(out);
  // 2e18 particles: a warning naming the ETA once the rate is measured (--quiet too); years even at
  // 1e10 particles/s.
  const std::string w = line_while_running("run " + cfg + " --out " + out + " --quiet --particles 1e18", "warning");
  EXPECT_NE(w.find("mltemp: warning: 2000000000000000000 particles in all"), std::string::npos) << w;
  EXPECT_NE(w.find(" years"), std::string::npos) << w;
  // More particles than a 64-bit count holds: refused before any work.
  const Result r = sh("run " + cfg + " --out " + out + " --particles 8e18 --set sweep.scales=[1.0,2.0,3.0]");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--particles: 8000000000000000000 particles at each of 3 scales overflow"), std::string::npos)
      << r.out;
  EXPECT_NE(sh("run " + cfg + " --out " + out + " --particles 1e19").out.find("beyond the 64-bit integer range"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST(Progress, DurationsUpToYears) {
  EXPECT_EQ(mltemp::format_duration(42.4), "42s");
  EXPECT_EQ(mltemp::format_duration(185), "3m05s");
  EXPECT_EQ(mltemp::format_duration(5 * 3600 + 7 * 60 + 30), "5h07m");
  EXPECT_EQ(mltemp::format_duration(3.2 * 86400), "3.2 days");
  EXPECT_EQ(mltemp::format_duration(37 * 365.25 * 86400), "37 years");
  EXPECT_EQ(mltemp::format_duration(1e300), "over a million years");
}
