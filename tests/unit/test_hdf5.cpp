// HDF5 results files: round trip, other runs kept, atomic replacement, foreign and newer files
// refused, root attributes of any type, symlinks, duplicate names, signals and killed writers,
// the writers' lock, disk full, long text, provenance hashes.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "errors.h"
#include "file_lock.h"
#include "h5_writer.h"
#include "provenance.h"
#include "sha256.h"
#include "test_util.h"

using namespace mltemp;
using mltemp::test::contains;
using mltemp::test::LockHolder;
using mltemp::test::slurp_file;
using mltemp::test::strays;
using mltemp::test::thrown_message;
namespace fs = std::filesystem;

namespace {

// A fresh, empty folder per test, so that "no stray file" checks see only that test's files.
std::string fresh_dir(const std::string& name) { return test::fresh_dir("h5", name); }

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
  r.num_attrs = {{"seconds", 0.5}};
  r.int_attrs = {{"seed", 7}};
  r.arrays.push_back({"data/A", {2, 2}, {1, 2, 3, 4}, "A"});
  return r;
}

struct ChildEnd {
  pid_t pid;
  int signal;  // 0 when it exited
  int code;
};
// Runs `body` in a child process (exit code 0 when it returns, 99 when it throws).
ChildEnd in_child(const std::function<void()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      _exit(99);
    }
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return {pid, WIFSIGNALED(st) ? WTERMSIG(st) : 0, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

// Files written the way other tools write them (h5py: fixed NULLPAD or variable-length text).
void with_new_file(const std::string& path, const std::function<void(hid_t root)>& fill) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
  fill(root);
  H5Gclose(root);
  ASSERT_GE(H5Fclose(f), 0);
}
void put_attr(hid_t obj, const char* name, hid_t type, const void* value, hid_t mem_type = -1) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(a, 0);
  ASSERT_GE(H5Awrite(a, mem_type < 0 ? type : mem_type, value), 0);
  H5Aclose(a);
  H5Sclose(space);
}
void put_text(hid_t obj, const char* name, const std::string& v, bool variable, H5T_str_t pad = H5T_STR_NULLPAD) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  if (variable) {
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    const char* p = v.c_str();
    put_attr(obj, name, t, &p);
  } else {
    H5Tset_size(t, v.size());  // no room for a terminator, as h5py writes numpy bytes
    H5Tset_strpad(t, pad);
    put_attr(obj, name, t, v.data());
  }
  H5Tclose(t);
}
// A number stored as `file_type`, given as a native T.
template <class T>
void put_number(hid_t obj, const char* name, hid_t file_type, T v) {
  const hid_t mem = std::is_floating_point_v<T> ? H5T_NATIVE_DOUBLE
                    : std::is_signed_v<T>       ? H5T_NATIVE_LLONG
                                                : H5T_NATIVE_ULLONG;
  using Wide = std::conditional_t<std::is_floating_point_v<T>, double,
                                  std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>>;
  const Wide w = v;
  put_attr(obj, name, file_type, &w, mem);
}

}  // namespace

TEST(Hdf5, RoundTripAndKeepOtherRuns) {
  const std::string dir = fresh_dir("roundtrip"), f = dir + "/a.h5";
  write_results(f, {sample_run("one", 1.0)});
  write_results(f, {sample_run("two", 10.0)});
  const auto names = read_run_names(f);
  ASSERT_EQ(names, (std::vector<std::string>{"one", "two"}));
  const Table t = read_table(f, "one", "sweep");
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.get(2, "scale"), 3.0);
  EXPECT_EQ(t.get(1, "particles"), 1000001.0);
  EXPECT_EQ(t.get_text(0, "label"), "row0");
  EXPECT_EQ(t.columns()[1].units, "count");
  EXPECT_EQ(t.columns()[0].units, "1") << "a dimensionless column says so";
  EXPECT_EQ(read_run_attr(f, "two", "config"), "name = \"two\"\n");
  EXPECT_EQ(read_run_int_attr(f, "two", "seed"), 7);
  EXPECT_EQ(read_format_version(f), kFormatVersion);
  // Replacing a run (asked for) keeps the others.
  WriteOptions replace;
  replace.replace = true;
  write_results(f, {sample_run("one", 5.0)}, {}, replace);
  EXPECT_EQ(read_table(f, "one", "sweep").get(0, "scale"), 5.0);
  EXPECT_EQ(read_table(f, "two", "sweep").get(0, "scale"), 10.0);
  EXPECT_TRUE(strays(dir).empty());
}

TEST(Hdf5, TakenRunNameIsRefusedNamingReplace) {
  const std::string dir = fresh_dir("taken"), f = dir + "/a.h5";
  write_results(f, {sample_run("one", 1.0)});
  const std::string before = slurp_file(f);
  std::string msg = thrown_message<InputError>([&] { write_results(f, {sample_run("one", 2.0)}); });
  EXPECT_TRUE(contains(msg, "already has a run named 'one'") && contains(msg, "--replace")) << msg;
  msg = thrown_message<InputError>([&] { check_output_path(f, {"one"}); });
  EXPECT_TRUE(contains(msg, "--replace")) << msg;
  EXPECT_NO_THROW(check_output_path(f, {"one"}, true));
  EXPECT_EQ(slurp_file(f), before);
  EXPECT_TRUE(strays(dir).empty());
}

TEST(Hdf5, FailedWriteLeavesFileUntouched) {
  const std::string dir = fresh_dir("failed"), f = dir + "/b.h5";
  write_results(f, {sample_run("keep", 1.0)});
  const std::string before = slurp_file(f);
  RunResult bad = sample_run("bad", 2.0);
  bad.arrays.push_back({"data/A", {2, 2}, {1, 2, 3, 4}, "duplicate path: fails mid-write"});
  const std::string msg = thrown_message<std::runtime_error>([&] { write_results(f, {sample_run("new", 3.0), bad}); });
  EXPECT_TRUE(contains(msg, "/runs/bad/data/A")) << "the error names the object: " << msg;
  EXPECT_EQ(slurp_file(f), before);
  EXPECT_EQ(read_run_names(f), std::vector<std::string>{"keep"});
  EXPECT_TRUE(strays(dir).empty());
}

TEST(Hdf5, RefusesForeignAndUnwritable) {
  const std::string dir = fresh_dir("foreign");
  const std::string txt = dir + "/notes.h5";
  { std::ofstream(txt) << "not hdf5"; }
  EXPECT_TRUE(contains(thrown_message<InputError>([&] { check_output_path(txt); }), "not an HDF5 file"));
  EXPECT_TRUE(
      contains(thrown_message<InputError>([&] { write_results(txt, {sample_run("x", 1)}); }), "not an HDF5 file"));
  EXPECT_EQ(slurp_file(txt), "not hdf5");
  EXPECT_TRUE(
      contains(thrown_message<InputError>([&] { check_output_path(dir + "/missing/x.h5"); }), "does not exist"));
  EXPECT_TRUE(contains(thrown_message<InputError>([&] { check_output_path(dir); }), "is a folder"));
  const std::string other = dir + "/other.h5";
  with_new_file(other, [](hid_t root) { put_text(root, "filetype", "someone-else", false); });
  EXPECT_TRUE(contains(thrown_message<InputError>([&] { check_output_path(other); }), "filetype 'someone-else'"));
  EXPECT_TRUE(strays(dir).empty());
}

// Root attributes rewritten by h5py or other tools: any string type, any number type.
TEST(Hdf5, RootAttributesOfAnyTypeAreRead) {
  const std::string dir = fresh_dir("rootattrs");
  const std::string nullpad = dir + "/nullpad.h5", vlen = dir + "/vlen.h5", spacepad = dir + "/spacepad.h5";
  with_new_file(nullpad, [](hid_t root) {
    put_text(root, "filetype", kFileType, false);  // exactly 14 bytes, no terminator
    put_number<int32_t>(root, "format_version", H5T_STD_I32BE, 1);
  });
  with_new_file(vlen, [](hid_t root) {
    put_text(root, "filetype", kFileType, true);
    put_number<double>(root, "format_version", H5T_IEEE_F32LE, 2.0);
  });
  with_new_file(spacepad, [](hid_t root) {
    put_text(root, "filetype", std::string(kFileType) + "   ", false, H5T_STR_SPACEPAD);
    put_number<uint8_t>(root, "format_version", H5T_STD_U8LE, 1);
  });
  for (const auto& f : {nullpad, vlen, spacepad}) {
    SCOPED_TRACE(f);
    EXPECT_NO_THROW(check_output_path(f));
    write_results(f, {sample_run("added", 1.0)});
    EXPECT_EQ(read_run_names(f), std::vector<std::string>{"added"});
    EXPECT_EQ(read_format_version(f), kFormatVersion) << "the file now holds a current-format run";
  }
  EXPECT_TRUE(strays(dir).empty());
}

TEST(Hdf5, NewerOrInvalidFormatVersionIsRefused) {
  const std::string dir = fresh_dir("newer");
  const std::string newer = dir + "/newer.h5", half = dir + "/half.h5", none = dir + "/none.h5";
  with_new_file(newer, [](hid_t root) {
    put_text(root, "filetype", kFileType, true);
    put_number<int64_t>(root, "format_version", H5T_STD_I64LE, 99);
  });
  with_new_file(half, [](hid_t root) {
    put_text(root, "filetype", kFileType, false);
    put_number<double>(root, "format_version", H5T_IEEE_F64LE, 1.5);
  });
  with_new_file(none, [](hid_t root) { put_text(root, "filetype", kFileType, false); });
  const std::string before = slurp_file(newer);
  std::string msg = thrown_message<InputError>([&] { write_results(newer, {sample_run("x", 1.0)}); });
  EXPECT_TRUE(contains(msg, "format_version 99 is newer than this mltemp reads (up to 2)")) << msg;
  EXPECT_EQ(slurp_file(newer), before);
  msg = thrown_message<InputError>([&] { check_output_path(half); });
  EXPECT_TRUE(contains(msg, "is not a valid version")) << msg;
  msg = thrown_message<InputError>([&] { check_output_path(none); });
  EXPECT_TRUE(contains(msg, "without a numeric format_version")) << msg;
  EXPECT_TRUE(strays(dir).empty());
}

// A version-1 file (fixed 96-byte text cells, float seed) stays readable, and takes new runs.
TEST(Hdf5, VersionOneFilesAreReadAndExtended) {
  const std::string dir = fresh_dir("v1"), f = dir + "/v1.h5";
  with_new_file(f, [](hid_t root) {
    put_text(root, "filetype", kFileType, false, H5T_STR_NULLTERM);
    put_number<int64_t>(root, "format_version", H5T_STD_I64LE, 1);
    const hid_t runs = H5Gcreate2(root, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t run = H5Gcreate2(runs, "old", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_number<double>(run, "seed", H5T_IEEE_F64LE, 3.0);
    const hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_size(text, 96);
    const hid_t rec = H5Tcreate(H5T_COMPOUND, 8 + 96 + 4);
    H5Tinsert(rec, "scale", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(rec, "label", 8, text);
    H5Tinsert(rec, "layer", 104, H5T_NATIVE_INT32);
    std::vector<char> buf(2 * 108, 0);
    const double s[2] = {1.5, 2.5};
    const int32_t l[2] = {1, 2};
    for (int r = 0; r < 2; ++r) {
      std::memcpy(&buf[r * 108], &s[r], 8);
      std::strcpy(&buf[r * 108 + 8], r ? "second" : "first");
      std::memcpy(&buf[r * 108 + 104], &l[r], 4);
    }
    hsize_t n = 2;
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t ds = H5Dcreate2(run, "sweep", rec, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, rec, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    for (hid_t h : {ds}) H5Dclose(h);
    H5Sclose(space);
    H5Tclose(rec);
    H5Tclose(text);
    H5Gclose(run);
    H5Gclose(runs);
  });
  write_results(f, {sample_run("new", 1.0)});
  EXPECT_EQ(read_format_version(f), 2);
  const Table t = read_table(f, "old", "sweep");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.get_text(1, "label"), "second");
  EXPECT_EQ(t.get(0, "scale"), 1.5);
  EXPECT_EQ(t.get(1, "layer"), 2.0);
  EXPECT_EQ(read_table(f, "new", "sweep").get_text(2, "label"), "row2");
  EXPECT_TRUE(
      contains(thrown_message<InputError>([&] { read_run_int_attr(f, "old", "seed"); }), "not stored as an integer"));
}

TEST(Hdf5, LongTextAndNamesAreNeverCut) {
  const std::string dir = fresh_dir("long"), f = dir + "/long.h5";
  const std::string name(1000, 'n');
  std::string cell;
  for (int i = 0; i < 500; ++i) cell += "caf\xc3\xa9 " + std::to_string(i) + " ";
  RunResult r = sample_run(name, 1.0);
  r.tables[0].set_text(1, "label", cell);
  write_results(f, {r});
  ASSERT_EQ(read_run_names(f), std::vector<std::string>{name});
  const Table t = read_table(f, name, "sweep");
  EXPECT_EQ(t.get_text(1, "label"), cell);
  EXPECT_EQ(t.get_text(2, "label"), "row2");
}

// The link stays a link and its target gets the run (also a dangling link, whose target is
// created).
TEST(Hdf5, SymlinkOutputWritesThroughToTheTarget) {
  const std::string dir = fresh_dir("symlink");
  fs::create_directories(dir + "/store");
  const std::string target = dir + "/store/real.h5", link = dir + "/link.h5";
  fs::create_symlink("store/real.h5", link);
  write_results(link, {sample_run("first", 1.0)});  // dangling: creates store/real.h5
  write_results(link, {sample_run("second", 2.0)});
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_EQ(fs::read_symlink(link), fs::path("store/real.h5"));
  EXPECT_EQ(read_run_names(target), (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(strays(dir).empty());
  EXPECT_TRUE(strays(dir + "/store").empty());
}

// SIGINT or SIGTERM during the write: the temporary copy goes, the file stays as it was, and the
// signal still ends the process.
TEST(Hdf5, SignalDuringTheWriteRemovesTheTemporary) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    const std::string dir = fresh_dir("signal" + std::to_string(sig)), f = dir + "/s.h5";
    write_results(f, {sample_run("keep", 1.0)});
    const std::string before = slurp_file(f);
    const ChildEnd end = in_child([&] {
      WriteOptions o;
      o.before_rename = [sig] { raise(sig); };
      write_results(f, {sample_run("lost", 2.0)}, {}, o);
    });
    EXPECT_EQ(end.signal, sig);
    EXPECT_EQ(slurp_file(f), before);
    EXPECT_TRUE(strays(dir).empty()) << strays(dir)[0];
  }
}

// SIGKILL cannot be caught: its temporary stays until the next writer removes it.
TEST(Hdf5, NextWriterRemovesTheTemporaryOfAKilledOne) {
  const std::string dir = fresh_dir("sigkill"), f = dir + "/k.h5";
  write_results(f, {sample_run("keep", 1.0)});
  const ChildEnd end = in_child([&] {
    WriteOptions o;
    o.before_rename = [] { raise(SIGKILL); };
    write_results(f, {sample_run("lost", 2.0)}, {}, o);
  });
  ASSERT_EQ(end.signal, SIGKILL);
  const std::string stale = temp_path_for(f, end.pid);
  EXPECT_TRUE(fs::exists(stale));
  write_results(f, {sample_run("next", 3.0)});
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(read_run_names(f), (std::vector<std::string>{"keep", "next"}));
  EXPECT_TRUE(strays(dir).empty());
}

// A writer waits for the lock at most MLTEMP_LOCK_TIMEOUT seconds, then gives up naming the
// holder; the file is untouched and the next writer finds a clean folder.
TEST(Hdf5, LockWaitIsBounded) {
  const std::string dir = fresh_dir("lock"), f = dir + "/l.h5";
  write_results(f, {sample_run("keep", 1.0)});
  const std::string before = slurp_file(f);
  auto holder = std::make_unique<LockHolder>(f + ".lock");
  setenv("MLTEMP_LOCK_TIMEOUT", "0.3", 1);
  const std::string msg = thrown_message<IoError>([&] { write_results(f, {sample_run("late", 2.0)}); });
  EXPECT_TRUE(contains(
      msg, "gave up after 0.3 s waiting for the lock " + f + ".lock (held by pid " + std::to_string(holder->pid())))
      << msg;
  setenv("MLTEMP_LOCK_TIMEOUT", "soon", 1);
  EXPECT_TRUE(contains(thrown_message<InputError>([] { lock_timeout_seconds(); }), "MLTEMP_LOCK_TIMEOUT='soon'"));
  unsetenv("MLTEMP_LOCK_TIMEOUT");
  holder.reset();
  EXPECT_EQ(slurp_file(f), before);
  write_results(f, {sample_run("after", 2.0)});  // the dead holder's lock file is reused, then removed
  EXPECT_EQ(read_run_names(f), (std::vector<std::string>{"after", "keep"}));
  EXPECT_TRUE(strays(dir).empty());
}

// A file-size limit (as a full disk) is an I/O error naming the system's reason, never an
// internal error; nothing is left behind.
TEST(Hdf5, FileSizeLimitIsAnIoError) {
  const std::string dir = fresh_dir("fsize");
  const std::string existing = dir + "/big.h5", fresh = dir + "/new.h5";
  RunResult big = sample_run("big", 1.0);
  big.arrays.push_back({"data/X", {4096}, std::vector<double>(4096, 1.0), "32 KiB"});
  write_results(existing, {big});
  const std::string before = slurp_file(existing);
  for (const auto& f : {existing, fresh}) {
    SCOPED_TRACE(f);
    const ChildEnd end = in_child([&] {
      rlimit lim{16384, 16384};
      setrlimit(RLIMIT_FSIZE, &lim);
      RunResult r = sample_run("more", 2.0);
      r.arrays.push_back({"data/X", {4096}, std::vector<double>(4096, 2.0), "32 KiB"});
      try {
        write_results(f, {r});
      } catch (const IoError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        _exit(contains(e.what(), "File too large") && contains(e.what(), f + ": results not written") ? 0 : 2);
      }
      _exit(3);
    });
    EXPECT_EQ(end.signal, 0) << "SIGXFSZ must not kill the writer";
    EXPECT_EQ(end.code, 0);
  }
  EXPECT_EQ(slurp_file(existing), before);
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_TRUE(strays(dir).empty());
}

TEST(Hdf5, RescueWritesAFileOfItsOwn) {
  const std::string dir = fresh_dir("rescue"), f = dir + "/main.h5";
  const std::string saved = rescue_results(f, {sample_run("r", 1.0)}, {});
  EXPECT_EQ(saved, dir + "/main.rescue-" + std::to_string(getpid()) + ".h5");
  EXPECT_EQ(read_run_names(saved), std::vector<std::string>{"r"});
  EXPECT_FALSE(fs::exists(f));
}

TEST(Hdf5, Sha256MatchesKnownDigests) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Eigen::MatrixXd X(2, 2);
  X << 1, 2, 3, 4;
  Eigen::VectorXd y(2);
  y << 1.5, -2;
  // hashlib.sha256(numpy.array([[1, 2], [3, 4]], "<f8").tobytes()), and of [1.5, -2]
  EXPECT_EQ(values_sha256(X), "6bab56d2f81d4b5a2dbf102bf6a6ff7d5211a475fc5f97813f977e8ba714b07d");
  EXPECT_EQ(values_sha256(y), "bd179027e5d89aea8ed4f7d630cbcad3cc35d3fb375cc9ef7aae3675a7b167cc");
  const std::string dir = fresh_dir("sha");
  { std::ofstream(dir + "/abc.csv", std::ios::binary) << "abc"; }
  EXPECT_EQ(sha256_file(dir + "/abc.csv"), sha256_hex("abc"));
  EXPECT_TRUE(
      contains(thrown_message<InputError>([&] { sha256_file(dir + "/absent.csv"); }), "absent.csv: cannot open"));
}

TEST(Hdf5, ProvenanceStoresDataUnderTheCap) {
  Eigen::MatrixXd X(2, 2);
  X << 1, 2, 3, 4;
  Eigen::VectorXd y(2);
  y << 1.5, -2;
  RunResult small;
  add_data_provenance(small, DataSpec{}, X, y);
  ASSERT_EQ(small.arrays.size(), 2u);
  EXPECT_EQ(small.arrays[0].values, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(small.int_attrs.back(), (std::pair<std::string, int64_t>{"data_stored", 1}));
  // Over the cap: hashes and counts only.
  const auto n = static_cast<Eigen::Index>(kStoredDataCap / 8 / 2 + 1);
  RunResult big;
  add_data_provenance(big, DataSpec{}, Eigen::MatrixXd::Zero(n, 1), Eigen::VectorXd::Zero(n));
  EXPECT_TRUE(big.arrays.empty());
  EXPECT_EQ(big.int_attrs.back(), (std::pair<std::string, int64_t>{"data_stored", 0}));
  EXPECT_EQ(big.text_attrs.size(), 2u);  // X and y hashes; no data file
}
