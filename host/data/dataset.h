// Datasets: CSV files and built-in synthetic data, standardized, with an optional bias column.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace mltemp {

struct DataSpec {
  std::string source = "synthetic";  // "csv" | "synthetic" | "teacher"
  std::string path;                  // csv: resolved path
  std::string target;                // csv: target column ("" = last column)
  bool standardize = true;           // z-score the features
  bool standardize_target = true;    // z-score the target too (regression only)
  bool bias = true;                  // append a constant-1 feature
  int n = 200;                       // synthetic: data points
  int m = 4;                         // synthetic: features (before the bias)
  double noise = 0.5;                // synthetic: noise std
  uint64_t seed = 7;                 // synthetic: seed
  std::string label_kind = "real";   // synthetic target: "real" (regression) | "binary" (0/1)
};

struct Dataset {
  Eigen::MatrixXd X;  // n x m, one row per data point (bias column last, if any)
  Eigen::VectorXd y;  // n
  std::vector<std::string> feature_names;
  std::string target_name;
  std::string origin;  // file path or a description of the generator
};

// The dataset's second moments: A = <x x^T>, b = <x y>, c = <y^2> (FORMULAS.md notation).
struct LinearMoments {
  Eigen::MatrixXd A;
  Eigen::VectorXd b;
  double c = 0.0;
  int n = 0;
  int m = 0;
};

// Reads and prepares the data; throws InputError naming the file, line and column at fault.
Dataset load_dataset(const DataSpec& spec);
// Parses RFC 4180 CSV text (libcsv): a header row, then numeric cells; quoted fields, doubled
// quotes, embedded commas and line ends, CRLF and a UTF-8 byte-order mark are read. A first
// column with an empty name holds row names (R's write.csv, pandas' to_csv index) and is
// dropped. origin names the file in messages; InputError names the line and column at fault.
Dataset parse_csv(const std::string& text, const std::string& origin, const std::string& target);
// Per-column z-scores: the mean and standard deviation (divided by n) of every feature column,
// and of the target when target_too. Fitted on one dataset, applied to others, so several
// datasets can share one coordinate system (the experiments of host/experiment_*.cpp).
struct Standardization {
  std::vector<double> mean, sd;  // one per feature column
  bool target_too = false;
  double y_mean = 0.0, y_sd = 1.0;
};
// InputError naming the column when one is constant or its variance overflows.
Standardization fit_standardization(const Dataset& ds, bool target_too);
void apply_standardization(Dataset& ds, const Standardization& st);
void standardize_columns(Dataset& ds, bool target_too);  // fit on ds, applied to ds
void append_bias(Dataset& ds);
LinearMoments linear_moments(const Dataset& ds);

}  // namespace mltemp
