// mltemp under mpirun: any number of ranks gives the bits of the plain run; an error on any
// rank ends the job with its message printed once, by rank 0, and its exit code; ranks that
// would run different jobs are refused; SIGTERM to the ranks (as Slurm sends it) saves a
// checkpoint that any number of ranks resumes. Skipped only where mpirun is absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "checkpoint.h"
#include "cluster.h"
#include "errors.h"
#include "h5_writer.h"
#include "run_util.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace mltemp::test;

namespace {

bool have_mpirun() { return std::system("command -v mpirun > /dev/null 2>&1") == 0; }

#define REQUIRE_MPIRUN()                                                                          \
  do {                                                                                            \
    if (!have_mpirun()) GTEST_SKIP() << "mpirun is not installed (scripts/setup.sh installs it)"; \
    ASSERT_TRUE(mltemp::Cluster::mpi_compiled()) << "mpirun is here but this build has no MPI";   \
  } while (0)

std::string bin() { return MLTEMP_BINARY; }

// K ranks on this machine's cores, as root too; a hung job ends after two minutes.
std::string mpirun(int k, const std::string& args) {
  return "timeout 120 mpirun --oversubscribe --allow-run-as-root -np " + std::to_string(k) + " " + args;
}

// Three scales over a few rounds of a few chunks on every rank count.
const std::string kLinear =
    "name = \"g\"\n[data]\nn = 40\nm = 2\n[sweep]\nscales = [1.0, 10.0, 100.0]\n[mc]\nparticles = 20000\n"
    "batch = 2048\nthreads = 1\nbackend = \"omp\"\n";
// A network: several observables per particle, the layers and efficiency tables.
const std::string kMlp =
    "name = \"m\"\n[data]\nsource = \"teacher\"\nn = 20\nm = 2\n[model]\nkind = \"mlp\"\nhidden = [4, 3]\n"
    "[sweep]\nscales = [0.5, 8.0]\n[mc]\nparticles = 9000\nbatch = 1024\nthreads = 1\nbackend = \"omp\"\n";

// The pids of the processes named mltemp that descend from `pid`.
std::vector<pid_t> mltemp_ranks(pid_t pid) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t p = static_cast<pid_t>(std::stol(name));
    std::string comm;
    for (pid_t q = p; q > 1;) {
      std::ifstream st("/proc/" + std::to_string(q) + "/stat");
      std::string line;
      if (!std::getline(st, line)) break;
      const auto close = line.rfind(')');
      if (q == p) comm = line.substr(line.find('(') + 1, close - line.find('(') - 1);
      q = static_cast<pid_t>(std::atol(line.c_str() + close + 4));  // ") S PPID"
      if (q == pid && comm == "mltemp") {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

}  // namespace

TEST(Mpi, RanksGiveTheBitsOfThePlainRun) {
  REQUIRE_MPIRUN();
  const mltemp::test::ScratchDir scratch("mpi_bits");
  const std::string d = scratch.path();
  struct Case {
    std::string cfg_text, run;
    std::vector<std::string> tables;
  };
  for (const auto& [cfg_text, run, tables] :
       std::vector<Case>{{kLinear, "g", {"sweep"}}, {kMlp, "m", {"sweep", "layers", "efficiency"}}}) {
    const std::string cfg = write_file(d + "/" + run + ".toml", cfg_text), plain = d + "/" + run + "-plain.h5";
    const auto p = run_cmd(bin() + " run " + cfg + " --out " + plain + " --quiet");
    ASSERT_EQ(p.code, 0) << p.out;
    for (int k : {1, 2, 4}) {
      const std::string out = d + "/" + run + "-np" + std::to_string(k) + ".h5";
      const auto r = run_cmd(mpirun(k, bin() + " run " + cfg + " --out " + out));
      ASSERT_EQ(r.code, 0) << r.out;
      EXPECT_EQ(tables_differ(plain, out, run, tables), "") << k << " ranks";
      EXPECT_EQ(mltemp::read_run_int_attr(out, run, "ranks"), k);
      EXPECT_EQ(count_of(r.out, "wrote /runs/" + run), 1u) << "rank 0 alone reports: " << r.out;
    }
  }
}

TEST(Mpi, AnErrorOnOneRankEndsTheJobWithItsMessageOnRankZero) {
  REQUIRE_MPIRUN();
  const mltemp::test::ScratchDir scratch("mpi_error");
  const std::string d = scratch.path(), cfg = write_file(d + "/g.toml", kLinear);
  const std::string out = d + "/r.h5";
  // Rank 1 fails in its fourth round, in the middle of the first scale's particles.
  const auto r = run_cmd("env MLTEMP_TEST_FAIL_ROUND=1:4 " + mpirun(2, bin() + " run " + cfg + " --out " + out));
  EXPECT_EQ(r.code, mltemp::kExitIo) << r.out;
  EXPECT_EQ(count_of(r.out, "mltemp: I/O error: rank 1: MLTEMP_TEST_FAIL_ROUND: this rank fails in round 4\n"), 1u)
      << r.out;
  EXPECT_EQ(count_of(r.out, "mltemp: "), 3u) << "one error line and the resume hint, once: " << r.out;
  EXPECT_FALSE(fs::exists(out));
  // The finished work was kept: two ranks continue it, and the bits are the plain run's.
  const auto resumed = run_cmd(mpirun(2, bin() + " run " + cfg + " --out " + out + " --resume --quiet"));
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  const auto plain = run_cmd(bin() + " run " + cfg + " --out " + d + "/u.h5 --quiet");
  EXPECT_EQ(tables_differ(d + "/u.h5", out, "g", {"sweep"}), "");

  // A rank that cannot even read its config (a file missing on its node).
  const std::string per_rank =
      "sh -c 'exec " + bin() + " run " + d + "/g$OMPI_COMM_WORLD_RANK.toml --out " + d + "/s.h5'";
  fs::copy_file(cfg, d + "/g0.toml");
  const auto missing = run_cmd(mpirun(3, per_rank));
  EXPECT_EQ(missing.code, mltemp::kExitBadInput) << missing.out;
  EXPECT_EQ(count_of(missing.out, "mltemp: error: rank 1: " + d + "/g1.toml: cannot open config file\n"), 1u)
      << missing.out;
  EXPECT_EQ(count_of(missing.out, "mltemp: "), 1u) << missing.out;
  EXPECT_FALSE(fs::exists(d + "/s.h5"));
}

TEST(Mpi, RanksThatWouldRunDifferentJobsAreRefused) {
  REQUIRE_MPIRUN();
  const mltemp::test::ScratchDir scratch("mpi_same");
  const std::string d = scratch.path(), cfg = write_file(d + "/g.toml", kLinear);
  const auto r = run_cmd(
      mpirun(2, "sh -c 'exec " + bin() + " run " + cfg + " --out " + d + "/r.h5 --seed $((OMPI_COMM_WORLD_RANK+1))'"));
  EXPECT_EQ(r.code, mltemp::kExitBadInput) << r.out;
  EXPECT_EQ(count_of(r.out,
                     "mltemp: error: the ranks do not run the same job: mc.seed is 1 on rank 0 and 2 on "
                     "rank 1\n"),
            1u)
      << r.out;
  EXPECT_FALSE(fs::exists(d + "/r.h5"));
}

TEST(Mpi, SigtermToTheRanksSavesACheckpointThatOtherRankCountsResume) {
  REQUIRE_MPIRUN();
  const mltemp::test::ScratchDir scratch("mpi_term");
  const std::string d = scratch.path(), out = d + "/r.h5";
  const std::string cfg = write_file(
      d + "/g.toml",
      "name = \"g\"\n[data]\nn = 40\nm = 2\n[sweep]\nscales = [1.0, 10.0, 100.0]\n[mc]\nparticles = 3000000\n"
      "threads = 1\nbackend = \"omp\"\ncheckpoint_seconds = 0\n");
  Child job(mpirun(2, bin() + " run " + cfg + " --out " + out));
  ASSERT_TRUE(job.wait_for("          1 ")) << job.out();  // the first scale's row
  const std::vector<pid_t> ranks = mltemp_ranks(job.pid());
  ASSERT_EQ(ranks.size(), 2u);
  for (pid_t p : ranks) kill(p, SIGTERM);  // Slurm signals every task of the step
  const int code = job.finish();
  EXPECT_EQ(code, mltemp::kExitInterrupted) << job.out();
  EXPECT_EQ(count_of(job.out(), "mltemp: interrupted: the finished work is saved in " + out + ".g.ckpt\n"), 1u)
      << job.out();
  EXPECT_TRUE(mltemp::test::strays(d).empty());
  EXPECT_FALSE(fs::exists(out));
  const auto resumed = run_cmd(mpirun(4, bin() + " run " + cfg + " --out " + out + " --resume --quiet"));
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  const auto plain = run_cmd(bin() + " run " + cfg + " --out " + d + "/u.h5 --quiet");
  EXPECT_EQ(tables_differ(d + "/u.h5", out, "g", {"sweep"}), "");
  EXPECT_EQ(mltemp::read_run_int_attr(out, "g", "ranks"), 4);
  EXPECT_EQ(mltemp::read_run_int_attr(out, "g", "resumed"), 1);
}
