#include "validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "config.h"

namespace mltemp {
namespace {

std::string scales_text(const std::vector<double>& s) {
  std::ostringstream o;
  o << (s.size() == 1 ? "scale " : "scales ");
  for (size_t i = 0; i < s.size(); ++i) o << (i ? "," : "") << s[i];
  return o.str();
}

const char* outcome_name(Outcome o) {
  static const char* const names[] = {"pass", "CORRECTS", "DISAGREES", "ILLUSTRATES"};  // Outcome order
  return names[static_cast<int>(o)];
}

// A check on a run's sweep table: the worst |value - reference| / se over the listed scales
// (reference: a column, or ref_const when the name is empty), reported as stat_name.
struct SweepCheck {
  const char* stat_name;
  const char* value;
  const char* reference;
  double ref_const;
  const char* se;
  const char* note;
};

Verdict sweep_check(const Validator& v, const std::string& id, const RunResult& r, const std::vector<double>& scales,
                    const SweepCheck& c) {
  Verdict out = v.start(id, r.name + " " + scales_text(scales));
  out.stat_name = c.stat_name;
  Validator::worst_deviation(out, *r.table("sweep"), Validator::rows_of(r, scales), c.value, c.reference, c.ref_const,
                             c.se);
  out.note = c.note;
  return out;
}

}  // namespace

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

const RunResult& Validator::run(const std::string& toml) {
  Config cfg = Config::from_toml(toml, "<validate>", ".");
  const std::string name = cfg.get_string("name");
  auto it = runs_.find(name);
  if (it != runs_.end()) return it->second;
  if (factor_ != 1.0) {
    const auto p = static_cast<int64_t>(std::llround(cfg.get_int("mc.particles") * factor_));
    cfg.set_from_cli("mc.particles", std::to_string(std::max<int64_t>(p, 1024)));
  }
  RunContext ctx = ctx_;
  ctx.quiet = true;
  RunResult r = run_config(cfg, ctx);
  order_.push_back(name);
  return runs_.emplace(name, std::move(r)).first->second;
}

size_t Validator::row_of(const RunResult& r, double scale) {
  const Table& t = *r.table("sweep");
  for (size_t i = 0; i < t.rows(); ++i)
    if (t.get(i, "scale") == scale) return i;
  throw std::logic_error("validate: run " + r.name + " has no scale " + std::to_string(scale));
}

void Validator::worst_deviation(Verdict& v, const Table& t, const std::vector<size_t>& rows, const std::string& value,
                                const std::string& reference, double ref_const, const std::string& se) {
  v.stat = 0;
  bool ok = true;
  for (size_t i : rows) {
    const double ref = reference.empty() ? ref_const : t.get(i, reference);
    const double d = std::abs(t.get(i, value) - ref) / t.get(i, se);
    if (!std::isfinite(d)) ok = false;
    if (!(d <= v.stat)) {
      v.stat = d;
      v.reference = ref;
      v.mc = t.get(i, value);
      v.se = t.get(i, se);
    }
  }
  v.pass = ok && v.stat < kZ;
}

std::vector<size_t> Validator::rows_of(const RunResult& r, const std::vector<double>& scales) {
  std::vector<size_t> rows;
  for (double s : scales) rows.push_back(row_of(r, s));
  return rows;
}

void Validator::agrees(Verdict& v) {
  v.stat_name = "|z|";
  v.stat = std::abs(v.mc - v.reference) / v.se;
  v.pass = std::isfinite(v.stat) && v.stat < kZ;
}

double Validator::corrects(Verdict& v, double paper) {
  agrees(v);
  const double z_paper = std::abs(v.mc - paper) / v.se;
  v.pass = v.pass && z_paper >= kZ;
  return z_paper;
}

Verdict Validator::ratio(const std::string& id, const std::string& where, const RunResult& a, const RunResult& b,
                         const RatioTest& t) const {
  Verdict v = start(id, where);
  const bool order = std::isfinite(t.exceeds);
  v.stat_name = order ? "(ratio-" + number_text(t.exceeds) + ")/se" : "|z|";
  v.stat = order ? 1e300 : 0.0;
  bool ok = !t.scales.empty();
  const Table& ta = *a.table("sweep");
  const Table& tb = *b.table("sweep");
  for (const auto& [sa, sb] : t.scales) {
    const size_t ia = row_of(a, sa), ib = row_of(b, sb);
    const double x = ta.get(ia, "T_mc"), y = tb.get(ib, "T_mc");
    const double norm = std::pow(sa, t.norm_power);
    const double mc = x / y;
    const double se = mc * std::hypot(ta.get(ia, "T_mc_se") / x, tb.get(ib, "T_mc_se") / y) / norm;
    const double ref = std::isfinite(t.reference) ? t.reference : ta.get(ia, "T_exact") / tb.get(ib, "T_exact") / norm;
    const double z = std::abs(mc / norm - ref) / se;
    const double stat = order ? (mc / norm - t.exceeds) / se : z;
    ok = ok && z < kZ && (!order || stat > kZ);
    if (order ? !(stat >= v.stat) : !(stat <= v.stat)) {
      v.stat = stat;
      v.mc = mc / norm;
      v.se = se;
      v.reference = ref;
    }
  }
  v.pass = ok;
  return v;
}

void Validator::exact(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  rows_.push_back(
      sweep_check(*this, id, r, scales, {"max|z|", "T_mc", "T_exact", 0.0, "T_mc_se", "T at the worst scale"}));
}

void Validator::energy_ratio(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  rows_.push_back(sweep_check(*this, id, r, scales,
                              {"|ratio-1|/se", "energy_ratio", "", 1.0, "energy_ratio_se", "(E_init - E_min)/E_asym"}));
}

void Validator::kappa(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  Verdict v = sweep_check(*this, id, r, scales, {"|k-kappa|/se", "kappa_stat", "kappa", 0.0, "kappa_stat_se", ""});
  char buf[128];
  std::snprintf(buf, sizeof buf, "(T_asym/T_mc-1)ln s; T_mc/T_asym = %.4f at %g",
                r.table("sweep")->get(row_of(r, scales.back()), "T_mc_over_T_asym"), scales.back());
  v.note = buf;
  rows_.push_back(v);
}

void Validator::undefined(const std::string& id, const RunResult& r, double scale) {
  const Table& t = *r.table("sweep");
  const size_t i = row_of(r, scale);
  Verdict v = start(id, r.name + " " + scales_text({scale}));
  v.stat_name = "H";
  v.stat = t.get(i, "H");
  v.pass = v.stat <= 0 && t.get(i, "T_defined") == 0.0 && std::isnan(t.get(i, "T_mc"));
  v.note = v.pass ? "reported undefined (T_defined = 0)" : "H <= 0 but a temperature was reported";
  rows_.push_back(v);
}

std::vector<ClaimInfo> all_claims() {
  std::vector<ClaimInfo> all;
  for (const auto* fam :
       {&claims_linear_mse(), &claims_glm(), &claims_mlp(), &claims_mixing_shift(), &claims_experiments()})
    all.insert(all.end(), fam->begin(), fam->end());
  return all;
}

Verdict Validator::start(const std::string& id, const std::string& where) const {
  for (const auto& c : all_claims())
    if (c.id == id) {
      Verdict v;
      v.id = c.id;
      v.eq = c.eq;
      v.claim = c.claim;
      v.where = where;
      v.outcome = c.outcome;
      return v;
    }
  throw std::logic_error("validate: claim " + id + " is not in the catalogue");
}

void Validator::add(Verdict v) { rows_.push_back(std::move(v)); }

std::string list_systems() {
  const std::vector<ClaimInfo> claims = all_claims();
  size_t w_id = 0, w_eq = 0;
  for (const auto& c : claims) {
    w_id = std::max(w_id, c.id.size());
    w_eq = std::max(w_eq, c.eq.size());
  }
  std::ostringstream o;
  o << "Rows checked by `mltemp validate` (paper equation numbers; FORMULAS.md restores them):\n";
  for (const auto& c : claims)
    o << "  " << c.id << std::string(w_id - c.id.size() + 2, ' ') << c.eq << std::string(w_eq - c.eq.size() + 2, ' ')
      << c.claim << (c.outcome == Outcome::kPass ? "" : std::string("  [") + outcome_name(c.outcome) + "]") << "\n";
  return o.str();
}

std::vector<RunResult> Validator::results() const {
  std::vector<RunResult> out;
  for (const auto& n : order_) out.push_back(runs_.at(n));
  return out;
}

std::string verdict_name(const Verdict& v) { return v.pass ? outcome_name(v.outcome) : "FAIL"; }

VerdictCounts count_verdicts(const std::vector<Verdict>& rows) {
  VerdictCounts c;
  int* const slots[] = {&c.pass, &c.corrects, &c.disagrees, &c.illustrates};  // Outcome order
  for (const auto& r : rows) ++*(r.pass ? slots[static_cast<int>(r.outcome)] : &c.fail);
  return c;
}

std::string summary_line(const VerdictCounts& c) {
  std::ostringstream o;
  o << c.pass << " pass, " << c.corrects << " CORRECTS, " << c.disagrees << " DISAGREES, " << c.illustrates
    << " ILLUSTRATES, " << c.fail << " FAIL (" << c.pass + c.corrects + c.disagrees + c.illustrates + c.fail
    << " rows)";
  return o.str();
}

Table verdict_table(const std::vector<Verdict>& rows) {
  Table t("validate");
  using K = Column::Kind;
  t.add_column("id", "", "claim id", K::kText);
  t.add_column("equation", "", "paper equation numbers", K::kText);
  t.add_column("claim", "", "what is checked", K::kText);
  t.add_column("where", "", "run and scales", K::kText);
  t.add_column("reference", "", "exact, limiting or corrected value");
  t.add_column("mc", "", "Monte Carlo value (at the worst scale)");
  t.add_column("se", "", "its standard error");
  t.add_column("stat", "", "test statistic (see stat_name)");
  t.add_column("stat_name", "", "what stat is", K::kText);
  t.add_column("pass", "flag", "1 unless the row's own check failed (verdict FAIL)", K::kInt);
  t.add_column("verdict", "",
               "pass (the paper's formula holds), CORRECTS (a correction to the paper's approximation, derived "
               "and verified), DISAGREES (the numbers contradict the claim), ILLUSTRATES (outside the claim's "
               "domain, no verdict), FAIL (the row's own check failed)",
               K::kText);
  t.add_column("note", "", "remark", K::kText);
  for (const auto& r : rows) {
    const size_t i = t.new_row();
    t.set_text(i, "id", r.id);
    t.set_text(i, "equation", r.eq);
    t.set_text(i, "claim", r.claim);
    t.set_text(i, "where", r.where);
    t.set(i, "reference", r.reference);
    t.set(i, "mc", r.mc);
    t.set(i, "se", r.se);
    t.set(i, "stat", r.stat);
    t.set_text(i, "stat_name", r.stat_name);
    t.set(i, "pass", r.pass ? 1 : 0);
    t.set_text(i, "verdict", verdict_name(r));
    t.set_text(i, "note", r.note);
  }
  return t;
}

Table run_validation(Validator& v) {
  validate_linear_mse(v);
  validate_glm(v);
  validate_mlp(v);
  validate_mixing_shift(v);
  validate_experiments(v);
  return verdict_table(v.rows());
}

std::string format_verdicts(const std::vector<Verdict>& rows) {
  auto num = [](double x, const char* fmt) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, x);
    return std::string(buf);
  };
  // Cells: id, equation, claim, reference, MC, se, stat, verdict (padded to the widest), note.
  std::vector<std::vector<std::string>> cells = {
      {"id", "equation", "claim", "reference", "MC", "+- se", "stat", "verdict", "note"}};
  for (const auto& r : rows)
    cells.push_back({r.id, r.eq, r.claim, num(r.reference, "%.6g"), num(r.mc, "%.6g"), num(r.se, "%.2g"),
                     r.stat_name + "=" + num(r.stat, "%.2f"), verdict_name(r), r.note});
  const size_t cols = cells[0].size();
  std::vector<size_t> width(cols, 0);
  for (const auto& row : cells)
    for (size_t c = 0; c < cols; ++c) width[c] = std::max(width[c], row[c].size());
  const std::vector<bool> right = {false, false, false, true, true, true, true, false, false};
  std::ostringstream o;
  for (const auto& row : cells) {
    std::string line;
    for (size_t c = 0; c < cols; ++c) {
      const std::string pad(c + 1 < cols ? width[c] - row[c].size() : 0, ' ');
      line += (c ? "  " : "") + (right[c] ? pad + row[c] : row[c] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    o << line << "\n";
  }
  o << summary_line(count_verdicts(rows)) << "\n";
  return o.str();
}

}  // namespace mltemp
