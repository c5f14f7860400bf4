// Systems: a model + energy + initial distribution on a dataset. A System turns a scale into
// a PointSetup (what the particle loop runs) and, given the particles' statistics, fills a
// row of the sweep table with the Monte Carlo values and the paper's references.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "dataset.h"
#include "engine.h"
#include "table.h"

namespace mltemp {

// The inputs of the shared temperature columns of one sweep row.
struct TemperatureInputs {
  double scale = 0.0;
  uint64_t particles = 0;
  double e_init = 0.0, e_init_se = 0.0;  // Monte Carlo
  std::optional<double> e_init_exact;    // closed form / quadrature, when one exists
  double e_min = 0.0;
  double h = 0.0;                // differential entropy of the initial distribution
  std::optional<double> e_asym;  // leading-order growth of E_init - E_min
  long params = 0;               // m (or N): the "m ln scale" of the asymptote
  double kappa = 0.0;            // next-order entropy constant per parameter
  double kurtosis = 0.0, max_share = 0.0;
};

// Adds the column that keys a table by the sweep scale (sigma or a), first of the shared ones.
void add_scale_column(Table& t);
// Adds the shared columns (scale, particles, E_init ... T_defined) to a sweep table.
void add_temperature_columns(Table& t);
// Fills them: T_mc, T_exact, T_asym, z, ratios, the next-order statistic and its error.
void fill_temperature_columns(Table& t, size_t row, const TemperatureInputs& in);

class System {
 public:
  virtual ~System() = default;
  virtual std::string describe() const = 0;
  virtual PointSetup point(double scale, uint64_t seed) const = 0;
  // Adds columns beyond the shared ones (none by default).
  virtual void add_columns(Table&) const {}
  // Fills row `row` of the sweep table, and the rows of the extra tables, for one scale.
  virtual void fill_row(Table& t, std::vector<Table>& extra, size_t row, double scale, const ObsStats& st) const = 0;
  // Tables beyond `sweep` (e.g. per-layer rows), created once and filled by fill_row.
  virtual void add_tables(std::vector<Table>&) const {}
  // Arrays and attributes stored with the run (dataset moments, minimizer, trainer flags, ...).
  virtual void add_arrays(RunResult&) const {}
  // The data as they enter the energy: the dataset's, unless the system made its own (teacher).
  virtual const Eigen::MatrixXd& energy_X(const Dataset& ds) const { return ds.X; }
  virtual const Eigen::VectorXd& energy_y(const Dataset& ds) const { return ds.y; }
  virtual long params() const = 0;
  // Where the data came from (the dataset's origin unless the system made its own).
  virtual std::string data_origin(const Dataset& ds) const { return ds.origin; }
  // What exact reference the T_exact column uses, or why there is none ("" if obvious).
  virtual std::string reference_note() const { return ""; }
  // One line for the terminal about the minimum (method, convergence).
  virtual std::string minimum_note() const = 0;
};

// How the initial distribution maps the sweep scale s to per-coordinate scales.
struct InitLayout {
  int normal_dims = 0;    // leading coordinates that are normal
  Eigen::VectorXd ratio;  // scale_j = ratio_j * s
  std::string name;       // "normal" | "uniform" | "mixed"
};
InitLayout init_layout(const Config& cfg, int m);

// The system families, one file each.
std::unique_ptr<System> make_linear_mse_system(const Config& cfg, const Dataset& ds);
std::unique_ptr<System> make_linear_mae_system(const Config& cfg, const Dataset& ds);
std::unique_ptr<System> make_logistic_ce_system(const Config& cfg, const Dataset& ds);
// data.source = "teacher" generates its data inside (it needs the network's shape).
std::unique_ptr<System> make_mlp_system(const Config& cfg, const Dataset& ds);

// Which data the config asks for (paths resolved, target standardization by model).
DataSpec data_spec(const Config& cfg);
// The sweep scales: sweep.scales or sweep.from/to/points (log spaced).
std::vector<double> sweep_scales(const Config& cfg);
// Checks the model/energy/init combination and builds the system; InputError names the key.
std::unique_ptr<System> make_system(const Config& cfg, const Dataset& ds);

}  // namespace mltemp
