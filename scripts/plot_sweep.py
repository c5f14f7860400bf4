#!/usr/bin/python3
"""Plot the sweep tables of an mltemp results file.

    scripts/plot_sweep.py FILE.h5 [--run NAME ...] [--outdir DIR]

For every run (or the named ones) draws T_mc with its error bars, T_exact and T_asym against
the scale on log axes, with a ratio panel (T_mc/T_exact and T_mc/T_asym), to
<outdir>/<file stem>-<run>.png. Uses Debian's python3-h5py and python3-matplotlib.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import open_results, out_dir, runs_with, text_attr  # noqa: E402  (re-executes under Debian's python)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def plot_run(f, name, out_png):
    t = f[f"runs/{name}/sweep"][:]
    system = text_attr(f[f"runs/{name}"], "system")
    s = t["scale"]
    ok = t["T_defined"] == 1
    fig, (ax, rx) = plt.subplots(2, 1, figsize=(7.5, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ax.errorbar(s[ok], t["T_mc"][ok], yerr=t["T_mc_se"][ok], fmt="o", ms=4, capsize=2, label="T_mc (Monte Carlo)")
    if np.isfinite(t["T_exact"][ok]).any():
        ax.plot(s[ok], t["T_exact"][ok], "-", lw=1.2, label="T_exact")
    asym = ok & np.isfinite(t["T_asym"])
    if asym.any():
        ax.plot(s[asym], t["T_asym"][asym], "--", lw=1.2, label="T_asym (leading order)")
    if (~ok).any():
        for x in s[~ok]:
            ax.axvline(x, color="0.8", lw=0.8)
        ax.text(0.02, 0.02, "grey lines: H <= 0, T undefined", transform=ax.transAxes, fontsize=8, color="0.4")
    ax.set_xscale("log")
    if (t["T_mc"][ok] > 0).all():
        ax.set_yscale("log")
    ax.set_ylabel("temperature T")
    ax.set_title(f"{name}: {system}", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)

    ex = ok & np.isfinite(t["T_exact"])
    if ex.any():
        rx.errorbar(s[ex], t["T_mc"][ex] / t["T_exact"][ex], yerr=t["T_mc_se"][ex] / t["T_exact"][ex], fmt="o", ms=4,
                    capsize=2, label="T_mc / T_exact")
    if asym.any():
        rx.plot(s[asym], t["T_mc_over_T_asym"][asym], "s--", ms=3, label="T_mc / T_asym (-> 1 like 1/ln s)")
    rx.axhline(1.0, color="k", lw=0.8)
    rx.set_xscale("log")
    rx.set_xlabel("scale (sigma, or a for uniform init)")
    rx.set_ylabel("ratio")
    rx.legend(fontsize=8)
    rx.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--run", action="append", help="run name (repeatable; default: every run)")
    ap.add_argument("--outdir", help="folder for the PNGs (default: beside the file)")
    a = ap.parse_args()
    f = open_results(a.file)
    runs = runs_with(f, "sweep", a.run, a.file)
    outdir = out_dir(a.file, a.outdir)
    stem = os.path.splitext(os.path.basename(a.file))[0]
    for r in runs:
        png = os.path.join(outdir, f"{stem}-{r}.png")
        plot_run(f, r, png)
        print(png)


if __name__ == "__main__":
    main()
