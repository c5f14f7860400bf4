#include "dataset.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "errors.h"
#include "mltemp/rng.h"

namespace mltemp {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream ss(line);
  while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
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
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_no;
    if (!trim(line).empty()) {
      header = split_commas(line);
      break;
    }
  }
  if (header.empty()) throw InputError(origin + ": empty file (expected a header row)");
  for (size_t j = 0; j < header.size(); ++j)
    if (header[j].empty())
      throw InputError(origin + ":" + std::to_string(line_no) + ": column " + std::to_string(j + 1) +
                       " has an empty name in the header row");
  if (header.size() < 2) throw InputError(origin + ": needs at least one feature column and a target column");
  int tcol = static_cast<int>(header.size()) - 1;
  if (!target.empty()) {
    tcol = -1;
    for (size_t j = 0; j < header.size(); ++j)
      if (header[j] == target) tcol = static_cast<int>(j);
    if (tcol < 0) {
      std::string names;
      for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
      throw InputError(origin + ": target column '" + target + "' not found (data.target); columns are: " + names);
    }
  }
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    auto cells = split_commas(line);
    if (cells.size() != header.size())
      throw InputError(origin + ":" + std::to_string(line_no) + ": expected " + std::to_string(header.size()) +
                       " columns, found " + std::to_string(cells.size()));
    std::vector<double> row(cells.size());
    for (size_t j = 0; j < cells.size(); ++j) {
      const std::string& c = cells[j];
      const std::string where =
          origin + ":" + std::to_string(line_no) + ": column " + std::to_string(j + 1) + " ('" + header[j] + "')";
      if (c.empty()) throw InputError(where + ": missing value");
      char* end = nullptr;
      const double v = std::strtod(c.c_str(), &end);
      if (end == c.c_str() || *end != '\0') throw InputError(where + ": not a number: '" + c + "'");
      if (!std::isfinite(v)) throw InputError(where + ": value '" + c + "' is NaN or infinite");
      row[j] = v;
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw InputError(origin + ": no data rows after the header");
  Dataset ds;
  const int n = static_cast<int>(rows.size()), m = static_cast<int>(header.size()) - 1;
  ds.X.resize(n, m);
  ds.y.resize(n);
  for (int i = 0; i < n; ++i) {
    int jj = 0;
    for (int j = 0; j <= m; ++j) {
      if (j == tcol)
        ds.y[i] = rows[i][j];
      else
        ds.X(i, jj++) = rows[i][j];
    }
  }
  for (int j = 0; j <= m; ++j)
    if (j != tcol) ds.feature_names.push_back(header[j]);
  ds.target_name = header[tcol];
  ds.origin = origin;
  return ds;
}

void standardize_columns(Dataset& ds, bool target_too) {
  const double n = static_cast<double>(ds.X.rows());
  auto z = [&](Eigen::Ref<Eigen::VectorXd> col, const std::string& name) {
    const double mean = col.mean();
    const double var = (col.array() - mean).square().sum() / n;
    if (!(var > 0.0))
      throw InputError(ds.origin + ": column '" + name +
                       "' is constant and cannot be standardized (set data.standardize = false, "
                       "or drop the column)");
    col = (col.array() - mean) / std::sqrt(var);
  };
  for (int j = 0; j < ds.X.cols(); ++j) z(ds.X.col(j), ds.feature_names[j]);
  if (target_too) z(ds.y, ds.target_name);
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
