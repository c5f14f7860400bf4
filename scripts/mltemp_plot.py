"""Plot helpers shared by the mltemp plot scripts (and meant for later experiments' plots).

Conventions every figure follows, so a reader learns them once:
  - Monte Carlo values are markers with +-1 standard-error bars, exact references solid lines,
    the paper's leading order dashed; a point whose standard error is unreliable (heavy tails,
    `se_reliable = 0`) is circled.
  - Axis labels carry the column's units (from its `<col>_units` attribute); an axis is
    logarithmic when its positive data span more than a decade.
  - Legends sit outside the axes, so they never cover data; within a panel no two series share
    a colour unless they are the same scale or run drawn in different styles.
  - Every drawn series carries the HDF5 column it shows as its gid (`artist.get_gid()`), so a
    test can compare what is drawn with the file.
Figures are built by functions that return a matplotlib Figure; `save()` writes the PNG.
"""
import argparse
import math
import os
import textwrap

import mltemp_h5  # noqa: F401  (re-executes under Debian's python when h5py is missing; selects Agg)
from mltemp_h5 import file_stem, number_attr, open_results, out_dir, runs_with, text_attr

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.container import ErrorbarContainer
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

MC_STYLE = dict(fmt="o", ms=4, capsize=2, lw=1.2)
EXACT_STYLE = dict(ls="-", lw=1.2)
ASYM_STYLE = dict(ls="--", lw=1.2)
EXACT_POINT_STYLE = dict(marker="s", ms=8, mfc="none", mew=1.2, ls="none")  # exact values at discrete x
UNDEFINED_COLOR = "0.75"
UNRELIABLE_LABEL = "circled: se unreliable (heavy tails)"
SCALE_LABEL = "scale s (sigma of a normal or mixed init, a of a uniform init)"


def series_gid(col, key):
    """The gid of a series that shows column `col` for one scale or run: 'col@key' (floats by repr)."""
    return f"{col}@{float(key)!r}" if isinstance(key, (float, np.floating)) else f"{col}@{key}"


def finite(*cols):
    """Mask of the rows where every given column is finite."""
    m = np.ones(len(cols[0]), dtype=bool)
    for c in cols:
        m &= np.isfinite(np.asarray(c, dtype=float))
    return m


def errorbars(ax, x, y, yerr, gid, color, label=None, circled=None, **style):
    """Markers with +-yerr bars at the rows where x, y and yerr are finite; gid names the column.

    `circled` (a mask over the rows) circles those points (one legend entry, UNRELIABLE_LABEL).
    Returns the container, or None when no row is finite."""
    x, y, yerr = (np.asarray(v, dtype=float) for v in (x, y, yerr))
    ok = finite(x, y, yerr)
    if not ok.any():
        return None
    kw = {**MC_STYLE, **style}
    c = ax.errorbar(x[ok], y[ok], yerr=yerr[ok], color=color, label=label, **kw)
    c.lines[0].set_gid(gid)
    if circled is not None and (ok & circled).any():
        h = ok & circled
        ax.plot(x[h], y[h], "o", ms=kw["ms"] + 6, mfc="none", mec=color, mew=1.0, ls="none", label=UNRELIABLE_LABEL,
                zorder=c.lines[0].get_zorder() + 0.1)
    return c


def line(ax, x, y, gid, color, label=None, **style):
    """A line through the rows where x and y are finite (a marker when only one is); None if none."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = finite(x, y)
    if not ok.any():
        return None
    kw = {**EXACT_STYLE, **style}
    if ok.sum() == 1:
        kw.setdefault("marker", "x")
        kw.setdefault("ms", 7)
    (ln,) = ax.plot(x[ok], y[ok], color=color, label=label, **kw)
    ln.set_gid(gid)
    return ln


def auto_scale(ax, axis, values, decades=1.0):
    """Logarithmic `axis` ('x' or 'y') when the finite values are all positive and span more
    than `decades` decades; linear otherwise. Returns the scale chosen."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    log = v.size > 0 and (v > 0).all() and math.log10(v.max() / v.min()) > decades
    scale = "log" if log else "linear"
    (ax.set_xscale if axis == "x" else ax.set_yscale)(scale)
    return scale


def integer_ticks(ax, axis="x"):
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def distinct_colors(n):
    """n colours, no two alike: tab10 up to 10, tab20 up to 20, evenly spaced turbo beyond."""
    if n <= 10:
        return [plt.get_cmap("tab10")(i) for i in range(n)]
    if n <= 20:
        return [plt.get_cmap("tab20")(i) for i in range(n)]
    return [plt.get_cmap("turbo")(i / (n - 1)) for i in range(n)]


def legend_outside(ax, extra=(), fontsize=8, **kw):
    """The axes' legend to the right of its frame (never over data), with `extra` proxy artists
    (labelled, not drawn) after the axes' own entries; None if nothing is labelled."""
    handles, labels = ax.get_legend_handles_labels()
    handles += list(extra)
    labels += [h.get_label() for h in extra]
    if not handles:
        return None
    # Monte Carlo series (error-bar containers, which matplotlib lists last) first.
    order = sorted(range(len(handles)), key=lambda i: not isinstance(handles[i], ErrorbarContainer))
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                     fontsize=fontsize, **kw)


def grid_and_legends(axes):
    """A light grid and an outside legend on each of the axes (the last step of every figure)."""
    for a in axes:
        a.grid(True, alpha=0.3)
        legend_outside(a)


def finish_scale_panels(axes, scales):
    """The last step of a figure of panels stacked over the sweep scale (shared x): the scale
    label under the bottom panel, x logarithmic when the scales span decades, then
    grid_and_legends."""
    axes[-1].set_xlabel(SCALE_LABEL)
    auto_scale(axes[-1], "x", scales)
    grid_and_legends(axes)


def style_key(mc=None, exact=None, asym=None, exact_points=False):
    """Grey proxy artists that explain the three styles when colours stand for scales or runs;
    pass them as legend_outside(ax, extra=...). A style whose label is None is left out."""
    grey = "0.3"
    key = []
    if mc:
        key.append(Line2D([], [], color=grey, marker="o", ms=4, lw=1.2, label=mc))
    if exact:
        style = EXACT_POINT_STYLE if exact_points else EXACT_STYLE
        key.append(Line2D([], [], color=grey, label=exact, **style))
    if asym:
        key.append(Line2D([], [], color=grey, label=asym, **ASYM_STYLE))
    return key


def note(ax, msg, width=90):
    """Grey text across an axes that has nothing to draw, saying why (its y ticks removed)."""
    ax.text(0.5, 0.5, textwrap.fill(msg, width), transform=ax.transAxes, ha="center", va="center", fontsize=8,
            color="0.35")
    ax.set_yticks([])


def mark_undefined(ax, scales, label="H <= 0: T undefined"):
    """Grey vertical lines at the scales where the temperature is undefined (one legend entry)."""
    for i, x in enumerate(scales):
        ax.axvline(x, color=UNDEFINED_COLOR, lw=1.0, ls=":", label=label if i == 0 else None, gid="T_undefined")


def panel_grid(n, panel_size=(4.0, 3.2), max_cols=3, legend_width=1.6):
    """A figure with n panels in rows of at most max_cols (room on the right of each for a legend).
    Returns (figure, list of n axes); unused cells are removed."""
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    w, h = panel_size
    fig, axes = plt.subplots(rows, cols, figsize=(cols * (w + legend_width), rows * h + 0.6), squeeze=False,
                             layout="constrained")
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.remove()
    return fig, flat[:n]


def run_title(f, run, path=None):
    """'run: system' and a second line with the particles per scale, seed and file."""
    g = f[f"runs/{run}"]
    head = f"{run}: {text_attr(g, 'system', '(system not recorded)')}"
    facts = []
    n = number_attr(g, "particles_per_scale")
    if math.isfinite(n):
        facts.append(f"{int(n):,} particles per scale")
    seed = number_attr(g, "seed")
    if math.isfinite(seed):
        facts.append(f"seed {int(seed)}")
    if path:
        facts.append(os.path.basename(path))
    return head + ("\n" + ", ".join(facts) if facts else "")


def save(fig, path, dpi=120):
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def per_run_main(doc, table, figure, png_name="{stem}-{run}.png"):
    """The command line of a script that draws one figure per run with a `table` table:
    FILE.h5 [--run NAME ...] [--outdir DIR]. Every run with `table` (or the named ones, exit 2
    when one lacks it) goes through figure(f, run, path); png_name.format(stem=..., run=...)
    names its PNG in the outdir, whose path is printed."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--run", action="append", help=f"run name (repeatable; default: every run with a {table} table)")
    ap.add_argument("--outdir", help="folder for the PNGs (default: beside the file)")
    a = ap.parse_args()
    f = open_results(a.file)
    runs = runs_with(f, table, a.run, a.file)
    outdir = out_dir(a.file, a.outdir)
    for r in runs:
        print(save(figure(f, r, a.file), os.path.join(outdir, png_name.format(stem=file_stem(a.file), run=r))))
