#!/usr/bin/python3
"""Plot the neural-network tables of an mltemp results file (Section 5).

    scripts/plot_layers.py FILE.h5 [--run NAME ...] [--outdir DIR]

Writes two PNGs from every run with a `layers` table (or the named ones), as grids of panels:
  <stem>-layers.png      one panel per run: T_l against the layer l for three scales (smallest,
                         middle, largest with a defined T_l; one colour each): Monte Carlo with
                         +-1 se bars, T_l_exact (open squares, where known) and the paper's
                         leading order T_l_asym (dashed);
  <stem>-efficiency.png  one panel per heat-engine type (at most 8 runs each, one colour per
                         run): eta against the scale with +-1 se bars, eta_exact (open squares,
                         where known) and the paper's limit eta_limit (dashed; dotted where the
                         exact limit differs).
"""
import argparse
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import file_stem, open_results, out_dir, read_table, runs_with  # noqa: E402
from mltemp_plot import (ASYM_STYLE, EXACT_POINT_STYLE, SCALE_LABEL, auto_scale, distinct_colors,  # noqa: E402
                         errorbars, integer_ticks, legend_outside, line, note, panel_grid, run_title, save, series_gid,
                         style_key)

import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

RUNS_PER_PANEL = 8


def picked_scales(t):
    """Smallest, middle and largest scale at which some layer has a finite T_l."""
    s = np.unique(t["scale"][np.isfinite(t["T_l"])])
    return sorted({s[0], s[len(s) // 2], s[-1]}) if len(s) else []


def layers_panel(ax, f, run, path):
    t = read_table(f, run, "layers")
    scales = picked_scales(t)
    drawn = []
    for s, color in zip(scales, distinct_colors(len(scales))):
        r = t["scale"] == s
        layer = t["layer"][r]
        errorbars(ax, layer, t["T_l"][r], t["T_l_se"][r], series_gid("T_l", s), color, label=f"s = {s:.3g}", fmt="o-")
        line(ax, layer, t["T_l_exact"][r], series_gid("T_l_exact", s), color, **EXACT_POINT_STYLE)
        line(ax, layer, t["T_l_asym"][r], series_gid("T_l_asym", s), color, **ASYM_STYLE)
        drawn += [t["T_l"][r], t["T_l_exact"][r], t["T_l_asym"][r]]
    if not scales:
        note(ax, "no scale with a defined T_l (S_l <= 0 everywhere)")
    title = run_title(f, run, path).split("\n")
    ax.set_title("\n".join([textwrap.fill(title[0], 62)] + title[1:]), fontsize=7)
    ax.set_xlabel("layer l (1 = first hidden, last = output)")
    ax.set_ylabel(t.label("T_l", "T_l = E_l / S_l"))
    integer_ticks(ax, "x")
    if drawn:
        auto_scale(ax, "y", np.concatenate(drawn))
    ax.grid(True, alpha=0.3)
    legend_outside(ax, extra=style_key("Monte Carlo (+-1 se)", "T_l_exact", "T_l_asym, leading order", True),
                   fontsize=7)


def layers_figure(f, runs, path=None):
    """T_l against the layer, one panel per run (see the module doc)."""
    fig, axes = panel_grid(len(runs))
    fig.suptitle("per-layer temperatures T_l = E_l / S_l" + (f" ({os.path.basename(path)})" if path else ""),
                 fontsize=10)
    for ax, r in zip(axes, runs):
        layers_panel(ax, f, r, path)
    return fig


def engine_groups(f, runs):
    """[(engine type, [runs])], at most RUNS_PER_PANEL runs each, types in order of appearance."""
    by_type = {}
    for r in runs:
        types = read_table(f, r, "efficiency")["engine_type"]
        by_type.setdefault(types[0] if len(types) else "unknown", []).append(r)
    return [(k, v[i:i + RUNS_PER_PANEL]) for k, v in by_type.items() for i in range(0, len(v), RUNS_PER_PANEL)]


def first_finite(col):
    v = col[np.isfinite(col)]
    return float(v[0]) if len(v) else None


def efficiency_panel(ax, f, engine_type, runs):
    drawn, scales = [], []
    for r, color in zip(runs, distinct_colors(len(runs))):
        e = read_table(f, r, "efficiency")
        errorbars(ax, e["scale"], e["eta"], e["eta_se"], series_gid("eta", r), color, label=r, fmt="o-")
        line(ax, e["scale"], e["eta_exact"], series_gid("eta_exact", r), color, **EXACT_POINT_STYLE)
        limit, exact_limit = first_finite(e["eta_limit"]), first_finite(e["eta_limit_exact"])
        if limit is not None:
            ax.axhline(limit, color=color, ls="--", lw=1.1, gid=series_gid("eta_limit", r))
            drawn.append([limit])
        if exact_limit is not None and not np.isclose(exact_limit, limit if limit is not None else np.nan):
            ax.axhline(exact_limit, color=color, ls=":", lw=1.1, gid=series_gid("eta_limit_exact", r))
            drawn.append([exact_limit])
        drawn += [e["eta"], e["eta_exact"]]
        scales.append(e["scale"])
    ax.set_title(textwrap.fill(f"heat-engine type: {engine_type}", 62), fontsize=8)
    ax.set_xlabel(SCALE_LABEL, fontsize=8)
    ax.set_ylabel(e.label("eta", "eta = E_L / sum_l E_l"))
    auto_scale(ax, "x", np.concatenate(scales))
    auto_scale(ax, "y", np.concatenate(drawn))
    ax.grid(True, alpha=0.3)
    key = style_key("Monte Carlo (+-1 se)", "eta_exact", "eta_limit (paper)", True)
    if any((g.get_gid() or "").startswith("eta_limit_exact@") for g in ax.get_lines()):
        key.append(Line2D([], [], color="0.3", ls=":", lw=1.1, label="eta_limit_exact (where it differs)"))
    legend_outside(ax, extra=key, fontsize=7)


def efficiency_figure(f, runs, path=None):
    """eta against the scale, one panel per heat-engine type (see the module doc)."""
    groups = engine_groups(f, runs)
    fig, axes = panel_grid(len(groups), panel_size=(4.6, 3.4), max_cols=2, legend_width=2.0)
    fig.suptitle("work efficiency eta = E_L / sum_l E_l" + (f" ({os.path.basename(path)})" if path else ""),
                 fontsize=10)
    for ax, (kind, rs) in zip(axes, groups):
        efficiency_panel(ax, f, kind, rs)
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--run", action="append", help="run name (repeatable; default: every run with a layers table)")
    ap.add_argument("--outdir", help="folder for the PNGs (default: beside the file)")
    a = ap.parse_args()
    f = open_results(a.file)
    runs = runs_with(f, "layers", a.run, a.file)
    outdir = out_dir(a.file, a.outdir)
    stem = file_stem(a.file)
    print(save(layers_figure(f, runs, a.file), os.path.join(outdir, f"{stem}-layers.png")))
    print(save(efficiency_figure(f, runs, a.file), os.path.join(outdir, f"{stem}-efficiency.png")))


if __name__ == "__main__":
    main()
