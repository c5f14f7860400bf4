#include "cli.h"

#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "config.h"
#include "engine.h"
#include "errors.h"
#include "experiment.h"
#include "h5_writer.h"
#include "run.h"
#include "validate.h"

namespace mltemp {
namespace {

std::string config_reference() {
  std::ostringstream o;
  o << "\nConfig keys (TOML; command-line flags override the file, the file overrides defaults):\n";
  for (const auto& s : option_table()) {
    o << "  " << s.key << " (" << option_type_name(s.type);
    if (!std::holds_alternative<std::monostate>(s.def)) o << ", default " << format_value(s.def);
    if (!range_text(s).empty()) o << ", " << range_text(s);
    o << ")";
    if (!s.flag.empty()) o << " [--" << s.flag << "]";
    o << ": " << s.help;
    if (!s.choices.empty()) o << " {" << s.choices << "}";
    o << "\n";
  }
  return o.str();
}

// What --help shows after a flag of the option table.
std::string flag_type(const OptionSpec& s) {
  switch (s.type) {
    case OptType::kInt:
      return "INT";
    case OptType::kDouble:
      return "FLOAT";
    case OptType::kBool:
      return "BOOL";
    case OptType::kDoubleList:
      return "[FLOAT,...]";
    case OptType::kIntList:
      return "[INT,...]";
    case OptType::kString:
      break;
  }
  return s.choices.empty() ? "TEXT" : "TEXT:{" + s.choices + "}";
}

// Flags named in the option table (all, or the keys in `only`), plus --set KEY=VALUE for any
// key. Their text goes through Config::set_from_cli, so every command checks a value alike.
struct Overrides {
  std::map<std::string, std::string> flags;  // key -> text
  std::vector<std::string> sets;
  void add_to(CLI::App* app, const std::vector<std::string>& only = {}) {
    for (const auto& s : option_table()) {
      if (s.flag.empty() || (!only.empty() && std::find(only.begin(), only.end(), s.key) == only.end())) continue;
      const std::string range = range_text(s).empty() ? "" : "; " + range_text(s);
      app->add_option("--" + s.flag, flags[s.key], s.help + range + " (overrides " + s.key + ")")
          ->type_name(flag_type(s));
    }
    if (only.empty())
      app->add_option("--set", sets, "override any config key: --set mc.particles=5e6 (repeatable)")
          ->type_name("KEY=VALUE");
  }
  void apply(Config& cfg, CLI::App* app) const {
    for (const auto& [key, text] : flags)
      if (app->count("--" + find_option(key)->flag)) cfg.set_from_cli(key, text);
    for (const auto& kv : sets) cfg.set_assignment(kv);
  }
};

const char* const kExitCodesHelp =
    "\nExit codes: 0 success; 1 validate: a row failed; 2 bad input or usage (nothing written, an existing\n"
    "output file untouched); 3 internal error (a bug: please report it); 4 I/O or environment error (disk\n"
    "full, file-size limit, output unwritable at the end, lock wait over MLTEMP_LOCK_TIMEOUT seconds, out of\n"
    "memory): the message says where the results are, and the output file keeps all its earlier runs.\n";

// Writes the runs after the report was printed (or, with `shown` false, prints it on failure).
// When the write fails at the end (disk full, lock wait exceeded, the name taken meanwhile), the
// runs go to a rescue file if one can be written, and the error says where they are.
void write_or_rescue(const std::string& out, const std::vector<RunResult>& runs, const std::vector<Table>& top,
                     bool replace, const std::string& report, bool shown) {
  auto where = [&] {
    if (!shown) std::cout << report << std::flush;
    const std::string rescue = rescue_results(out, runs, top);
    return "\n" + out + " is unchanged: none of its earlier runs was lost. " +
           (rescue.empty() ? "The results were not saved anywhere: the table above is their only copy."
                           : "The results are saved in " + rescue + " (a results file of their own).");
  };
  try {
    WriteOptions opts;
    opts.replace = replace;
    write_results(out, runs, top, opts);
  } catch (const InputError& e) {
    throw InputError(e.what() + where());
  } catch (const IoError& e) {
    throw IoError(e.what() + where());
  }
}

std::string run_report(const RunResult& res, const RunContext& ctx) {
  std::ostringstream o;
  for (const auto& [k, v] : res.text_attrs)
    if ((k == "system" || k == "minimum" || k == "data_origin" || k == "exact_reference") && !v.empty())
      o << k << ": " << v << "\n";
  if (const Table* sweep = res.table("sweep")) o << format_sweep(*sweep);
  if (const Table* l = res.table("layers"))
    o << "\nper layer (pre-activation energies against the reference z_l*):\n"
      << format_columns(*l, {"scale", "layer", "E_l", "E_l_se", "T_l", "T_l_se", "T_l_exact", "T_l_asym"});
  if (const Table* e = res.table("efficiency"))
    o << "\nwork efficiency:\n"
      << format_columns(*e, {"scale", "eta", "eta_se", "eta_exact", "eta_limit", "engine_type"});
  o << experiment_report(res);
  double pps = 0;
  for (const auto& [k, v] : res.num_attrs)
    if (k == "particles_per_second") pps = v;
  char buf[256];
  std::snprintf(buf, sizeof buf, "backend %s (%s), %.3g particles/s; %s\n", backend_name(ctx.backend),
                ctx.device.c_str(), pps, timing_line(ctx).c_str());
  return o.str() + buf;
}

void apply_threads(const Config& cfg) {
  const int64_t t = cfg.get_int("mc.threads");
  if (t > 0) omp_set_num_threads(static_cast<int>(t));
}

int cmd_run(const std::string& config_path, const std::string& out, bool quiet, bool print_config, bool replace,
            const Overrides& ov, CLI::App* app) {
  Config cfg = Config::from_file(config_path);
  ov.apply(cfg, app);
  if (print_config) {
    check_config(cfg);  // what run would refuse, refused here with the same message
    std::cout << cfg.echo();
    return 0;
  }
  if (out.empty()) throw InputError("--out FILE.h5 is required");
  check_output_path(out, {cfg.get_string("name")}, replace);
  apply_threads(cfg);
  RunContext ctx;
  ctx.quiet = quiet;
  ctx.backend = select_backend(cfg.get_string("mc.backend"), quiet, &ctx.device);
  RunResult res = run_config(cfg, ctx);
  // The table reaches the terminal before the file is written: a failing disk loses nothing shown.
  const std::string report = run_report(res, ctx);
  if (!quiet) std::cout << report << std::flush;
  write_or_rescue(out, {res}, {}, replace, report, !quiet);
  if (!quiet) std::printf("wrote /runs/%s to %s\n", res.name.c_str(), out.c_str());
  return kExitOk;
}

int cmd_validate(const std::string& out, bool quiet, double factor, const Overrides& ov, CLI::App* app) {
  if (out.empty()) throw InputError("--out FILE.h5 is required");
  Config cfg = Config::defaults();  // --backend and --threads, checked as run checks them
  ov.apply(cfg, app);
  if (!(factor > 0) || factor > 1000) throw InputError("--particle-factor: must be in (0, 1000]");
  check_output_path(out);
  apply_threads(cfg);
  RunContext ctx;
  ctx.quiet = quiet;
  ctx.backend = select_backend(cfg.get_string("mc.backend"), quiet, &ctx.device);
  Validator v(ctx, factor);
  const auto t0 = std::chrono::steady_clock::now();
  Table table = run_validation(v);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[256];
  std::snprintf(line, sizeof line, "validate: %.1f s on backend %s (%s)\n", secs, backend_name(ctx.backend),
                ctx.device.c_str());
  const std::string report = format_verdicts(v.rows()) + line;
  std::cout << report << std::flush;
  write_or_rescue(out, v.results(), {table}, /*replace=*/true, report, true);  // validate renews its own runs
  std::printf("wrote %zu runs and /validate to %s\n", v.results().size(), out.c_str());
  for (const auto& r : v.rows())
    if (!r.pass) return kExitValidateFailed;
  return kExitOk;
}

}  // namespace

int cli_main(int argc, char** argv) {
  CLI::App app{"mltemp: Monte Carlo temperatures of machine-learning systems (T = (E_init - E_min)/H)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mltemp ") + kVersion + " (CUDA backend " +
                                        (cuda_compiled() ? "compiled" : "not compiled") + ")");

  std::string config_path, out, validate_out;
  bool quiet = false, print_config = false, vquiet = false, replace = false;
  double factor = 1.0;
  Overrides ov, vov;

  CLI::App* run = app.add_subcommand("run", "run the sweep of a config file and write its table to HDF5");
  run->add_option("config", config_path, "config file (TOML)")->required()->type_name("FILE.toml");
  run->add_option("--out", out, "output HDF5 file (runs are added to an existing mltemp file)")
      ->option_text("FILE.h5 REQUIRED (unless --print-config)");
  run->add_flag("--quiet", quiet, "no progress and no table on the terminal");
  run->add_flag("--print-config", print_config,
                "check the config as run would (data, system, minimum; no particles), print the effective "
                "config with each value's source, and exit");
  run->add_flag("--replace", replace, "replace a run of the same name in the output file (else exit 2)");
  ov.add_to(run);
  run->footer(config_reference() + kExitCodesHelp);

  CLI::App* val = app.add_subcommand("validate", "check every implemented paper row on built-in data");
  val->add_option("--out", validate_out, "output HDF5 file")->required()->type_name("FILE.h5");
  vov.add_to(val, {"mc.backend", "mc.threads"});
  val->add_option("--particle-factor", factor, "scale every row's particle count (default 1)");
  val->add_flag("--quiet", vquiet, "no notices");

  app.add_subcommand("systems", "list the paper rows validate checks, with equation numbers");
  app.footer(kExitCodesHelp);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  try {
    if (run->parsed()) return cmd_run(config_path, out, quiet, print_config, replace, ov, run);
    if (val->parsed()) return cmd_validate(validate_out, vquiet, factor, vov, val);
    std::cout << list_systems();
    return kExitOk;
  } catch (const InputError& e) {
    std::fprintf(stderr, "mltemp: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const IoError& e) {
    std::fprintf(stderr, "mltemp: I/O error: %s\n", e.what());
    return kExitIo;
  } catch (const std::filesystem::filesystem_error& e) {
    std::fprintf(stderr, "mltemp: I/O error: %s\n", e.what());
    return kExitIo;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mltemp: error: out of memory\n");
    return kExitIo;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mltemp: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace mltemp
