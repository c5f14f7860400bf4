#include "provenance.h"

#include <vector>

#include "sha256.h"

namespace mltemp {

std::string values_sha256(const Eigen::MatrixXd& X) {
  Sha256 h;
  std::vector<double> row(static_cast<size_t>(X.cols()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) row[static_cast<size_t>(j)] = X(i, j);
    h.update_f64(row.data(), row.size());
  }
  return h.hex();
}

std::string values_sha256(const Eigen::VectorXd& y) {
  Sha256 h;
  h.update_f64(y.data(), static_cast<size_t>(y.size()));
  return h.hex();
}

void add_data_provenance(RunResult& r, const DataSpec& spec, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const auto n = static_cast<uint64_t>(X.rows()), m = static_cast<uint64_t>(X.cols());
  if (spec.source == "csv") r.text_attrs.push_back({"data_file_sha256", sha256_file(spec.path)});
  r.text_attrs.push_back({"data_X_sha256", values_sha256(X)});
  r.text_attrs.push_back({"data_y_sha256", values_sha256(y)});
  r.int_attrs.push_back({"data_points", static_cast<int64_t>(n)});
  r.int_attrs.push_back({"data_features", static_cast<int64_t>(m)});
  const bool store = 8 * n * (m + 1) <= kStoredDataCap;
  r.int_attrs.push_back({"data_stored", store ? 1 : 0});
  if (!store) return;
  ArrayData xa{"data/X", {n, m}, {}, "X as it enters the energy (standardized, bias column last), n x m"};
  xa.values.reserve(n * m);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j) xa.values.push_back(X(i, j));
  r.arrays.push_back(std::move(xa));
  r.arrays.push_back({"data/y", {n}, std::vector<double>(y.data(), y.data() + y.size()), "y as it enters the energy"});
}

}  // namespace mltemp
