#!/usr/bin/python3
"""Plot the entropy tables of an mltemp results file (discrete vs differential entropy, 2.24-2.26).

    scripts/plot_entropy.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run with an `entropy` table (or the named ones) writes <outdir>/<file stem>-<run>.png
with two rows of panels, one column per dimension m (one figure row pair per scale), against the
cell side Delta / scale, one colour per particle count N:
  top     H_Delta + m ln Delta - H, the estimate (Grassberger) with +-1 se bars, the exact grid
          value (solid black) and the paper's limit 0 (dashed). The axis is symmetric-log
          (linear within +-0.01 nats): the approach to H and the collapse of undersampled
          estimates (down to ln N - m ln(1/Delta) - H) both show;
  bottom  N/K, particles per occupied cell (log-log), with the line above which the estimate is
          trusted (50 per cell) and 1 (every particle alone: the estimate is ln N).
Uses Debian's python3-h5py and python3-matplotlib (re-executes under /usr/bin/python3).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import read_table  # noqa: E402
from mltemp_plot import (ASYM_STYLE, auto_scale, distinct_colors, errorbars, legend_outside, line,  # noqa: E402
                         per_run_main, run_title, series_gid, style_key)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

WELL_SAMPLED = 50.0  # kEntropyWellSampled in host/experiment.h
LINTHRESH = 0.01
DELTA_LABEL = "cell side Delta / scale"


def key(s, m, n):
    return f"{float(s)!r}/m{int(m)}/N{int(n)}"


def entropy_figure(f, run, path=None):
    """The figure of one run's entropy table (see the module doc); the caller saves or inspects it."""
    t = read_table(f, run, "entropy")
    scales, dims, counts = np.unique(t["scale"]), np.unique(t["dims"]), np.unique(t["particles"])
    colors = distinct_colors(len(counts))
    rows, cols = 2 * len(scales), len(dims)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols + 2.2, 3.0 * rows + 0.8), squeeze=False,
                             layout="constrained", sharex=True)
    fig.suptitle(run_title(f, run, path), fontsize=9)
    for si, s in enumerate(scales):
        for mi, m in enumerate(dims):
            top, bottom = axes[2 * si, mi], axes[2 * si + 1, mi]
            sel = (t["scale"] == s) & (t["dims"] == m)
            h = t["H"][sel][0]
            for n, c in zip(counts, colors):
                r = sel & (t["particles"] == n)
                d = t["delta"][r]
                errorbars(top, d, t["bridge"][r] - h, t["H_se"][r], series_gid("bridge", key(s, m, n)), c,
                          label=f"N = {int(n):,}", fmt="o-", ms=3.5, lw=1.0)
                line(bottom, d, t["per_cell"][r], series_gid("per_cell", key(s, m, n)), c, marker="o", ms=3.5,
                     label=f"N = {int(n):,}")
            r = sel & (t["particles"] == counts[-1])
            line(top, t["delta"][r], t["bridge_exact"][r] - h, series_gid("bridge_exact", key(s, m, 0)), "black",
                 label="exact grid H_Delta + m ln Delta - H")
            top.axhline(0.0, color="tab:orange", gid="limit", label="paper's limit: H", **ASYM_STYLE)
            top.set_yscale("symlog", linthresh=LINTHRESH)
            top.set_title(f"m = {int(m)}, scale {s:g}: H = {h:.4g} nats", fontsize=8)
            top.set_ylabel(t.label("bridge", "H_Delta + m ln Delta - H"))
            bottom.axhline(WELL_SAMPLED, color="0.4", ls="--", lw=0.9, gid="well_sampled",
                           label=f"{WELL_SAMPLED:g} per cell: trusted above")
            bottom.axhline(1.0, color="0.4", ls=":", lw=0.9, gid="alone", label="1: every particle alone")
            bottom.set_ylabel(t.label("per_cell", "N / K, particles per cell"))
            auto_scale(bottom, "y", np.concatenate([t["per_cell"][sel], [1.0, WELL_SAMPLED]]))
            bottom.set_xlabel(DELTA_LABEL)
            for a in (top, bottom):
                auto_scale(a, "x", t["delta"][sel])
                a.grid(True, alpha=0.3)
            if mi == cols - 1:
                legend_outside(top, extra=style_key("estimate (+-1 se)"), fontsize=7)
                legend_outside(bottom, fontsize=7)
    return fig


if __name__ == "__main__":
    per_run_main(__doc__, "entropy", entropy_figure, "{stem}-{run}.png")
