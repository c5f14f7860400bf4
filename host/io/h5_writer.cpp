#include "h5_writer.h"

#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>

#include "errors.h"
#include "file_lock.h"

namespace fs = std::filesystem;

namespace mltemp {
namespace {

// ---- errors: every HDF5 call is checked, and a failure names the object and HDF5's reason ----

// A failed HDF5 call that is not the environment's fault: a bug (exit code 3).
struct H5Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Failure {
  std::string reason;   // the system's words (errno text) when a system call failed, else HDF5's
  bool system = false;  // a system call failed (disk full, file-size limit, EIO, permissions): IoError
  bool from_errno = false;
};

herr_t summarize(unsigned, const H5E_error2_t* e, void* data) {
  auto* f = static_cast<Failure*>(data);
  const std::string desc = e->desc ? e->desc : "";
  const size_t m = desc.find("error message = '");
  if (e->maj_num == H5E_IO || m != std::string::npos) f->system = true;
  if (m != std::string::npos && !f->from_errno) {  // walking upward: the innermost report first
    const size_t b = m + std::strlen("error message = '");
    f->reason = desc.substr(b, desc.find('\'', b) - b);
    f->from_errno = true;
  } else if (f->reason.empty()) {
    f->reason = desc;
  }
  return 0;
}

Failure current_failure() {
  Failure f;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, summarize, &f);
  return f;
}

[[noreturn]] void raise_failure(const std::string& what, const Failure& f) {
  const std::string msg = what + (f.reason.empty() ? "" : ": " + f.reason);
  if (f.system) throw IoError(msg);
  throw H5Error("HDF5: " + msg);
}

[[noreturn]] void fail(const std::string& what) { raise_failure(what, current_failure()); }

void check_ok(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

bool check_tri(htri_t v, const std::string& what) {
  if (v < 0) fail(what);
  return v > 0;
}

// A handle closed on the success path that failed to close (a deferred flush error, say):
// recorded by ~Id and raised before the temporary copy may replace the file.
thread_local std::optional<std::pair<std::string, Failure>> t_close_failure;

void raise_close_failure() {
  if (!t_close_failure) return;
  const auto f = *t_close_failure;
  t_close_failure.reset();
  raise_failure(f.first, f.second);
}

// RAII for an HDF5 id. The destructor closes; a failure there is recorded unless an exception
// is already on its way (then the id's object is being abandoned anyway).
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id(hid_t id, Closer close, std::string what) : id_(id), close_(close), what_(std::move(what)) {
    if (id_ < 0) fail(what_);
  }
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_), what_(std::move(o.what_)) { o.id_ = -1; }
  Id& operator=(Id&& o) noexcept {
    if (this != &o) {
      release();
      id_ = o.id_;
      close_ = o.close_;
      what_ = std::move(o.what_);
      o.id_ = -1;
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { release(); }
  // Closes now and raises a failure at once (the file: this is where HDF5 flushes).
  void close() {
    const hid_t id = id_;
    id_ = -1;
    if (close_(id) < 0) fail("close " + what_);
  }
  operator hid_t() const { return id_; }

 private:
  void release() noexcept {
    const hid_t id = id_;
    id_ = -1;
    if (id < 0 || close_(id) >= 0 || std::uncaught_exceptions() > 0 || t_close_failure) return;
    t_close_failure = std::make_pair("close " + what_, current_failure());
  }
  hid_t id_;
  Closer close_;
  std::string what_;
};

void quiet_hdf5() {
  if (H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) < 0) throw H5Error("HDF5: cannot silence the error printer");
}

std::string name_of(hid_t obj) {
  const ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) return "?";
  std::string s(static_cast<size_t>(n) + 1, '\0');
  if (H5Iget_name(obj, s.data(), s.size()) < 0) return "?";
  s.resize(static_cast<size_t>(n));
  return s;
}

std::string child(hid_t parent, const std::string& name) {
  const std::string p = name_of(parent);
  return (p == "/" ? "" : p) + "/" + name;
}

// ---- types and attributes ----

// UTF-8 text, fixed size (NUL-terminated) or H5T_VARIABLE.
Id text_type(size_t size) {
  Id t(H5Tcopy(H5T_C_S1), H5Tclose, "text type");
  check_ok(H5Tset_size(t, size), "text type size");
  check_ok(H5Tset_cset(t, H5T_CSET_UTF8), "text type charset");
  if (size != H5T_VARIABLE) check_ok(H5Tset_strpad(t, H5T_STR_NULLTERM), "text type padding");
  return t;
}

void write_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type, const void* value) {
  const std::string what = "attribute '" + name + "' of " + name_of(obj);
  if (check_tri(H5Aexists(obj, name.c_str()), what)) check_ok(H5Adelete(obj, name.c_str()), "delete " + what);
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Id attr(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  check_ok(H5Awrite(attr, mem_type, value), "write " + what);
}

void write_text_attr(hid_t obj, const std::string& name, const std::string& value) {
  Id type = text_type(value.size() + 1);
  write_attr(obj, name, type, type, value.c_str());
}
void write_real_attr(hid_t obj, const std::string& name, double v) {
  write_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}
void write_int_attr(hid_t obj, const std::string& name, int64_t v) {
  write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

// Frees what HDF5 allocated for variable-length data read into `buf`.
class VlenBuffer {
 public:
  VlenBuffer(hid_t type, hid_t space, void* buf) : type_(type), space_(space), buf_(buf) {}
  ~VlenBuffer() {  // frees only; nothing to report
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type_, space_, H5P_DEFAULT, buf_);
#else
    H5Dvlen_reclaim(type_, space_, H5P_DEFAULT, buf_);
#endif
  }

 private:
  hid_t type_, space_;
  void* buf_;
};

// An attribute that must hold one value: opened, with its type; nullopt when absent.
struct Attr {
  Id attr, type;
  H5T_class_t cls;
};
std::optional<Attr> open_attr(hid_t obj, const std::string& name) {
  const std::string what = "attribute '" + name + "' of " + name_of(obj);
  if (!check_tri(H5Aexists(obj, name.c_str()), what)) return std::nullopt;
  Id attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "open " + what);
  Id space(H5Aget_space(attr), H5Sclose, "space of " + what);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) fail("size of " + what);
  if (n != 1) throw InputError(what + ": holds " + std::to_string(n) + " values, expected one");
  Id type(H5Aget_type(attr), H5Tclose, "type of " + what);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls == H5T_NO_CLASS) fail("class of " + what);
  return Attr{std::move(attr), std::move(type), cls};
}

// Text of any string type (fixed length with any padding, or variable length); nullopt when
// absent or not text.
std::optional<std::string> read_text_attr(hid_t obj, const std::string& name) {
  auto a = open_attr(obj, name);
  if (!a || a->cls != H5T_STRING) return std::nullopt;
  const std::string what = "read attribute '" + name + "' of " + name_of(obj);
  const htri_t var = H5Tis_variable_str(a->type);
  const H5T_cset_t cset = H5Tget_cset(a->type);
  if (var < 0 || cset < 0) fail(what);
  if (var) {
    Id mem = text_type(H5T_VARIABLE);
    check_ok(H5Tset_cset(mem, cset), what);
    Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
    char* p = nullptr;
    VlenBuffer free_later(mem, space, &p);
    check_ok(H5Aread(a->attr, mem, &p), what);
    return std::string(p ? p : "");
  }
  const size_t size = H5Tget_size(a->type);
  if (size == 0) fail(what);
  Id mem = text_type(size + 1);  // room for every character and a terminator, whatever the padding
  check_ok(H5Tset_cset(mem, cset), what);
  std::string buf(size + 1, '\0');
  check_ok(H5Aread(a->attr, mem, buf.data()), what);
  buf.resize(std::strlen(buf.c_str()));
  return buf;
}

// A number of any integer or float type; nullopt when absent or not a number.
std::optional<double> read_number_attr(hid_t obj, const std::string& name) {
  auto a = open_attr(obj, name);
  if (!a || (a->cls != H5T_INTEGER && a->cls != H5T_FLOAT)) return std::nullopt;
  double v = 0;
  check_ok(H5Aread(a->attr, H5T_NATIVE_DOUBLE, &v), "read attribute '" + name + "' of " + name_of(obj));
  return v;
}

// ---- files ----

Id read_access() {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
  // HDF5's own lock (flock while a file is open) cannot guard a copy-and-rename and fails on
  // file systems without locks; FILE.h5.lock serializes the writers instead (README).
  check_ok(H5Pset_file_locking(fapl, false, true), "file locking setting");
  return fapl;
}

// Opens an existing mltemp results file; InputError when it is not one, or is newer than this
// build reads. `version` receives its format_version. `reading`: the file is only read (the
// messages then say nothing about refusing to overwrite it).
Id open_results(const std::string& path, int* version = nullptr, bool reading = false) {
  const std::string refuse = reading ? "" : "; refusing to overwrite it";
  const std::string refuse_modify = reading ? "" : "; refusing to modify it";
  const htri_t is = H5Fis_hdf5(path.c_str());
  if (is < 0) throw InputError(path + ": cannot be read as an HDF5 file" + refuse);
  if (is == 0) throw InputError(path + ": exists but is not an HDF5 file" + refuse);
  Id fapl = read_access();
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  if (f < 0) throw InputError(path + ": cannot open the HDF5 file (" + current_failure().reason + ")");
  Id file(f, H5Fclose, path);
  Id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose, path + ": root group");
  const auto type = read_text_attr(root, "filetype");
  if (type != std::string(kFileType))
    throw InputError(path + ": HDF5 file is not an mltemp results file (filetype " +
                     (type ? "'" + *type + "'" : "missing or not text") + ")" + refuse_modify);
  const auto v = read_number_attr(root, "format_version");
  if (!v) throw InputError(path + ": mltemp results file without a numeric format_version" + refuse_modify);
  if (!(*v >= 1) || *v != std::floor(*v) || *v > 1e9)
    throw InputError(path + ": format_version " + std::to_string(*v) + " is not a valid version");
  if (*v > kFormatVersion)
    throw InputError(path + ": format_version " + std::to_string(static_cast<long long>(*v)) +
                     " is newer than this mltemp reads (up to " + std::to_string(kFormatVersion) +
                     "); use a newer mltemp, or write to another file");
  if (version) *version = static_cast<int>(*v);
  return file;
}

std::vector<std::string> run_names(hid_t file) {
  std::vector<std::string> names;
  if (!check_tri(H5Lexists(file, "runs", H5P_DEFAULT), "look up /runs")) return names;
  Id g(H5Gopen2(file, "runs", H5P_DEFAULT), H5Gclose, "open /runs");
  H5G_info_t info;
  check_ok(H5Gget_info(g, &info), "list /runs");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) fail("name of run " + std::to_string(i));
    std::string s(static_cast<size_t>(n) + 1, '\0');
    if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(), H5P_DEFAULT) < 0)
      fail("name of run " + std::to_string(i));
    s.resize(static_cast<size_t>(n));
    names.push_back(std::move(s));
  }
  return names;
}

std::string shown(const std::string& path, const std::string& target) {
  return target == path ? path : path + " (-> " + target + ")";
}

// InputError when `file` already holds a run named in `wanted`.
void refuse_taken(hid_t file, const std::vector<std::string>& wanted, const std::string& where) {
  const auto have = run_names(file);
  for (const auto& n : wanted)
    if (std::find(have.begin(), have.end(), n) != have.end())
      throw InputError(where + ": already has a run named '" + n +
                       "'; pass --replace to replace it, or choose another name (--name)");
}

void check_run_names(const std::vector<RunResult>& runs) {
  std::set<std::string> seen;
  for (const auto& r : runs) {
    if (r.name.empty() || r.name.find('/') != std::string::npos || r.name[0] == '.')
      throw InputError("name: run name '" + r.name + "' must be non-empty, without '/' and not start with '.'");
    if (!seen.insert(r.name).second) throw InputError("name: run name '" + r.name + "' given twice");
  }
}

// ---- writing ----

// Opens (creating as needed) the groups along "a/b" under `parent`.
Id ensure_group(hid_t parent, const std::string& path) {
  Id cur(H5Gopen2(parent, ".", H5P_DEFAULT), H5Gclose, "open " + name_of(parent));
  size_t start = 0;
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    const std::string what = child(cur, part);
    const bool exists = check_tri(H5Lexists(cur, part.c_str(), H5P_DEFAULT), "look up " + what);
    Id next(exists ? H5Gopen2(cur, part.c_str(), H5P_DEFAULT)
                   : H5Gcreate2(cur, part.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Gclose, (exists ? "open group " : "create group ") + what);
    cur = std::move(next);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return cur;
}

void write_table(hid_t parent, const Table& t) {
  const std::string what = child(parent, t.name());
  // Compound record, one field per column: float64, int64, or variable-length UTF-8 text (so
  // no cell is ever cut).
  Id text = text_type(H5T_VARIABLE);
  std::vector<size_t> offsets;
  size_t rec = 0;
  for (const auto& c : t.columns()) {
    offsets.push_back(rec);
    rec += c.kind == Column::Kind::kText ? sizeof(const char*) : 8;
  }
  Id type(H5Tcreate(H5T_COMPOUND, std::max<size_t>(rec, 1)), H5Tclose, "record type of " + what);
  for (size_t i = 0; i < t.columns().size(); ++i) {
    const auto& c = t.columns()[i];
    const hid_t ft = c.kind == Column::Kind::kText  ? hid_t(text)
                     : c.kind == Column::Kind::kInt ? H5T_NATIVE_INT64
                                                    : H5T_NATIVE_DOUBLE;
    check_ok(H5Tinsert(type, c.name.c_str(), offsets[i], ft), "column '" + c.name + "' of " + what);
  }
  std::vector<unsigned char> buf(std::max<size_t>(rec, 1) * std::max<size_t>(1, t.rows()), 0);
  for (size_t r = 0; r < t.rows(); ++r)
    for (size_t i = 0; i < t.columns().size(); ++i) {
      const auto& c = t.columns()[i];
      unsigned char* p = buf.data() + r * rec + offsets[i];
      if (c.kind == Column::Kind::kText) {
        const char* s = c.text[r].c_str();
        std::memcpy(p, &s, sizeof s);
      } else if (c.kind == Column::Kind::kInt) {
        const auto v = static_cast<int64_t>(c.num[r]);
        std::memcpy(p, &v, 8);
      } else {
        std::memcpy(p, &c.num[r], 8);
      }
    }
  hsize_t dims[1] = {t.rows()};
  Id space(H5Screate_simple(1, dims, nullptr), H5Sclose, "space of " + what);
  Id ds(H5Dcreate2(parent, t.name().c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
        "create " + what);
  if (t.rows()) check_ok(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "write " + what);
  for (const auto& c : t.columns()) {
    write_text_attr(ds, c.name + "_units", c.units);
    write_text_attr(ds, c.name + "_meaning", c.meaning);
  }
}

void write_array(hid_t run, const ArrayData& a) {
  const size_t slash = a.path.rfind('/');
  Id parent = ensure_group(run, slash == std::string::npos ? "" : a.path.substr(0, slash));
  const std::string leaf = slash == std::string::npos ? a.path : a.path.substr(slash + 1);
  const std::string what = child(parent, leaf);
  size_t count = 1;
  for (auto d : a.dims) count *= d;
  if (count != a.values.size())
    throw std::logic_error(what + ": " + std::to_string(a.values.size()) + " values for " + std::to_string(count) +
                           " cells");
  std::vector<hsize_t> dims(a.dims.begin(), a.dims.end());
  Id space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
           H5Sclose, "space of " + what);
  Id ds(H5Dcreate2(parent, leaf.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
        "create " + what);
  if (count) check_ok(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()), "write " + what);
  if (!a.meaning.empty()) write_text_attr(ds, "meaning", a.meaning);
}

void write_run(hid_t runs_group, const RunResult& run, bool replace) {
  const std::string what = child(runs_group, run.name);
  if (check_tri(H5Lexists(runs_group, run.name.c_str(), H5P_DEFAULT), "look up " + what)) {
    if (!replace) throw std::logic_error(what + ": exists (checked before)");
    check_ok(H5Ldelete(runs_group, run.name.c_str(), H5P_DEFAULT), "replace " + what);
  }
  Id g(H5Gcreate2(runs_group, run.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "create " + what);
  for (const auto& [k, v] : run.text_attrs) write_text_attr(g, k, v);
  for (const auto& [k, v] : run.num_attrs) write_real_attr(g, k, v);
  for (const auto& [k, v] : run.int_attrs) write_int_attr(g, k, v);
  for (const auto& t : run.tables) write_table(g, t);
  for (const auto& a : run.arrays) write_array(g, a);
}

// The new file, built in memory by HDF5's core driver from the old file's bytes (or from
// nothing) and returned as bytes. HDF5 never touches the disk when writing: every disk error
// then comes from write_file_bytes, with the system's reason, and no failed HDF5 close can leave
// a half-closed file behind.
// `old` is emptied once HDF5 holds its copy (peak memory two to three times the file's size).
std::string build_image(const std::string& name, std::string* old, int version, const std::vector<RunResult>& runs,
                        const std::vector<Table>& top_tables, bool replace) {
  Id file = [&] {
    Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
    check_ok(H5Pset_fapl_core(fapl, 1 << 20, false), "in-memory file driver");
    check_ok(H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI), "close degree");  // an object left open is a bug
    if (old) check_ok(H5Pset_file_image(fapl, old->data(), old->size()), "file image of " + name);
    return Id(
        old ? H5Fopen(name.c_str(), H5F_ACC_RDWR, fapl) : H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
        H5Fclose, "in-memory copy of " + name);
  }();
  if (old) std::string().swap(*old);
  {
    Id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose, "open / of " + name);
    if (!old) write_text_attr(root, "filetype", kFileType);
    if (!old || version < kFormatVersion) write_int_attr(root, "format_version", kFormatVersion);
    Id runs_group = ensure_group(file, "runs");
    for (const auto& run : runs) write_run(runs_group, run, replace);
    for (const auto& t : top_tables) {
      if (check_tri(H5Lexists(file, t.name().c_str(), H5P_DEFAULT), "look up /" + t.name()))
        check_ok(H5Ldelete(file, t.name().c_str(), H5P_DEFAULT), "replace /" + t.name());
      write_table(file, t);
    }
  }
  check_ok(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush the in-memory copy of " + name);
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size <= 0) fail("size of the in-memory copy of " + name);
  std::string image(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file, image.data(), image.size()) != size) fail("image of the in-memory copy of " + name);
  file.close();
  raise_close_failure();
  return image;
}

}  // namespace

void check_output_path(const std::string& path, const std::vector<std::string>& run_names_wanted, bool replace) {
  quiet_hdf5();
  if (path.empty()) throw InputError("--out: empty output path");
  const std::string target = resolve_symlinks(path);
  const fs::path p(target);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string where = shown(path, target);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(where + ": output folder '" + dir.string() + "' does not exist");
  if (access(dir.c_str(), W_OK) != 0)
    throw InputError(where + ": output folder '" + dir.string() + "' is not writable");
  if (!fs::exists(p, ec)) return;
  if (fs::is_directory(p, ec)) throw InputError(where + ": is a folder, not a file");
  if (access(target.c_str(), R_OK | W_OK) != 0) throw InputError(where + ": file is not readable and writable");
  Id file = open_results(target);
  if (!replace) refuse_taken(file, run_names_wanted, where);
}

void write_results(const std::string& path, const std::vector<RunResult>& runs, const std::vector<Table>& top_tables,
                   const WriteOptions& opts) {
  quiet_hdf5();
  check_run_names(runs);
  std::vector<std::string> names;
  for (const auto& r : runs) names.push_back(r.name);
  const std::string target = resolve_symlinks(path);
  const std::string where = shown(path, target);
  check_output_path(path, names, opts.replace);

  FileLock lock(target + ".lock", where, lock_timeout_seconds());
  remove_stale_temps(target);
  const std::string tmp = temp_path_for(target, getpid());
  TempFileCleanup cleanup(tmp, lock.held() ? target + ".lock" : "");
  t_close_failure.reset();
  try {
    // Under the lock, the file is what the last writer left: check it again.
    std::error_code ec;
    const bool exists = fs::exists(target, ec);
    int version = kFormatVersion;
    std::string old;
    unsigned mode = 0666;
    if (exists) {
      Id file = open_results(target, &version);
      if (!opts.replace) refuse_taken(file, names, where);
      file.close();
      old = read_file_bytes(target);
      struct stat st;
      if (stat(target.c_str(), &st) != 0) throw IoError("cannot stat " + target + " (" + std::strerror(errno) + ")");
      mode = st.st_mode & 07777;
    } else {
      const mode_t mask = umask(0);
      umask(mask);
      mode &= ~static_cast<unsigned>(mask);
    }
    const std::string image = build_image(tmp, exists ? &old : nullptr, version, runs, top_tables, opts.replace);
    write_file_bytes(tmp, image, mode);
    if (opts.before_rename) opts.before_rename();
    if (std::rename(tmp.c_str(), target.c_str()) != 0)
      throw IoError("rename " + tmp + " to " + target + " (" + std::strerror(errno) + ")");
  } catch (const IoError& e) {
    unlink(tmp.c_str());
    throw IoError(where + ": results not written: " + e.what());
  } catch (...) {
    unlink(tmp.c_str());
    throw;
  }
  sync_folder(fs::path(target).has_parent_path() ? fs::path(target).parent_path().string() : ".");
}

std::string rescue_results(const std::string& path, const std::vector<RunResult>& runs,
                           const std::vector<Table>& top_tables) {
  const fs::path p(path);
  const std::string stem = p.stem().string().empty() ? "results" : p.stem().string();
  std::vector<fs::path> dirs = {p.has_parent_path() ? p.parent_path() : fs::path(".")};
  std::error_code ec;
  const fs::path tmpdir = fs::temp_directory_path(ec);
  if (!ec) dirs.push_back(tmpdir);
  for (const auto& d : dirs) {
    fs::path out;
    for (int k = 0; k < 100; ++k) {
      out = d / (stem + ".rescue-" + std::to_string(getpid()) + (k ? "-" + std::to_string(k) : "") + ".h5");
      if (!fs::exists(out, ec)) break;
    }
    try {
      write_results(out.string(), runs, top_tables);
      return out.string();
    } catch (const std::exception&) {
      // try the next folder
    }
  }
  return "";
}

namespace {

// ---- reading ----

// A table from its dataset (`what` names it in messages).
Table table_of(hid_t ds, const std::string& name, const std::string& what) {
  Id type(H5Dget_type(ds), H5Tclose, "type of " + what);
  if (H5Tget_class(type) != H5T_COMPOUND) throw InputError(what + ": not a table (compound dataset)");
  Id space(H5Dget_space(ds), H5Sclose, "space of " + what);
  if (H5Sget_simple_extent_ndims(space) != 1) throw InputError(what + ": a table has one dimension");
  hsize_t n = 0;
  if (H5Sget_simple_extent_dims(space, &n, nullptr) < 0) fail("size of " + what);
  const int nf = H5Tget_nmembers(type);
  if (nf < 0) fail("columns of " + what);
  Table t(name);
  for (hsize_t r = 0; r < n; ++r) t.new_row();
  // Column by column: each read converts its field to a native type, whatever type wrote it.
  for (int i = 0; i < nf; ++i) {
    char* cname = H5Tget_member_name(type, static_cast<unsigned>(i));
    if (!cname) fail("column " + std::to_string(i) + " of " + what);
    const std::string cn(cname);
    H5free_memory(cname);
    const std::string cwhat = "column '" + cn + "' of " + what;
    Id mt(H5Tget_member_type(type, static_cast<unsigned>(i)), H5Tclose, "type of " + cwhat);
    const H5T_class_t cls = H5Tget_class(mt);
    if (cls != H5T_STRING && cls != H5T_INTEGER && cls != H5T_FLOAT)
      throw InputError(cwhat + ": neither text nor a number");
    const Column::Kind kind = cls == H5T_STRING    ? Column::Kind::kText
                              : cls == H5T_INTEGER ? Column::Kind::kInt
                                                   : Column::Kind::kReal;
    t.add_column(cn, read_text_attr(ds, cn + "_units").value_or(""), read_text_attr(ds, cn + "_meaning").value_or(""),
                 kind);
    if (!n) continue;
    const htri_t var = cls == H5T_STRING ? H5Tis_variable_str(mt) : 0;
    if (var < 0 || (cls == H5T_STRING && !var && H5Tget_size(mt) == 0)) fail("type of " + cwhat);
    Id field = kind == Column::Kind::kText
                   ? text_type(var ? H5T_VARIABLE : H5Tget_size(mt) + 1)
                   : Id(H5Tcopy(kind == Column::Kind::kInt ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE), H5Tclose,
                        "memory type of " + cwhat);
    if (kind == Column::Kind::kText) {  // HDF5 converts no text between ASCII and UTF-8: read as stored
      const H5T_cset_t cset = H5Tget_cset(mt);
      if (cset < 0) fail("charset of " + cwhat);
      check_ok(H5Tset_cset(field, cset), "memory type of " + cwhat);
    }
    const size_t fsize = H5Tget_size(field);
    if (fsize == 0) fail("memory type size of " + cwhat);
    Id mem(H5Tcreate(H5T_COMPOUND, fsize), H5Tclose, "memory record of " + cwhat);
    check_ok(H5Tinsert(mem, cn.c_str(), 0, field), "memory record of " + cwhat);
    std::vector<unsigned char> buf(fsize * n, 0);
    if (var) {
      VlenBuffer free_later(mem, space, buf.data());
      check_ok(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "read " + cwhat);
      for (hsize_t r = 0; r < n; ++r) {
        const char* s;
        std::memcpy(&s, buf.data() + r * fsize, sizeof s);
        t.set_text(r, cn, s ? s : "");
      }
      continue;
    }
    check_ok(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "read " + cwhat);
    for (hsize_t r = 0; r < n; ++r) {
      const unsigned char* p = buf.data() + r * fsize;
      if (kind == Column::Kind::kText) {
        t.set_text(r, cn,
                   std::string(reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), fsize)));
      } else if (kind == Column::Kind::kInt) {
        int64_t v;
        std::memcpy(&v, p, 8);
        t.set(r, cn, static_cast<double>(v));
      } else {
        double v;
        std::memcpy(&v, p, 8);
        t.set(r, cn, v);
      }
    }
  }
  return t;
}

// An array (any numeric dataset, read as doubles) from its dataset.
ArrayData array_of(hid_t ds, const std::string& name, const std::string& what) {
  Id space(H5Dget_space(ds), H5Sclose, "space of " + what);
  const int nd = H5Sget_simple_extent_ndims(space);
  if (nd < 0) fail("rank of " + what);
  std::vector<hsize_t> dims(static_cast<size_t>(nd));
  if (nd && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0) fail("size of " + what);
  ArrayData a{name, {dims.begin(), dims.end()}, {}, read_text_attr(ds, "meaning").value_or("")};
  size_t count = 1;
  for (auto d : dims) count *= d;
  a.values.resize(count);
  if (count) check_ok(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()), "read " + what);
  return a;
}

}  // namespace

Table read_table(const std::string& path, const std::string& run, const std::string& name) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  const std::string loc = run.empty() ? "/" + name : "/runs/" + run + "/" + name;
  const std::string what = path + ":" + loc;
  Id ds(H5Dopen2(file, loc.c_str(), H5P_DEFAULT), H5Dclose, "open " + what);
  return table_of(ds, name, what);
}

std::vector<std::string> read_run_names(const std::string& path) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  return run_names(file);
}

std::string read_run_attr(const std::string& path, const std::string& run, const std::string& attr) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  Id g(H5Gopen2(file, ("/runs/" + run).c_str(), H5P_DEFAULT), H5Gclose, path + ": open run " + run);
  return read_text_attr(g, attr).value_or("");
}

int64_t read_run_int_attr(const std::string& path, const std::string& run, const std::string& attr) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  Id g(H5Gopen2(file, ("/runs/" + run).c_str(), H5P_DEFAULT), H5Gclose, path + ": open run " + run);
  const auto a = open_attr(g, attr);
  const std::string what = path + ": attribute '" + attr + "' of /runs/" + run;
  if (!a) throw InputError(what + ": missing");
  if (a->cls != H5T_INTEGER) throw InputError(what + ": not stored as an integer");
  int64_t v = 0;
  check_ok(H5Aread(a->attr, H5T_NATIVE_INT64, &v), "read " + what);
  return v;
}

ArrayData read_array(const std::string& path, const std::string& run, const std::string& name) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  const std::string loc = "/runs/" + run + "/" + name;
  const std::string what = path + ":" + loc;
  Id ds(H5Dopen2(file, loc.c_str(), H5P_DEFAULT), H5Dclose, "open " + what);
  return array_of(ds, name, what);
}

RunResult read_run(const std::string& path, const std::string& run) {
  quiet_hdf5();
  Id file = open_results(path, nullptr, /*reading=*/true);
  const auto names = run_names(file);
  if (std::find(names.begin(), names.end(), run) == names.end())
    throw InputError(path + ": has no run named '" + run + "'");
  const std::string loc = "/runs/" + run;
  Id g(H5Gopen2(file, loc.c_str(), H5P_DEFAULT), H5Gclose, path + ": open run " + run);
  RunResult r;
  r.name = run;
  std::vector<std::string> attrs;
  auto add_name = [](hid_t, const char* n, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(n);
    return 0;
  };
  check_ok(H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, nullptr, add_name, &attrs), "attributes of " + loc);
  for (const auto& name : attrs) {
    const std::string what = path + ": attribute '" + name + "' of " + loc;
    const auto a = open_attr(g, name);
    if (a->cls == H5T_STRING) {
      r.text_attrs.emplace_back(name, read_text_attr(g, name).value_or(""));
    } else if (a->cls == H5T_INTEGER) {
      int64_t v = 0;
      check_ok(H5Aread(a->attr, H5T_NATIVE_INT64, &v), "read " + what);
      r.int_attrs.emplace_back(name, v);
    } else if (a->cls == H5T_FLOAT) {
      double v = 0;
      check_ok(H5Aread(a->attr, H5T_NATIVE_DOUBLE, &v), "read " + what);
      r.num_attrs.emplace_back(name, v);
    } else {
      throw InputError(what + ": neither text nor a number");
    }
  }
  std::vector<std::string> links;  // every path below the run, groups included
  auto add_link = [](hid_t, const char* n, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(n);
    return 0;
  };
  check_ok(H5Lvisit(g, H5_INDEX_NAME, H5_ITER_INC, add_link, &links), "contents of " + loc);
  for (const auto& name : links) {
    const std::string what = path + ":" + loc + "/" + name;
    {
      Id obj(H5Oopen(g, name.c_str(), H5P_DEFAULT), H5Oclose, "open " + what);
      const H5I_type_t kind = H5Iget_type(obj);
      if (kind == H5I_BADID) fail("kind of " + what);
      if (kind != H5I_DATASET) continue;
    }
    Id ds(H5Dopen2(g, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + what);
    Id type(H5Dget_type(ds), H5Tclose, "type of " + what);
    if (H5Tget_class(type) != H5T_COMPOUND) {
      r.arrays.push_back(array_of(ds, name, what));
    } else if (name.find('/') == std::string::npos) {
      r.tables.push_back(table_of(ds, name, what));
    } else {
      throw InputError(what + ": a table below a run's subgroup is not an mltemp layout");
    }
  }
  return r;
}

int read_format_version(const std::string& path) {
  quiet_hdf5();
  int v = 0;
  open_results(path, &v, /*reading=*/true);
  return v;
}

}  // namespace mltemp
