#include "h5_writer.h"

#include <hdf5.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "errors.h"

namespace fs = std::filesystem;

namespace mltemp {
namespace {

constexpr size_t kTextLen = 96;  // fixed-length text cells in tables

struct H5Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void quiet_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

hid_t ok(hid_t id, const std::string& what) {
  if (id < 0) throw H5Error("HDF5: " + what);
  return id;
}
void ok_status(herr_t s, const std::string& what) {
  if (s < 0) throw H5Error("HDF5: " + what);
}

// RAII for an HDF5 id and its close function.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void write_text_attr(hid_t obj, const std::string& name, const std::string& value) {
  Id type(ok(H5Tcopy(H5T_C_S1), "type"), H5Tclose);
  ok_status(H5Tset_size(type, value.size() + 1), "text size");
  ok_status(H5Tset_strpad(type, H5T_STR_NULLTERM), "text pad");
  Id space(ok(H5Screate(H5S_SCALAR), "space"), H5Sclose);
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Id attr(ok(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name), H5Aclose);
  ok_status(H5Awrite(attr, type, value.c_str()), "write attribute " + name);
}

void write_num_attr(hid_t obj, const std::string& name, double v, bool integer) {
  Id space(ok(H5Screate(H5S_SCALAR), "space"), H5Sclose);
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  if (integer) {
    const long long iv = static_cast<long long>(v);
    Id attr(ok(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), name), H5Aclose);
    ok_status(H5Awrite(attr, H5T_NATIVE_LLONG, &iv), name);
  } else {
    Id attr(ok(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), name), H5Aclose);
    ok_status(H5Awrite(attr, H5T_NATIVE_DOUBLE, &v), name);
  }
}

std::string read_text_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return "";
  Id attr(ok(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "open attribute " + name), H5Aclose);
  Id ftype(ok(H5Aget_type(attr), "attribute type"), H5Tclose);
  if (H5Tget_class(ftype) != H5T_STRING) return "";
  const size_t size = H5Tget_size(ftype);
  Id mtype(ok(H5Tcopy(H5T_C_S1), "type"), H5Tclose);
  H5Tset_size(mtype, size);
  std::string buf(size, '\0');
  ok_status(H5Aread(attr, mtype, buf.data()), "read attribute " + name);
  buf.resize(std::strlen(buf.c_str()));
  return buf;
}

// Creates the groups along "a/b" under `parent`, returning the last one (caller closes).
hid_t ensure_group(hid_t parent, const std::string& path) {
  hid_t cur = H5Gopen2(parent, ".", H5P_DEFAULT);
  size_t start = 0;
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    hid_t next = H5Lexists(cur, part.c_str(), H5P_DEFAULT) > 0
                     ? H5Gopen2(cur, part.c_str(), H5P_DEFAULT)
                     : H5Gcreate2(cur, part.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(cur);
    cur = ok(next, "group " + part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return cur;
}

void write_table(hid_t parent, const Table& t) {
  // Compound record: one field per column, laid out in column order.
  size_t offset = 0;
  std::vector<size_t> offsets;
  for (const auto& c : t.columns()) {
    offsets.push_back(offset);
    offset += c.kind == Column::Kind::kText ? kTextLen : 8;
  }
  const size_t rec = offset;
  Id text(ok(H5Tcopy(H5T_C_S1), "text type"), H5Tclose);
  H5Tset_size(text, kTextLen);
  H5Tset_strpad(text, H5T_STR_NULLTERM);
  Id type(ok(H5Tcreate(H5T_COMPOUND, rec), "compound type"), H5Tclose);
  for (size_t i = 0; i < t.columns().size(); ++i) {
    const auto& c = t.columns()[i];
    const hid_t ft = c.kind == Column::Kind::kText  ? hid_t(text)
                     : c.kind == Column::Kind::kInt ? H5T_NATIVE_INT64
                                                    : H5T_NATIVE_DOUBLE;
    ok_status(H5Tinsert(type, c.name.c_str(), offsets[i], ft), "column " + c.name);
  }
  std::vector<char> buf(rec * std::max<size_t>(1, t.rows()), 0);
  for (size_t r = 0; r < t.rows(); ++r)
    for (size_t i = 0; i < t.columns().size(); ++i) {
      const auto& c = t.columns()[i];
      char* p = buf.data() + r * rec + offsets[i];
      if (c.kind == Column::Kind::kText) {
        std::strncpy(p, c.text[r].c_str(), kTextLen - 1);
      } else if (c.kind == Column::Kind::kInt) {
        const int64_t v = static_cast<int64_t>(c.num[r]);
        std::memcpy(p, &v, 8);
      } else {
        std::memcpy(p, &c.num[r], 8);
      }
    }
  hsize_t dims[1] = {t.rows()};
  Id space(ok(H5Screate_simple(1, dims, nullptr), "space"), H5Sclose);
  Id ds(ok(H5Dcreate2(parent, t.name().c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           "dataset " + t.name()),
        H5Dclose);
  if (t.rows()) ok_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "write " + t.name());
  for (const auto& c : t.columns()) {
    if (!c.units.empty()) write_text_attr(ds, c.name + "_units", c.units);
    if (!c.meaning.empty()) write_text_attr(ds, c.name + "_meaning", c.meaning);
  }
}

void write_array(hid_t run, const ArrayData& a) {
  const size_t slash = a.path.rfind('/');
  Id parent(ensure_group(run, slash == std::string::npos ? "" : a.path.substr(0, slash)), H5Gclose);
  const std::string leaf = slash == std::string::npos ? a.path : a.path.substr(slash + 1);
  std::vector<hsize_t> dims(a.dims.begin(), a.dims.end());
  Id space(
      ok(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
         "space"),
      H5Sclose);
  Id ds(ok(H5Dcreate2(parent, leaf.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           "dataset " + a.path),
        H5Dclose);
  ok_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()), "write " + a.path);
  if (!a.meaning.empty()) write_text_attr(ds, "meaning", a.meaning);
}

hid_t file_access() {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  // Cluster file systems often lack POSIX locks; a results file has one writer (this process).
  H5Pset_file_locking(fapl, false, true);
  return fapl;
}

// Opens an existing mltemp results file; InputError when it is not one.
hid_t open_results(const std::string& path, unsigned flags) {
  Id fapl(file_access(), H5Pclose);
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": exists but is not an HDF5 file; refusing to overwrite it");
  hid_t f = H5Fopen(path.c_str(), flags, fapl);
  if (f < 0) throw InputError(path + ": cannot open the HDF5 file");
  Id root(H5Gopen2(f, "/", H5P_DEFAULT), H5Gclose);
  const std::string type = read_text_attr(root, "filetype");
  if (type != kFileType) {
    H5Fclose(f);
    throw InputError(path + ": HDF5 file is not an mltemp results file (filetype '" + type +
                     "'); refusing to modify it");
  }
  return f;
}

}  // namespace

void check_output_path(const std::string& path) {
  quiet_hdf5();
  if (path.empty()) throw InputError("--out: empty output path");
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(path + ": output folder '" + dir.string() + "' does not exist");
  if (access(dir.c_str(), W_OK) != 0) throw InputError(path + ": output folder '" + dir.string() + "' is not writable");
  if (fs::exists(p, ec)) {
    if (fs::is_directory(p, ec)) throw InputError(path + ": is a folder, not a file");
    if (access(path.c_str(), W_OK) != 0) throw InputError(path + ": file is not writable");
    H5Fclose(open_results(path, H5F_ACC_RDONLY));
  }
}

void write_results(const std::string& path, const std::vector<RunResult>& runs, const std::vector<Table>& top_tables) {
  quiet_hdf5();
  check_output_path(path);
  const fs::path target(path);
  const fs::path tmp = target.string() + ".tmp." + std::to_string(getpid());
  try {
    hid_t f;
    if (fs::exists(target)) {
      fs::copy_file(target, tmp, fs::copy_options::overwrite_existing);
      f = open_results(tmp.string(), H5F_ACC_RDWR);
    } else {
      Id fapl(file_access(), H5Pclose);
      f = ok(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "create " + tmp.string());
      Id root(H5Gopen2(f, "/", H5P_DEFAULT), H5Gclose);
      write_text_attr(root, "filetype", kFileType);
      write_num_attr(root, "format_version", kFormatVersion, true);
    }
    Id file(f, H5Fclose);
    Id runs_group(ensure_group(file, "runs"), H5Gclose);
    for (const auto& run : runs) {
      if (run.name.empty() || run.name.find('/') != std::string::npos || run.name[0] == '.')
        throw InputError("name: run name '" + run.name + "' must be non-empty, without '/' and not start with '.'");
      if (H5Lexists(runs_group, run.name.c_str(), H5P_DEFAULT) > 0)
        ok_status(H5Ldelete(runs_group, run.name.c_str(), H5P_DEFAULT), "replace run " + run.name);
      Id g(ok(H5Gcreate2(runs_group, run.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "run " + run.name),
           H5Gclose);
      for (const auto& [k, v] : run.text_attrs) write_text_attr(g, k, v);
      for (const auto& [k, v] : run.num_attrs) write_num_attr(g, k, v, false);
      for (const auto& t : run.tables) write_table(g, t);
      for (const auto& a : run.arrays) write_array(g, a);
    }
    for (const auto& t : top_tables) {
      if (H5Lexists(file, t.name().c_str(), H5P_DEFAULT) > 0) H5Ldelete(file, t.name().c_str(), H5P_DEFAULT);
      write_table(file, t);
    }
    ok_status(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush");
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  fs::rename(tmp, target);
}

Table read_table(const std::string& path, const std::string& run, const std::string& name) {
  quiet_hdf5();
  Id file(open_results(path, H5F_ACC_RDONLY), H5Fclose);
  const std::string loc = run.empty() ? "/" + name : "/runs/" + run + "/" + name;
  Id ds(ok(H5Dopen2(file, loc.c_str(), H5P_DEFAULT), "open " + loc), H5Dclose);
  Id type(ok(H5Dget_type(ds), "type"), H5Tclose);
  Id space(ok(H5Dget_space(ds), "space"), H5Sclose);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  const int nf = H5Tget_nmembers(type);
  const size_t rec = H5Tget_size(type);
  std::vector<char> buf(rec * std::max<hsize_t>(1, n));
  if (n) ok_status(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "read " + loc);
  Table t(name);
  std::vector<std::pair<size_t, Column::Kind>> layout;
  for (int i = 0; i < nf; ++i) {
    char* cname = H5Tget_member_name(type, i);
    const std::string cn(cname);
    H5free_memory(cname);
    Id mt(H5Tget_member_type(type, i), H5Tclose);
    const H5T_class_t cls = H5Tget_member_class(type, i);
    const Column::Kind kind = cls == H5T_STRING    ? Column::Kind::kText
                              : cls == H5T_INTEGER ? Column::Kind::kInt
                                                   : Column::Kind::kReal;
    t.add_column(cn, read_text_attr(ds, cn + "_units"), read_text_attr(ds, cn + "_meaning"), kind);
    layout.push_back({H5Tget_member_offset(type, i), kind});
  }
  for (hsize_t r = 0; r < n; ++r) {
    const size_t row = t.new_row();
    for (int i = 0; i < nf; ++i) {
      const char* p = buf.data() + r * rec + layout[i].first;
      const std::string& cn = t.columns()[i].name;
      if (layout[i].second == Column::Kind::kText) {
        t.set_text(row, cn, std::string(p, strnlen(p, kTextLen)));
      } else if (layout[i].second == Column::Kind::kInt) {
        int64_t v;
        std::memcpy(&v, p, 8);
        t.set(row, cn, static_cast<double>(v));
      } else {
        double v;
        std::memcpy(&v, p, 8);
        t.set(row, cn, v);
      }
    }
  }
  return t;
}

std::vector<std::string> read_run_names(const std::string& path) {
  quiet_hdf5();
  Id file(open_results(path, H5F_ACC_RDONLY), H5Fclose);
  std::vector<std::string> names;
  if (H5Lexists(file, "runs", H5P_DEFAULT) <= 0) return names;
  Id g(ok(H5Gopen2(file, "runs", H5P_DEFAULT), "runs"), H5Gclose);
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char buf[512];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    names.emplace_back(buf);
  }
  return names;
}

std::string read_run_attr(const std::string& path, const std::string& run, const std::string& attr) {
  quiet_hdf5();
  Id file(open_results(path, H5F_ACC_RDONLY), H5Fclose);
  Id g(ok(H5Gopen2(file, ("/runs/" + run).c_str(), H5P_DEFAULT), "run " + run), H5Gclose);
  return read_text_attr(g, attr);
}

}  // namespace mltemp
