// What makes a run reproducible from its results file alone, beyond the config text: the
// SHA-256 of the data file's bytes (csv), of the processed data as they enter the energy
// (standardized, bias column last), and those data themselves when they fit under a cap.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "dataset.h"
#include "table.h"

namespace mltemp {

// Bytes of X and y (8 per value) up to which a run stores them as data/X and data/y.
constexpr uint64_t kStoredDataCap = uint64_t{16} << 20;  // 16 MiB

// SHA-256 of the values row by row (X: n x m, row-major), each as little-endian IEEE float64:
// hashlib.sha256(numpy.ascontiguousarray(X, "<f8").tobytes()).hexdigest() in Python.
std::string values_sha256(const Eigen::MatrixXd& X);
std::string values_sha256(const Eigen::VectorXd& y);

// Adds to the run: text attributes data_file_sha256 (csv only), data_X_sha256, data_y_sha256;
// integer attributes data_points, data_features, data_stored (1 when data/X and data/y hold
// the processed data, 0 when they exceed kStoredDataCap).
void add_data_provenance(RunResult& r, const DataSpec& spec, const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

}  // namespace mltemp
