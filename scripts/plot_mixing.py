#!/usr/bin/python3
"""Plot the mixing tables of an mltemp results file (Section 3.6, 3.47-3.56).

    scripts/plot_mixing.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run with a `mixing` table (or the named ones) writes <outdir>/<file stem>-<run>.png
with three panels against the scale:
  temperature   T_A, T_B and T_mix (Monte Carlo, +-1 se) and the paper's T_mix, the n-weighted
                mean T_mean = w_A T_A + w_B T_B (3.52, dashed);
  offset        each temperature relative to T_mean, (T - T_mean)/T_mean, with the exact
                finite-scale offset of the union, -E_min_gap/(H T_mean) (solid): T_mix = T_mean -
                E_min_gap/H at every scale; T_A and T_B exact (solid) where the systems have them.
                Scales where a claim fails by 4 se (T_mix outside [T_A, T_B], or equal T_A, T_B
                with T_mix apart) are dotted grey lines in these two panels;
  energy flow   dE_A and dE_B, the energy each system takes in (> 0) or gives up (< 0) on mixing,
                as a share of the system's own energy E_init - E_min = H T (Monte Carlo, +-1 se;
                exact where the systems have exact temperatures): dE_X / (H T_X) = T_mix/T_X - 1.
Scales where H <= 0 (T undefined) are left out.
Uses Debian's python3-h5py and python3-matplotlib (re-executes under /usr/bin/python3).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import number_attr, read_table  # noqa: E402
from mltemp_plot import (ASYM_STYLE, auto_scale, errorbars, finish_scale_panels, line, per_run_main,  # noqa: E402
                         run_title)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"A": "tab:blue", "B": "tab:red", "mix": "tab:purple"}
NAMES = {"A": "system A", "B": "system B", "mix": "mixed system (A + B)"}
Z = 4.0  # the project's threshold: values differ when by more than 4 se
CLAIM_FAILS = "claim fails here (4 se)"


def claim_failures(t):
    """Scales where T_mix is outside [T_A, T_B] by more than Z se, or T_A and T_B agree within Z se
    while T_mix is Z se away from them."""
    def gap(x, y):
        return (t[f"T_{x}"] - t[f"T_{y}"]) / np.hypot(t[f"T_{x}_se"], t[f"T_{y}_se"])
    lo, hi = np.minimum(t["T_A"], t["T_B"]), np.maximum(t["T_A"], t["T_B"])
    se = np.hypot(t["T_mix_se"], np.maximum(t["T_A_se"], t["T_B_se"]))
    outside = (lo - t["T_mix"] > Z * se) | (t["T_mix"] - hi > Z * se)
    equal = np.abs(gap("A", "B")) < Z
    apart = np.abs(t["T_mix"] - t["T_mean"]) > Z * np.hypot(t["T_mix_se"], t["T_mean_se"])
    return t["scale"][(outside | (equal & apart)) & (t["T_defined"] == 1)]


def mixing_figure(f, run, path=None):
    """The figure of one run's mixing table (see the module doc); the caller saves or inspects it."""
    t = read_table(f, run, "mixing")
    s = t["scale"]
    ok = t["T_defined"] == 1
    w_a = number_attr(f[f"runs/{run}"], "w_A")
    fig, (ax, ox, ex) = plt.subplots(3, 1, figsize=(8.5, 9.0), sharex=True, layout="constrained",
                                     gridspec_kw={"height_ratios": [2.6, 2.2, 2.2]})
    fig.suptitle(run_title(f, run, path) + f"\nw_A = n_A/(n_A + n_B) = {w_a:.3g}", fontsize=9)

    for x in ("A", "B", "mix"):
        errorbars(ax, s, np.where(ok, t[f"T_{x}"], np.nan), t[f"T_{x}_se"], f"T_{x}", COLORS[x],
                  label=f"T_{x}: {NAMES[x]} (+-1 se)", fmt="o", zorder=3)
    line(ax, s, np.where(ok, t["T_mean"], np.nan), "T_mean", "0.2", label="T_mean = w_A T_A + w_B T_B (paper, 3.52)",
         **ASYM_STYLE)
    ax.set_ylabel(t.label("T_mix", "temperature T"))
    auto_scale(ax, "y", np.concatenate([np.where(ok, t[c], np.nan) for c in ("T_A", "T_B", "T_mix", "T_mean")]))

    mean = np.where(ok, t["T_mean"], np.nan)
    ox.axhline(0.0, color="0.2", lw=0.8, ls="--", label="T_mean (paper)")
    for x in ("A", "B", "mix"):
        errorbars(ox, s, (t[f"T_{x}"] - mean) / mean, t[f"T_{x}_se"] / mean, f"(T_{x}-T_mean)/T_mean", COLORS[x],
                  label=f"(T_{x} - T_mean) / T_mean", fmt="o", zorder=3)
    line(ox, s, -t["E_min_gap"] / t["H"] / mean, "-E_min_gap/(H T_mean)", COLORS["mix"],
         label="T_mix: -E_min_gap / (H T_mean), exact")
    mean_exact = w_a * t["T_A_exact"] + (1 - w_a) * t["T_B_exact"]
    for x in ("A", "B"):
        line(ox, s, (t[f"T_{x}_exact"] - mean_exact) / mean_exact, f"T_{x}_exact", COLORS[x], label=f"T_{x}, exact")
    ox.set_ylabel("offset from T_mean")
    fails = claim_failures(t)
    for i, x in enumerate(fails):
        for a in (ax, ox):
            a.axvline(x, color="0.6", lw=1.0, ls=":", label=CLAIM_FAILS if i == 0 else None, gid="claim_fails")

    # Each system's energy change relative to its own energy E_init - E_min = H T_X.
    ex.axhline(0.0, color="0.2", lw=0.8)
    for x in ("A", "B"):
        own = np.where(ok, t["H"] * t[f"T_{x}"], np.nan)
        errorbars(ex, s, t[f"dE_{x}"] / own, t[f"dE_{x}_se"] / own, f"dE_{x}/(H T_{x})", COLORS[x],
                  label=f"dE_{x} / (E_init - E_min)_{x}", fmt="o", zorder=3)
        line(ex, s, (t["T_mix_exact"] - t[f"T_{x}_exact"]) / t[f"T_{x}_exact"], f"dE_{x}_exact", COLORS[x],
             label=f"exact (T_mix - T_{x}) / T_{x}")
    ex.set_ylabel("energy taken in (> 0) or\ngiven up (< 0), share of own")

    finish_scale_panels((ax, ox, ex), s)
    return fig


if __name__ == "__main__":
    per_run_main(__doc__, "mixing", mixing_figure)
