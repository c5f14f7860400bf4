// Results as values: named-column tables and arrays, handed to the HDF5 writer.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mltemp {

struct Column {
  enum class Kind { kReal, kInt, kText };
  std::string name, units, meaning;
  Kind kind = Kind::kReal;
  std::vector<double> num;        // kReal, kInt
  std::vector<std::string> text;  // kText
};

class Table {
 public:
  explicit Table(std::string name = "") : name_(std::move(name)) {}
  // Units "" on a numeric column mean dimensionless and are stored as "1".
  void add_column(const std::string& name, const std::string& units, const std::string& meaning,
                  Column::Kind kind = Column::Kind::kReal);
  // Appends a row: numbers start as NaN, text as "".
  size_t new_row();
  void set(size_t row, const std::string& col, double v);
  void set_text(size_t row, const std::string& col, const std::string& v);
  double get(size_t row, const std::string& col) const;
  const std::string& get_text(size_t row, const std::string& col) const;
  size_t rows() const { return rows_; }
  const std::string& name() const { return name_; }
  const std::vector<Column>& columns() const { return cols_; }

 private:
  Column& col(const std::string& name);
  const Column& col(const std::string& name) const;
  std::string name_;
  std::vector<Column> cols_;
  std::map<std::string, size_t> index_;
  size_t rows_ = 0;
};

struct ArrayData {
  std::string path;  // relative to the run group, e.g. "data/A"
  std::vector<uint64_t> dims;
  std::vector<double> values;  // row-major
  std::string meaning;
};

// One run: the group /runs/<name> of the output file.
struct RunResult {
  std::string name;
  std::vector<std::pair<std::string, std::string>> text_attrs;
  std::vector<std::pair<std::string, double>> num_attrs;
  std::vector<std::pair<std::string, int64_t>> int_attrs;  // seeds, counts, flags
  std::vector<Table> tables;
  std::vector<ArrayData> arrays;
  const Table* table(const std::string& name) const;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace mltemp
