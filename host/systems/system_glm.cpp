// Linear regression with MAE (Section 3.5) and logistic regression with cross entropy
// (Section 4). No sufficient statistics: each particle's energy is one fused pass over the
// data. Exact E_init from host/refs_mae_ce.cpp at every scale; exact minima from
// host/solvers_glm.cpp (an LP for MAE, Newton/IRLS with an exact separability test for CE).
#include <cmath>
#include <sstream>

#include "errors.h"
#include "formulas.h"
#include "refs_mae_ce.h"
#include "solvers_glm.h"
#include "system.h"

namespace mltemp {
namespace {

class GlmSystem : public System {
 public:
  GlmSystem(const Config& cfg, const Dataset& ds, bool ce)
      : ds_(ds), layout_(init_layout(cfg, static_cast<int>(ds.X.cols()))), ce_(ce) {
    if (layout_.name == "mixed")
      throw InputError(cfg.where("init.dist") +
                       ": mixed init is implemented for MSE only; use \"normal\" or \"uniform\"");
    for (const char* k : {"energy.l1", "energy.l2"})
      if (cfg.get_double(k) != 0.0) throw InputError(cfg.where(k) + ": regularization is implemented for MSE only");
  }

  long params() const override { return ds_.X.cols(); }

  std::string reference_note() const override {
    if (ce_)
      return uniform() ? "exact E_init per point: a characteristic-function integral of softplus (GSL)"
                       : "exact E_init per point: phi(s_i) split at the kink, adaptive GSL quadrature (4.2-4.3)";
    return uniform() ? "exact E_init per point: alternating sum in exact integer arithmetic (<= 12 terms), else "
                       "the characteristic-function integral"
                     : "exact E_init per point: the folded-normal mean";
  }
  bool uniform() const { return layout_.normal_dims == 0; }

  PointSetup point(double s, uint64_t seed) const override {
    const int n = static_cast<int>(ds_.X.rows()), m = static_cast<int>(ds_.X.cols());
    PointSetup p;
    p.blob.reserve(static_cast<size_t>(n) * m + n + m);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) p.blob.push_back(ds_.X(i, j));
    for (int i = 0; i < n; ++i) p.blob.push_back(ds_.y[i]);
    const int scale_off = static_cast<int>(p.blob.size());
    for (int j = 0; j < m; ++j) p.blob.push_back(layout_.ratio[j] * s);
    if (ce_)
      p.energy = CeEnergy{n, m, 0, n * m, {}};
    else
      p.energy = MaeEnergy{n, m, 0, n * m, {}};
    p.init = init_params(seed, s, m, layout_.normal_dims, scale_off);
    return p;
  }

  void fill_row(Table& t, std::vector<Table>&, size_t row, double s, const ObsStats& st) const override {
    const Eigen::VectorXd sc = layout_.ratio * s;
    TemperatureInputs in;
    in.scale = s;
    in.particles = st.n;
    in.e_init = st.mean[0];
    in.e_init_se = st.se[0];
    in.e_init_exact =
        ce_ ? ce_e_init(ds_.X, sc, layout_.normal_dims) : mae_e_init(ds_.X, ds_.y, sc, layout_.normal_dims);
    in.e_min = e_min_;
    in.h = entropy(sc, layout_.normal_dims);
    in.e_asym = ce_ ? ce_e_asym(ds_.X, s, uniform()) : mae_e_asym(ds_.X, s, uniform());
    in.params = params();
    in.kappa = entropy_kappa(layout_.ratio, layout_.normal_dims);
    in.kurtosis = st.kurtosis[0];
    in.max_share = st.max_share[0];
    fill_temperature_columns(t, row, in);
    t.set(row, "E_min_infimum", infimum_ ? 1.0 : 0.0);
  }

  void add_columns(Table& t) const override {
    t.add_column("E_min_infimum", "flag",
                 "1: E_min is an infimum that no finite theta attains (linearly separable data)", Column::Kind::kInt);
  }

  void add_arrays(RunResult& r) const override {
    const auto m = static_cast<uint64_t>(theta_.size());
    r.arrays.push_back({"minimum/theta",
                        {m},
                        std::vector<double>(theta_.data(), theta_.data() + theta_.size()),
                        infimum_ ? "separating direction (the infimum is approached along it)" : "minimizer"});
    r.arrays.push_back({"data/n", {}, {static_cast<double>(ds_.X.rows())}, "data points"});
    r.arrays.push_back({"data/m", {}, {static_cast<double>(ds_.X.cols())}, "features (bias included)"});
  }

  std::string minimum_note() const override { return note_; }

 protected:
  Dataset ds_;
  InitLayout layout_;
  bool ce_;
  double e_min_ = 0.0;
  bool infimum_ = false;
  Eigen::VectorXd theta_;
  std::string note_;
};

class MaeSystem final : public GlmSystem {
 public:
  MaeSystem(const Config& cfg, const Dataset& ds) : GlmSystem(cfg, ds, false) {
    const LadResult r = solve_lad(ds_.X, ds_.y);
    e_min_ = r.e_min;
    theta_ = r.theta;
    std::ostringstream o;
    o.precision(10);
    o << "E_min = " << e_min_ << " (least absolute deviations, exact LP: GLPK dual simplex from a warm start, optimal vertex certified by its dual point)";
    note_ = o.str();
  }
  std::string describe() const override {
    std::ostringstream o;
    o << "linear regression, MAE, " << layout_.name << " init, n = " << ds_.X.rows() << ", m = " << ds_.X.cols();
    return o.str();
  }
};

class CeSystem final : public GlmSystem {
 public:
  CeSystem(const Config& cfg, const Dataset& ds) : GlmSystem(cfg, ds, true) {
    for (int i = 0; i < ds_.y.size(); ++i)
      if (ds_.y[i] != 0.0 && ds_.y[i] != 1.0) {
        std::ostringstream o;
        o << ds_.origin << ": target '" << ds_.target_name << "' has value " << ds_.y[i] << " in data row " << i + 1
          << "; cross entropy needs labels 0 or 1 (a regression target? use model.kind = \"linear\" with mse or mae)";
        throw InputError(o.str());
      }
    const LogisticResult r = solve_logistic(ds_.X, ds_.y);
    theta_ = r.theta;
    std::ostringstream o;
    o.precision(10);
    if (r.separable) {
      infimum_ = true;
      e_min_ = 0.0;
      o << "E_min = 0 is an infimum, not attained: the data are linearly separable (exact LP test), so the "
           "cross entropy tends to 0 along a separating direction and has no minimizer";
    } else if (!r.converged) {
      throw InputError(ds_.origin + ": logistic regression did not converge (quasi-separated data?) after " +
                       std::to_string(r.iterations) + " Newton steps; no reliable E_min");
    } else {
      e_min_ = r.e_min;
      o << "E_min = " << e_min_ << " (maximum likelihood, Newton/IRLS, " << r.iterations << " steps)";
    }
    note_ = o.str();
  }
  std::string describe() const override {
    std::ostringstream o;
    o << "logistic regression, cross entropy, " << layout_.name << " init, n = " << ds_.X.rows()
      << ", m = " << ds_.X.cols();
    return o.str();
  }
};

}  // namespace

std::unique_ptr<System> make_linear_mae_system(const Config& cfg, const Dataset& ds) {
  return std::make_unique<MaeSystem>(cfg, ds);
}
std::unique_ptr<System> make_logistic_ce_system(const Config& cfg, const Dataset& ds) {
  return std::make_unique<CeSystem>(cfg, ds);
}

}  // namespace mltemp
