#!/usr/bin/python3
"""Plot the neural-network tables of an mltemp results file (Section 5).

    scripts/plot_layers.py FILE.h5 [--run NAME ...] [--outdir DIR]

Draws two PNGs from every run with a `layers` table (or the named ones):
  <stem>-layers.png      T_l against the layer, one panel per run (activation), a line per scale
                         (three scales: smallest, middle, largest), with error bars and the
                         leading-order T_l_asym dashed;
  <stem>-efficiency.png  the work efficiency eta against the scale with its error, per run,
                         and the paper's limit eta_limit dashed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mltemp_h5 import open_results, out_dir, runs_with, text_attr  # noqa: E402  (re-executes under Debian's python)

import numpy as np  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--run", action="append", help="run name (repeatable; default: every run with a layers table)")
    ap.add_argument("--outdir", help="folder for the PNGs (default: beside the file)")
    a = ap.parse_args()
    f = open_results(a.file)
    runs = runs_with(f, "layers", a.run, a.file)
    outdir = out_dir(a.file, a.outdir)
    stem = os.path.splitext(os.path.basename(a.file))[0]

    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 4.2), squeeze=False)
    for ax, r in zip(axes[0], runs):
        t = f[f"runs/{r}/layers"][:]
        scales = np.unique(t["scale"])
        pick = sorted({scales[0], scales[len(scales) // 2], scales[-1]})
        for i, s in enumerate(pick):
            rows = t[(t["scale"] == s) & np.isfinite(t["T_l"])]
            if len(rows) == 0:
                continue
            line = ax.errorbar(rows["layer"], rows["T_l"], yerr=rows["T_l_se"], fmt="o-", ms=4, capsize=2,
                               label=f"scale {s:.3g}")
            asym = rows[np.isfinite(rows["T_l_asym"])]
            if len(asym):
                ax.plot(asym["layer"], asym["T_l_asym"], "--", color=line[0].get_color(), lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("layer l")
        ax.set_ylabel("T_l = E_l / S_l")
        ax.set_title(f"{r}\n{text_attr(f[f'runs/{r}'], 'system')}", fontsize=7)
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    p1 = os.path.join(outdir, f"{stem}-layers.png")
    fig.savefig(p1, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in runs:
        e = f[f"runs/{r}/efficiency"][:]
        line = ax.errorbar(e["scale"], e["eta"], yerr=e["eta_se"], fmt="o-", ms=4, capsize=2, label=f"{r}: eta")
        ax.plot(e["scale"], e["eta_limit"], "--", color=line[0].get_color(), lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("scale")
    ax.set_ylabel("eta = E_L / sum_l E_l")
    ax.set_title("work efficiency (dashed: the paper's limit; ReLU -> 1, tanh/sigmoid -> eta_inf < 1)", fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    p2 = os.path.join(outdir, f"{stem}-efficiency.png")
    fig.savefig(p2, dpi=120)
    plt.close(fig)
    print(p1)
    print(p2)


if __name__ == "__main__":
    main()
