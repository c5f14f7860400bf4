// HDF5: round trip, other runs kept, atomic replacement, foreign files refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "errors.h"
#include "h5_writer.h"

using namespace mltemp;
namespace fs = std::filesystem;

namespace {
std::string tmpdir() {
  const fs::path p = fs::temp_directory_path() / ("mltemp_h5_" + std::to_string(getpid()));
  fs::create_directories(p);
  return p.string();
}

RunResult sample_run(const std::string& name, double scale) {
  RunResult r;
  r.name = name;
  Table t("sweep");
  t.add_column("scale", "", "the scale");
  t.add_column("particles", "count", "n", Column::Kind::kInt);
  t.add_column("label", "", "text", Column::Kind::kText);
  for (int i = 0; i < 3; ++i) {
    const size_t row = t.new_row();
    t.set(row, "scale", scale * (i + 1));
    t.set(row, "particles", 1000000 + i);
    t.set_text(row, "label", "row" + std::to_string(i));
  }
  r.tables.push_back(t);
  r.text_attrs = {{"config", "name = \"" + name + "\"\n"}};
  r.num_attrs = {{"seed", 7}};
  r.arrays.push_back({"data/A", {2, 2}, {1, 2, 3, 4}, "A"});
  return r;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
}  // namespace

TEST(Hdf5, RoundTripAndKeepOtherRuns) {
  const std::string f = tmpdir() + "/a.h5";
  fs::remove(f);
  write_results(f, {sample_run("one", 1.0)});
  write_results(f, {sample_run("two", 10.0)});
  const auto names = read_run_names(f);
  ASSERT_EQ(names.size(), 2u);
  const Table t = read_table(f, "one", "sweep");
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.get(2, "scale"), 3.0);
  EXPECT_EQ(t.get(1, "particles"), 1000001.0);
  EXPECT_EQ(t.get_text(0, "label"), "row0");
  EXPECT_EQ(t.columns()[1].units, "count");
  EXPECT_EQ(read_run_attr(f, "two", "config"), "name = \"two\"\n");
  // Replacing a run keeps the others.
  write_results(f, {sample_run("one", 5.0)});
  EXPECT_EQ(read_table(f, "one", "sweep").get(0, "scale"), 5.0);
  EXPECT_EQ(read_table(f, "two", "sweep").get(0, "scale"), 10.0);
}

TEST(Hdf5, FailedWriteLeavesFileUntouched) {
  const std::string f = tmpdir() + "/b.h5";
  fs::remove(f);
  write_results(f, {sample_run("keep", 1.0)});
  const std::string before = slurp(f);
  RunResult bad = sample_run("bad", 2.0);
  bad.arrays.push_back({"data/A", {2, 2}, {1, 2, 3, 4}, "duplicate path: fails mid-write"});
  EXPECT_ANY_THROW(write_results(f, {sample_run("new", 3.0), bad}));
  EXPECT_EQ(slurp(f), before);
  EXPECT_EQ(read_run_names(f).size(), 1u);
  for (const auto& e : fs::directory_iterator(fs::path(f).parent_path()))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "temporary left behind: " << e.path();
}

TEST(Hdf5, RefusesForeignAndUnwritable) {
  const std::string dir = tmpdir();
  const std::string txt = dir + "/notes.h5";
  { std::ofstream(txt) << "not hdf5"; }
  EXPECT_THROW(check_output_path(txt), InputError);
  EXPECT_EQ(slurp(txt), "not hdf5");
  EXPECT_THROW(check_output_path(dir + "/missing/x.h5"), InputError);
  EXPECT_THROW(check_output_path(dir), InputError);
}
