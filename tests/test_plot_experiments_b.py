"""ctest: the mixing and data-shift plots draw what the results file holds.

    /usr/bin/python3 tests/test_plot_experiments_b.py BUILD/mltemp SOURCE_DIR

Makes small real runs of the two experiments with the mltemp binary, then inspects the figures
of scripts/plot_mixing.py and scripts/plot_shift.py: panels, axis labels and scales, every
drawn point and error bar against the HDF5 columns (or the values derived from them), the
marks where a claim fails, legends outside the data; then runs the scripts as a user would
(PNG paths printed, exit 2 with a message on bad input, nothing written). The last line is
'plots: N passed, M failed'; the exit code is 1 when any check failed.
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile

from plot_checks import (Checks, finite_rows, legend_outside_axes, legend_texts, panels_and_title, png_size, refused,
                         run_mltemp, series, spans_decades, test_args)

binary, scripts = test_args()

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import mltemp_h5  # noqa: E402
import plot_mixing  # noqa: E402
import plot_shift  # noqa: E402

check = Checks()
run = functools.partial(run_mltemp, binary)  # run(cfg_text, name, h5, folder)


def expect_series(tag, drawn, gid, x, y, se=None):
    """The series `gid` draws y against x at the finite rows (with +-se bars when given)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    m = finite_rows(x, y) if se is None else finite_rows(x, y, se)
    if not check(f"{tag}: {gid} drawn", gid in drawn, sorted(drawn)):
        return
    dx, dy, bars = drawn[gid]
    check.same(f"{tag}: {gid} x", dx, x[m])
    check.same(f"{tag}: {gid} y", dy, y[m])
    if se is not None:
        check.bars(f"{tag}: {gid} error bars", bars, y[m], np.asarray(se, dtype=float)[m])


# ---- mixing

def failing_scales(t):
    """The rule the plot states: T_mix outside [T_A, T_B] by 4 se, or T_A, T_B within 4 se of each
    other with T_mix 4 se from their mean; only where T is defined."""
    lo, hi = np.minimum(t["T_A"], t["T_B"]), np.maximum(t["T_A"], t["T_B"])
    se = np.hypot(t["T_mix_se"], np.maximum(t["T_A_se"], t["T_B_se"]))
    outside = (lo - t["T_mix"] > 4 * se) | (t["T_mix"] - hi > 4 * se)
    equal = np.abs(t["T_A"] - t["T_B"]) < 4 * np.hypot(t["T_A_se"], t["T_B_se"])
    apart = np.abs(t["T_mix"] - t["T_mean"]) > 4 * np.hypot(t["T_mix_se"], t["T_mean_se"])
    return sorted(t["scale"][(outside | (equal & apart)) & (t["T_defined"] == 1)])


def check_mixing_figure(f, run, expect_fails):
    tag = f"mixing {run}"
    t = f[f"runs/{run}/mixing"][()]
    g = f[f"runs/{run}"]
    s, ok = t["scale"], t["T_defined"] == 1
    fig = plot_mixing.mixing_figure(f, run, "file.h5")
    axs, title = panels_and_title(check, fig, tag, 3)
    ax, ox, ex = axs
    system = mltemp_h5.text_attr(g, "system")
    check(f"{tag}: title names run, system and file", title.startswith(f"{run}: {system}") and "file.h5" in title,
          title)
    check(f"{tag}: title gives w_A", f"w_A = n_A/(n_A + n_B) = {g.attrs['w_A']:.3g}" in title, title)
    units = mltemp_h5.text_attr(g["mixing"], "T_A_units")
    check(f"{tag}: T axis label with units", ax.get_ylabel() == f"temperature T [{units}]", ax.get_ylabel())
    check(f"{tag}: scale axis label", ex.get_xlabel().startswith("scale s"), ex.get_xlabel())
    for a, name in ((ax, "T"), (ox, "offset"), (ex, "flow")):
        check(f"{tag}: {name} panel x log", a.get_xscale() == "log", a.get_xscale())
        check(f"{tag}: {name} legend outside the axes", legend_outside_axes(fig, a))

    top = series(ax, skip=("claim_fails",))
    check(f"{tag}: T panel series", set(top) == {"T_A", "T_B", "T_mix", "T_mean"}, sorted(top))
    for x in ("A", "B", "mix"):
        expect_series(tag, top, f"T_{x}", s, np.where(ok, t[f"T_{x}"], np.nan), t[f"T_{x}_se"])
    expect_series(tag, top, "T_mean", s, np.where(ok, t["T_mean"], np.nan))
    want = "log" if spans_decades(*(t[c][ok] for c in ("T_A", "T_B", "T_mix", "T_mean"))) else "linear"
    check(f"{tag}: T axis {want}", ax.get_yscale() == want, ax.get_yscale())
    colors = [str(c.lines[0].get_color()) for c in ax.containers]
    check(f"{tag}: one colour per system", len(set(colors)) == 3, colors)

    off = series(ox, skip=("claim_fails",))
    mean = np.where(ok, t["T_mean"], np.nan)
    for x in ("A", "B", "mix"):
        expect_series(tag, off, f"(T_{x}-T_mean)/T_mean", s, (t[f"T_{x}"] - mean) / mean, t[f"T_{x}_se"] / mean)
    expect_series(tag, off, "-E_min_gap/(H T_mean)", s, -t["E_min_gap"] / t["H"] / mean)
    w = g.attrs["w_A"]
    mean_exact = w * t["T_A_exact"] + (1 - w) * t["T_B_exact"]
    for x in ("A", "B"):
        expect_series(tag, off, f"T_{x}_exact", s, (t[f"T_{x}_exact"] - mean_exact) / mean_exact)
    fails = failing_scales(t)
    check(f"{tag}: the expected failing scales", fails == expect_fails, (fails, expect_fails))
    for a, name in ((ax, "T"), (ox, "offset")):
        marks = sorted(float(ln.get_xdata()[0]) for ln in a.get_lines() if ln.get_gid() == "claim_fails")
        check(f"{tag}: {name} panel marks the failing scales", marks == fails, (marks, fails))
        check(f"{tag}: {name} legend names the mark once",
              legend_texts(a).count(plot_mixing.CLAIM_FAILS) == (1 if fails else 0), legend_texts(a))

    flow = series(ex)
    for x in ("A", "B"):
        own = np.where(ok, t["H"] * t[f"T_{x}"], np.nan)
        expect_series(tag, flow, f"dE_{x}/(H T_{x})", s, t[f"dE_{x}"] / own, t[f"dE_{x}_se"] / own)
        expect_series(tag, flow, f"dE_{x}_exact", s, (t["T_mix_exact"] - t[f"T_{x}_exact"]) / t[f"T_{x}_exact"])
    for a in axs:
        for gid, (x, y, e) in series(a).items():
            check(f"{tag}: {gid} has no NaN point", np.isfinite(x).all() and np.isfinite(y).all())


# ---- shift

def check_shift_figure(f, run):
    tag = f"shift {run}"
    t = f[f"runs/{run}/shift"][()]
    k = t["step"]
    fig = plot_shift.shift_figure(f, run, "file.h5")
    (ex, sx, px, tx), title = panels_and_title(check, fig, tag, 4)
    check(f"{tag}: title names the run and file", title.startswith(f"{run}: ") and "file.h5" in title, title)
    for a, name in ((ex, "E"), (sx, "S"), (px, "path"), (tx, "T_II")):
        check(f"{tag}: {name} legend outside the axes", legend_outside_axes(fig, a))
    for a in (ex, sx, tx):
        check(f"{tag}: step axis label", a.get_xlabel().startswith("step k"), a.get_xlabel())
        lo, hi = a.get_xlim()
        ticks = [x for x in a.get_xticks() if lo <= x <= hi]
        check(f"{tag}: integer step ticks", ticks and all(float(x).is_integer() for x in ticks), ticks)
    nested = len(set(t["n"].tolist())) > 1
    labels = [x.get_text() for x in tx.get_xticklabels()]
    if nested:
        check(f"{tag}: tick labels give n_k", labels == [f"{a}\n{b}" for a, b in zip(k, t["n"])], labels)
    check(f"{tag}: E axis label with units", ex.get_ylabel() == "energy E_k = E_min(D_k) [energy]", ex.get_ylabel())
    check(f"{tag}: T_II axis label with units", tx.get_ylabel() == "Type II temperature T_II [energy/nat]",
          tx.get_ylabel())
    want = "log" if spans_decades(t["E"], t["E_exact"]) else "linear"
    check(f"{tag}: E axis {want}", ex.get_yscale() == want, ex.get_yscale())
    check(f"{tag}: path panel linear", px.get_xscale() == px.get_yscale() == "linear")

    for a, col in ((ex, "E"), (sx, "S")):
        d = series(a)
        expect_series(tag, d, col, k, t[col], t[f"{col}_se"])
        has_exact = np.isfinite(t[f"{col}_exact"]).any()
        if check(f"{tag}: {col}_exact drawn exactly when known", (f"{col}_exact" in d) == has_exact, sorted(d)) \
                and has_exact:
            expect_series(tag, d, f"{col}_exact", k, t[f"{col}_exact"])
    d = series(px)
    expect_series(tag, d, "E(S)", t["S"], t["E"], t["E_se"])
    if np.isfinite(t["E_exact"]).any():
        expect_series(tag, d, "E_exact(S_exact)", t["S_exact"], t["E_exact"])
    check(f"{tag}: steps numbered on the path", [x.get_text() for x in px.texts] == [str(a) for a in k],
          [x.get_text() for x in px.texts])
    d = series(tx)
    expect_series(tag, d, "T_II", k, t["T_II"], t["T_II_se"])
    if np.isfinite(t["T_II_exact"]).any():
        expect_series(tag, d, "T_II_exact", k, t["T_II_exact"])
    unresolved = finite_rows(t["T_II"], t["T_II_se"]) & (np.abs(t["dS_z"]) < 4)
    circles = [ln for ln in tx.get_lines() if ln.get_label() == plot_shift.UNRESOLVED]
    check(f"{tag}: unresolved steps circled", (len(circles) == 1) == unresolved.any(), circles)
    if circles:
        check.same(f"{tag}: circles at the unresolved steps", circles[0].get_xdata(), k[unresolved])
    return unresolved.sum()


# ---- the scripts as a user runs them

def check_command_line(h5, d, mixing_runs, shift_runs):
    py = shutil.which("python3") or sys.executable
    for script, runs in (("plot_mixing.py", mixing_runs), ("plot_shift.py", shift_runs)):
        out = subprocess.run([py, os.path.join(scripts, script), h5, "--outdir", d], capture_output=True, text=True)
        want = [os.path.join(d, f"p-{r}.png") for r in runs]
        check(f"{script}: exit 0", out.returncode == 0, out.stderr)
        check(f"{script}: one PNG per run", out.stdout.split() == want, out.stdout)
        for png in want:
            size = png_size(png) if os.path.exists(png) else None
            check(f"{os.path.basename(png)} is a PNG of at least 800 x 800 pixels", size and min(size) >= 800, size)
    bad = os.path.join(d, "bad.h5")
    with open(bad, "w") as fh:
        fh.write("not hdf5")
    cases = (([os.path.join(scripts, "plot_mixing.py"), h5, "--run", shift_runs[0]],
              f"no run '{shift_runs[0]}' with a mixing table"),
             ([os.path.join(scripts, "plot_shift.py"), h5, "--run", mixing_runs[0]],
              f"no run '{mixing_runs[0]}' with a shift table"),
             ([os.path.join(scripts, "plot_shift.py"), bad], "bad.h5: cannot open as HDF5"),
             ([os.path.join(scripts, "plot_mixing.py"), h5, "--outdir", os.path.join(d, "missing")], "--outdir"))
    refused(check, cases, d)


def main():
    with tempfile.TemporaryDirectory() as d:
        h5 = os.path.join(d, "p.h5")
        mix = ('[data]\nn = 80\nm = 2\nnoise = 0.5\nseed = 7\n[experiment]\nkind = "mixing"\n{b}\n'
               '[sweep]\nscales = [0.2, 0.5, 1.0, 10.0, 1e3]\n[mc]\nparticles = 20000\n')
        # B = A with the target flipped: equal temperatures, the union colder at small scales;
        # 0.2 has H <= 0 (T undefined). B with larger features: hotter, T_mix between.
        run(mix.format(b="b_seed = 7\nb_flip_target = true"), "flip", h5, d)
        run(mix.format(b="b_x_scale = 2.0\nb_n = 40"), "hot", h5, d)
        shift = '[data]\nn = 500\nm = 2\nnoise = 0.5\n[experiment]\nkind = "shift"\n{e}\n'
        run(shift.format(e="drift_steps = 4\ndrift_noise_to = 1.5"), "drift", h5, d)
        run(shift.format(e='shift = "extend"\ndrift_steps = 4\nextend_from = 0.4'), "extend", h5, d)
        with h5py.File(h5, "r") as f:
            t = f["runs/flip/mixing"][()]
            fails = failing_scales(t)
            # The flipped copy breaks the equal-temperature claim at 0.5 and 1, not at 10 and 1e3.
            check("flip: the claim fails at the small scales only", fails == [0.5, 1.0], fails)
            with check.group("mixing figure, flipped copy"):
                check_mixing_figure(f, "flip", [0.5, 1.0])
            with check.group("mixing figure, hotter B"):
                check_mixing_figure(f, "hot", failing_scales(f["runs/hot/mixing"][()]))
            with check.group("shift figure, drift"):
                check_shift_figure(f, "drift")
            with check.group("shift figure, extend"):
                n_unresolved = check_shift_figure(f, "extend")
                # One unshifted sample extended: dS is noise, so some step is unresolved.
                check("extend: an unresolved step is shown", n_unresolved and n_unresolved > 0, n_unresolved)
        with check.group("command line"):
            check_command_line(h5, d, ["flip", "hot"], ["drift", "extend"])
    check.finish()


main()
