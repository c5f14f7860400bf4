// `mltemp validate`: every paper row implemented so far, run on embedded configs (built-in
// synthetic data), one verdict per row. Exact rows pass on |z| < kZ; asymptotic rows on the
// sharp tests of FORMULAS.md (energy ratio -> 1, next-order constant -> kappa).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "run.h"
#include "table.h"

namespace mltemp {

// The z threshold of every test in validate: a Monte Carlo value agrees with a reference when
// |value - reference| < kZ se, and differs from it (an ordering, a rejected paper value) when
// the difference is at least kZ se.
inline constexpr double kZ = 4.0;

// What a row whose own check succeeds says about the paper's claim.
enum class Outcome {
  kPass,         // the paper's formula holds
  kCorrects,     // the paper's approximation carries a correction that we derive and verify: the
                 // Monte Carlo agrees with the corrected value and rejects the paper's; the note
                 // gives the correction's size and where it matters
  kDisagrees,    // the numbers contradict the claim, with no qualification
  kIllustrates,  // outside the claim's domain: reported, no verdict on the paper
};

// A claim of the paper that validate checks: the catalogue behind `mltemp systems`.
struct ClaimInfo {
  std::string id, eq, claim;
  Outcome outcome = Outcome::kPass;
};

struct Verdict {
  std::string id, eq, claim, where;
  double reference = kNaN, mc = kNaN, se = kNaN, stat = kNaN;
  std::string stat_name;             // what `stat` is: "max|z|", "|dev|/se", ...
  bool pass = false;                 // the row's own check succeeded; false is a FAIL (validate exits 1)
  Outcome outcome = Outcome::kPass;  // from the catalogue
  std::string note;
};

// A number as printf's %g writes it ("0.6", "1e+06"): for row texts.
std::string number_text(double x);

// "pass", "CORRECTS", "DISAGREES", "ILLUSTRATES", or "FAIL" when the row's own check failed.
std::string verdict_name(const Verdict& v);
struct VerdictCounts {
  int pass = 0, corrects = 0, disagrees = 0, illustrates = 0, fail = 0;
};
VerdictCounts count_verdicts(const std::vector<Verdict>& rows);
// One line: "61 pass, 6 CORRECTS, 0 DISAGREES, 3 ILLUSTRATES, 0 FAIL (73 rows)".
std::string summary_line(const VerdictCounts& c);

class Validator {
 public:
  explicit Validator(RunContext ctx, double particle_factor = 1.0) : ctx_(ctx), factor_(particle_factor) {}

  // Runs (once) an embedded config; `toml` must set name.
  const RunResult& run(const std::string& toml);

  // Exact rows: worst |z| over the listed scales < kZ.
  void exact(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // Asymptotic energy: |energy_ratio - 1| / se < kZ at each listed scale (worst reported).
  void energy_ratio(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // Next-order constant: |kappa_stat - kappa| / se < kZ at each listed scale (worst reported).
  void kappa(const std::string& id, const RunResult& r, const std::vector<double>& scales);
  // H <= 0: the temperature must be reported undefined (flag 0, T_mc NaN).
  void undefined(const std::string& id, const RunResult& r, double scale);

  // A temperature ratio across two independent runs, T_mc(a at s_a) / T_mc(b at s_b), at each
  // listed pair of scales (relative errors add in quadrature), divided by s_a^norm_power. Every
  // pair must agree with the reference (|z| < kZ); an ordering claim (`exceeds` set) also needs
  // ratio - exceeds > kZ se at every pair, and reports the smallest such statistic. The row
  // shows the worst pair; the caller adds a note and the row.
  struct RatioTest {
    std::vector<std::pair<double, double>> scales;
    double norm_power = 0.0;
    double reference = kNaN;  // NaN: the exact ratio T_exact(a) / T_exact(b) at each pair
    double exceeds = kNaN;
  };
  Verdict ratio(const std::string& id, const std::string& where, const RunResult& a, const RunResult& b,
                const RatioTest& t) const;

  // A verdict computed by the caller; eq and claim come from the catalogue.
  void add(Verdict v);
  // A verdict with id, eq, claim, outcome and where filled in from the catalogue.
  Verdict start(const std::string& id, const std::string& where) const;

  const std::vector<Verdict>& rows() const { return rows_; }
  std::vector<RunResult> results() const;

  // Row index of `scale` in a run's sweep table (exact match), and of several scales.
  static size_t row_of(const RunResult& r, double scale);
  static std::vector<size_t> rows_of(const RunResult& r, const std::vector<double>& scales);
  // The worst |value - reference| / se over `rows` of `t` (reference: a column, or ref_const
  // when the name is empty) into v: stat, reference, mc, se; passes below kZ when all finite.
  static void worst_deviation(Verdict& v, const Table& t, const std::vector<size_t>& rows, const std::string& value,
                              const std::string& reference, double ref_const, const std::string& se);
  // v.mc against v.reference: stat = |z|, pass when finite and below kZ.
  static void agrees(Verdict& v);
  // A CORRECTS check: v.reference is the corrected value, which v.mc must match (agrees), and
  // the paper's value must be rejected (|mc - paper| >= kZ se). Returns that rejection's |z|.
  static double corrects(Verdict& v, double paper);

 private:
  RunContext ctx_;
  double factor_;
  std::map<std::string, RunResult> runs_;
  std::vector<std::string> order_;
  std::vector<Verdict> rows_;
};

// ---- per-layer temperature order (ReLU, 5.20-5.22), from an mlp run's layers table
// The standard error of a difference of two estimates from the same particles:
// sqrt(se_a^2 + se_b^2 - 2 cov) given their covariance; when it is unknown (NaN), the bound
// se_a + se_b, which holds for any correlation (so a gap found larger than kZ of it is real).
double difference_se(double se_a, double se_b, double cov = kNaN);
// T_{l+1} - T_l at one scale, l = 1..L-1: Monte Carlo value, its se (difference_se, with the
// covariance of E_l and E_{l+1} when the layers table has the column E_l_cov_next) and the
// exact value (NaN where the layers have none).
struct LayerGap {
  int layer;
  double mc, se, exact;
};
std::vector<LayerGap> layer_gaps(const RunResult& r, double scale);
// The smallest sweep scale from which T_1 < T_2 < ... < T_L holds at it and at every larger
// scale of the sweep: by the Monte Carlo (every gap > kZ se) and by the exact T_l (every gap
// > 0). NaN when the order fails at the largest scale.
struct OrderOnset {
  double mc, exact;
};
OrderOnset order_onset(const RunResult& r);

// The row families, one catalogue and one function per paper section.
const std::vector<ClaimInfo>& claims_linear_mse();
void validate_linear_mse(Validator& v);
const std::vector<ClaimInfo>& claims_glm();
void validate_glm(Validator& v);
const std::vector<ClaimInfo>& claims_mlp();
void validate_mlp(Validator& v);
const std::vector<ClaimInfo>& claims_mixing_shift();  // host/validate_mixing_shift.cpp
void validate_mixing_shift(Validator& v);
const std::vector<ClaimInfo>& claims_experiments();  // host/validate_experiments.cpp
void validate_experiments(Validator& v);
// Every family's catalogue, in validate order.
std::vector<ClaimInfo> all_claims();

// Runs every family; returns the verdict table.
Table run_validation(Validator& v);
// The verdict table as HDF5 will hold it (`pass` 1 unless FAIL, `verdict` its name).
Table verdict_table(const std::vector<Verdict>& rows);
// The terminal table: columns widen to their longest cell, nothing is cut; then the summary.
std::string format_verdicts(const std::vector<Verdict>& rows);
// `mltemp systems`: the rows with their equation numbers.
std::string list_systems();

}  // namespace mltemp
