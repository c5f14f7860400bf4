// Checkpoint and resume: a fold saved at any batch boundary and continued gives the bits of an
// uninterrupted run; the checkpoint file and the identity a resume must match; rounds in a job
// of one; SIGINT, SIGTERM and SIGKILL during `mltemp run`, and SIGTERM during the results
// write; one scale alone equals the same scale inside a sweep.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "checkpoint.h"
#include "cluster.h"
#include "dataset.h"
#include "errors.h"
#include "file_lock.h"
#include "h5_writer.h"
#include "run_util.h"
#include "system.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace mltemp;
using namespace mltemp::test;

namespace {

const std::string kLinear =
    "name = \"g\"\n[data]\nn = 40\nm = 2\n[sweep]\nscales = [1.0, 10.0, 100.0]\n[mc]\nparticles = 20000\n";
const std::string kMlp =
    "name = \"m\"\n[data]\nsource = \"teacher\"\nn = 20\nm = 2\n[model]\nkind = \"mlp\"\nhidden = [4, 3]\n"
    "[sweep]\nscales = [0.5, 2.0, 8.0]\n[mc]\nparticles = 6000\n";

PointSetup point_of(const std::string& toml, double scale) {
  const Config c = Config::from_toml(toml, "<test>", ".");
  const Dataset ds = load_dataset(data_spec(c));
  return make_system(c, ds)->point(scale, 1);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool same_bits(const ObsStats& a, const ObsStats& b) {
  bool same = a.n == b.n && a.cov.size() == b.cov.size();
  for (auto m :
       {&ObsStats::mean, &ObsStats::var, &ObsStats::se, &ObsStats::kurtosis, &ObsStats::max, &ObsStats::max_share})
    same = same && same_bits(a.*m, b.*m);
  for (size_t i = 0; same && i < a.cov.size(); ++i) same = same_bits(a.cov[i], b.cov[i]);
  return same;
}

std::string bin() { return MLTEMP_BINARY; }

// A run of three scales that takes about a second on one thread, checkpointed at every batch.
std::string slow_config(const std::string& folder, const std::string& data = "n = 40\nm = 2") {
  const std::string p = folder + "/slow.toml";
  std::ofstream(p) << "name = \"g\"\n[data]\n"
                   << data << "\n[sweep]\nscales = [1.0, 10.0, 100.0]\n[mc]\n"
                   << "particles = 3000000\ncheckpoint_seconds = 0\nthreads = 1\nbackend = \"omp\"\n";
  return p;
}

// Starts `mltemp run CONFIG --out OUT ARGS`, lets its first scale finish (its row is printed),
// and sends `sig`; returns the exit code and output.
mltemp::test::Ran interrupted(const std::string& cfg, const std::string& out, int sig, const std::string& args = "") {
  Child c(bin() + " run " + cfg + " --out " + out + args);
  EXPECT_TRUE(c.wait_for("          1 ")) << c.out();  // the first scale's row
  kill(c.pid(), sig);
  const int code = c.finish();
  return {code, c.out()};
}

}  // namespace

TEST(Fold, ContinuedFromAnyBatchBoundaryGivesTheSameBits) {
  for (const std::string& cfg : {kLinear, kMlp}) {
    const PointSetup p = point_of(cfg, 2.0);
    RunOptions o;
    o.particles = 50000;  // 49 chunks, the last one partial
    o.batch_particles = 4096;
    o.threads = 1;
    std::vector<FoldState> states;
    o.folded = [&](const FoldState& f) { states.push_back(f); };
    const ObsStats whole = run_point(p, o);
    ASSERT_EQ(states.size(), 13u);
    EXPECT_EQ(states.back().next_chunk, 49u);
    for (size_t k : {size_t{0}, size_t{5}, size_t{12}}) {
      RunOptions r;
      r.particles = o.particles;
      r.batch_particles = 3 * 1024;  // other batches, other threads: the same chunk sequence
      r.threads = 2;
      r.resume = &states[k];
      uint64_t first_done = 0;
      r.progress = [&](uint64_t done) { first_done = first_done ? first_done : done; };
      EXPECT_TRUE(same_bits(whole, run_point(p, r))) << "resumed after batch " << k;
      if (k < 12) EXPECT_EQ(first_done, (states[k].next_chunk + 3) * kChunk) << "resumed from its next chunk";
    }
  }
}

TEST(Fold, DamagedStatesAreRefused) {
  const PointSetup p = point_of(kLinear, 2.0);
  RunOptions o;
  o.particles = 50000;
  o.batch_particles = 4096;
  std::vector<FoldState> states;
  o.folded = [&](const FoldState& f) { states.push_back(f); };
  run_point(p, o);
  FoldState cut = states[4];
  cut.trees.resize(cut.trees.size() - 3);
  o.folded = nullptr;
  o.resume = &cut;
  EXPECT_INPUT_ERROR(run_point(p, o), "damaged (truncated)");
  FoldState wrong = states[4];
  wrong.next_chunk += 1;
  o.resume = &wrong;
  EXPECT_INPUT_ERROR(run_point(p, o), "damaged (chunk count)");
  FoldState other = states[4];
  other.trees[0] = 9;  // another number of observables
  o.resume = &other;
  EXPECT_INPUT_ERROR(run_point(p, o), "another energy's observables");
}

TEST(CheckpointFile, RoundTripKeepsEveryBitAndRefusesDamage) {
  const PointSetup p = point_of(kMlp, 2.0);
  RunOptions o;
  o.particles = 5000;
  Checkpoint c;
  o.folded = [&](const FoldState& f) { c.current = f; };
  c.done = {run_point(p, o), run_point(p, o)};
  c.identity = {{"mc.particles", "5000"}, {"the data's X (SHA-256)", "ab12"}};
  const std::string bytes = encode_checkpoint(c);
  const Checkpoint d = decode_checkpoint(bytes, "x.ckpt");
  EXPECT_EQ(d.identity, c.identity);
  ASSERT_EQ(d.done.size(), 2u);
  EXPECT_TRUE(same_bits(d.done[1], c.done[1]));
  EXPECT_EQ(d.current.next_chunk, c.current.next_chunk);
  EXPECT_EQ(d.current.trees, c.current.trees);
  EXPECT_INPUT_ERROR(decode_checkpoint(bytes.substr(0, bytes.size() - 1), "x.ckpt"),
                     "x.ckpt: not a usable mltemp checkpoint (truncated)");
  EXPECT_INPUT_ERROR(decode_checkpoint(bytes + "z", "x.ckpt"), "(trailing bytes)");
  EXPECT_INPUT_ERROR(decode_checkpoint("name = \"g\"\n", "x.ckpt"), "(no checkpoint header)");
}

TEST(CheckpointFile, IdentityLeavesOutRunTimeKeysAndNamesTheFirstDifference) {
  Config a = Config::from_toml(kLinear, "<test>", ".");
  Config b = a;
  b.set_from_cli("mc.threads", "3");
  b.set_from_cli("mc.batch", "2048");
  b.set_from_cli("mc.backend", "reference");
  b.set_from_cli("mc.checkpoint_seconds", "5");
  EXPECT_EQ(identity_difference(config_identity(a), config_identity(b), "there", "here"), "");
  b.set_from_cli("mc.particles", "40000");
  b.set_from_cli("mc.seed", "2");
  EXPECT_EQ(identity_difference(config_identity(a), config_identity(b), "in the checkpoint", "now"),
            "mc.particles is 20000 in the checkpoint and 40000 now");
  const Identity x = {{"k", "1"}}, y = {{"k", "1"}, {"j", "2"}};
  EXPECT_EQ(identity_difference(x, y, "on rank 0", "on rank 1"), "j is missing on rank 0 and 2 on rank 1");
  EXPECT_EQ(decode_identity(encode_identity(y)), y);
  EXPECT_EQ(checkpoint_path("out/r.h5", "g"), "out/r.h5.g.ckpt");
}

TEST(Cluster, SharesCoverEveryChunkOnceInRankOrder) {
  for (uint64_t n : {0u, 1u, 5u, 64u, 1001u})
    for (int size : {1, 2, 3, 4, 7}) {
      uint64_t next = 0;
      for (int r = 0; r < size; ++r) {
        const auto [first, last] = Cluster::share(n, r, size);
        EXPECT_EQ(first, next);
        EXPECT_LE(last - first, n / size + 1);
        EXPECT_GE(last - first, n / size);
        next = last;
      }
      EXPECT_EQ(next, n);
    }
}

TEST(Cluster, RoundsOfAJobOfOneKeepErrorsAndStops) {
  Cluster& job = Cluster::world();
  ASSERT_EQ(job.size(), 1);
  const std::string got =
      job.round([] { return std::string("ab"); }, [](std::vector<std::string>& parts) { return parts.at(0) + "c"; });
  EXPECT_EQ(got, "abc");
  EXPECT_INPUT_ERROR(job.step([] { throw InputError("bad key"); }), "bad key");
  EXPECT_ERROR_MESSAGE(job.round([]() -> std::string { throw IoError("disk"); }, nullptr), IoError, "disk");
  EXPECT_THROW(job.round([] { return std::string(); }, [](auto&) -> std::string { throw std::bad_alloc(); }),
               std::bad_alloc);
  request_stop();
  EXPECT_ERROR_MESSAGE(job.step(), Interrupted, "stopped by a signal");
  clear_stop();
  job.step();
  const auto code = [](auto e) { return describe_error(std::make_exception_ptr(e)).code; };
  EXPECT_EQ(code(InputError("x")), kExitBadInput);
  EXPECT_EQ(code(IoError("x")), kExitIo);
  EXPECT_EQ(code(std::bad_alloc()), kExitIo);
  EXPECT_EQ(code(Interrupted("x")), kExitInterrupted);
  EXPECT_EQ(code(std::logic_error("x")), kExitInternal);
  EXPECT_EQ(code(RankError({kExitIo, "I/O error", "rank 1: disk"})), kExitIo);
  EXPECT_EQ(describe_error(std::make_exception_ptr(std::bad_alloc())).message, "out of memory");
}

// Particles are keyed by (seed, scale value, index): a scale's row does not depend on the sweep.
TEST(Sweep, OneScaleAloneEqualsTheSameScaleInsideASweep) {
  for (const std::string& cfg : {kLinear, kMlp}) {
    const RunResult sweep = test::run_text(cfg);
    std::string alone_cfg = cfg;
    const auto at = alone_cfg.find("scales = [");
    alone_cfg.replace(at, alone_cfg.find(']', at) - at + 1, cfg == kLinear ? "scales = [10.0]" : "scales = [2.0]");
    const RunResult alone = test::run_text(alone_cfg);
    for (const Table& t : alone.tables) {
      const Table* s = sweep.table(t.name());
      ASSERT_TRUE(s);
      const size_t per = t.rows();  // rows per scale (layers: one per layer)
      ASSERT_EQ(s->rows(), 3 * per);
      for (const Column& c : t.columns()) {
        if (c.kind == Column::Kind::kText) continue;
        for (size_t r = 0; r < per; ++r) {
          const double x = c.num[r], y = s->get(per + r, c.name);
          EXPECT_EQ(std::memcmp(&x, &y, sizeof x), 0) << t.name() << "." << c.name << " row " << r;
        }
      }
    }
  }
}

// SIGTERM while the results file is written: its temporary and lock go, the file stays as it
// was, the checkpoint holds every scale, and the process exits 5.
TEST(Interrupt, DuringTheResultsWriteSavesTheCheckpointAndExitsFive) {
  const test::ScratchDir scratch("final");
  const std::string d = scratch.path(), out = d + "/r.h5", ckpt = checkpoint_path(out, "g");
  const RunResult res = test::run_text(kLinear);
  RunResult first = res;
  first.name = "first";
  write_results(out, {first});
  const std::string before = slurp_file(out);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    Checkpointer c(ckpt, 60, false, "mltemp run x.toml --out r.h5 --resume", true);
    Checkpoint nothing;
    c.begin({{"k", "v"}}, nothing);
    ObsStats st;
    st.n = 7;
    st.mean = {1.5};
    c.scale_done(st);
    c.save();
    c.writing_results(out);
    WriteOptions w;
    w.before_rename = [] { raise(SIGTERM); };
    try {
      write_results(out, {res}, {}, w);
    } catch (...) {
    }
    _exit(0);  // not reached: the handler exits 5
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kExitInterrupted);
  EXPECT_EQ(slurp_file(out), before);
  EXPECT_TRUE(test::strays(d).empty()) << test::strays(d).front();
  const Checkpoint saved = decode_checkpoint(slurp_file(ckpt), ckpt);
  ASSERT_EQ(saved.done.size(), 1u);
  EXPECT_EQ(saved.done[0].mean, std::vector<double>{1.5});
}

TEST(Resume, KillNineMidRunThenResumeEqualsTheUninterruptedRun) {
  const test::ScratchDir scratch("kill9");
  const std::string d = scratch.path(), cfg = slow_config(d);
  const auto killed = interrupted(cfg, d + "/r.h5", SIGKILL);
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  ASSERT_TRUE(fs::exists(d + "/r.h5.g.ckpt"));
  EXPECT_FALSE(fs::exists(d + "/r.h5"));
  // Another batch size than before: the bits do not depend on them.
  const auto resumed = run_cmd(bin() + " run " + cfg + " --out " + d + "/r.h5 --resume --batch 100000");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "mltemp: resuming from " + d + "/r.h5.g.ckpt: 1 of 3 scales done")) << resumed.out;
  EXPECT_FALSE(fs::exists(d + "/r.h5.g.ckpt")) << "a written run's checkpoint goes";
  const auto plain = run_cmd(bin() + " run " + cfg + " --out " + d + "/u.h5 --quiet");
  ASSERT_EQ(plain.code, 0) << plain.out;
  EXPECT_EQ(tables_differ(d + "/u.h5", d + "/r.h5", "g", {"sweep"}), "");
  EXPECT_EQ(read_run_int_attr(d + "/r.h5", "g", "resumed"), 1);
  EXPECT_EQ(read_run_int_attr(d + "/u.h5", "g", "resumed"), 0);
  EXPECT_TRUE(test::strays(d).empty());
}

TEST(Resume, SigintSavesSaysHowToResumeAndExitsFive) {
  const test::ScratchDir scratch("sigint");
  const std::string d = scratch.path(), cfg = slow_config(d), out = d + "/r.h5";
  const auto stopped = interrupted(cfg, out, SIGINT, " --seed 5");
  EXPECT_EQ(stopped.code, kExitInterrupted) << stopped.out;
  EXPECT_TRUE(contains(stopped.out, "mltemp: interrupted: the finished work is saved in " + out + ".g.ckpt\n"))
      << stopped.out;
  EXPECT_TRUE(contains(stopped.out, "\n  " + bin() + " run " + cfg + " --out " + out + " --seed 5 --resume\n"))
      << stopped.out;
  EXPECT_EQ(test::count_of(stopped.out, "--resume"), 2u) << "said once: " << stopped.out;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(test::strays(d).empty()) << "no temporary file";
  // The checkpoint is not lost to a run that forgot --resume.
  const std::string saved = slurp_file(out + ".g.ckpt");
  const auto again = run_cmd(bin() + " run " + cfg + " --out " + out + " --seed 5");
  EXPECT_EQ(again.code, kExitBadInput);
  EXPECT_TRUE(contains(again.out, "mltemp: error: " + out +
                                      ".g.ckpt: the checkpoint of an interrupted run is here: continue it with "
                                      "--resume, or remove the file to start over"))
      << again.out;
  EXPECT_EQ(slurp_file(out + ".g.ckpt"), saved);
  const auto resumed = run_cmd(bin() + " run " + cfg + " --out " + out + " --seed 5 --resume --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  const auto plain = run_cmd(bin() + " run " + cfg + " --out " + d + "/u.h5 --seed 5 --quiet");
  EXPECT_EQ(tables_differ(d + "/u.h5", out, "g", {"sweep"}), "");
}

TEST(Resume, RefusedWhenConfigParticlesOrDataDifferNamingWhat) {
  const test::ScratchDir scratch("refuse");
  const std::string d = scratch.path(), data = d + "/d.csv", out = d + "/r.h5";
  {
    std::ofstream f(data);
    f << "a,b,y\n";
    for (int i = 0; i < 30; ++i) f << i % 7 << "," << (i * 13) % 11 << "," << i % 5 << "\n";
  }
  const std::string cfg = slow_config(d, "source = \"csv\"\npath = \"d.csv\"");
  ASSERT_EQ(interrupted(cfg, out, SIGTERM).code, kExitInterrupted);
  const std::string saved = slurp_file(out + ".g.ckpt");
  const auto refused = [&](const std::string& args, const std::string& why) {
    const auto r = run_cmd(bin() + " run " + cfg + " --out " + out + " --resume " + args);
    EXPECT_EQ(r.code, kExitBadInput) << r.out;
    EXPECT_TRUE(contains(
        r.out, "mltemp: error: " + out + ".g.ckpt: --resume refused: the checkpoint is of another run: " + why))
        << r.out;
    EXPECT_EQ(slurp_file(out + ".g.ckpt"), saved) << "the checkpoint stays";
    EXPECT_FALSE(fs::exists(out));
  };
  refused("--particles 5000000", "mc.particles is 3000000 in the checkpoint and 5000000 now");
  refused("--seed 2", "mc.seed is 1 in the checkpoint and 2 now");
  refused("--set sweep.scales=[1.0,10.0]", "sweep.scales is [1.0, 10.0, 100.0] in the checkpoint and [1.0, 10.0] now");
  refused("--backend reference", "the backend is omp in the checkpoint and reference now");
  std::ofstream(data, std::ios::app) << "1,2,3\n";  // the data changed under the same config
  refused("", "the data's X (SHA-256) is ");
}

TEST(Resume, WithoutACheckpointStartsFromTheFirstScale) {
  const test::ScratchDir scratch("nockpt");
  const std::string d = scratch.path(), out = d + "/r.h5";
  const std::string cfg = d + "/g.toml";
  std::ofstream(cfg) << kLinear;
  const auto r = run_cmd(bin() + " run " + cfg + " --out " + out + " --resume");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "mltemp: --resume: no checkpoint " + out + ".g.ckpt: starting from the first scale"))
      << r.out;
  // Each row is printed when its scale finishes, before the report repeats the table.
  const size_t row = r.out.find("        100 "), report = r.out.find("system: ");
  EXPECT_LT(row, report) << r.out;
  EXPECT_EQ(test::count_of(r.out, "        100 "), 2u) << r.out;
  EXPECT_EQ(read_run_int_attr(out, "g", "ranks"), 1);
}

TEST(Resume, HelpListsExitCodeFive) {
  for (const char* args : {"--help", "run --help"}) {
    const auto r = run_cmd(bin() + " " + args);
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(contains(r.out, "5 interrupted (SIGINT, SIGTERM, SIGHUP)")) << r.out;
  }
  EXPECT_TRUE(contains(run_cmd(bin() + " run --help").out, "--checkpoint-every FLOAT"));
}

// SIGTERM while waiting for another writer's lock: every scale is saved, the other writer's
// lock is left alone, and --resume writes the results without running a particle.
TEST(Resume, SigtermWhileWaitingToWriteSavesEveryScaleForResume) {
  const test::ScratchDir scratch("lockwait");
  const std::string d = scratch.path(), out = d + "/r.h5", cfg = d + "/g.toml";
  std::ofstream(cfg) << kLinear;
  {
    test::LockHolder holder(out + ".lock");
    Child c("env MLTEMP_LOCK_TIMEOUT=60 " + bin() + " run " + cfg + " --out " + out);
    ASSERT_TRUE(c.wait_for("waiting for the lock")) << c.out();
    kill(c.pid(), SIGTERM);
    EXPECT_EQ(c.finish(), kExitInterrupted) << c.out();
    EXPECT_TRUE(contains(c.out(), "mltemp: interrupted: the finished work is saved in " + out + ".g.ckpt")) << c.out();
    EXPECT_TRUE(fs::exists(out + ".lock")) << "the holder's lock stays";
    EXPECT_EQ(decode_checkpoint(slurp_file(out + ".g.ckpt"), "ckpt").done.size(), 3u);
  }
  const auto resumed = run_cmd(bin() + " run " + cfg + " --out " + out + " --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "3 of 3 scales done")) << resumed.out;
  EXPECT_EQ(read_run_int_attr(out, "g", "resumed"), 1);
  const auto plain = run_cmd(bin() + " run " + cfg + " --out " + d + "/u.h5 --quiet");
  EXPECT_EQ(tables_differ(d + "/u.h5", out, "g", {"sweep"}), "");
  EXPECT_TRUE(test::strays(d).empty());
  EXPECT_FALSE(fs::exists(out + ".g.ckpt"));
}
