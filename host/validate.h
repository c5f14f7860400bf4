// `mltemp validate`: every paper row implemented so far, run on embedded configs (built-in
// synthetic data), one verdict per claim. Exact rows pass on |z| < 4; asymptotic rows on the
// sharp tests of FORMULAS.md (energy ratio -> 1, next-order constant -> kappa).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "run.h"
#include "table.h"

namespace mltemp {

// A claim of the paper that validate checks: the catalogue behind `mltemp systems`.
struct ClaimInfo {
  std::string id, eq, claim;
  // true: the engine's numbers contradict the paper here, for a reason given in the row's
  // note. The row checks that the contradiction is real (the paper's value rejected by the
  // Monte Carlo); it is reported as "DISAGREES", not as a pass, and does not fail validate.
  bool paper_wrong = false;
};

struct Verdict {
  std::string id, eq, claim, where;
  double reference = kNaN, mc = kNaN, se = kNaN, stat = kNaN;
  std::string stat_name;  // what `stat` is: "max|z|", "|dev|/se", ...
  bool pass = false;
  bool disagrees = false;  // a confirmed, explained contradiction of the paper
  std::string note;
};

class Validator {
 public:
  explicit Validator(RunContext ctx, double particle_factor = 1.0) : ctx_(ctx), factor_(particle_factor) {}

  // Runs (once) an embedded config; `toml` must set name.
  const RunResult& run(const std::string& toml);

  // Exact rows: worst |z| over the listed scales < 4.
  void exact(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // Asymptotic energy: |energy_ratio - 1| / se < 4 at each listed scale (worst reported).
  void energy_ratio(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // Next-order constant: |kappa_stat - kappa| / se < 4 at each listed scale (worst reported).
  void kappa(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // H <= 0: the temperature must be reported undefined (flag 0, T_mc NaN).
  void undefined(const std::string& id, const RunResult& r, double scale);
  // A verdict computed by the caller; eq and claim come from the catalogue.
  void add(Verdict v);
  // A verdict with id, eq, claim and where filled in from the catalogue.
  Verdict start(const std::string& id, const std::string& where) const;

  const std::vector<Verdict>& rows() const { return rows_; }
  std::vector<RunResult> results() const;

  // Row index of `scale` in a run's sweep table (exact match), and of several scales.
  static size_t row_of(const RunResult& r, double scale);
  static std::vector<size_t> rows_of(const RunResult& r, const std::vector<double>& scales);
  // T_mc of run a at scale_a over T_mc of run b at scale_b: the Monte Carlo ratio, its error
  // (the runs are independent) and the ratio of the exact temperatures (NaN without them).
  struct TempRatio {
    double mc, se, exact;
  };
  static TempRatio temperature_ratio(const RunResult& a, double scale_a, const RunResult& b, double scale_b);
  // The worst |value - reference| / se over `rows` of `t` (reference: a column, or ref_const
  // when the name is empty) into v: stat, reference, mc, se; passes below 4 when all finite.
  static void worst_deviation(Verdict& v, const Table& t, const std::vector<size_t>& rows, const std::string& value,
                              const std::string& reference, double ref_const, const std::string& se);

 private:
  RunContext ctx_;
  double factor_;
  std::map<std::string, RunResult> runs_;
  std::vector<std::string> order_;
  std::vector<Verdict> rows_;
};

// The row families, one catalogue and one function per paper section.
const std::vector<ClaimInfo>& claims_linear_mse();
void validate_linear_mse(Validator& v);
const std::vector<ClaimInfo>& claims_glm();
void validate_glm(Validator& v);
const std::vector<ClaimInfo>& claims_mlp();
void validate_mlp(Validator& v);
// Every family's catalogue, in validate order.
std::vector<ClaimInfo> all_claims();

// Runs every family; returns the verdict table.
Table run_validation(Validator& v);
std::string format_verdicts(const std::vector<Verdict>& rows);
// `mltemp systems`: the rows with their equation numbers.
std::string list_systems();

}  // namespace mltemp
