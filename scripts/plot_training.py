#!/usr/bin/python3
"""Plot the training tables of an mltemp results file (the phase transition by gradient descent).

    scripts/plot_training.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run with a `training` table (or the named ones) writes
<outdir>/<file stem>-<run>-training.png (plot_sweep.py draws the same run's Type I `sweep` table
as <stem>-<run>.png) with three panels against the gradient-descent step, one colour per scale:
  energy       E_t - E_min, Monte Carlo with +-1 se bars, the exact path (solid) where known;
  entropy      S_t by the run's route (markers; +-1 se bars on the Jacobian route), the exact
               S_t (solid) where known, the Gaussian fit (dashed: an upper bound) and the
               whitened kNN estimate (dotted, crosses: every step on the kNN route, about 20 steps
               otherwise); both read the float64 cloud, so they level off once a direction has
               shrunk to the rounding of the parameters;
  temperature  T_t = (E_{t+1} - E_t)/(S_{t+1} - S_t) with +-1 se bars, the exact T_t (solid)
               where known, and the Type I temperature (E_init - E_min)/H of the same particles
               (dash-dotted): the paper's isothermal picture has T_t constant at that value.
Uses Debian's python3-h5py and python3-matplotlib (re-executes under /usr/bin/python3).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import read_table, text_attr  # noqa: E402
from mltemp_plot import (auto_scale, distinct_colors, errorbars, legend_outside, line,  # noqa: E402
                         per_run_main, run_title, series_gid, style_key)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

GAUSS_STYLE = dict(ls="--", lw=1.0)
KNN_STYLE = dict(ls=":", lw=1.2, marker="x", ms=5)
TYPE_I_STYLE = dict(ls="-.", lw=1.2)
SMALL_MC = dict(ms=2.5, capsize=1.5, lw=0.8)
ROUTES = {"exact": "linear MSE, closed form", "jacobian": "sum of E ln det(I - eta Hess E)",
          "knn": "whitened kNN change since step 0, anchored at H"}


def training_figure(f, run, path=None):
    """The figure of one run's training table (see the module doc); the caller saves or inspects it."""
    t = read_table(f, run, "training")
    route = text_attr(f[f"runs/{run}"], "entropy_method", "?")
    scales = np.unique(t["scale"])
    colors = distinct_colors(len(scales))
    fig, (ex, sx, tx) = plt.subplots(3, 1, figsize=(9.0, 9.6), sharex=True, layout="constrained",
                                     gridspec_kw={"height_ratios": [1, 1, 1.2]})
    lr = f[f"runs/{run}"].attrs.get("learning_rate")
    fig.suptitle(run_title(f, run, path) + (f", learning rate {float(lr):g}" if lr is not None else ""), fontsize=9)
    energies, temps = [], []
    for s, c in zip(scales, colors):
        r = t["scale"] == s
        step = t["step"][r]
        gap, gap_exact = t["E_t"][r] - t["E_min"][r], t["E_t_exact"][r] - t["E_min"][r]
        errorbars(ex, step, gap, t["E_t_se"][r], series_gid("E_t", s), c, label=f"s = {s:.3g}", **SMALL_MC)
        line(ex, step, gap_exact, series_gid("E_t_exact", s), c)
        energies += [gap, gap_exact]

        se = np.where(np.isfinite(t["S_t_se"][r]), t["S_t_se"][r], 0.0)
        errorbars(sx, step, t["S_t"][r], se, series_gid("S_t", s), c, label=f"s = {s:.3g}", **SMALL_MC)
        line(sx, step, t["S_t_exact"][r], series_gid("S_t_exact", s), c)
        line(sx, step, t["S_t_gauss"][r], series_gid("S_t_gauss", s), c, **GAUSS_STYLE)
        line(sx, step, t["S_t_knn"][r], series_gid("S_t_knn", s), c, **KNN_STYLE)

        errorbars(tx, step, t["T_t"][r], t["T_t_se"][r], series_gid("T_t", s), c, label=f"s = {s:.3g}", **SMALL_MC)
        line(tx, step, t["T_t_exact"][r], series_gid("T_t_exact", s), c)
        ti = t["T_typeI"][r][0]
        line(tx, [step.min(), step.max()], [ti, ti], series_gid("T_typeI", s), c, **TYPE_I_STYLE)
        temps += [t["T_t"][r], t["T_t_exact"][r], [ti]]

    ex.set_ylabel(t.label("E_t", "E_t - E_min"))
    auto_scale(ex, "y", np.concatenate(energies))
    sx.set_ylabel(t.label("S_t", "entropy S_t"))
    sx.set_title(f"S_t by the route '{route}': {ROUTES.get(route, route)}. The Gaussian fit and kNN read the\n"
                 "float64 cloud: they level off once a direction has shrunk to the rounding of theta (~1e-16 |theta|)",
                 fontsize=8, loc="left")
    tx.set_ylabel(t.label("T_t", "T_t = dE_t / dS_t"))
    auto_scale(tx, "y", np.concatenate(temps))
    tx.set_xlabel("gradient-descent step t")
    mc = "Monte Carlo (+-1 se)"
    legend_outside(ex, extra=style_key(mc, "exact"))
    legend_outside(sx, extra=style_key(f"S_t ({route})", "exact") + [
        Line2D([], [], color="0.3", label="Gaussian fit (upper bound)", **GAUSS_STYLE),
        Line2D([], [], color="0.3", label="kNN, whitened", **KNN_STYLE)])
    legend_outside(tx, extra=style_key(mc, "exact") + [
        Line2D([], [], color="0.3", label="Type I (E_init - E_min)/H", **TYPE_I_STYLE)])
    for a in (ex, sx, tx):
        a.grid(True, alpha=0.3)
    return fig


if __name__ == "__main__":
    per_run_main(__doc__, "training", training_figure, "{stem}-{run}-training.png")
