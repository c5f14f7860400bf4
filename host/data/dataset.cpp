#include "dataset.h"

#include <csv.h>

#include <cmath>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "errors.h"
#include "mltemp/rng.h"

namespace mltemp {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// One CSV record as libcsv hands it over: its fields and the physical line it ends on.
struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;
};

// RFC 4180 records through libcsv (strict: a stray quote is an error). The text is fed one
// physical line at a time so that each record knows its line; libcsv's callbacks are C and
// only collect (nothing may throw through them), and the caller takes the finished records
// after each line.
class CsvRecords {
 public:
  explicit CsvRecords(const std::string& origin) : origin_(origin) {
    if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::bad_alloc();
  }
  ~CsvRecords() { csv_free(&parser_); }
  CsvRecords(const CsvRecords&) = delete;
  CsvRecords& operator=(const CsvRecords&) = delete;

  // Parses one physical line (with its line end); finished records go to ready().
  void feed(const char* text, size_t len, int line_no) {
    line_ = line_no;
    const size_t used = csv_parse(&parser_, text, len, on_field, on_record, this);
    if (used != len) fail(csv_error(&parser_), static_cast<int>(used) + 1);
  }
  // End of input: a last record without a line end.
  void finish() {
    if (csv_fini(&parser_, on_field, on_record, this) != 0) fail(csv_error(&parser_), 0);
  }
  std::vector<CsvRecord>& ready() { return ready_; }

 private:
  static void on_field(void* data, size_t len, void* self) {
    auto* r = static_cast<CsvRecords*>(self);
    r->fields_.emplace_back(static_cast<const char*>(data), len);
  }
  static void on_record(int, void* self) {
    auto* r = static_cast<CsvRecords*>(self);
    r->ready_.push_back(CsvRecord{std::move(r->fields_), r->line_});
    r->fields_.clear();
  }
  [[noreturn]] void fail(int code, int column) {
    if (code == CSV_ENOMEM || code == CSV_ETOOBIG) throw std::bad_alloc();
    if (column == 0)
      throw InputError(origin_ + ":" + std::to_string(line_) +
                       ": malformed CSV: the file ends inside a quoted field (a quote is never closed)");
    throw InputError(origin_ + ":" + std::to_string(line_) + ":" + std::to_string(column) +
                     ": malformed CSV: a quote may only open a field, close it, or be doubled (\"\") inside a "
                     "quoted field");
  }
  std::string origin_;
  csv_parser parser_;
  std::vector<std::string> fields_;
  std::vector<CsvRecord> ready_;
  int line_ = 0;
};

// Calls f(record) for each CSV record of text, in order; a UTF-8 byte-order mark is skipped.
template <class F>
void for_each_record(const std::string& text, const std::string& origin, F f) {
  size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  CsvRecords csv(origin);
  int line_no = 0;
  auto take = [&] {
    for (auto& r : csv.ready()) f(r);
    csv.ready().clear();
  };
  while (pos < text.size()) {
    // A physical line ends at LF, CRLF or a lone CR.
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string::npos)
      end = text.size();
    else
      end += (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1;
    csv.feed(text.data() + pos, end - pos, ++line_no);
    take();
    pos = end;
  }
  csv.finish();
  take();
}

Dataset synthetic(const DataSpec& s) {
  if (s.n < 1) throw InputError("data.n: must be at least 1 (got " + std::to_string(s.n) + ")");
  if (s.m < 1) throw InputError("data.m: must be at least 1 (got " + std::to_string(s.m) + ")");
  if (!(s.noise >= 0.0) || !std::isfinite(s.noise)) throw InputError("data.noise: must be a finite number >= 0");
  Dataset ds;
  ds.X.resize(s.n, s.m);
  ds.y.resize(s.n);
  Eigen::VectorXd truth(s.m);
  const uint32_t truth_stream = stream_id(Stream::kSynthTruth, 0);
  for (int j = 0; j < s.m; ++j) truth[j] = philox_normal(s.seed, truth_stream, 0, j);
  const uint32_t data_stream = stream_id(Stream::kSynthData, 0);
  for (int i = 0; i < s.n; ++i) {
    for (int j = 0; j < s.m; ++j) ds.X(i, j) = philox_normal(s.seed, data_stream, i, j);
    const double f =
        ds.X.row(i).dot(truth) + s.noise * philox_normal(s.seed, data_stream, i, static_cast<uint32_t>(s.m));
    ds.y[i] = s.label_kind == "binary" ? (f > 0.0 ? 1.0 : 0.0) : f;
  }
  for (int j = 0; j < s.m; ++j) ds.feature_names.push_back("x" + std::to_string(j + 1));
  ds.target_name = "y";
  std::ostringstream o;
  o << "synthetic(n=" << s.n << ", m=" << s.m << ", noise=" << s.noise << ", seed=" << s.seed
    << ", labels=" << s.label_kind << ")";
  ds.origin = o.str();
  return ds;
}

}  // namespace

Dataset parse_csv(const std::string& text, const std::string& origin, const std::string& target) {
  std::vector<std::string> header;
  int header_line = 0;
  size_t first = 0;  // 1 when the first column holds row names (an empty header name), else 0
  int tcol = -1;
  std::vector<double> values;  // the used columns of each data row, row after row
  size_t rows = 0;
  auto read_header = [&](CsvRecord& r) {
    header = std::move(r.fields);
    header_line = r.line;
    for (auto& h : header) h = trim(h);
    // R's write.csv and pandas' to_csv write row names (the index) as a first column without
    // a name: that column is dropped.
    first = header.size() > 1 && header[0].empty() ? 1 : 0;
    for (size_t j = first; j < header.size(); ++j)
      if (header[j].empty())
        throw InputError(origin + ":" + std::to_string(header_line) + ": column " + std::to_string(j + 1) +
                         " has an empty name in the header row");
    if (header.size() - first < 2) throw InputError(origin + ": needs at least one feature column and a target column");
    tcol = static_cast<int>(header.size()) - 1;
    if (target.empty()) return;
    tcol = -1;
    std::string names;
    for (size_t j = first; j < header.size(); ++j) {
      names += (names.empty() ? "'" : ", '") + header[j] + "'";
      if (header[j] != target) continue;
      if (tcol >= 0)
        throw InputError(origin + ":" + std::to_string(header_line) + ": target column '" + target +
                         "' (data.target) is named twice, in columns " + std::to_string(tcol + 1) + " and " +
                         std::to_string(j + 1));
      tcol = static_cast<int>(j);
    }
    if (tcol < 0)
      throw InputError(origin + ": target column '" + target + "' not found (data.target); columns are: " + names);
  };
  auto read_row = [&](const CsvRecord& r) {
    const std::string at = origin + ":" + std::to_string(r.line) + ": ";
    if (r.fields.size() != header.size())
      throw InputError(at + "expected " + std::to_string(header.size()) + " columns, found " +
                       std::to_string(r.fields.size()));
    for (size_t j = first; j < r.fields.size(); ++j) {
      const std::string c = trim(r.fields[j]);
      const std::string where = at + "column " + std::to_string(j + 1) + " ('" + header[j] + "')";
      if (c.empty()) throw InputError(where + ": missing value");
      char* end = nullptr;
      const double v = std::strtod(c.c_str(), &end);
      if (end != c.c_str() + c.size()) throw InputError(where + ": not a number: '" + c + "'");
      if (!std::isfinite(v)) throw InputError(where + ": value '" + c + "' is NaN or infinite");
      values.push_back(v);
    }
    ++rows;
  };
  for_each_record(text, origin, [&](CsvRecord& r) {
    if (header.empty())
      read_header(r);
    else
      read_row(r);
  });
  if (header.empty()) throw InputError(origin + ": empty file (expected a header row)");
  if (rows == 0) throw InputError(origin + ": no data rows after the header");
  Dataset ds;
  const size_t used = header.size() - first;
  const int n = static_cast<int>(rows), m = static_cast<int>(used) - 1;
  const size_t t = static_cast<size_t>(tcol) - first;
  ds.X.resize(n, m);
  ds.y.resize(n);
  for (int i = 0; i < n; ++i) {
    const double* row = values.data() + static_cast<size_t>(i) * used;
    int jj = 0;
    for (size_t j = 0; j < used; ++j) {
      if (j == t)
        ds.y[i] = row[j];
      else
        ds.X(i, jj++) = row[j];
    }
  }
  for (size_t j = first; j < header.size(); ++j)
    if (j != static_cast<size_t>(tcol)) ds.feature_names.push_back(header[j]);
  ds.target_name = header[tcol];
  ds.origin = origin;
  return ds;
}

Standardization fit_standardization(const Dataset& ds, bool target_too) {
  const double n = static_cast<double>(ds.X.rows());
  Standardization st;
  st.target_too = target_too;
  auto fit = [&](const Eigen::Ref<const Eigen::VectorXd>& col, const std::string& name) {
    const double mean = col.mean();
    const double var = (col.array() - mean).square().sum() / n;
    if (!std::isfinite(var)) {
      std::ostringstream o;
      o << ds.origin << ": column '" << name << "' has values too large to standardize (up to "
        << col.cwiseAbs().maxCoeff() << ": their variance overflows); rescale the column";
      throw InputError(o.str());
    }
    if (!(var > 0.0))
      throw InputError(ds.origin + ": column '" + name +
                       "' is constant and cannot be standardized (set data.standardize = false, "
                       "or drop the column)");
    return std::make_pair(mean, std::sqrt(var));
  };
  for (int j = 0; j < ds.X.cols(); ++j) {
    const auto [mean, sd] = fit(ds.X.col(j), ds.feature_names[j]);
    st.mean.push_back(mean);
    st.sd.push_back(sd);
  }
  if (target_too) std::tie(st.y_mean, st.y_sd) = fit(ds.y, ds.target_name);
  return st;
}

void apply_standardization(Dataset& ds, const Standardization& st) {
  if (static_cast<size_t>(ds.X.cols()) != st.mean.size())
    throw std::logic_error("apply_standardization: column count differs from the fitted one");
  for (int j = 0; j < ds.X.cols(); ++j) ds.X.col(j) = (ds.X.col(j).array() - st.mean[j]) / st.sd[j];
  if (st.target_too) ds.y = (ds.y.array() - st.y_mean) / st.y_sd;
}

void standardize_columns(Dataset& ds, bool target_too) {
  apply_standardization(ds, fit_standardization(ds, target_too));
}

void append_bias(Dataset& ds) {
  ds.X.conservativeResize(Eigen::NoChange, ds.X.cols() + 1);
  ds.X.col(ds.X.cols() - 1).setOnes();
  ds.feature_names.push_back("bias");
}

Dataset load_dataset(const DataSpec& spec) {
  Dataset ds;
  if (spec.source == "csv") {
    std::ifstream f(spec.path, std::ios::binary);
    if (!f) throw InputError(spec.path + ": cannot open data file (data.path)");
    std::stringstream buf;
    buf << f.rdbuf();
    ds = parse_csv(buf.str(), spec.path, spec.target);
  } else if (spec.source == "synthetic") {
    ds = synthetic(spec);
  } else if (spec.source == "teacher") {
    ds.origin = "teacher";  // generated by the mlp system, which knows the network's shape
    return ds;
  } else {
    throw InputError("data.source: unknown source '" + spec.source + "'");
  }
  if (spec.standardize) standardize_columns(ds, spec.standardize_target);
  if (spec.bias) append_bias(ds);
  return ds;
}

LinearMoments linear_moments(const Dataset& ds) {
  LinearMoments mo;
  mo.n = static_cast<int>(ds.X.rows());
  mo.m = static_cast<int>(ds.X.cols());
  const double inv_n = 1.0 / mo.n;
  mo.A = (ds.X.transpose() * ds.X) * inv_n;
  mo.b = (ds.X.transpose() * ds.y) * inv_n;
  mo.c = ds.y.squaredNorm() * inv_n;
  return mo;
}

}  // namespace mltemp
