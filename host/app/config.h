// The option table and the resolved configuration.
//
// One table (option_table()) names every config key: its type, default, help text and, for
// some keys, a command-line flag. It drives TOML parsing (unknown keys and wrong types are
// errors that name the line), the command-line overrides (CLI > file > default), `--help`,
// and the echo of the effective config into the HDF5 output.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mltemp {

enum class OptType { kString, kInt, kDouble, kBool, kDoubleList, kIntList };

using OptValue =
    std::variant<std::monostate, std::string, int64_t, double, bool, std::vector<double>, std::vector<int64_t>>;

struct OptionSpec {
  std::string key;  // "section.name" (or "name" at top level)
  OptType type;
  OptValue def;  // std::monostate: no default (unset unless given)
  std::string help;
  std::string choices;  // comma-separated allowed strings, or empty
  std::string flag;     // command-line override flag without dashes, or empty
  // Numeric keys: the allowed range, bounds included (checked wherever a value is set).
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

const std::vector<OptionSpec>& option_table();
const OptionSpec* find_option(const std::string& key);
std::string option_type_name(OptType t);
std::string format_value(const OptValue& v);
// "at least 1", "between 0 and 4096", or "" for a key without a range.
std::string range_text(const OptionSpec& s);

class Config {
 public:
  enum class Source { kDefault, kFile, kCli };

  // Parse TOML text; origin names the file in messages, base_dir resolves relative paths.
  static Config from_toml(const std::string& text, const std::string& origin, const std::string& base_dir);
  static Config from_file(const std::string& path);
  // Every key at its default (commands without a config file, such as validate).
  static Config defaults();

  // Command-line override of a table key; text is parsed by the key's type and checked like
  // a file's value (choices, range).
  void set_from_cli(const std::string& key, const std::string& text);
  // `--set KEY=VALUE`: the text after --set.
  void set_assignment(const std::string& key_eq_value);

  bool has(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::vector<double> get_doubles(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
  bool given(const std::string& key) const;             // set by the file or the command line
  const OptValue& value(const std::string& key) const;  // any type; std::monostate when unset

  // "file.toml:12: mc.particles" (or "--particles", or "mc.particles (default)"): for messages.
  std::string where(const std::string& key) const;
  // A path value resolved against the config file's folder.
  std::string resolve_path(const std::string& key) const;
  // The effective config as TOML, each key with its source.
  std::string echo() const;
  const std::string& text() const { return text_; }
  const std::string& origin() const { return origin_; }

 private:
  struct Entry {
    OptValue value;
    Source source = Source::kDefault;
    int line = 0;
  };
  const Entry& entry(const std::string& key) const;
  std::map<std::string, Entry> values_;
  std::string text_, origin_, base_dir_;
};

}  // namespace mltemp
