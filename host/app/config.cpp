#include "config.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "errors.h"

namespace mltemp {
namespace {

using L = std::vector<double>;
using IL = std::vector<int64_t>;

std::vector<OptionSpec> build_table() {
  using T = OptType;
  return {
      {"name", T::kString, std::string("run"), "run name: the HDF5 group /runs/<name>", "", "name"},
      // [data]
      {"data.source", T::kString, std::string("synthetic"), "where the data come from", "csv,synthetic,teacher", ""},
      {"data.path", T::kString, {}, "csv: data file (relative to the config file's folder)", "", ""},
      {"data.target", T::kString, {}, "csv: target column by name (default: the last column)", "", ""},
      {"data.standardize", T::kBool, true, "z-score the feature columns (and the target, for regression)", "", ""},
      {"data.bias", T::kBool, true, "append a constant-1 feature", "", ""},
      {"data.n", T::kInt, int64_t{200}, "synthetic: data points", "", ""},
      {"data.m", T::kInt, int64_t{4}, "synthetic: features (before the bias column)", "", ""},
      {"data.noise", T::kDouble, 0.5, "synthetic: noise standard deviation of the target", "", ""},
      {"data.seed", T::kInt, int64_t{7}, "synthetic: data seed (independent of mc.seed)", "", ""},
      {"data.teacher_sigma", T::kDouble, 1.0, "teacher: std of the teacher network's weights (every layer)", "", ""},
      {"data.teacher_scaling", T::kString, std::string("none"),
       "teacher: per-layer weight std teacher_sigma * k_l, k_l as in init.layer_scaling", "none,fan_in,he", ""},
      {"data.labels", T::kString, std::string("real"),
       "synthetic target: real (regression) or binary (0/1 = sign of x.w + noise)", "real,binary", ""},
      // [model]
      {"model.kind", T::kString, std::string("linear"),
       "model family: linear or logistic regression, or a multilayer perceptron", "linear,logistic,mlp", ""},
      {"model.hidden", T::kIntList, std::vector<int64_t>{16},
       "mlp: hidden-layer widths n_1 .. n_{L-1} (the output layer has width 1)", "", ""},
      {"model.activation", T::kString, std::string("tanh"), "mlp: hidden activation", "tanh,sigmoid,relu", ""},
      {"model.bias", T::kBool, false, "mlp: every layer has a bias vector (drawn like its weights)", "", ""},
      {"model.train_iters", T::kInt, int64_t{3000},
       "mlp on csv data: iteration budget of the full-batch trainer (BFGS + Newton polish)", "", ""},
      {"model.train_seed", T::kInt, int64_t{1}, "mlp on csv data: seed of the trainer's random restarts", "", ""},
      // [energy]
      {"energy.kind", T::kString, std::string("mse"),
       "loss over the dataset (the energy): mse, mae (linear) or ce (logistic)", "mse,mae,ce,mbe", ""},
      {"energy.l1", T::kDouble, 0.0, "L1 penalty lambda * sum_j |theta_j|", "", ""},
      {"energy.l2", T::kDouble, 0.0, "L2 penalty lambda * sum_j theta_j^2", "", ""},
      // [init]
      {"init.dist", T::kString, std::string("normal"), "initial distribution of every coordinate",
       "normal,uniform,mixed", ""},
      {"init.layer_scaling", T::kString, std::string("none"),
       "mlp: sigma_l = scale * k_l with k_l = 1, 1/sqrt(n_{l-1}) (fan_in) or sqrt(2/n_{l-1}) (he)", "none,fan_in,he",
       ""},
      {"init.normal_dims", T::kInt, int64_t{0}, "mixed: how many leading coordinates are normal (sigma = scale)", "",
       ""},
      {"init.uniform_ratio", T::kDouble, 1.7320508075688772,
       "mixed: a = uniform_ratio * scale for the uniform coordinates", "", ""},
      // [sweep]
      {"sweep.scales", T::kDoubleList, {}, "explicit scales (sigma for normal/mixed, a for uniform)", "", ""},
      {"sweep.from", T::kDouble, {}, "log-spaced sweep: first scale", "", ""},
      {"sweep.to", T::kDouble, {}, "log-spaced sweep: last scale", "", ""},
      {"sweep.points", T::kInt, {}, "log-spaced sweep: number of scales", "", ""},
      // [mc]
      {"experiment.kind", T::kString, std::string("sweep"),
       "what the run does: the plain temperature sweep, or an experiment (README: Experiments)", "sweep,training,entropy,mixing,shift",
       ""},
      // Experiment keys: the help text starts with the experiment kind that uses the key
      // (find_experiment refuses a key given for another kind).
      {"experiment.split_column",
       T::kString,
       {},
       "mixing, csv: feature column that splits the rows into A (value <= split_at) and B (above); it is then "
       "dropped from the features",
       "",
       ""},
      {"experiment.split_at",
       T::kDouble,
       {},
       "mixing, split_column: the threshold, any finite value (default: the column's lower median)",
       "",
       ""},
      {"experiment.data_b",
       T::kString,
       {},
       "mixing, csv: system B's data file, same columns as data.path (relative to the config file's folder)",
       "",
       ""},
      {"experiment.b_n",
       T::kInt,
       {},
       "mixing, synthetic: system B's data points (default data.n)",
       "",
       "",
       1,
       100000000},
      {"experiment.b_seed", T::kInt, {}, "mixing, synthetic: system B's data seed (default data.seed + 1)", "", "", 0},
      {"experiment.b_x_scale", T::kDouble, 1.0,
       "mixing: system B's features are multiplied by this before the union is standardized", "", "", 0.001, 1000},
      {"experiment.b_flip_target", T::kBool, false,
       "mixing: system B's target becomes -y (regression) or 1 - y (0/1 labels): the same features, the opposite "
       "relation",
       "", ""},
      {"experiment.shift", T::kString, std::string("drift"),
       "shift: the dataset sequence: drift (synthetic data on a known schedule) or extend (growing prefixes)",
       "drift,extend", ""},
      {"experiment.drift_steps", T::kInt, int64_t{5}, "shift: datasets D_0 .. D_{K-1} in the sequence (K)", "", "", 2,
       10000},
      {"experiment.drift_noise_to",
       T::kDouble,
       {},
       "shift, drift: noise std of the last dataset (the first has data.noise; geometric in between; default: "
       "data.noise)",
       "",
       "",
       0.001,
       1000},
      {"experiment.drift_x_scale_to", T::kDouble, 1.0,
       "shift, drift: the last dataset's features are multiplied by this (1 at the first; geometric in between)", "",
       "", 0.001, 1000},
      {"experiment.extend_from", T::kDouble, 0.5,
       "shift, extend: D_0 holds this fraction of the rows, D_{K-1} all of them", "", "", 0.001, 1.0},
      {"experiment.extend_order",
       T::kString,
       {},
       "shift, extend: column the rows are sorted by (ascending) before the prefixes are taken (default: file order)",
       "",
       ""},
      {"experiment.steps", T::kInt, int64_t{100}, "training: gradient-descent steps (a table row each, and step 0)", "",
       "", 1, 1000000},
      {"experiment.learning_rate",
       T::kDouble,
       {},
       "training: the step eta of theta <- theta - eta grad E, the same for every particle (> 0)",
       "",
       "",
       0.0},
      {"experiment.deltas", T::kDoubleList, L{1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01},
       "entropy: grid cell sides in units of the scale (Delta = delta * scale)", "", "", 1e-4, 1e3},
      {"experiment.dims", T::kIntList, IL{1, 2, 3, 4},
       "entropy: dimensions m histogrammed (the first m coordinates of each particle)", "", "", 1, 8},
      {"experiment.particles", T::kIntList, IL{1000, 10000, 100000, 1000000},
       "entropy: particle counts N (the first N particles: nested samples)", "", "", 2, 100000000},
      {"mc.particles", T::kInt, int64_t{1000000}, "particles per scale point", "", "particles", 1},
      {"mc.seed", T::kInt, int64_t{1}, "particle seed: same seed, same bits", "", "seed", 0},
      // 2^28 particles are 2^18 chunk partials (about 250 MB at most) held per batch.
      {"mc.batch", T::kInt, int64_t{0},
       "particles per batch (memory bound; rounded up to 1024); 0 picks per backend: 65536 on a CPU, 2^20 on a GPU "
       "(2^17 for networks); never changes results",
       "", "batch", 0, 268435456},
      {"mc.backend", T::kString, std::string("auto"),
       "auto (GPU if present), cuda, omp (CPU lanes), reference (scalar loop) or emulate (GPU kernels run on the CPU)",
       "auto,cuda,omp,reference,emulate", "backend"},
      {"mc.threads", T::kInt, int64_t{0}, "CPU threads (0: OpenMP's default)", "", "threads", 0, 4096},
      {"mc.checkpoint_seconds", T::kDouble, 60.0,
       "run: save the finished work to OUT.NAME.ckpt this often, at a batch boundary (0: every batch); --resume "
       "continues it",
       "", "checkpoint-every", 0},
  };
}

// A TOML basic string holding s: quotes, backslashes and control characters escaped.
std::string toml_quote(const std::string& s) {
  std::string o = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      o += '\\';
      o += ch;
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      o += buf;
    } else {
      o += ch;
    }
  }
  return o + "\"";
}

std::string type_error(const std::string& where, OptType want, const std::string& got) {
  return where + ": expected " + option_type_name(want) + ", got " + got;
}

std::string node_type(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

// Integer from a TOML number: floats are accepted when they are whole (particles = 1e6).
std::optional<int64_t> as_whole(const toml::node& n) {
  if (auto i = n.as_integer()) return i->get();
  if (auto f = n.as_floating_point()) {
    const double d = f->get();
    const double two63 = 9223372036854775808.0;
    if (std::floor(d) == d && d >= -two63 && d < two63) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> as_number(const toml::node& n) {
  if (auto i = n.as_integer()) return static_cast<double>(i->get());
  if (auto f = n.as_floating_point()) return f->get();
  return std::nullopt;
}

OptValue convert(const toml::node& n, const OptionSpec& spec, const std::string& where) {
  switch (spec.type) {
    case OptType::kString:
      if (auto s = n.as_string()) return s->get();
      break;
    case OptType::kBool:
      if (auto b = n.as_boolean()) return b->get();
      break;
    case OptType::kInt:
      if (auto v = as_whole(n)) return *v;
      if (auto f = n.as_floating_point(); f && std::isfinite(f->get()) && std::floor(f->get()) == f->get())
        throw InputError(where + ": " + format_value(f->get()) + " is beyond the 64-bit integer range");
      break;
    case OptType::kDouble:
      if (auto v = as_number(n)) {
        if (!std::isfinite(*v)) throw InputError(where + ": must be finite, got " + format_value(*v));
        return *v;
      }
      break;
    case OptType::kDoubleList:
    case OptType::kIntList:
      if (auto arr = n.as_array()) {
        L d;
        IL ints;
        for (size_t i = 0; i < arr->size(); ++i) {
          const toml::node& e = *arr->get(i);
          const std::string ew = where + "[" + std::to_string(i) + "]";
          if (spec.type == OptType::kDoubleList) {
            auto v = as_number(e);
            if (!v) throw InputError(type_error(ew, OptType::kDouble, node_type(e)));
            if (!std::isfinite(*v)) throw InputError(ew + ": must be finite");
            d.push_back(*v);
          } else {
            auto v = as_whole(e);
            if (!v) throw InputError(type_error(ew, OptType::kInt, node_type(e)));
            ints.push_back(*v);
          }
        }
        if (spec.type == OptType::kDoubleList) return d;
        return ints;
      }
      break;
  }
  throw InputError(type_error(where, spec.type, node_type(n)));
}

// The checks every value of a key passes, wherever it is set: its choices and its range.
void check_value(const OptionSpec& spec, const OptValue& v, const std::string& where) {
  const std::optional<double> num = std::holds_alternative<int64_t>(v)  ? static_cast<double>(std::get<int64_t>(v))
                                    : std::holds_alternative<double>(v) ? std::optional<double>(std::get<double>(v))
                                                                        : std::nullopt;
  if (num && !(*num >= spec.min && *num <= spec.max)) throw InputError(where + ": must be " + range_text(spec));
  auto check_list = [&](const auto& list) {
    for (size_t i = 0; i < list.size(); ++i)
      if (!(static_cast<double>(list[i]) >= spec.min && static_cast<double>(list[i]) <= spec.max))
        throw InputError(where + "[" + std::to_string(i) + "]: must be " + range_text(spec));
  };
  if (const auto* l = std::get_if<L>(&v)) check_list(*l);
  if (const auto* l = std::get_if<IL>(&v)) check_list(*l);
  if (spec.choices.empty() || !std::holds_alternative<std::string>(v)) return;
  const std::string& s = std::get<std::string>(v);
  std::stringstream ss(spec.choices);
  std::string c;
  while (std::getline(ss, c, ','))
    if (c == s) return;
  throw InputError(where + ": '" + s + "' is not one of: " + spec.choices);
}

}  // namespace

const std::vector<OptionSpec>& option_table() {
  static const std::vector<OptionSpec> table = build_table();
  return table;
}

const OptionSpec* find_option(const std::string& key) {
  for (const auto& o : option_table())
    if (o.key == key) return &o;
  return nullptr;
}

std::string option_type_name(OptType t) {
  switch (t) {
    case OptType::kString:
      return "a string";
    case OptType::kInt:
      return "an integer";
    case OptType::kDouble:
      return "a number";
    case OptType::kBool:
      return "a boolean";
    case OptType::kDoubleList:
      return "an array of numbers";
    case OptType::kIntList:
      return "an array of integers";
  }
  return "?";
}

std::string format_value(const OptValue& v) {
  std::ostringstream o;
  o.precision(17);
  struct V {
    std::ostringstream& o;
    void operator()(std::monostate) const { o << "(unset)"; }
    void operator()(const std::string& s) const { o << toml_quote(s); }
    void operator()(int64_t i) const { o << i; }
    void operator()(double d) const {
      // The shortest of 15 to 17 digits that reads back as d (0.2, not 0.20000000000000001).
      std::string s;
      for (int digits = 15; digits <= 17; ++digits) {
        std::ostringstream t;
        t.precision(digits);
        t << d;
        s = t.str();
        if (std::strtod(s.c_str(), nullptr) == d || !std::isfinite(d)) break;
      }
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      o << s;
    }
    void operator()(bool b) const { o << (b ? "true" : "false"); }
    void operator()(const L& l) const {
      o << '[';
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) o << ", ";
        (*this)(l[i]);
      }
      o << ']';
    }
    void operator()(const IL& l) const {
      o << '[';
      for (size_t i = 0; i < l.size(); ++i) o << (i ? ", " : "") << l[i];
      o << ']';
    }
  };
  std::visit(V{o}, v);
  return o.str();
}

std::string range_text(const OptionSpec& s) {
  const bool lo = std::isfinite(s.min), hi = std::isfinite(s.max);
  const bool whole = s.type == OptType::kInt || s.type == OptType::kIntList;
  auto f = [&](double x) { return whole ? format_value(static_cast<int64_t>(x)) : format_value(x); };
  if (lo && hi) return "between " + f(s.min) + " and " + f(s.max);
  if (lo) return "at least " + f(s.min);
  if (hi) return "at most " + f(s.max);
  return "";
}

Config Config::from_toml(const std::string& text, const std::string& origin, const std::string& base_dir) {
  Config cfg;
  cfg.text_ = text;
  cfg.origin_ = origin;
  cfg.base_dir_ = base_dir;
  for (const auto& o : option_table()) cfg.values_[o.key] = Entry{o.def, Source::kDefault, 0};
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": malformed TOML: " << e.description();
    throw InputError(msg.str());
  }
  // Walk every leaf; tables open a section.
  std::function<void(const toml::table&, const std::string&)> walk = [&](const toml::table& t,
                                                                         const std::string& prefix) {
    for (const auto& [k, node] : t) {
      const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      const int line = static_cast<int>(node.source().begin.line);
      const std::string where = origin + ":" + std::to_string(line) + ": " + key;
      if (const toml::table* sub = node.as_table()) {
        bool known_section = false;
        for (const auto& o : option_table())
          if (o.key.rfind(key + ".", 0) == 0) known_section = true;
        if (!known_section) throw InputError(where + ": unknown section [" + key + "]");
        walk(*sub, key);
        continue;
      }
      const OptionSpec* spec = find_option(key);
      if (!spec) {
        std::string known;
        for (const auto& o : option_table()) {
          const auto dot = o.key.rfind('.');
          const std::string sec = dot == std::string::npos ? "" : o.key.substr(0, dot);
          if (sec == prefix)
            known += (known.empty() ? "" : ", ") + o.key.substr(dot == std::string::npos ? 0 : dot + 1);
        }
        throw InputError(where + ": unknown key" +
                         (known.empty() ? std::string() : " (known keys here: " + known + ")"));
      }
      OptValue v = convert(node, *spec, where);
      check_value(*spec, v, where);
      cfg.values_[key] = Entry{std::move(v), Source::kFile, line};
    }
  };
  walk(root, "");
  return cfg;
}

Config Config::from_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot open config file");
  std::stringstream buf;
  buf << f.rdbuf();
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  return from_toml(buf.str(), path, dir);
}

Config Config::defaults() { return from_toml("", "(defaults)", "."); }

void Config::set_from_cli(const std::string& key, const std::string& text) {
  const OptionSpec* spec = find_option(key);
  if (!spec) throw InputError("unknown config key '" + key + "'");
  const std::string where = spec->flag.empty() ? "--set " + key : "--" + spec->flag;
  // Reuse the TOML value grammar for the flag's text. Strings may also be bare words
  // (--set model.activation=relu as well as ="relu"); TOML wants them in UTF-8.
  const bool bare = spec->type == OptType::kString && (text.empty() || (text[0] != '"' && text[0] != '\''));
  toml::table t;
  try {
    t = toml::parse("v = " + (bare ? toml_quote(text) : text));
  } catch (const toml::parse_error&) {
  }
  if (t.size() != 1 || !t.contains("v"))
    throw InputError(where + ": cannot read '" + text + "' as " + option_type_name(spec->type) +
                     (bare ? " (not UTF-8)" : ""));
  OptValue v = convert(*t.get("v"), *spec, where);
  check_value(*spec, v, where);
  values_[key] = Entry{std::move(v), Source::kCli, 0};
}

void Config::set_assignment(const std::string& kv) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos) throw InputError("--set " + kv + ": expected KEY=VALUE");
  set_from_cli(kv.substr(0, eq), kv.substr(eq + 1));
}

const Config::Entry& Config::entry(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("config key not in the option table: " + key);
  return it->second;
}

bool Config::has(const std::string& key) const { return !std::holds_alternative<std::monostate>(entry(key).value); }
const OptValue& Config::value(const std::string& key) const { return entry(key).value; }
bool Config::given(const std::string& key) const { return entry(key).source != Source::kDefault; }

template <class T>
static const T& get_as(const OptValue& v, const std::string& key) {
  if (!std::holds_alternative<T>(v)) throw std::logic_error("config key read with the wrong type or unset: " + key);
  return std::get<T>(v);
}

std::string Config::get_string(const std::string& key) const { return get_as<std::string>(entry(key).value, key); }
int64_t Config::get_int(const std::string& key) const { return get_as<int64_t>(entry(key).value, key); }
double Config::get_double(const std::string& key) const { return get_as<double>(entry(key).value, key); }
bool Config::get_bool(const std::string& key) const { return get_as<bool>(entry(key).value, key); }
std::vector<double> Config::get_doubles(const std::string& key) const { return get_as<L>(entry(key).value, key); }
std::vector<int64_t> Config::get_ints(const std::string& key) const { return get_as<IL>(entry(key).value, key); }

std::string Config::where(const std::string& key) const {
  const Entry& e = entry(key);
  switch (e.source) {
    case Source::kFile:
      return origin_ + ":" + std::to_string(e.line) + ": " + key;
    case Source::kCli: {
      const OptionSpec* s = find_option(key);
      return s && !s->flag.empty() ? "--" + s->flag : "--set " + key;
    }
    default:
      return key + " (default)";
  }
}

std::string Config::resolve_path(const std::string& key) const {
  std::filesystem::path p(get_string(key));
  if (p.is_relative() && entry(key).source == Source::kFile) p = std::filesystem::path(base_dir_) / p;
  return p.lexically_normal().string();
}

std::string Config::echo() const {
  std::ostringstream o;
  std::string section;
  for (const auto& spec : option_table()) {
    const Entry& e = entry(spec.key);
    const auto dot = spec.key.rfind('.');
    const std::string sec = dot == std::string::npos ? "" : spec.key.substr(0, dot);
    const std::string name = dot == std::string::npos ? spec.key : spec.key.substr(dot + 1);
    if (sec != section) {
      o << "\n[" << sec << "]\n";
      section = sec;
    }
    const char* src = e.source == Source::kFile ? "file" : e.source == Source::kCli ? "command line" : "default";
    if (std::holds_alternative<std::monostate>(e.value))
      o << "# " << name << " = (unset)\n";
    else
      o << name << " = " << format_value(e.value) << "  # " << src << "\n";
  }
  return o.str();
}

}  // namespace mltemp
