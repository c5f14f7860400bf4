#include "table.h"

#include <stdexcept>

namespace mltemp {

void Table::add_column(const std::string& name, const std::string& units, const std::string& meaning,
                       Column::Kind kind) {
  if (index_.count(name)) throw std::logic_error("duplicate column " + name);
  Column c;
  c.name = name;
  c.units = units.empty() && kind != Column::Kind::kText ? "1" : units;
  c.meaning = meaning;
  c.kind = kind;
  if (kind == Column::Kind::kText)
    c.text.assign(rows_, "");
  else
    c.num.assign(rows_, kNaN);
  index_[name] = cols_.size();
  cols_.push_back(std::move(c));
}

size_t Table::new_row() {
  for (auto& c : cols_) {
    if (c.kind == Column::Kind::kText)
      c.text.emplace_back();
    else
      c.num.push_back(c.kind == Column::Kind::kInt ? 0.0 : kNaN);
  }
  return rows_++;
}

Column& Table::col(const std::string& name) {
  auto it = index_.find(name);
  if (it == index_.end()) throw std::logic_error("table " + name_ + " has no column " + name);
  return cols_[it->second];
}
const Column& Table::col(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw std::logic_error("table " + name_ + " has no column " + name);
  return cols_[it->second];
}

void Table::set(size_t row, const std::string& c, double v) { col(c).num.at(row) = v; }
void Table::set_text(size_t row, const std::string& c, const std::string& v) { col(c).text.at(row) = v; }
double Table::get(size_t row, const std::string& c) const { return col(c).num.at(row); }
const std::string& Table::get_text(size_t row, const std::string& c) const { return col(c).text.at(row); }

const Table* RunResult::table(const std::string& n) const {
  for (const auto& t : tables)
    if (t.name() == n) return &t;
  return nullptr;
}

}  // namespace mltemp
