#!/usr/bin/python3
"""Plot the Type II (data shift) tables of an mltemp results file (Section 2.1, 2.9-2.11, App. A).

    scripts/plot_shift.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run with a `shift` table (or the named ones) writes <outdir>/<file stem>-<run>.png with
four panels over the dataset sequence D_0 .. D_{K-1}:
  energy       E_k = E_min(D_k) with +-1 se bars, and the schedule's value E_exact (open squares,
               drift runs);
  entropy      S_k of the fitted p(x) p(y|x) with +-1 se bars, S_exact (open squares); for
               nested datasets (extend) the bars are per step, while dS and T_II count the
               rows the steps share (their errors are smaller than the bars suggest);
  path         E_k against S_k with both error bars, steps numbered: the slope between two
               points is T_II; the schedule's path (solid) where known;
  temperature  T_II = (E_k - E_{k-1}) / (S_k - S_{k-1}) at step k with +-1 se bars and
               T_II_exact (open squares); a step whose entropy change is not resolved
               (|dS| < 4 se, where T_II's error means little) is circled.
The step axis names each dataset's size n_k when it changes along the sequence; the energy axis
of the first panel is logarithmic when E spans more than a decade (the path panel stays linear:
its slopes are the temperatures).
Uses Debian's python3-h5py and python3-matplotlib (re-executes under /usr/bin/python3).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import read_table  # noqa: E402
from mltemp_plot import (EXACT_POINT_STYLE, EXACT_STYLE, auto_scale, errorbars, grid_and_legends,  # noqa: E402
                         integer_ticks, line, per_run_main, run_title)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

C_MC, C_EXACT = "tab:blue", "black"
Z = 4.0  # the project's threshold: an entropy change below 4 se is not resolved
UNRESOLVED = "circled: |dS| < 4 se, T_II not resolved"


def step_axis(ax, t):
    """Integer step ticks; with n_k under each when the sizes change along the sequence."""
    k, n = t["step"], t["n"]
    if len(set(n.tolist())) > 1:
        ax.set_xticks(k)
        ax.set_xticklabels([f"{int(a)}\n{int(b)}" for a, b in zip(k, n)])
        ax.set_xlabel("step k (dataset D_k) / n_k points")
    else:
        integer_ticks(ax, "x")
        ax.set_xlabel(f"step k (dataset D_k, {int(n[0])} points each)")
    ax.set_xlim(k.min() - 0.5, k.max() + 0.5)


def shift_figure(f, run, path=None):
    """The figure of one run's shift table (see the module doc); the caller saves or inspects it."""
    t = read_table(f, run, "shift")
    k = t["step"]
    fig, axes = plt.subplots(2, 2, figsize=(13.0, 8.4), layout="constrained")
    (ex, sx), (px, tx) = axes
    fig.suptitle(run_title(f, run, path), fontsize=9)

    for ax, col, sym in ((ex, "E", "energy E_k = E_min(D_k)"), (sx, "S", "data entropy S_k")):
        errorbars(ax, k, t[col], t[f"{col}_se"], col, C_MC, label=f"{col}_k, fitted (+-1 se)", fmt="o-", zorder=3)
        line(ax, k, t[f"{col}_exact"], f"{col}_exact", C_EXACT, label=f"{col}, schedule's value", **EXACT_POINT_STYLE)
        ax.set_ylabel(t.label(col, sym))
        step_axis(ax, t)
    auto_scale(ex, "y", np.concatenate([t["E"], t["E_exact"]]))
    if len(set(t["n"].tolist())) > 1:
        sx.set_title("nested datasets: bars are per step; dS and T_II count the shared rows", fontsize=8, loc="left")

    # E against S: the slope between consecutive points is T_II.
    c = px.errorbar(t["S"], t["E"], xerr=t["S_se"], yerr=t["E_se"], fmt="o-", ms=4, capsize=2, lw=1.0, color=C_MC,
                    label="(S_k, E_k), fitted (+-1 se)", zorder=3)
    c.lines[0].set_gid("E(S)")
    for a, s, e in zip(k, t["S"], t["E"]):
        px.annotate(f"{int(a)}", (s, e), textcoords="offset points", xytext=(5, -10), fontsize=8, color="0.3")
    line(px, t["S_exact"], t["E_exact"], "E_exact(S_exact)", C_EXACT, label="schedule's path", **EXACT_STYLE)
    px.set_xlabel(t.label("S", "data entropy S_k"))
    px.set_ylabel(t.label("E", "energy E_k"))
    px.set_title("slope between steps = T_II (linear axes, so the slope reads directly)", fontsize=8, loc="left")

    tx.axhline(0.0, color="0.2", lw=0.8)
    unresolved = np.abs(t["dS_z"]) < Z
    errorbars(tx, k, t["T_II"], t["T_II_se"], "T_II", C_MC, label="T_II = dE/dS, fitted (+-1 se)", fmt="o",
              zorder=3)
    ok = np.isfinite(t["T_II"]) & np.isfinite(t["T_II_se"]) & unresolved
    if ok.any():
        tx.plot(k[ok], t["T_II"][ok], "o", ms=11, mfc="none", mec=C_MC, mew=1.0, ls="none", label=UNRESOLVED)
    line(tx, k, t["T_II_exact"], "T_II_exact", C_EXACT, label="T_II, schedule's value", **EXACT_POINT_STYLE)
    tx.set_ylabel(t.label("T_II", "Type II temperature T_II"))
    tx.set_title("T_II at step k: from D_{k-1} to D_k", fontsize=8, loc="left")
    step_axis(tx, t)

    grid_and_legends((ex, sx, px, tx))
    return fig


if __name__ == "__main__":
    per_run_main(__doc__, "shift", shift_figure)
