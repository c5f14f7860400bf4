// validate rows for the linear-regression MSE family (Sections 3.1-3.4).
#include <cmath>
#include <cstdio>
#include <string>

#include "validate.h"

namespace mltemp {
namespace {

// Built-in data for every MSE row: 200 points, 4 standard-normal features, a bias column.
std::string mse_case(const std::string& name, const std::string& init, const std::string& energy,
                     const std::string& scales, const std::string& data = "n = 200\nm = 4\n") {
  return "name = \"" + name + "\"\n[data]\nsource = \"synthetic\"\n" + data +
         "noise = 0.5\nseed = 11\n[model]\nkind = \"linear\"\n[energy]\nkind = \"mse\"\n" + energy + "[init]\n" + init +
         "[sweep]\nscales = [" + scales + "]\n[mc]\nparticles = 400000\nseed = 2026\n";
}

const char* kNormalScales = "0.2, 0.5, 1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e6";
const char* kUniformScales = "0.4, 1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e6";

}  // namespace

const std::vector<ClaimInfo>& claims_linear_mse() {
  static const std::vector<ClaimInfo> c = {
      {"mse.normal.exact", "3.5,3.10", "MSE normal: T = (sum v_j A_jj + b'A+b)/H exact"},
      {"mse.normal.undefined", "3.1-3.2", "normal sigma < 0.242: H <= 0, T undefined"},
      {"mse.normal.asym.energy", "3.6,3.11", "MSE normal: (E_init-E_min)/(sigma^2 trA) -> 1"},
      {"mse.normal.asym.kappa", "3.6,3.11", "MSE normal: (T_asym/T-1) ln s -> 0.5 ln(2 pi e)"},
      {"mse.2d.exact", "3.5", "2-D linear regression (m = 2): T exact"},
      {"mse.2d.asym.kappa", "3.6", "2-D: T ~ sigma^2 tr A/(2 ln sigma), next order"},
      {"mse.uniform.exact", "3.15,3.19", "MSE uniform: T = (sum a^2 A_jj/3 + b'A+b)/H"},
      {"mse.uniform.undefined", "3.13", "uniform a <= 0.5: H <= 0, T undefined"},
      {"mse.uniform.asym.energy", "3.16,3.20", "MSE uniform: (E_init-E_min)/(a^2 trA/3) -> 1"},
      {"mse.uniform.asym.kappa", "3.16,3.20", "MSE uniform: (T_asym/T-1) ln a -> ln 2"},
      {"mse.u_vs_n.ratio", "3.17", "T_U/T_N (a = 2 sigma) -> 4/3"},
      {"mse.u_vs_n.order", "3.17", "T_U > T_N for sigma > 1/4 (a = 2 sigma)"},
      {"mse.mixed.exact", "3.21-3.24", "mixed normal+uniform init: T exact"},
      {"mse.mixed.sqrt3.energy", "3.25", "mixed, a = sqrt3 sigma: same asymptote as normal"},
      {"mse.mixed.sqrt3.kappa", "3.25", "mixed, a = sqrt3 sigma: next-order constant"},
      {"mse.mixed.two.energy", "3.26", "mixed, a = 2 sigma: asymptote with 4 sigma^2/3"},
      {"mse.mixed.two.higher", "3.26", "mixed, a = 2 sigma: T above the a = sqrt3 sigma T"},
      {"mse.l2.normal.exact", "3.28", "L2 normal: E_init = c + sigma^2 (trA + m lambda)"},
      {"mse.l2.normal.asym", "3.30", "L2 normal: T ~ sigma^2 (trA/m + lambda)/ln sigma"},
      {"mse.l2.uniform.exact", "3.32", "L2 uniform: exact T"},
      {"mse.l2.uniform.asym", "3.34", "L2 uniform: T ~ a^2 (trA/m + lambda)/(3 ln a)"},
      {"mse.l1.normal.exact", "3.27", "L1 normal: E|theta_j| = sigma sqrt(2/pi), lasso E_min"},
      {"mse.l1.normal.asym", "3.29", "L1 normal: asymptote unchanged from MSE"},
      {"mse.l1.uniform.exact", "3.31", "L1 uniform: E|theta_j| = a/2, lasso E_min"},
      {"mse.l1.uniform.asym", "3.33", "L1 uniform: asymptote unchanged from MSE"},
  };
  return c;
}

void validate_linear_mse(Validator& v) {
  const auto& normal = v.run(mse_case("mse-normal", "dist = \"normal\"\n", "", kNormalScales));
  v.exact("mse.normal.exact", normal, {0.5, 1.0, 3.0, 10.0, 100.0});
  v.undefined("mse.normal.undefined", normal, 0.2);
  v.energy_ratio("mse.normal.asym.energy", normal, {1e4, 1e6});
  v.kappa("mse.normal.asym.kappa", normal, {1e3, 1e4, 1e6});

  const auto& two = v.run(
      mse_case("mse-2d", "dist = \"normal\"\n", "", "0.5, 1.0, 10.0, 1e3, 1e6", "n = 200\nm = 2\nbias = false\n"));
  v.exact("mse.2d.exact", two, {0.5, 1.0, 10.0});
  v.kappa("mse.2d.asym.kappa", two, {1e3, 1e6});

  const auto& uni = v.run(mse_case("mse-uniform", "dist = \"uniform\"\n", "", kUniformScales));
  v.exact("mse.uniform.exact", uni, {1.0, 3.0, 10.0, 100.0});
  v.undefined("mse.uniform.undefined", uni, 0.4);
  v.energy_ratio("mse.uniform.asym.energy", uni, {1e4, 1e6});
  v.kappa("mse.uniform.asym.kappa", uni, {1e3, 1e4, 1e6});

  // (3.17): uniform at a = 2 sigma against the normal run at sigma.
  const auto& uni2 = v.run(mse_case("mse-uniform-2sigma", "dist = \"uniform\"\n", "", "0.6, 2.0, 20.0, 2e6"));
  {
    Verdict r =
        v.ratio("mse.u_vs_n.ratio", "mse-uniform-2sigma vs mse-normal, sigma 1e6", uni2, normal, {{{2e6, 1e6}}});
    char buf[160];
    std::snprintf(buf, sizeof buf, "reference = exact ratio at sigma=1e6; limit 4/3, off by %.2g",
                  r.reference - 4.0 / 3.0);
    r.note = buf;
    v.add(r);
  }
  Validator::RatioTest above_one{{{2.0, 1.0}, {20.0, 10.0}}};
  above_one.exceeds = 1.0;
  Verdict order = v.ratio("mse.u_vs_n.order", "mse-uniform-2sigma vs mse-normal, sigma 1,10", uni2, normal, above_one);
  order.note = "T_U/T_N above 1, and equal to the exact ratio";
  v.add(order);

  const auto& mixed =
      v.run(mse_case("mse-mixed-sqrt3", "dist = \"mixed\"\nnormal_dims = 2\nuniform_ratio = 1.7320508075688772\n", "",
                     "1.0, 10.0, 100.0, 1e3, 1e4, 1e6"));
  v.exact("mse.mixed.exact", mixed, {1.0, 10.0, 100.0});
  v.energy_ratio("mse.mixed.sqrt3.energy", mixed, {1e4, 1e6});
  v.kappa("mse.mixed.sqrt3.kappa", mixed, {1e3, 1e4, 1e6});
  const auto& mixed2 = v.run(mse_case("mse-mixed-2sigma", "dist = \"mixed\"\nnormal_dims = 2\nuniform_ratio = 2.0\n",
                                      "", "1.0, 10.0, 1e4, 1e6"));
  v.energy_ratio("mse.mixed.two.energy", mixed2, {1e4, 1e6});
  Validator::RatioTest higher{{{1e6, 1e6}}};
  higher.exceeds = 1.0;
  Verdict r = v.ratio("mse.mixed.two.higher", "mse-mixed-2sigma vs mse-mixed-sqrt3, sigma 1e6", mixed2, mixed, higher);
  r.note = "T(a=2s)/T(a=sqrt3 s); reference exact ratio";
  v.add(r);

  const auto& l2n =
      v.run(mse_case("mse-l2-normal", "dist = \"normal\"\n", "l2 = 0.5\n", "0.5, 1.0, 10.0, 1e3, 1e4, 1e6"));
  v.exact("mse.l2.normal.exact", l2n, {0.5, 1.0, 10.0});
  v.kappa("mse.l2.normal.asym", l2n, {1e3, 1e4, 1e6});
  const auto& l2u = v.run(mse_case("mse-l2-uniform", "dist = \"uniform\"\n", "l2 = 0.5\n", "1.0, 10.0, 1e3, 1e4, 1e6"));
  v.exact("mse.l2.uniform.exact", l2u, {1.0, 10.0});
  v.kappa("mse.l2.uniform.asym", l2u, {1e3, 1e4, 1e6});
  const auto& l1n =
      v.run(mse_case("mse-l1-normal", "dist = \"normal\"\n", "l1 = 0.5\n", "0.5, 1.0, 10.0, 1e3, 1e4, 1e6"));
  v.exact("mse.l1.normal.exact", l1n, {0.5, 1.0, 10.0});
  v.energy_ratio("mse.l1.normal.asym", l1n, {1e4, 1e6});
  const auto& l1u = v.run(mse_case("mse-l1-uniform", "dist = \"uniform\"\n", "l1 = 0.5\n", "1.0, 10.0, 1e3, 1e4, 1e6"));
  v.exact("mse.l1.uniform.exact", l1u, {1.0, 10.0});
  v.energy_ratio("mse.l1.uniform.asym", l1u, {1e4, 1e6});
}

}  // namespace mltemp
