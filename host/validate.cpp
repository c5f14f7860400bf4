#include "validate.h"

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

}  // namespace

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
  v.pass = ok && v.stat < 4.0;
}

std::vector<size_t> Validator::rows_of(const RunResult& r, const std::vector<double>& scales) {
  std::vector<size_t> rows;
  for (double s : scales) rows.push_back(row_of(r, s));
  return rows;
}

Validator::TempRatio Validator::temperature_ratio(const RunResult& a, double scale_a, const RunResult& b,
                                                  double scale_b) {
  const Table& ta = *a.table("sweep");
  const Table& tb = *b.table("sweep");
  const size_t ia = row_of(a, scale_a), ib = row_of(b, scale_b);
  const double x = ta.get(ia, "T_mc"), y = tb.get(ib, "T_mc");
  const double mc = x / y;
  return {mc, mc * std::hypot(ta.get(ia, "T_mc_se") / x, tb.get(ib, "T_mc_se") / y),
          ta.get(ia, "T_exact") / tb.get(ib, "T_exact")};
}

void Validator::exact(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  Verdict v = start(id, r.name + " " + scales_text(scales));
  v.stat_name = "max|z|";
  worst_deviation(v, *r.table("sweep"), rows_of(r, scales), "T_mc", "T_exact", 0.0, "T_mc_se");
  v.note = "T at the worst scale";
  rows_.push_back(v);
}

void Validator::energy_ratio(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  Verdict v = start(id, r.name + " " + scales_text(scales));
  v.stat_name = "|ratio-1|/se";
  worst_deviation(v, *r.table("sweep"), rows_of(r, scales), "energy_ratio", "", 1.0, "energy_ratio_se");
  v.note = "(E_init - E_min)/E_asym";
  rows_.push_back(v);
}

void Validator::kappa(const std::string& id, const RunResult& r, const std::vector<double>& scales) {
  Verdict v = start(id, r.name + " " + scales_text(scales));
  v.stat_name = "|k-kappa|/se";
  worst_deviation(v, *r.table("sweep"), rows_of(r, scales), "kappa_stat", "kappa", 0.0, "kappa_stat_se");
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
  for (const auto* fam : {&claims_linear_mse(), &claims_glm(), &claims_mlp()})
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
      v.disagrees = c.paper_wrong;
      return v;
    }
  throw std::logic_error("validate: claim " + id + " is not in the catalogue");
}

void Validator::add(Verdict v) { rows_.push_back(std::move(v)); }

std::string list_systems() {
  std::ostringstream o;
  o << "Rows checked by `mltemp validate` (paper equation numbers; FORMULAS.md restores them):\n";
  char buf[512];
  for (const auto& c : all_claims()) {
    std::snprintf(buf, sizeof buf, "  %-24s %-16s %s\n", c.id.c_str(), c.eq.c_str(), c.claim.c_str());
    o << buf;
  }
  return o.str();
}

std::vector<RunResult> Validator::results() const {
  std::vector<RunResult> out;
  for (const auto& n : order_) out.push_back(runs_.at(n));
  return out;
}

Table run_validation(Validator& v) {
  validate_linear_mse(v);
  validate_glm(v);
  validate_mlp(v);
  Table t("validate");
  using K = Column::Kind;
  t.add_column("id", "", "claim id", K::kText);
  t.add_column("equation", "", "paper equation numbers", K::kText);
  t.add_column("claim", "", "what is checked", K::kText);
  t.add_column("where", "", "run and scales", K::kText);
  t.add_column("reference", "", "exact or limiting value");
  t.add_column("mc", "", "Monte Carlo value (at the worst scale)");
  t.add_column("se", "", "its standard error");
  t.add_column("stat", "", "test statistic (see stat_name)");
  t.add_column("stat_name", "", "what stat is", K::kText);
  t.add_column("pass", "flag", "1 pass, 0 fail (a confirmed disagreement with the paper counts as 1)", K::kInt);
  t.add_column("verdict", "", "pass, FAIL, or DISAGREES (the paper's value is rejected, for the reason in note)",
               K::kText);
  t.add_column("note", "", "remark", K::kText);
  for (const auto& r : v.rows()) {
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
    t.set_text(i, "verdict", !r.pass ? "FAIL" : r.disagrees ? "DISAGREES" : "pass");
    t.set_text(i, "note", r.note);
  }
  return t;
}

std::string format_verdicts(const std::vector<Verdict>& rows) {
  std::ostringstream o;
  char buf[1024];
  std::snprintf(buf, sizeof buf, "%-22s %-13s %-46s %13s %13s %9s %16s %s\n", "id", "equation", "claim", "reference",
                "MC", "+- se", "stat", "verdict");
  o << buf;
  int failed = 0, disagree = 0;
  for (const auto& r : rows) {
    char stat[64];
    std::snprintf(stat, sizeof stat, "%s=%.2f", r.stat_name.c_str(), r.stat);
    std::snprintf(buf, sizeof buf, "%-22s %-13s %-46.46s %13.6g %13.6g %9.2g %16s %s  %s\n", r.id.c_str(), r.eq.c_str(),
                  r.claim.c_str(), r.reference, r.mc, r.se, stat,
                  !r.pass       ? "FAIL"
                  : r.disagrees ? "DISAGREES"
                                : "pass",
                  r.note.c_str());
    o << buf;
    if (!r.pass) ++failed;
    if (r.pass && r.disagrees) ++disagree;
  }
  if (disagree)
    o << disagree
      << " row(s) DISAGREE with the paper: the Monte Carlo rejects the paper's value, for the reason in "
         "the note (a confirmed contradiction, not a failure of the engine)\n";
  o << rows.size() - failed << " passed, " << failed << " failed\n";
  return o.str();
}

}  // namespace mltemp
