#include "cli.h"

#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "checkpoint.h"
#include "cluster.h"
#include "config.h"
#include "engine.h"
#include "errors.h"
#include "experiment.h"
#include "file_lock.h"
#include "h5_writer.h"
#include "merge.h"
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
    "memory): the message says where the results are, and the output file keeps all its earlier runs;\n"
    "5 interrupted (SIGINT, SIGTERM, SIGHUP): run saved its finished work in OUT.NAME.ckpt beside the output,\n"
    "and the same command with --resume continues it. Under mpirun, the code of the first rank that fails.\n";

// A word of a command line as a POSIX shell reads it back.
std::string shell_word(const std::string& w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./:,@%") ==
                        std::string::npos)
    return w;
  std::string q = "'";
  for (const char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The command that continues this run: its own words, with --resume.
std::string resume_command(const std::vector<std::string>& words, int ranks) {
  std::string cmd;
  bool has = false;
  for (const auto& w : words) {
    cmd += (cmd.empty() ? "" : " ") + shell_word(w);
    has = has || w == "--resume";
  }
  if (!has) cmd += " --resume";
  if (ranks > 1) cmd += "\n  (under your MPI launcher as before; any number of ranks)";
  return cmd;
}

// Writes the runs after the report was printed (or, with `shown` false, prints it on failure).
// When the write fails at the end (disk full, lock wait exceeded, the name taken meanwhile), the
// runs go to a rescue file if one can be written, and the error says where they are.
// A run's checkpoint that holds every scale goes when a rescue file holds the run, and else is
// named as the way to write the results later.
void write_or_rescue(const std::string& out, const std::vector<RunResult>& runs, const std::vector<Table>& top,
                     bool replace, const std::string& report, bool shown, Checkpointer* ckpt = nullptr) {
  auto where = [&] {
    if (!shown) std::cout << report << std::flush;
    const std::string rescue = rescue_results(out, runs, top);
    const std::string head = "\n" + out + " is unchanged: none of its earlier runs was lost. ";
    if (!rescue.empty()) {
      if (ckpt) ckpt->finished();
      return head + "The results are saved in " + rescue + " (a results file of their own).";
    }
    const Table* sweep = runs.size() == 1 ? runs[0].table("sweep") : nullptr;
    if (ckpt && sweep && ckpt->holds_all(sweep->rows()))
      return head + "The results are saved in the checkpoint " + ckpt->path() +
             ": once the cause is fixed, the same command with --resume writes them without running the particles "
             "again.";
    return head + "The results were not saved anywhere: the table above is their only copy.";
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
  if (const Table* s = res.table("sweep")) o << format_sweep(*s);  // experiments print their own tables
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

// The context `run` and `validate` start from: mc.threads applied, this rank's GPU chosen when
// the backend may use one, the backend selected (quiet on every rank but 0).
RunContext start_context(const Config& cfg, bool quiet) {
  const Cluster& job = Cluster::world();
  const int64_t t = cfg.get_int("mc.threads");
  if (t > 0) omp_set_num_threads(static_cast<int>(t));
  const std::string backend = cfg.get_string("mc.backend");
  if (backend == "cuda" || backend == "auto") job.use_local_gpu();
  RunContext ctx;
  ctx.quiet = quiet || !job.root();
  ctx.backend = select_backend(backend, ctx.quiet, &ctx.device);
  return ctx;
}

int cmd_run(const std::string& config_path, const std::string& out, bool quiet, bool print_config, bool replace,
            bool resume, const Overrides& ov, CLI::App* app, const std::vector<std::string>& words) {
  Cluster& job = Cluster::world();
  Config cfg = Config::from_file(config_path);
  ov.apply(cfg, app);
  if (print_config) {
    check_config(cfg);  // what run would refuse, refused here with the same message
    job.step();
    job.set_lockstep(false);
    if (job.root()) std::cout << cfg.echo();
    return 0;
  }
  if (out.empty()) throw InputError("--out FILE.h5 is required");
  const std::string name = cfg.get_string("name");
  const std::string ckpt_path = checkpoint_path(out, name);
  if (job.root()) {  // the other ranks learn of a refusal in the first round
    check_output_path(out, {name}, replace);
    remove_stale_temps(ckpt_path);
  }
  RunContext ctx = start_context(cfg, quiet);
  Checkpointer ckpt(ckpt_path, cfg.get_double("mc.checkpoint_seconds"), resume, resume_command(words, job.size()),
                    job.root());
  ctx.checkpoint = &ckpt;
  RunResult res;
  try {
    res = run_config(cfg, ctx);
    job.step();  // every rank got here: no rank waits for another any more
  } catch (const Interrupted&) {
    ckpt.save();  // the state of the last batch every rank finished
    ckpt.tell_resume();
    throw;
  } catch (...) {  // an environment failure or a bug: keep what is finished
    if (describe_error(std::current_exception()).code != kExitBadInput) ckpt.save_for_resume();
    throw;
  }
  job.set_lockstep(false);
  if (!job.root()) return kExitOk;
  ckpt.writing_results(out);  // no round is left to stop at: a signal now saves and exits at once
  // The table reaches the terminal before the file is written: a failing disk loses nothing shown.
  const std::string report = run_report(res, ctx);
  if (!quiet) std::cout << report << std::flush;
  write_or_rescue(out, {res}, {}, replace, report, !quiet, &ckpt);
  ckpt.finished();
  if (!quiet) std::printf("wrote /runs/%s to %s\n", res.name.c_str(), out.c_str());
  return kExitOk;
}

int cmd_validate(const std::string& out, bool quiet, double factor, const Overrides& ov, CLI::App* app) {
  Cluster& job = Cluster::world();
  if (out.empty()) throw InputError("--out FILE.h5 is required");
  Config cfg = Config::defaults();  // --backend and --threads, checked as run checks them
  ov.apply(cfg, app);
  if (!(factor > 0) || factor > 1000) throw InputError("--particle-factor: must be in (0, 1000]");
  if (job.root()) check_output_path(out);
  RunContext ctx = start_context(cfg, quiet);
  Validator v(ctx, factor);
  const auto t0 = std::chrono::steady_clock::now();
  Table table = run_validation(v);
  job.step();
  job.set_lockstep(false);
  int code = kExitOk;
  for (const auto& r : v.rows())
    if (!r.pass) code = kExitValidateFailed;
  if (!job.root()) return code;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[256];
  std::snprintf(line, sizeof line, "validate: %.1f s on backend %s (%s)%s\n", secs, backend_name(ctx.backend),
                ctx.device.c_str(), job.size() > 1 ? (", " + std::to_string(job.size()) + " ranks").c_str() : "");
  const std::string report = format_verdicts(v.rows()) + line;
  std::cout << report << std::flush;
  write_or_rescue(out, v.results(), {table}, /*replace=*/true, report, true);  // validate renews its own runs
  std::printf("wrote %zu runs and /validate to %s\n", v.results().size(), out.c_str());
  return code;
}

// The exit code of an error that reached the command line, printed once (by rank 0) after
// the ranks agreed on it. An interruption has already said how to resume.
int report_error(std::exception_ptr e) {
  Cluster& job = Cluster::world();
  const ErrorReport r = describe_error(job.fail_together(e));
  if (job.root() && r.code != kExitInterrupted)
    std::fprintf(stderr, "mltemp: %s: %s\n", r.label.c_str(), r.message.c_str());
  return r.code;
}

// `mltemp merge OUT.h5 PART.h5...` (host/merge.h): parts are read and checked before OUT is
// touched; OUT is then written like a run's output (locked, kept on failure, rescue file).
int cmd_merge(const std::string& out, const std::vector<std::string>& parts, bool replace, bool quiet) {
  std::vector<MergedRun> merged = merge_files(parts);
  std::vector<RunResult> runs;
  std::vector<std::string> names;
  std::ostringstream report;
  for (auto& m : merged) {
    int64_t scales = 0;
    for (const auto& [k, v] : m.run.int_attrs)
      if (k == "scales") scales = v;
    if (m.sources.size() == 1)
      report << "copied /runs/" << m.run.name << " from " << m.sources[0] << "\n";
    else
      report << "merged /runs/" << m.run.name << ": " << scales << " scales from " << m.sources.size() << " parts\n";
    names.push_back(m.run.name);
    runs.push_back(std::move(m.run));
  }
  check_output_path(out, names, replace);
  if (!quiet) std::cout << report.str() << std::flush;
  write_or_rescue(out, runs, {}, replace, report.str(), !quiet);
  if (!quiet) std::printf("wrote %zu run%s to %s\n", runs.size(), runs.size() == 1 ? "" : "s", out.c_str());
  return kExitOk;
}

// `mltemp split CONFIG`: one line per scale, the overrides that run that scale alone.
int cmd_split(const std::string& config_path, const Overrides& ov, CLI::App* app) {
  Config cfg = Config::from_file(config_path);
  ov.apply(cfg, app);
  for (const auto& line : split_overrides(cfg)) std::cout << line << "\n";
  return kExitOk;
}

}  // namespace

int cli_main(int argc, char** argv) {
  Cluster& job = Cluster::world();
  try {
    job.start(&argc, &argv);
  } catch (...) {
    return report_error(std::current_exception());
  }
  struct Leave {
    ~Leave() { Cluster::world().finish(); }
  } leave;
  const std::vector<std::string> words(argv, argv + argc);

  CLI::App app{"mltemp: Monte Carlo temperatures of machine-learning systems (T = (E_init - E_min)/H)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mltemp ") + kVersion + " (CUDA backend " +
                                        (cuda_compiled() ? "compiled" : "not compiled") + ", MPI " +
                                        (Cluster::mpi_compiled() ? "compiled" : "not compiled") + ")");

  std::string config_path, out, validate_out;
  bool quiet = false, print_config = false, vquiet = false, replace = false, resume = false;
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
  run->add_flag("--resume", resume,
                "continue the interrupted run saved in OUT.NAME.ckpt (same config and data; any ranks, threads, "
                "batch); without a checkpoint, start from the first scale");
  ov.add_to(run);
  run->footer(config_reference() + kExitCodesHelp);

  CLI::App* val = app.add_subcommand("validate", "check every implemented paper row on built-in data");
  val->add_option("--out", validate_out, "output HDF5 file")->required()->type_name("FILE.h5");
  vov.add_to(val, {"mc.backend", "mc.threads"});
  val->add_option("--particle-factor", factor, "scale every row's particle count (default 1)");
  val->add_flag("--quiet", vquiet, "no notices");

  std::string merge_out, split_config;
  std::vector<std::string> merge_parts;
  bool merge_replace = false, merge_quiet = false;
  CLI::App* mrg = app.add_subcommand(
      "merge",
      "merge results files: parts of one run (same name, config but the scales, data, seed, particles) "
      "become one run sorted by scale; other runs are copied side by side");
  mrg->add_option("out", merge_out, "output HDF5 file (runs are added to an existing mltemp file)")
      ->required()
      ->type_name("OUT.h5");
  mrg->add_option("parts", merge_parts, "results files to merge")->required()->type_name("PART.h5");
  mrg->add_flag("--replace", merge_replace, "replace runs of the same names in OUT.h5 (else exit 2)");
  mrg->add_flag("--quiet", merge_quiet, "print nothing but errors");
  mrg->footer(kExitCodesHelp);
  Overrides sov;
  CLI::App* spl =
      app.add_subcommand("split",
                         "print, one line per scale of a config's sweep, the --set arguments that run that scale alone "
                         "(for job arrays: scripts/slurm/)");
  spl->add_option("config", split_config, "config file (TOML)")->required()->type_name("FILE.toml");
  sov.add_to(spl);

  app.add_subcommand("systems", "list the paper rows validate checks, with equation numbers");
  app.footer(kExitCodesHelp);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream discard;
    const int code = job.root() ? app.exit(e) : app.exit(e, discard, discard);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  job.set_lockstep(true);
  try {
    if (run->parsed()) return cmd_run(config_path, out, quiet, print_config, replace, resume, ov, run, words);
    if (val->parsed()) return cmd_validate(validate_out, vquiet, factor, vov, val);
    job.set_lockstep(false);
    if (mrg->parsed()) return cmd_merge(merge_out, merge_parts, merge_replace, merge_quiet);
    if (spl->parsed()) return cmd_split(split_config, sov, spl);
    if (job.root()) std::cout << list_systems();
    return kExitOk;
  } catch (...) {
    return report_error(std::current_exception());
  }
}

}  // namespace mltemp
