#include "merge.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "errors.h"
#include "h5_writer.h"
#include "system.h"

namespace mltemp {
namespace {

// How a run attribute combines across the parts. Every attribute not listed here must be equal
// to the bit in every part.
enum class Rule {
  kEarliest,   // created (ISO 8601 UTC text): the earliest part's
  kSum,        // seconds spent: summed over the parts
  kRate,       // particles_per_second: particles_per_scale * scales / seconds of the merged run
  kCount,      // scales: the number of merged scales
  kJoin,       // where a part ran: the distinct values in part order, joined by ", "
  kFirst,      // config (the file's text): the text of the part with the smallest scale
  kEffective,  // config_effective: equal key by key outside [sweep]; [sweep] describes the merge
  kSources,    // merged_from: the parts, one "FILE:/runs/NAME" a line
};
struct AttrRule {
  const char* name;
  Rule rule;
};
constexpr AttrRule kAttrRules[] = {
    {"created", Rule::kEarliest},
    {"seconds", Rule::kSum},
    {"setup_seconds_data", Rule::kSum},
    {"setup_seconds_system", Rule::kSum},
    {"setup_seconds_references", Rule::kSum},
    {"particles_per_second", Rule::kRate},
    {"scales", Rule::kCount},
    {"backend", Rule::kJoin},
    {"device", Rule::kJoin},
    {"config", Rule::kFirst},
    {"config_effective", Rule::kEffective},
    {"merged_from", Rule::kSources},
};

std::optional<Rule> rule_of(const std::string& attr) {
  for (const auto& r : kAttrRules)
    if (attr == r.name) return r.rule;
  return std::nullopt;
}

// config_effective keys that may differ between parts: they do not change results (mc.batch,
// mc.threads) or say where a part ran (mc.backend, like the backend attribute).
const std::set<std::string> kFreeKeys = {"mc.batch", "mc.threads", "mc.backend"};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Text for a message: one line, at most 100 characters.
std::string shown(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s.size() > 100 ? "'" + s.substr(0, 97) + "...'" : "'" + s + "'";
}

// The parts of one run and the error that names where they differ.
struct Parts {
  std::vector<RunPart> list;
  // The run's arrays (the data: up to 16 MiB a part, so kept once), from the part `arrays_from`;
  // `pending` names the parts whose own arrays are still to be compared with them.
  std::vector<ArrayData> arrays;
  std::string arrays_from;
  std::set<std::string> pending;

  const std::string& name() const { return list[0].run.name; }
  InputError differ(const std::string& field, const std::string& a, const std::string& in_a, const std::string& b,
                    const std::string& in_b) const {
    return InputError("cannot merge run '" + name() + "': " + field + " is " + a + " in " + in_a + " but " + b +
                      " in " + in_b + " (parts of one run differ only in their scales)");
  }
  InputError differ(const std::string& field, const std::string& a, size_t ia, const std::string& b, size_t ib) const {
    return differ(field, a, list[ia].source, b, list[ib].source);
  }
};

// ---- attributes ----

struct Attr {
  enum class Kind { kText, kInt, kReal } kind = Kind::kText;
  std::string text;
  int64_t i = 0;
  double d = 0;
  bool operator==(const Attr& o) const { return kind == o.kind && text == o.text && i == o.i && same_bits(d, o.d); }
  std::string shown() const {
    switch (kind) {
      case Kind::kText:
        return mltemp::shown(text);
      case Kind::kInt:
        return std::to_string(i);
      case Kind::kReal:
        return number_text(d);
    }
    return "";
  }
};

std::map<std::string, Attr> attrs_of(const RunResult& r) {
  std::map<std::string, Attr> m;
  for (const auto& [k, v] : r.text_attrs) m[k] = Attr{Attr::Kind::kText, v, 0, 0};
  for (const auto& [k, v] : r.int_attrs) m[k] = Attr{Attr::Kind::kInt, "", v, 0};
  for (const auto& [k, v] : r.num_attrs) m[k] = Attr{Attr::Kind::kReal, "", 0, v};
  return m;
}

template <class V>
void put(std::vector<std::pair<std::string, V>>& attrs, const std::string& name, V v) {
  for (auto& [k, old] : attrs)
    if (k == name) {
      old = std::move(v);
      return;
    }
  attrs.emplace_back(name, std::move(v));
}

// The order in which attributes are compared, so that a message names the cause before its
// consequences: integer settings (seed, particles_per_scale), data hashes, the config's keys,
// then the rest by name.
int rank_of(const std::string& name, const Attr& a) {
  if (a.kind == Attr::Kind::kInt) return 0;
  if (name.size() > 7 && name.compare(name.size() - 7, 7, "_sha256") == 0) return 1;
  if (name == "config_effective") return 2;
  return 3;
}

// ---- config_effective (Config::echo: "[section]", "key = value  # source", "# key = (unset)") ----

struct EchoLine {
  std::string key;  // "section.name"; "" for headers and blank lines
  std::string text;
};

std::vector<EchoLine> parse_echo(const std::string& echo) {
  std::vector<EchoLine> out;
  std::istringstream in(echo);
  std::string line, section;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      out.push_back({"", line});
      continue;
    }
    const std::string body = line.rfind("# ", 0) == 0 ? line.substr(2) : line;
    const size_t eq = body.find(" = ");
    if (line.empty() || eq == std::string::npos) {
      out.push_back({"", line});
      continue;
    }
    const std::string name = body.substr(0, eq);
    out.push_back({section.empty() ? name : section + "." + name, line});
  }
  return out;
}

std::string short_name(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

constexpr const char* kDiffers = "differs between the merged parts: ";

// "10 (command line)" for "particles = 10  # command line"; "unset" for "# particles = (unset)";
// "1 (file), 2 (file)" for a merged run's "# threads = (differs between the merged parts: ...)".
std::string echo_value(const std::string& line) {
  const size_t eq = line.find(" = ") + 3, hash = line.rfind("  # ");
  if (line.rfind("# ", 0) == 0) {
    std::string v = line.substr(eq + 1, line.size() - eq - 2);  // inside the parentheses
    return v.rfind(kDiffers, 0) == 0 ? v.substr(std::strlen(kDiffers)) : v;
  }
  if (hash == std::string::npos || hash < eq) return line.substr(eq);
  return line.substr(eq, hash - eq) + " (" + line.substr(hash + 4) + ")";
}

bool is_sweep(const std::string& key) { return key.rfind("sweep.", 0) == 0; }

// The [sweep] lines of the merged run: those of the config file when its sweep is exactly the
// merged scales (then the merged run reads as the single run of that file), else the merged
// scales as an explicit list.
std::vector<std::string> sweep_lines(const std::vector<EchoLine>& base, const std::string& config_text,
                                     const std::vector<double>& scales, size_t parts) {
  std::vector<std::string> out;
  try {
    const Config file = Config::from_toml(config_text, "config", ".");
    const std::vector<double> s = sweep_scales(file);
    if (s.size() == scales.size() &&
        std::equal(s.begin(), s.end(), scales.begin(), [](double a, double b) { return same_bits(a, b); })) {
      for (const auto& l : parse_echo(file.echo()))
        if (is_sweep(l.key)) out.push_back(l.text);
      return out;
    }
  } catch (const InputError&) {
    // the file text alone defines no valid sweep: list the scales
  }
  for (const auto& l : base) {
    if (!is_sweep(l.key)) continue;
    if (l.key == "sweep.scales")
      out.push_back("scales = " + format_value(scales) + "  # merged from " + std::to_string(parts) + " parts");
    else
      out.push_back("# " + short_name(l.key) + " = (unset)");
  }
  return out;
}

std::map<std::string, std::string> effective_of(const RunResult& r) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : r.text_attrs)
    if (k == "config_effective")
      for (const auto& l : parse_echo(v))
        if (!l.key.empty()) m[l.key] = l.text;
  return m;
}

// Compares config_effective key by key outside [sweep]; returns, for the keys of kFreeKeys that
// differ, their values ("2 (command line)") in part order.
using FreeValues = std::map<std::string, std::vector<std::string>>;
FreeValues compare_effective(const Parts& p) {
  const auto first = effective_of(p.list[0].run);
  FreeValues free;
  for (size_t k = 1; k < p.list.size(); ++k) {
    const auto other = effective_of(p.list[k].run);
    std::set<std::string> keys;
    for (const auto* m : {&first, &other})
      for (const auto& kv : *m) keys.insert(kv.first);
    for (const auto& key : keys) {
      if (is_sweep(key)) continue;
      const auto a = first.find(key), b = other.find(key);
      if (a == first.end() || b == other.end())
        throw p.differ("config key " + key, a == first.end() ? "absent" : "present", 0,
                       b == other.end() ? "absent" : "present", k);
      if (a->second == b->second) continue;
      if (!kFreeKeys.count(key))
        throw p.differ("config key " + key, echo_value(a->second), 0, echo_value(b->second), k);
      auto& vals = free[key];
      for (const auto* line : {&a->second, &b->second})
        if (std::find(vals.begin(), vals.end(), echo_value(*line)) == vals.end()) vals.push_back(echo_value(*line));
    }
  }
  return free;
}

// Part 0's config_effective with [sweep] describing the merged scales and the free keys that
// differ marked as such.
std::string merged_effective(const Parts& p, const FreeValues& free, const std::string& config_text,
                             const std::vector<double>& scales) {
  std::vector<EchoLine> base;
  for (const auto& [k, v] : p.list[0].run.text_attrs)
    if (k == "config_effective") base = parse_echo(v);
  std::string out;
  bool sweep_done = false;
  for (const auto& l : base) {
    if (is_sweep(l.key)) {
      if (!sweep_done)
        for (const auto& s : sweep_lines(base, config_text, scales, p.list.size())) out += s + "\n";
      sweep_done = true;
      continue;
    }
    const auto f = free.find(l.key);
    if (f == free.end()) {
      out += l.text + "\n";
      continue;
    }
    std::string vals;
    for (const auto& v : f->second) vals += (vals.empty() ? "" : ", ") + v;
    out += "# " + short_name(l.key) + " = (" + kDiffers + vals + ")\n";
  }
  return out;
}

// ---- tables and arrays ----

const Column* scale_column(const Table& t) {
  for (const auto& c : t.columns())
    if (c.name == "scale" && c.kind != Column::Kind::kText) return &c;
  return nullptr;
}

double smallest_scale(const RunResult& r) {
  double m = std::numeric_limits<double>::infinity();
  for (const auto& t : r.tables)
    if (const Column* c = scale_column(t))
      for (double s : c->num) m = std::min(m, s);
  return m;
}

std::string cell_text(const Column& c, size_t row) {
  return c.kind == Column::Kind::kText ? shown(c.text[row]) : number_text(c.num[row]);
}

bool same_cell(const Column& a, size_t ra, const Column& b, size_t rb) {
  return a.kind == Column::Kind::kText ? a.text[ra] == b.text[rb] : same_bits(a.num[ra], b.num[rb]);
}

std::string schema_of(const Table& t) {
  std::string s;
  for (const auto& c : t.columns())
    s += (s.empty() ? "" : ", ") + c.name +
         (c.kind == Column::Kind::kText  ? " (text"
          : c.kind == Column::Kind::kInt ? " (int"
                                         : " (real") +
         ", " + c.units + ": " + c.meaning + ")";
  return s;
}

// The first column where two rows differ, or -1.
int differing_column(const Table& a, size_t ra, const Table& b, size_t rb) {
  for (size_t i = 0; i < a.columns().size(); ++i)
    if (!same_cell(a.columns()[i], ra, b.columns()[i], rb)) return static_cast<int>(i);
  return -1;
}

Table empty_like(const Table& t) {
  Table out(t.name());
  for (const auto& c : t.columns()) out.add_column(c.name, c.units, c.meaning, c.kind);
  return out;
}

void append_row(Table& out, const Table& in, size_t row) {
  const size_t r = out.new_row();
  for (const auto& c : in.columns()) {
    if (c.kind == Column::Kind::kText)
      out.set_text(r, c.name, c.text[row]);
    else
      out.set(r, c.name, c.num[row]);
  }
}

// One table of the merged run: the rows of every part sorted by scale, each scale's rows from
// the first part that has it (kept in their order), checked against any other part's.
Table merge_table(const Parts& p, const std::string& name) {
  std::vector<const Table*> ts;
  for (size_t k = 0; k < p.list.size(); ++k) {
    ts.push_back(p.list[k].run.table(name));
    if (!ts[k]) throw p.differ("table '" + name + "'", "present", 0, "absent", k);
    if (schema_of(*ts[k]) != schema_of(*ts[0]))
      throw p.differ("the columns of table '" + name + "'", shown(schema_of(*ts[0])), 0, shown(schema_of(*ts[k])), k);
  }
  const Table& first = *ts[0];
  const Column* sc = scale_column(first);
  if (!sc) {  // a table without scales must be the same in every part
    for (size_t k = 1; k < ts.size(); ++k) {
      if (ts[k]->rows() != first.rows())
        throw p.differ("the row count of table '" + name + "'", std::to_string(first.rows()), 0,
                       std::to_string(ts[k]->rows()), k);
      for (size_t r = 0; r < first.rows(); ++r)
        if (const int c = differing_column(first, r, *ts[k], r); c >= 0) {
          const std::string& cn = first.columns()[static_cast<size_t>(c)].name;
          throw p.differ("table '" + name + "' row " + std::to_string(r) + " column '" + cn + "'",
                         cell_text(first.columns()[static_cast<size_t>(c)], r), 0,
                         cell_text(ts[k]->columns()[static_cast<size_t>(c)], r), k);
        }
    }
    return first;
  }
  struct Rows {
    size_t part;
    std::vector<size_t> rows;
  };
  std::map<double, std::vector<Rows>> by_scale;  // ascending; each scale's parts in part order
  for (size_t k = 0; k < ts.size(); ++k) {
    const Column* c = scale_column(*ts[k]);
    for (size_t r = 0; r < ts[k]->rows(); ++r) {
      const double s = c->num[r];
      if (!(s == s))
        throw InputError(p.list[k].source + ": table '" + name + "' row " + std::to_string(r) + ": scale is NaN");
      auto& groups = by_scale[s];
      if (groups.empty() || groups.back().part != k) groups.push_back({k, {}});
      groups.back().rows.push_back(r);
    }
  }
  Table out = empty_like(first);
  for (const auto& [s, groups] : by_scale) {
    const Rows& own = groups[0];
    const Table& a = *ts[own.part];
    for (size_t g = 1; g < groups.size(); ++g) {
      const Table& b = *ts[groups[g].part];
      const std::string field = "scale " + number_text(s) + " (in both) in table '" + name + "'";
      if (groups[g].rows.size() != own.rows.size())
        throw p.differ(field, std::to_string(own.rows.size()) + " rows", own.part,
                       std::to_string(groups[g].rows.size()) + " rows", groups[g].part);
      for (size_t i = 0; i < own.rows.size(); ++i)
        if (const int c = differing_column(a, own.rows[i], b, groups[g].rows[i]); c >= 0) {
          const auto col = static_cast<size_t>(c);
          throw p.differ(field + ", column '" + a.columns()[col].name + "'", cell_text(a.columns()[col], own.rows[i]),
                         own.part, cell_text(b.columns()[col], groups[g].rows[i]), groups[g].part);
        }
    }
    for (size_t r : own.rows) append_row(out, a, r);
  }
  return out;
}

std::string array_text(const ArrayData& a) {
  std::string dims;
  for (auto d : a.dims) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  return "(" + (dims.empty() ? std::string("scalar") : dims) + ")";
}

// Where two sets of arrays first differ: {field, value in a, value in b}; nullopt when equal.
struct Difference {
  std::string field, a, b;
};
std::optional<Difference> array_difference(const std::vector<ArrayData>& a, const std::vector<ArrayData>& b) {
  auto find = [](const std::vector<ArrayData>& v, const std::string& path) -> const ArrayData* {
    for (const auto& x : v)
      if (x.path == path) return &x;
    return nullptr;
  };
  for (const auto* v : {&a, &b})
    for (const auto& x : *v) {
      const ArrayData* xa = find(a, x.path);
      const ArrayData* xb = find(b, x.path);
      const std::string field = "array '" + x.path + "'";
      if (!xa || !xb) return Difference{field, xa ? "present" : "absent", xb ? "present" : "absent"};
      if (xa->dims != xb->dims) return Difference{field, array_text(*xa), array_text(*xb)};
      for (size_t i = 0; i < xa->values.size(); ++i)
        if (!same_bits(xa->values[i], xb->values[i]))
          return Difference{field + " at flat index " + std::to_string(i), number_text(xa->values[i]),
                            number_text(xb->values[i])};
      if (xa->meaning != xb->meaning) return Difference{field + "'s meaning", shown(xa->meaning), shown(xb->meaning)};
    }
  return std::nullopt;
}

// ---- the merge ----

bool is_text_rule(Rule r) {
  return r == Rule::kEarliest || r == Rule::kJoin || r == Rule::kFirst || r == Rule::kEffective || r == Rule::kSources;
}

RunResult merge_parts(Parts p) {
  // Part 0 is the one with the smallest scale (ties: by source), whatever the argument order.
  std::stable_sort(p.list.begin(), p.list.end(), [](const RunPart& a, const RunPart& b) {
    const double sa = smallest_scale(a.run), sb = smallest_scale(b.run);
    return sa != sb ? sa < sb : a.source < b.source;
  });
  const size_t n = p.list.size();
  std::vector<std::map<std::string, Attr>> attrs;
  for (const auto& part : p.list) attrs.push_back(attrs_of(part.run));

  // Attributes, in the order that names causes before their consequences.
  std::vector<std::pair<int, std::string>> order;
  std::set<std::string> names;
  for (const auto& m : attrs)
    for (const auto& [k, a] : m)
      if (names.insert(k).second) order.emplace_back(rank_of(k, a), k);
  std::stable_sort(order.begin(), order.end());
  FreeValues free;
  for (const auto& [rank, name] : order) {
    const auto rule = rule_of(name);
    if (rule == Rule::kSources) continue;  // merged_from: only in parts that are merges themselves
    for (size_t k = 1; k < n; ++k) {
      const bool has0 = attrs[0].count(name), hask = attrs[k].count(name);
      if (!has0 || !hask)
        throw p.differ("attribute '" + name + "'", has0 ? "present" : "absent", 0, hask ? "present" : "absent", k);
      const Attr& a = attrs[0].at(name);
      const Attr& b = attrs[k].at(name);
      if (a.kind != b.kind) throw p.differ("the type of attribute '" + name + "'", a.shown(), 0, b.shown(), k);
      if (!rule && !(a == b)) throw p.differ("attribute '" + name + "'", a.shown(), 0, b.shown(), k);
    }
    if (rule && *rule != Rule::kCount && (attrs[0].at(name).kind == Attr::Kind::kText) != is_text_rule(*rule))
      throw InputError(p.list[0].source + ": attribute '" + name + "' should be " +
                       (is_text_rule(*rule) ? "text" : "a number"));
    if (rule == Rule::kEffective) free = compare_effective(p);
  }

  // Tables and arrays.
  RunResult out = p.list[0].run;
  out.arrays.clear();
  out.tables.clear();
  for (const auto& t : p.list[0].run.tables) out.tables.push_back(merge_table(p, t.name()));
  for (size_t k = 1; k < n; ++k)
    for (const auto& t : p.list[k].run.tables)
      if (!p.list[0].run.table(t.name())) throw p.differ("table '" + t.name() + "'", "absent", 0, "present", k);
  for (const auto& part : p.list)
    if (p.pending.count(part.source))
      if (const auto d = array_difference(p.arrays, part.run.arrays))
        throw p.differ(d->field, d->a, p.arrays_from, d->b, part.source);
  out.arrays = p.arrays;

  // The merged scales: the sweep table's, else every scale table's distinct values.
  std::vector<double> scales;
  if (const Table* sweep = out.table("sweep"); sweep && scale_column(*sweep)) {
    scales = scale_column(*sweep)->num;
  } else {
    std::set<double> all;
    for (const auto& t : out.tables)
      if (const Column* c = scale_column(t)) all.insert(c->num.begin(), c->num.end());
    scales.assign(all.begin(), all.end());
  }
  const auto count = static_cast<int64_t>(scales.size());

  // The attributes that describe the merge and the jobs.
  auto all_of = [&](const std::string& name) {
    std::vector<const Attr*> v;
    for (const auto& m : attrs) v.push_back(&m.at(name));
    return v;
  };
  double seconds = 0;
  for (const auto& r : kAttrRules) {
    const std::string name = r.name;
    if (!attrs[0].count(name) && r.rule != Rule::kSources) continue;
    switch (r.rule) {
      case Rule::kEarliest: {
        std::string t = attrs[0].at(name).text;
        for (const Attr* a : all_of(name)) t = std::min(t, a->text);
        put(out.text_attrs, name, t);
        break;
      }
      case Rule::kSum: {
        double s = 0;
        for (const Attr* a : all_of(name)) s += a->d;
        put(out.num_attrs, name, s);
        if (name == "seconds") seconds = s;
        break;
      }
      case Rule::kJoin: {
        std::vector<std::string> seen;  // a merged part's own list ("omp, cuda") counts value by value
        for (const Attr* a : all_of(name))
          for (size_t b = 0; b <= a->text.size();) {
            const size_t e = std::min(a->text.find(", ", b), a->text.size());
            const std::string v = a->text.substr(b, e - b);
            if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
            b = e + 2;
          }
        std::string j;
        for (const auto& s : seen) j += (j.empty() ? "" : ", ") + s;
        put(out.text_attrs, name, j);
        break;
      }
      case Rule::kSources: {
        std::string list;
        for (size_t k = 0; k < n; ++k) list += attrs[k].count(name) ? attrs[k].at(name).text : p.list[k].source + "\n";
        put(out.text_attrs, name, list);
        break;
      }
      case Rule::kEffective:
        put(out.text_attrs, name,
            merged_effective(p, free, attrs[0].count("config") ? attrs[0].at("config").text : "", scales));
        break;
      case Rule::kCount:
        if (attrs[0].at(name).kind == Attr::Kind::kInt)
          put(out.int_attrs, name, count);
        else
          put(out.num_attrs, name, static_cast<double>(count));
        break;
      case Rule::kRate:  // after seconds (kAttrRules lists it later)
        if (attrs[0].count("particles_per_scale"))
          put(out.num_attrs, name,
              static_cast<double>(attrs[0].at("particles_per_scale").i) * static_cast<double>(count) /
                  std::max(seconds, 1e-9));
        break;
      case Rule::kFirst:
        break;  // part 0's
    }
  }
  return out;
}

}  // namespace

RunResult merge_run(std::vector<RunPart> parts) {
  if (parts.empty()) throw std::logic_error("merge_run: no parts");
  Parts p;
  p.arrays = parts[0].run.arrays;
  p.arrays_from = parts[0].source;
  for (const auto& part : parts) p.pending.insert(part.source);
  p.list = std::move(parts);
  return merge_parts(std::move(p));
}

std::vector<MergedRun> merge_files(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InputError("merge: no part files given");
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  std::vector<std::string> names;  // in order of first appearance
  std::map<std::string, Parts> groups;
  for (const auto& path : paths) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
      throw InputError(path + ": cannot read this part file (" + std::strerror(errno) + ")");
    if (!S_ISREG(st.st_mode)) throw InputError(path + ": a part must be a results file, not a folder or device");
    const auto [it, fresh] = seen.emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!fresh) throw InputError(path + ": given twice (also as " + it->second + ")");
    for (const auto& name : read_run_names(path)) {
      Parts& g = groups[name];
      if (g.list.empty()) names.push_back(name);
      RunPart part{read_run(path, name), path + ":/runs/" + name};
      // The arrays (the data, up to 16 MiB a part) are kept once: a part's own are dropped when
      // equal to the first part's, else kept for merge_parts to report after the attributes.
      if (g.list.empty()) {
        g.arrays = std::move(part.run.arrays);
        g.arrays_from = part.source;
      } else if (array_difference(g.arrays, part.run.arrays)) {
        g.pending.insert(part.source);
      }
      if (!g.pending.count(part.source)) part.run.arrays.clear();
      g.list.push_back(std::move(part));
    }
  }
  if (names.empty()) throw InputError("merge: the part files hold no runs");
  std::vector<MergedRun> out;
  for (const auto& name : names) {
    Parts& g = groups[name];
    MergedRun m;
    for (const auto& part : g.list) m.sources.push_back(part.source);
    if (g.list.size() == 1) {
      m.run = std::move(g.list[0].run);
      m.run.arrays = std::move(g.arrays);
    } else {
      m.run = merge_parts(std::move(g));
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> split_overrides(const Config& cfg) {
  const std::vector<double> scales = sweep_scales(cfg);
  const bool list = cfg.has("sweep.scales");
  std::vector<std::string> out;
  for (const double s : scales) {
    const std::string v = format_value(s);  // 17 significant digits: the same double back
    out.push_back(list ? "--set sweep.scales=[" + v + "]"
                       : "--set sweep.from=" + v + " --set sweep.to=" + v + " --set sweep.points=1");
  }
  return out;
}

}  // namespace mltemp
