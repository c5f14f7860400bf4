// Linear regression with MSE (+ L1/L2): Sections 3.1-3.4.
#include <sstream>

#include "errors.h"
#include "formulas.h"
#include "solvers.h"
#include "system.h"

namespace mltemp {
namespace {

class LinearMseSystem final : public System {
 public:
  LinearMseSystem(const Config& cfg, const Dataset& ds)
      : mo_(linear_moments(ds)),
        layout_(init_layout(cfg, static_cast<int>(ds.X.cols()))),
        l1_(cfg.get_double("energy.l1")),
        l2_(cfg.get_double("energy.l2")) {
    if (l1_ < 0) throw InputError(cfg.where("energy.l1") + ": must be >= 0");
    if (l2_ < 0) throw InputError(cfg.where("energy.l2") + ": must be >= 0");
    min_ = minimize_quadratic(mo_.A, mo_.b, mo_.c, l1_, l2_);
    if (!min_.converged)
      throw InputError(cfg.where("energy.l1") + ": coordinate descent for the lasso minimum did not converge in " +
                       std::to_string(min_.iterations) + " sweeps");
  }

  std::string describe() const override {
    std::ostringstream o;
    o << "linear regression, MSE";
    if (l1_ > 0) o << " + L1 " << l1_;
    if (l2_ > 0) o << " + L2 " << l2_;
    o << ", " << layout_.name << " init";
    if (layout_.name == "mixed") o << " (" << layout_.normal_dims << " normal)";
    o << ", n = " << mo_.n << ", m = " << mo_.m;
    return o.str();
  }

  long params() const override { return mo_.m; }

  std::string reference_note() const override {
    return "exact E_init in closed form, c + sum_j v_j (A_jj + l2) + l1 sum_j E|theta_j| (3.3-3.32)";
  }

  std::string minimum_note() const override {
    std::ostringstream o;
    o.precision(10);
    o << "E_min = " << min_.e_min << " (" << min_.method;
    if (l1_ > 0) o << ", " << min_.iterations << " sweeps";
    o << ")";
    return o.str();
  }

  Eigen::VectorXd scales(double s) const { return layout_.ratio * s; }

  PointSetup point(double s, uint64_t seed) const override {
    const int m = mo_.m;
    PointSetup p;
    p.blob.resize(static_cast<size_t>(m) * m + 2 * m);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) p.blob[i * m + j] = mo_.A(i, j);
    const Eigen::VectorXd sc = scales(s);
    for (int j = 0; j < m; ++j) {
      p.blob[m * m + j] = mo_.b[j];
      p.blob[m * m + m + j] = sc[j];
    }
    p.energy = MseEnergy{m, 0, m * m, mo_.c, l1_, l2_};
    p.init = init_params(seed, s, m, layout_.normal_dims, m * m + m);
    return p;
  }

  void fill_row(Table& t, std::vector<Table>&, size_t row, double s, const ObsStats& st) const override {
    const Eigen::VectorXd sc = scales(s);
    TemperatureInputs in;
    in.scale = s;
    in.particles = st.n;
    in.e_init = st.mean[0];
    in.e_init_se = st.se[0];
    in.e_init_exact = mse_e_init(mo_.A, mo_.c, sc, layout_.normal_dims, l1_, l2_);
    in.e_min = min_.e_min;
    in.h = entropy(sc, layout_.normal_dims);
    in.e_asym = mse_e_asym(mo_.A, sc, layout_.normal_dims, l2_);
    in.params = mo_.m;
    in.kappa = entropy_kappa(layout_.ratio, layout_.normal_dims);
    in.kurtosis = st.kurtosis[0];
    in.max_share = st.max_share[0];
    fill_temperature_columns(t, row, in);
  }

  void add_arrays(RunResult& r) const override {
    const auto m = static_cast<uint64_t>(mo_.m);
    ArrayData a{"data/A", {m, m}, {}, "A = <x x^T> (the paper's C_x)"};
    for (int i = 0; i < mo_.m; ++i)
      for (int j = 0; j < mo_.m; ++j) a.values.push_back(mo_.A(i, j));
    r.arrays.push_back(a);
    r.arrays.push_back({"data/b", {m}, std::vector<double>(mo_.b.data(), mo_.b.data() + mo_.m), "b = <x y> (C_xy)"});
    r.arrays.push_back({"data/c", {}, {mo_.c}, "c = <y^2> (C_y)"});
    r.arrays.push_back({"data/n", {}, {static_cast<double>(mo_.n)}, "data points"});
    r.arrays.push_back({"data/m", {}, {static_cast<double>(mo_.m)}, "features (bias included)"});
    r.arrays.push_back({"minimum/theta",
                        {m},
                        std::vector<double>(min_.theta.data(), min_.theta.data() + mo_.m),
                        "minimizer of the energy"});
  }

 private:
  LinearMoments mo_;
  InitLayout layout_;
  double l1_, l2_;
  MinResult min_;
};

}  // namespace

std::unique_ptr<System> make_linear_mse_system(const Config& cfg, const Dataset& ds) {
  return std::make_unique<LinearMseSystem>(cfg, ds);
}

}  // namespace mltemp
