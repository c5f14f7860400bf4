#!/usr/bin/python3
"""Plot the sweep tables of an mltemp results file.

    scripts/plot_sweep.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run (or the named ones) writes <outdir>/<file stem>-<run>.png with three panels
against the scale:
  temperature   T_mc with +-1 se bars, T_exact (solid), T_asym, the paper's leading order (dashed);
  residual      z = (T_mc - T_exact)/se with the +-2 band: a deviation between Monte Carlo and
                the exact formula stands out here (absent when the run has no exact T);
  leading order T_mc/T_asym (-> 1 like 1/ln s) and (E_init - E_min)/E_asym (-> 1), with se bars.
Scales where H <= 0 (T undefined) are dotted grey lines; circled points have se_reliable = 0.
Uses Debian's python3-h5py and python3-matplotlib (re-executes under /usr/bin/python3).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import read_table, text_attr  # noqa: E402
from mltemp_plot import (ASYM_STYLE, auto_scale, errorbars, finish_scale_panels, line, mark_undefined,  # noqa: E402
                         note, per_run_main, run_title)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

C_MC, C_EXACT, C_ASYM, C_ENERGY = "tab:blue", "black", "tab:orange", "tab:green"
Z_BAND = 2.0


def sweep_figure(f, run, path=None):
    """The figure of one run's sweep table (see the module doc); the caller saves or inspects it."""
    t = read_table(f, run, "sweep")
    s = t["scale"]
    ok = t["T_defined"] == 1
    shaky = (t["se_reliable"] == 0) if "se_reliable" in t else None
    fig, (ax, zx, rx) = plt.subplots(3, 1, figsize=(8.5, 8.6), sharex=True, layout="constrained",
                                     gridspec_kw={"height_ratios": [3, 1.6, 2]})
    fig.suptitle(run_title(f, run, path), fontsize=9)

    # Temperature.
    errorbars(ax, s, np.where(ok, t["T_mc"], np.nan), t["T_mc_se"], "T_mc", C_MC,
              label="T_mc, Monte Carlo (+-1 se)", circled=shaky, zorder=3)
    line(ax, s, t["T_exact"], "T_exact", C_EXACT, label="T_exact")
    line(ax, s, t["T_asym"], "T_asym", C_ASYM, label="T_asym, leading order (paper)", **ASYM_STYLE)
    mark_undefined(ax, s[~ok])
    ax.set_ylabel(t.label("T_mc", "temperature T"))
    auto_scale(ax, "y", np.concatenate([t["T_mc"], t["T_exact"], t["T_asym"]]))
    if "E_min_infimum" in t and (t["E_min_infimum"] == 1).any():
        ax.set_title("E_min = 0 is an infimum (separable data)", fontsize=8, loc="left")

    # Residual against the exact temperature.
    if t.has_finite("z"):
        zx.axhspan(-Z_BAND, Z_BAND, color="0.92", zorder=0, label=f"|z| < {Z_BAND:g}")
        zx.axhline(0.0, color=C_EXACT, lw=0.8)
        ones = np.ones(len(t))
        errorbars(zx, s, t["z"], ones, "z", C_MC, label="z = (T_mc - T_exact)/se (+-1)", circled=shaky, zorder=3)
        lim = max(4.0, 1.15 * (np.nanmax(np.abs(t["z"])) + 1.0))
        zx.set_ylim(-lim, lim)
    else:
        why = text_attr(f[f"runs/{run}"], "exact_reference") or "no exact reference (T_exact is NaN)"
        note(zx, "no residual: " + why)
    mark_undefined(zx, s[~ok])
    zx.set_ylabel("(T_mc - T_exact) / se")

    # Approach to the leading order.
    if t.has_finite("T_mc_over_T_asym") or t.has_finite("energy_ratio"):
        rx.axhline(1.0, color=C_EXACT, lw=0.8)
        errorbars(rx, s, t["T_mc_over_T_asym"], t["T_mc_se"] / t["T_asym"], "T_mc_over_T_asym", C_ASYM,
                  label="T_mc / T_asym (-> 1 like 1/ln s)", fmt="s--", ms=3)
        errorbars(rx, s, t["energy_ratio"], t["energy_ratio_se"], "energy_ratio", C_ENERGY,
                  label="(E_init - E_min) / E_asym (-> 1)", fmt="^-", ms=3)
        auto_scale(rx, "y", np.concatenate([[1.0], t["T_mc_over_T_asym"], t["energy_ratio"]]))
    else:
        note(rx, "no leading-order values (T_asym is NaN)")
    mark_undefined(rx, s[~ok])
    rx.set_ylabel("ratio to the leading order")

    finish_scale_panels((ax, zx, rx), s)
    return fig


if __name__ == "__main__":
    per_run_main(__doc__, "sweep", sweep_figure)
