// Multilayer perceptrons with MSE (Section 5, Appendix E): global and per-layer temperatures,
// work efficiency and the heat-engine type. References from host/refs_mlp.cpp (exact where
// they exist: ReLU at any depth, tanh/sigmoid with one hidden layer; asymptotes otherwise);
// reference pre-activations z_l* from a teacher network or a trained one (host/mlp_data.cpp).
#include <cmath>
#include <sstream>

#include "errors.h"
#include "formulas.h"
#include "mlp_data.h"
#include "refs_mlp.h"
#include "system.h"

namespace mltemp {
namespace {

// Per-layer factor k_l of a scaling rule: sigma_l = scale * k_l (5.32-5.42).
std::vector<double> layer_factors(const MlpShape& shape, const std::string& rule) {
  std::vector<double> k;
  for (int l = 1; l <= mlp_layers(shape); ++l) {
    const double fan = shape.widths[l - 1];
    k.push_back(rule == "fan_in" ? 1.0 / std::sqrt(fan) : rule == "he" ? std::sqrt(2.0 / fan) : 1.0);
  }
  return k;
}

int act_code(Activation a) {
  return a == Activation::kRelu ? kMlpRelu : a == Activation::kSigmoid ? kMlpSigmoid : kMlpTanh;
}

// The checks of an mlp config that need no data (init, hidden widths, teacher weights).
void check_mlp_config(const Config& cfg) {
  if (cfg.get_string("init.dist") == "mixed")
    throw InputError(cfg.where("init.dist") + ": mixed init is implemented for linear MSE only");
  const auto hidden = cfg.get_ints("model.hidden");
  if (static_cast<int>(hidden.size()) > kMlpMaxLayers - 1)
    throw InputError(cfg.where("model.hidden") + ": at most " + std::to_string(kMlpMaxLayers - 1) +
                     " hidden layers (the engine tracks " + std::to_string(kMlpMaxLayers) + " layer energies)");
  for (size_t i = 0; i < hidden.size(); ++i) {
    if (hidden[i] < 1 || hidden[i] > 100000)
      throw InputError(cfg.where("model.hidden") + "[" + std::to_string(i) + "]: width must be between 1 and 1e5");
  }
  if (cfg.get_string("data.source") == "teacher" && !(cfg.get_double("data.teacher_sigma") > 0))
    throw InputError(cfg.where("data.teacher_sigma") + ": must be > 0");
}

// The network's shape: n_0 inputs (data.m for a teacher, else the data's columns), the hidden
// widths, one linear output.
MlpShape mlp_shape(const Config& cfg, const Dataset& ds) {
  MlpShape shape;
  const bool teacher = cfg.get_string("data.source") == "teacher";
  shape.widths = {teacher ? static_cast<int>(cfg.get_int("data.m")) : static_cast<int>(ds.X.cols())};
  for (const int64_t w : cfg.get_ints("model.hidden")) shape.widths.push_back(static_cast<int>(w));
  shape.widths.push_back(1);
  shape.bias = cfg.get_bool("model.bias");
  shape.act = activation_from_name(cfg.get_string("model.activation"));
  return shape;
}

class MlpSystem final : public System {
 public:
  MlpSystem(const Config& cfg, const Dataset& ds) {
    check_mlp_config(cfg);
    uniform_ = cfg.get_string("init.dist") == "uniform";
    shape_ = mlp_shape(cfg, ds);
    L_ = mlp_layers(shape_);
    k_ = layer_factors(shape_, cfg.get_string("init.layer_scaling"));
    if (cfg.get_string("data.source") == "teacher") {
      set_teacher_reference(cfg);
    } else {
      set_trained_reference(cfg, ds);
    }
  }

  long params() const override { return mlp_param_count(shape_); }
  std::string data_origin(const Dataset&) const override { return origin_; }
  const Eigen::MatrixXd& energy_X(const Dataset&) const override { return X_; }
  const Eigen::VectorXd& energy_y(const Dataset&) const override { return y_; }
  std::string minimum_note() const override { return note_; }

  std::string reference_note() const override {
    if (shape_.act == Activation::kRelu)
      return "exact E_init and E_l at every layer: the ReLU second-moment recursion (5.9-5.10)";
    if (L_ <= 2)
      return std::string("exact E_init and E_l: one-dimensional integrals (one hidden layer, ") +
             (uniform_ ? "uniform" : "normal") + " init)";
    return "no exact E_init for " + std::string(activation_name(shape_.act)) + " with " + std::to_string(L_ - 1) +
           " hidden layers (T_exact is NaN): Monte Carlo is the only finite-scale truth; exact E_l for l <= 2 only";
  }

  std::string describe() const override {
    std::ostringstream o;
    o << "mlp ";
    for (size_t i = 0; i < shape_.widths.size(); ++i) o << (i ? "-" : "") << shape_.widths[i];
    o << " " << activation_name(shape_.act) << (shape_.bias ? " with biases" : " without biases") << ", MSE, "
      << (uniform_ ? "uniform" : "normal") << " init, N = " << params() << ", n = " << X_.rows();
    return o.str();
  }

  // Per-coordinate scales (sigma_l or a_l) for sweep scale s.
  Eigen::VectorXd scales(double s) const {
    Eigen::VectorXd sc(params());
    long j = 0;
    for (int l = 1; l <= L_; ++l)
      for (long q = 0; q < mlp_layer_param_count(shape_, l); ++q) sc[j++] = k_[l - 1] * s;
    return sc;
  }
  std::vector<double> variances(double s) const {
    std::vector<double> v;
    for (int l = 1; l <= L_; ++l) v.push_back(coord_variance(k_[l - 1] * s, !uniform_));
    return v;
  }
  int normal_dims() const { return uniform_ ? 0 : static_cast<int>(params()); }

  PointSetup point(double s, uint64_t seed) const override {
    const int n = static_cast<int>(X_.rows());
    MlpEnergy e{};
    e.n = n;
    e.layers = L_;
    e.act = act_code(shape_.act);
    e.bias = shape_.bias ? 1 : 0;
    e.max_width = 1;
    for (int l = 0; l <= L_; ++l) {
      e.widths[l] = shape_.widths[l];
      e.max_width = std::max(e.max_width, shape_.widths[l]);
    }
    PointSetup p;
    auto append_rows = [&](const Eigen::MatrixXd& M) {
      const int off = static_cast<int>(p.blob.size());
      for (int i = 0; i < M.rows(); ++i)
        for (int j = 0; j < M.cols(); ++j) p.blob.push_back(M(i, j));
      return off;
    };
    e.x_off = append_rows(X_);
    e.y_off = append_rows(y_);
    for (int l = 0; l < L_; ++l) e.zstar_off[l] = append_rows(zstar_[l]);
    const int scale_off = append_rows(scales(s));
    p.energy = e;
    p.init = init_params(seed, s, static_cast<int>(params()), normal_dims(), scale_off);
    return p;
  }

  void add_columns(Table& t) const override {
    t.add_column(
        "E_limit_exact", "energy",
        "exact large-scale limit of E_init - E_min (differs from E_asym for narrow sigmoid nets without biases)");
  }

  void fill_row(Table& t, std::vector<Table>& extra, size_t row, double s, const ObsStats& st) const override {
    const Eigen::VectorXd sc = scales(s);
    const std::vector<double> var = variances(s);
    const MlpAsymptotes as = mlp_asymptotes(shape_, k_, s, uniform_, X_);
    TemperatureInputs in;
    in.scale = s;
    in.particles = st.n;
    in.e_init = st.mean[0];
    in.e_init_se = st.se[0];
    in.e_init_exact = mlp_e_init_exact(shape_, var, uniform_, X_, y_);
    in.e_min = e_min_;
    in.h = entropy(sc, normal_dims());
    in.e_asym = as.e_asym;
    in.params = params();
    in.kappa = entropy_kappa(sc / s, normal_dims());
    in.kurtosis = st.kurtosis[0];
    in.max_share = st.max_share[0];
    fill_temperature_columns(t, row, in);
    t.set(row, "E_limit_exact", as.e_limit);
    fill_layer_tables(extra, s, st, as);
  }

  // eta = mean(E_L) / mean(sum_l E_l) and its delta-method standard error.
  std::pair<double, double> efficiency(const ObsStats& st) const {
    double a = st.mean[L_], b = 0.0, var_b = 0.0, cov_ab = 0.0;
    for (int l = 1; l <= L_; ++l) {
      b += st.mean[l];
      cov_ab += st.cov[L_][l];
      for (int k = 1; k <= L_; ++k) var_b += st.cov[l][k];
    }
    const double eta = a / b, n = static_cast<double>(st.n);
    const double v = (st.cov[L_][L_] - 2 * eta * cov_ab + eta * eta * var_b) / (n * b * b);
    return {eta, std::sqrt(std::max(v, 0.0))};
  }

  void add_tables(std::vector<Table>& tables) const override {
    using K = Column::Kind;
    Table l("layers");
    l.add_column("scale", "", "sweep scale");
    l.add_column("layer", "", "layer l (1 = first hidden, L = output)", K::kInt);
    l.add_column("width", "", "n_l", K::kInt);
    l.add_column("params", "count", "N_l = n_l n_{l-1} (+ n_l biases)", K::kInt);
    l.add_column("E_l", "energy", "Monte Carlo <|z_l - z_l*|^2> over data and particles (5.12)");
    l.add_column("E_l_se", "energy", "standard error of E_l");
    l.add_column("E_l_cov_next", "energy^2",
                 "covariance of the Monte Carlo means E_l and E_{l+1} (particle covariance / particles): the se of "
                 "a layer gap; NaN for the output layer");
    l.add_column("E_l_exact", "energy", "exact E_l (ReLU any layer; tanh/sigmoid l <= 2); NaN if none");
    l.add_column("S_l", "nats", "layer entropy: the differential entropy of its N_l parameters (5.13)");
    l.add_column("T_l", "energy/nat", "E_l / S_l (5.14); NaN where S_l <= 0");
    l.add_column("T_l_se", "energy/nat", "standard error of T_l");
    l.add_column("T_l_exact", "energy/nat", "E_l_exact / S_l");
    l.add_column("z", "", "(T_l - T_l_exact)/T_l_se");
    l.add_column("E_l_asym", "energy", "leading-order E_l (5.15-5.22)");
    l.add_column("T_l_asym", "energy/nat", "E_l_asym / (N_l ln scale); NaN for scale <= 1");
    l.add_column("energy_ratio", "", "E_l / E_l_asym; tends to 1");
    l.add_column("energy_ratio_se", "", "its standard error");
    tables.push_back(l);
    Table e("efficiency");
    e.add_column("scale", "", "sweep scale");
    e.add_column("eta", "", "work efficiency E_L / sum_l E_l (5.23)");
    e.add_column("eta_se", "", "its standard error (delta method with the particle covariances)");
    e.add_column("eta_exact", "", "from the exact layer energies, when every layer has one");
    e.add_column("eta_limit", "", "the paper's large-scale limit (5.26-5.31)");
    e.add_column("eta_limit_exact", "", "exact large-scale limit (equals eta_limit except narrow sigmoid nets)");
    e.add_column("engine_type", "", "heat-engine type the activation implies (5.26-5.31)", K::kText);
    tables.push_back(e);
  }

  // The layers and efficiency rows of one scale (asymptotes computed once by fill_row).
  void fill_layer_tables(std::vector<Table>& tables, double s, const ObsStats& st, const MlpAsymptotes& as) const {
    Table& lt = tables[0];
    Table& et = tables[1];
    const std::vector<double> var = variances(s);
    const auto exact = mlp_layer_energies_exact(shape_, var, uniform_, X_, zstar_);
    const Eigen::VectorXd sc = scales(s);
    long off = 0;
    bool all_exact = true;
    double sum_exact = 0.0;
    for (int l = 1; l <= L_; ++l) {
      const long nl = mlp_layer_param_count(shape_, l);
      const double S = entropy(sc.segment(off, nl), uniform_ ? 0 : static_cast<int>(nl));
      off += nl;
      const size_t r = lt.new_row();
      lt.set(r, "scale", s);
      lt.set(r, "layer", l);
      lt.set(r, "width", shape_.widths[l]);
      lt.set(r, "params", static_cast<double>(nl));
      lt.set(r, "E_l", st.mean[l]);
      lt.set(r, "E_l_se", st.se[l]);
      if (l < L_) lt.set(r, "E_l_cov_next", st.cov[l][l + 1] / static_cast<double>(st.n));
      lt.set(r, "S_l", S);
      lt.set(r, "E_l_asym", as.layer_e_asym[l - 1]);
      lt.set(r, "energy_ratio", st.mean[l] / as.layer_e_asym[l - 1]);
      lt.set(r, "energy_ratio_se", st.se[l] / as.layer_e_asym[l - 1]);
      if (s > 1.0) lt.set(r, "T_l_asym", as.layer_t_asym[l - 1]);
      if (exact[l - 1]) {
        lt.set(r, "E_l_exact", *exact[l - 1]);
        sum_exact += *exact[l - 1];
      } else {
        all_exact = false;
      }
      if (S > 0) {
        lt.set(r, "T_l", st.mean[l] / S);
        lt.set(r, "T_l_se", st.se[l] / S);
        if (exact[l - 1]) {
          lt.set(r, "T_l_exact", *exact[l - 1] / S);
          if (st.se[l] > 0) lt.set(r, "z", (st.mean[l] - *exact[l - 1]) / st.se[l]);
        }
      }
    }
    const size_t r = et.new_row();
    const auto [eta, eta_se] = efficiency(st);
    et.set(r, "scale", s);
    et.set(r, "eta", eta);
    et.set(r, "eta_se", eta_se);
    if (all_exact) et.set(r, "eta_exact", *exact[L_ - 1] / sum_exact);
    et.set(r, "eta_limit", as.eta_limit);
    et.set(r, "eta_limit_exact", as.eta_limit_exact);
    et.set_text(r, "engine_type",
                shape_.act == Activation::kRelu || L_ == 1 ? "second (eta -> 1)" : "first (eta -> eta_limit < 1)");
  }

  void add_arrays(RunResult& r) const override {
    const auto N = static_cast<uint64_t>(ref_theta_.size());
    r.arrays.push_back({"reference/theta",
                        {N},
                        std::vector<double>(ref_theta_.data(), ref_theta_.data() + N),
                        "reference network (teacher or trained), theta layout of the engine"});
    std::vector<double> w(shape_.widths.begin(), shape_.widths.end());
    r.arrays.push_back({"reference/widths", {w.size()}, w, "n_0 .. n_L"});
    r.arrays.push_back({"data/n", {}, {static_cast<double>(X_.rows())}, "data points"});
    r.int_attrs.insert(r.int_attrs.end(), trainer_flags_.begin(), trainer_flags_.end());
  }

 private:
  // The reference network (X_, y_, zstar_, ref_theta_, e_min_, origin_, note_): a teacher of the
  // same shape generates the data.
  void set_teacher_reference(const Config& cfg) {
    const double ts = cfg.get_double("data.teacher_sigma"), noise = cfg.get_double("data.noise");
    const std::string rule = cfg.get_string("data.teacher_scaling");
    std::vector<double> sig = layer_factors(shape_, rule);
    for (double& x : sig) x *= ts;
    const TeacherData td = make_teacher_data(shape_, static_cast<int>(cfg.get_int("data.n")), sig, noise,
                                             static_cast<uint64_t>(cfg.get_int("data.seed")));
    X_ = td.X;
    y_ = td.y;
    zstar_ = td.zstar;
    ref_theta_ = td.theta;
    e_min_ = mlp_energy(shape_, td.theta, X_, y_);
    std::ostringstream o;
    o << "teacher network (same shape, weights N(0, (" << ts << " k_l)^2), k_l " << rule << ", seed "
      << cfg.get_int("data.seed") << "), n = " << X_.rows() << ", noise " << noise;
    origin_ = o.str();
    std::ostringstream note;
    note.precision(10);
    if (noise == 0.0)
      note << "E_min = " << e_min_ << ": the teacher fits its own noiseless data (a global minimum, E >= 0)";
    else
      note << "E_min = " << e_min_ << " = the teacher's energy on its noisy data: an upper bound of the true minimum";
    note_ = note.str();
  }

  // The reference network: the one full-batch training finds on the dataset.
  void set_trained_reference(const Config& cfg, const Dataset& ds) {
    X_ = ds.X;
    y_ = ds.y;
    origin_ = ds.origin;
    const TrainResult tr = train_mlp(shape_, X_, y_, static_cast<uint64_t>(cfg.get_int("model.train_seed")),
                                     static_cast<int>(cfg.get_int("model.train_iters")));
    zstar_ = tr.zstar;
    ref_theta_ = tr.theta;
    e_min_ = tr.energy;
    trainer_flags_ = {{"trainer_converged", tr.converged ? 1 : 0},
                      {"trainer_local_minimum_checked", tr.local_min_checked ? 1 : 0}};
    std::ostringstream note;
    note.precision(10);
    note << "E_min = " << e_min_ << " reached by full-batch training (GSL BFGS2 + Newton polish, " << tr.iterations
         << " iterations, |grad| = " << tr.grad_norm << "): " << (tr.converged ? "converged" : "NOT converged") << ", "
         << (tr.local_min_checked ? "checked to be a local minimum" : "NOT confirmed as a local minimum")
         << " (Hessian eigenvalues " << tr.hessian_min_eig << " .. " << tr.hessian_max_eig
         << "); the global minimum may be lower";
    note_ = note.str();
  }

  MlpShape shape_;
  int L_ = 0;
  bool uniform_ = false;
  std::vector<double> k_;
  Eigen::MatrixXd X_;
  Eigen::VectorXd y_;
  std::vector<Eigen::MatrixXd> zstar_;
  Eigen::VectorXd ref_theta_;
  double e_min_ = 0.0;
  std::string origin_, note_;
  std::vector<std::pair<std::string, int64_t>> trainer_flags_;  // trained reference only
};

}  // namespace

std::unique_ptr<System> make_mlp_system(const Config& cfg, const Dataset& ds) {
  return std::make_unique<MlpSystem>(cfg, ds);
}

}  // namespace mltemp
