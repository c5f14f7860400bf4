// `mltemp merge` and `mltemp split`: per-scale parts of a sweep merge into the whole sweep bit
// for bit (every table and array; the attributes that differ are the job's timings, `created`
// and `merged_from`); parts that are not of one run are refused with exit 2 naming the field;
// other runs are copied side by side; the output file's earlier runs are never lost.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "file_lock.h"
#include "h5_writer.h"
#include "merge.h"
#include "test_util.h"

using namespace mltemp;
namespace fs = std::filesystem;

namespace {

using test::contains;
using test::write_file;

// A fresh, empty folder per test.
std::string folder(const std::string& name) { return test::fresh_dir("merge", name); }

test::CommandResult mltemp_cmd(const std::string& args) { return test::shell(std::string(MLTEMP_BINARY) + " " + args); }

// A log-spaced linear MSE sweep (split as from = to = scale, points = 1).
const std::string kSweep =
    "name = \"lin\"\n[data]\nn = 40\nm = 2\n[sweep]\nfrom = 0.5\nto = 100.0\npoints = 3\n[mc]\nparticles = 20000\n";
// A teacher-student network with an explicit scale list: sweep, layers and efficiency tables.
const std::string kMlp =
    "name = \"net\"\n[data]\nsource = \"teacher\"\nn = 20\nm = 3\n[model]\nkind = \"mlp\"\nhidden = [4, 4]\n"
    "[sweep]\nscales = [0.5, 2.0, 30.0]\n[mc]\nparticles = 3000\n";

// The lines of `mltemp split`.
std::vector<std::string> split_lines(const std::string& cfg, const std::string& extra = "") {
  const auto r = mltemp_cmd("split " + cfg + " " + extra);
  EXPECT_EQ(r.code, 0) << r.out;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// Runs `cfg` once per scale into dir/part_I.h5 (each with `extra` flags); returns the parts, last
// scale first (the merge must sort them).
std::vector<std::string> run_parts(const std::string& dir, const std::string& cfg, const std::string& extra = "") {
  std::vector<std::string> parts;
  const auto lines = split_lines(cfg);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string part = dir + "/part_" + std::to_string(i) + ".h5";
    const auto r = mltemp_cmd("run " + cfg + " " + lines[i] + " " + extra + " --quiet --out " + part);
    EXPECT_EQ(r.code, 0) << r.out;
    parts.insert(parts.begin(), part);
  }
  return parts;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += " " + x;
  return s;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every table and array of two runs, equal to the bit (columns, units, meanings, cells).
void expect_same_tables_and_arrays(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (const auto& ta : a.tables) {
    const Table* tb = b.table(ta.name());
    ASSERT_NE(tb, nullptr) << ta.name();
    ASSERT_EQ(ta.rows(), tb->rows()) << ta.name();
    ASSERT_EQ(ta.columns().size(), tb->columns().size()) << ta.name();
    for (size_t c = 0; c < ta.columns().size(); ++c) {
      const Column& x = ta.columns()[c];
      const Column& y = tb->columns()[c];
      EXPECT_EQ(x.name, y.name);
      EXPECT_EQ(x.units, y.units);
      EXPECT_EQ(x.meaning, y.meaning);
      EXPECT_EQ(x.kind, y.kind);
      EXPECT_EQ(x.text, y.text) << ta.name() << "." << x.name;
      for (size_t r = 0; r < x.num.size(); ++r)
        EXPECT_TRUE(same_bits(x.num[r], y.num[r])) << ta.name() << "." << x.name << " row " << r;
    }
  }
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (size_t i = 0; i < a.arrays.size(); ++i) {
    EXPECT_EQ(a.arrays[i].path, b.arrays[i].path);
    EXPECT_EQ(a.arrays[i].dims, b.arrays[i].dims);
    EXPECT_EQ(a.arrays[i].meaning, b.arrays[i].meaning);
    EXPECT_EQ(0, std::memcmp(a.arrays[i].values.data(), b.arrays[i].values.data(),
                             a.arrays[i].values.size() * sizeof(double)))
        << a.arrays[i].path;
  }
}

// The names of the attributes whose values (or presence) differ.
std::set<std::string> differing_attrs(const RunResult& a, const RunResult& b) {
  std::map<std::string, std::string> x, y;
  for (const auto* r : {&a, &b}) {
    auto& m = r == &a ? x : y;
    for (const auto& [k, v] : r->text_attrs) m[k] = "t" + v;
    for (const auto& [k, v] : r->int_attrs) m[k] = "i" + std::to_string(v);
    for (const auto& [k, v] : r->num_attrs) m[k] = "r" + std::to_string(v) + "/" + std::to_string(std::signbit(v));
  }
  std::set<std::string> d;
  for (const auto& [k, v] : x)
    if (!y.count(k) || y[k] != v) d.insert(k);
  for (const auto& [k, v] : y)
    if (!x.count(k)) d.insert(k);
  return d;
}

// What may differ between a merged run and the single run: the job's timings, the time it
// started (to the second), and the list of parts.
const std::set<std::string> kJobAttrs = {
    "seconds", "setup_seconds_data", "setup_seconds_system", "setup_seconds_references", "particles_per_second",
    "created", "merged_from"};

void expect_merge_equals_whole(const std::string& dir, const std::string& text, const std::string& name) {
  const std::string cfg = write_file(dir + "/c.toml", text);
  const std::string whole = dir + "/whole.h5", merged = dir + "/merged.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --quiet --out " + whole).code, 0);
  const auto parts = run_parts(dir, cfg);
  ASSERT_EQ(parts.size(), 3u);
  const auto r = mltemp_cmd("merge " + merged + joined(parts));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "merged /runs/" + name + ": 3 scales from 3 parts")) << r.out;
  const RunResult a = read_run(whole, name), b = read_run(merged, name);
  expect_same_tables_and_arrays(a, b);
  const auto diff = differing_attrs(a, b);
  for (const auto& k : diff) EXPECT_TRUE(kJobAttrs.count(k)) << "attribute " << k << " differs";
  EXPECT_TRUE(diff.count("merged_from"));
  EXPECT_EQ(read_run_attr(merged, name, "merged_from"), parts[2] + ":/runs/" + name + "\n" + parts[1] + ":/runs/" +
                                                            name + "\n" + parts[0] + ":/runs/" + name + "\n");
  EXPECT_EQ(read_run_int_attr(merged, name, "scales"), 3);
  EXPECT_TRUE(fs::exists(merged + ".lock") == false);
}

}  // namespace

TEST(Merge, PerScalePartsOfALogSweepEqualTheWholeSweep) { expect_merge_equals_whole(folder("log"), kSweep, "lin"); }

TEST(Merge, PerScalePartsOfANetworkEqualTheWholeRunLayersAndEfficiency) {
  const std::string dir = folder("mlp");
  expect_merge_equals_whole(dir, kMlp, "net");
  EXPECT_EQ(read_table(dir + "/merged.h5", "net", "layers").rows(), 9u);  // 3 scales x 3 layers
}

TEST(Merge, SplitPrintsOverridesThatReproduceEachScale) {
  const std::string dir = folder("split");
  const std::string log = write_file(dir + "/log.toml", kSweep), list = write_file(dir + "/list.toml", kMlp);
  EXPECT_EQ(split_lines(log),
            (std::vector<std::string>{"--set sweep.from=0.5 --set sweep.to=0.5 --set sweep.points=1",
                                      "--set sweep.from=7.0710678118654755 --set sweep.to=7.0710678118654755 "
                                      "--set sweep.points=1",
                                      "--set sweep.from=100.0 --set sweep.to=100.0 --set sweep.points=1"}));
  EXPECT_EQ(split_lines(list), (std::vector<std::string>{"--set sweep.scales=[0.5]", "--set sweep.scales=[2.0]",
                                                         "--set sweep.scales=[30.0]"}));
  EXPECT_EQ(split_lines(list, "--set 'sweep.scales=[3.0, 1e-3]'"),
            (std::vector<std::string>{"--set sweep.scales=[3.0]", "--set sweep.scales=[0.001]"}));
  const auto bad = mltemp_cmd("split " + log + " --set 'sweep.scales=[1.0]'");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_TRUE(contains(bad.out, "give either sweep.scales or sweep.from/to/points")) << bad.out;
}

TEST(Merge, PartsThatAreNotOfOneRunAreRefusedNamingTheField) {
  const std::string dir = folder("mismatch");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const auto parts = run_parts(dir, cfg);  // part_2, part_1, part_0
  const std::string out = dir + "/out.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --name earlier --quiet --out " + out).code, 0);
  const std::string before = read_file_bytes(out);
  // A CSV run whose data file changes between two parts.
  auto csv = [](int first) {
    std::string t = "x1,x2,y\n";
    for (int i = 0; i < 12; ++i)
      t += std::to_string(i ? i : first) + "," + std::to_string(i * i % 7) + "," + std::to_string(i % 3) + "\n";
    return t;
  };
  const std::string data = write_file(dir + "/d.csv", csv(0));
  const std::string csv_cfg = write_file(dir + "/csv.toml",
                                         "name = \"lin\"\n[data]\nsource = \"csv\"\npath = \"d.csv\"\n[sweep]\nscales "
                                         "= [1.0, 9.0]\n[mc]\nparticles = 2000\n");
  ASSERT_EQ(mltemp_cmd("run " + csv_cfg + " --set 'sweep.scales=[1.0]' --quiet --out " + dir + "/csv_a.h5").code, 0);
  write_file(data, csv(5));  // one value changed: same size, other data
  ASSERT_EQ(mltemp_cmd("run " + csv_cfg + " --set 'sweep.scales=[9.0]' --quiet --out " + dir + "/csv_b.h5").code, 0);
  struct Case {
    std::string flags, other, fragment;
  };
  const Case cases[] = {
      {"--seed 2", "", "attribute 'seed' is 1 in " + parts[2] + ":/runs/lin but 2 in "},
      {"--particles 10000", "", "attribute 'particles_per_scale' is 20000 in "},
      {"--set init.dist=uniform", "", "config key init.dist is \"normal\" (default) in "},
      {"", dir + "/csv_a.h5 " + dir + "/csv_b.h5", "attribute 'data_X_sha256' is '"},
  };
  for (const auto& c : cases) {
    std::string files = c.other;
    if (files.empty()) {  // parts 0 and 2 as they were, part 1 again with the flags
      const std::string odd = dir + "/odd.h5";
      fs::remove(odd);
      const auto lines = split_lines(cfg);
      ASSERT_EQ(mltemp_cmd("run " + cfg + " " + lines[1] + " " + c.flags + " --quiet --out " + odd).code, 0);
      files = parts[0] + " " + odd + " " + parts[2];
    }
    const auto r = mltemp_cmd("merge " + out + " " + files);
    EXPECT_EQ(r.code, 2) << c.fragment << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "mltemp: error: cannot merge run 'lin': ")) << r.out;
    EXPECT_TRUE(contains(r.out, c.fragment)) << r.out;
    EXPECT_TRUE(contains(r.out, "(parts of one run differ only in their scales)")) << r.out;
    EXPECT_EQ(read_file_bytes(out), before) << "the output changed: " << c.fragment;
  }
  EXPECT_TRUE(test::strays(dir).empty());
}

TEST(Merge, DifferentRunsSideBySideAndEarlierRunsKept) {
  const std::string dir = folder("side");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const std::string a = dir + "/a.h5", b = dir + "/b.h5", out = dir + "/out.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --name alpha --quiet --out " + a).code, 0);
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --name beta --seed 5 --set 'sweep.points=2' --quiet --out " + b).code, 0);
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --name earlier --seed 9 --quiet --out " + out).code, 0);
  const RunResult earlier = read_run(out, "earlier");
  const auto r = mltemp_cmd("merge " + out + " " + a + " " + b);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "copied /runs/alpha from " + a)) << r.out;
  EXPECT_TRUE(contains(r.out, "copied /runs/beta from " + b)) << r.out;
  EXPECT_EQ(read_run_names(out), (std::vector<std::string>{"alpha", "beta", "earlier"}));
  for (const auto& [file, name] : std::vector<std::pair<std::string, std::string>>{{a, "alpha"}, {b, "beta"}}) {
    const RunResult x = read_run(file, name), y = read_run(out, name);
    expect_same_tables_and_arrays(x, y);
    EXPECT_TRUE(differing_attrs(x, y).empty());  // copied as they were
  }
  const RunResult kept = read_run(out, "earlier");
  expect_same_tables_and_arrays(earlier, kept);
  EXPECT_TRUE(differing_attrs(earlier, kept).empty());
}

TEST(Merge, ARunNameInTheOutputNeedsReplace) {
  const std::string dir = folder("clash");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const auto parts = run_parts(dir, cfg);
  const std::string out = dir + "/out.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --set 'sweep.points=2' --quiet --out " + out).code, 0);  // also "lin"
  const std::string before = read_file_bytes(out);
  const auto r = mltemp_cmd("merge " + out + joined(parts));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "already has a run named 'lin'; pass --replace")) << r.out;
  EXPECT_EQ(read_file_bytes(out), before);
  EXPECT_TRUE(test::strays(dir).empty());
  const auto ok = mltemp_cmd("merge --replace " + out + joined(parts));
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(read_table(out, "lin", "sweep").rows(), 3u);
  // The output as a part of its own merge: one more scale added to the merged run.
  const std::string more = dir + "/more.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg +
                       " --set 'sweep.from=1000.0' --set 'sweep.to=1000.0' --set 'sweep.points=1' "
                       "--quiet --out " +
                       more)
                .code,
            0);
  const auto grow = mltemp_cmd("merge --replace " + out + " " + out + " " + more);
  ASSERT_EQ(grow.code, 0) << grow.out;
  const Table t = read_table(out, "lin", "sweep");
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_EQ(t.get(3, "scale"), 1000.0);
  const std::string from = read_run_attr(out, "lin", "merged_from");
  EXPECT_TRUE(contains(from, parts[0] + ":/runs/lin\n") && contains(from, more + ":/runs/lin\n")) << from;
  EXPECT_TRUE(contains(read_run_attr(out, "lin", "config_effective"),
                       "scales = [0.5, 7.0710678118654755, 100.0, 1000.0]  # merged from 2 parts"));
}

TEST(Merge, BadPartFilesExitTwoNamingTheFile) {
  const std::string dir = folder("badfiles");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const auto parts = run_parts(dir, cfg);
  const std::string out = dir + "/out.h5";
  const std::string text = write_file(dir + "/notes.h5", "not hdf5\n");
  struct Case {
    std::string args, fragment;
  };
  const Case cases[] = {
      {out + " " + dir + "/absent.h5", dir + "/absent.h5: cannot read this part file (No such file"},
      {out + " " + text, text + ": exists but is not an HDF5 file"},
      {out + " " + parts[0] + " " + parts[0], parts[0] + ": given twice (also as " + parts[0] + ")"},
      {out + " " + dir, dir + ": a part must be a results file"},
      {out, "parts is required"},
  };
  for (const auto& c : cases) {
    const auto r = mltemp_cmd("merge " + c.args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, c.fragment)) << r.out;
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST(Merge, IdenticalDuplicateScalesAreKeptOnceDifferentOnesRefused) {
  const std::string dir = folder("dup");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const auto parts = run_parts(dir, cfg);
  const std::string copy = dir + "/copy_of_part_1.h5", out = dir + "/out.h5";
  fs::copy_file(parts[1], copy);
  const auto r = mltemp_cmd("merge " + out + joined(parts) + " " + copy);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "3 scales from 4 parts")) << r.out;
  EXPECT_EQ(read_table(out, "lin", "sweep").rows(), 3u);
  // The same scale with another value (in memory: no honest run makes one).
  RunPart a{read_run(parts[1], "lin"), "a"}, b{read_run(copy, "lin"), "b"};
  for (auto& t : b.run.tables)
    if (t.name() == "sweep") t.set(0, "E_init", t.get(0, "E_init") * (1 + 1e-15));
  EXPECT_INPUT_ERROR(merge_run({a, b}), "scale 7.0710678118654755 (in both) in table 'sweep', column 'E_init' is ");
  // An extra table, or another column, in one part.
  RunPart c{read_run(copy, "lin"), "c"};
  c.run.tables.push_back(Table("extra"));
  EXPECT_INPUT_ERROR(merge_run({a, c}), "table 'extra' is absent in a but present in c");
  RunPart d{read_run(copy, "lin"), "d"};
  d.run.tables[0].add_column("new", "", "a new column");
  EXPECT_INPUT_ERROR(merge_run({a, d}), "the columns of table 'sweep' is ");
  RunPart e{read_run(copy, "lin"), "e"};
  ASSERT_FALSE(e.run.arrays.empty());
  e.run.arrays.back().values.back() += 1;
  EXPECT_INPUT_ERROR(merge_run({a, e}), "array '" + e.run.arrays.back().path + "' at flat index ");
}

TEST(Merge, ThreadsAndBatchMayDifferAndAreMarked) {
  const std::string dir = folder("free");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const std::string whole = dir + "/whole.h5", out = dir + "/out.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --quiet --out " + whole).code, 0);
  const auto lines = split_lines(cfg);
  std::string files;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string part = dir + "/p" + std::to_string(i) + ".h5";
    const auto r = mltemp_cmd("run " + cfg + " " + lines[i] + " --threads " + std::to_string(i + 1) + " --batch " +
                              std::to_string(1024 << i) + " --quiet --out " + part);
    ASSERT_EQ(r.code, 0) << r.out;
    files += " " + part;
  }
  const auto r = mltemp_cmd("merge " + out + files);
  ASSERT_EQ(r.code, 0) << r.out;
  const RunResult a = read_run(whole, "lin"), b = read_run(out, "lin");
  expect_same_tables_and_arrays(a, b);
  const std::string eff = read_run_attr(out, "lin", "config_effective");
  EXPECT_TRUE(contains(eff,
                       "# threads = (differs between the merged parts: 1 (command line), 2 (command line), "
                       "3 (command line))"))
      << eff;
  EXPECT_TRUE(contains(eff,
                       "# batch = (differs between the merged parts: 1024 (command line), 2048 (command line), "
                       "4096 (command line))"))
      << eff;
  EXPECT_TRUE(contains(eff, "from = 0.5  # file\nto = 100.0  # file\npoints = 3  # file\n")) << eff;
  // A merged run merged again keeps the values it lists.
  const std::string extra = dir + "/extra.h5", again = dir + "/again.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg +
                       " --set 'sweep.scales=[1000.0]' --set sweep.from=1000.0 --threads 4 --quiet --out " + extra)
                .code,
            2);  // scales and from/to/points together are refused, as in a config file
  ASSERT_EQ(mltemp_cmd("run " + cfg + " " + split_lines(cfg)[0] + " --set sweep.from=1000.0 --set sweep.to=1000.0 " +
                       "--threads 4 --quiet --out " + extra)
                .code,
            0);
  ASSERT_EQ(mltemp_cmd("merge --quiet " + again + " " + out + " " + extra).code, 0);
  EXPECT_TRUE(contains(read_run_attr(again, "lin", "config_effective"),
                       "# threads = (differs between the merged parts: 1 (command line), 2 (command line), 3 (command "
                       "line), 4 (command line))"));
}

TEST(Merge, AnOutputLockedTooLongIsAnIoErrorAndLosesNothing) {
  const std::string dir = folder("lock");
  const std::string cfg = write_file(dir + "/c.toml", kSweep);
  const auto parts = run_parts(dir, cfg);
  const std::string out = dir + "/out.h5";
  ASSERT_EQ(mltemp_cmd("run " + cfg + " --name earlier --quiet --out " + out).code, 0);
  const std::string before = read_file_bytes(out);
  test::LockHolder holder(out + ".lock");
  const auto r =
      test::shell("MLTEMP_LOCK_TIMEOUT=0.2 " + std::string(MLTEMP_BINARY) + " merge --quiet " + out + joined(parts));
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_TRUE(contains(r.out, "is unchanged: none of its earlier runs was lost")) << r.out;
  EXPECT_EQ(read_file_bytes(out), before);
  const auto at = r.out.find("The results are saved in ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string rescue = r.out.substr(at + 25, r.out.find(" (a results file", at) - at - 25);
  EXPECT_EQ(read_table(rescue, "lin", "sweep").rows(), 3u);
  fs::remove(rescue);
}
