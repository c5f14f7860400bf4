"""ctest: the experiment plot scripts (plot_training.py, plot_entropy.py) draw what the file holds.

    /usr/bin/python3 tests/test_plot_experiments.py BUILD/mltemp SOURCE_DIR

Makes small real runs with the mltemp binary (training on each entropy route: exact linear MSE,
Jacobian cross entropy, kNN MAE; an entropy run with two scales), inspects the figures the
scripts build (every drawn point and error bar against the HDF5 columns, axis labels and scales,
colours, legends outside the data), and runs the scripts as a user would (PNG paths printed,
exit 2 with a message on bad input). The last line is 'plots: N passed, M failed'; exit code 1
when any check failed.
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile

from plot_checks import (Checks, finite_rows, legend_outside_axes, panels, panels_and_title, png_size, refused,
                         run_mltemp, series, spans_decades, test_args)

binary, scripts = test_args()

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import mltemp_h5  # noqa: E402
import plot_entropy  # noqa: E402
import plot_training  # noqa: E402

check = Checks()
run = functools.partial(run_mltemp, binary)  # run(cfg_text, name, h5, folder)


def gid(col, key):
    return f"{col}@{float(key)!r}"


def check_training_figure(f, run, tag):
    t = f[f"runs/{run}/training"][()]
    g = f[f"runs/{run}"]
    fig = plot_training.training_figure(f, run, "file.h5")
    (ex, sx, tx), title = panels_and_title(check, fig, tag, 3)
    system = mltemp_h5.text_attr(g, "system")
    check(f"{tag}: title names run, system, file and rate", title.startswith(f"{run}: {system}") and
          "file.h5" in title and "learning rate" in title, title)
    route = mltemp_h5.text_attr(g, "entropy_method")
    check(f"{tag}: entropy panel names the route", route in sx.get_title(loc="left") and route != "",
          sx.get_title(loc="left"))
    units = {c: mltemp_h5.text(g["training"].attrs[f"{c}_units"]) for c in ("E_t", "S_t", "T_t")}
    check(f"{tag}: energy label", ex.get_ylabel() == f"E_t - E_min [{units['E_t']}]", ex.get_ylabel())
    check(f"{tag}: entropy label", sx.get_ylabel() == f"entropy S_t [{units['S_t']}]", sx.get_ylabel())
    check(f"{tag}: temperature label", tx.get_ylabel() == f"T_t = dE_t / dS_t [{units['T_t']}]", tx.get_ylabel())
    check(f"{tag}: step axis", tx.get_xlabel() == "gradient-descent step t" and tx.get_xscale() == "linear")
    for a, name in ((ex, "energy"), (sx, "entropy"), (tx, "temperature")):
        check(f"{tag}: {name} legend outside the axes", legend_outside_axes(fig, a))
    de, dS, dT = series(ex), series(sx), series(tx)
    scales = np.unique(t["scale"])
    for s in scales:
        r = t["scale"] == s
        p = f"{tag} s={s:g}"
        step = t["step"][r]
        gap = t["E_t"][r] - t["E_min"][r]
        m = finite_rows(gap, t["E_t_se"][r])
        x, y, e = de[gid("E_t", s)]
        check.same(f"{p}: E_t steps", x, step[m])
        check.same(f"{p}: E_t - E_min", y, gap[m])
        check.bars(f"{p}: E_t error bars", e, gap[m], t["E_t_se"][r][m])
        for col, drawn, shift in (("E_t_exact", de, t["E_min"][r]), ("S_t_exact", dS, 0.0), ("S_t_gauss", dS, 0.0),
                                  ("S_t_knn", dS, 0.0), ("T_t_exact", dT, 0.0)):
            v = t[col][r] - shift
            m = np.isfinite(v)
            if check(f"{p}: {col} drawn exactly where finite", (gid(col, s) in drawn) == m.any(), sorted(drawn)) \
                    and m.any():
                check.same(f"{p}: {col} steps", drawn[gid(col, s)][0], step[m])
                check.same(f"{p}: {col}", drawn[gid(col, s)][1], v[m])
        se = np.where(np.isfinite(t["S_t_se"][r]), t["S_t_se"][r], 0.0)
        x, y, e = dS[gid("S_t", s)]
        check.same(f"{p}: S_t", y, t["S_t"][r])
        check.bars(f"{p}: S_t error bars (0 where exact or unknown)", e, t["S_t"][r], se)
        m = finite_rows(t["T_t"][r], t["T_t_se"][r])
        x, y, e = dT[gid("T_t", s)]
        check.same(f"{p}: T_t steps", x, step[m])
        check.same(f"{p}: T_t", y, t["T_t"][r][m])
        check.bars(f"{p}: T_t error bars", e, t["T_t"][r][m], t["T_t_se"][r][m])
        x, y, _ = dT[gid("T_typeI", s)]
        check.same(f"{p}: Type I line", y, [t["T_typeI"][r][0]] * 2)
        check.same(f"{p}: Type I line spans the steps", x, [step.min(), step.max()])
    for a, name in ((ex, "energy"), (sx, "entropy"), (tx, "temperature")):
        colors = [str(c.lines[0].get_color()) for c in a.containers]
        check(f"{tag}: {name}: one colour per scale", len(set(colors)) == len(colors) == len(scales), colors)
        for k, (x, y, e) in series(a).items():
            check(f"{tag}: {k} has no NaN point", np.isfinite(x).all() and np.isfinite(y).all())
    gaps = np.concatenate([t["E_t"] - t["E_min"], t["E_t_exact"] - t["E_min"]])
    want = "log" if spans_decades(gaps) else "linear"
    check(f"{tag}: energy axis {want} (log exactly when it spans decades)", ex.get_yscale() == want, ex.get_yscale())
    want = "log" if spans_decades(t["T_t"], t["T_t_exact"], t["T_typeI"]) else "linear"
    check(f"{tag}: temperature axis {want}", tx.get_yscale() == want, tx.get_yscale())
    return fig


def ekey(s, m, n):
    return f"{float(s)!r}/m{int(m)}/N{int(n)}"


def check_entropy_figure(f, run, tag):
    t = f[f"runs/{run}/entropy"][()]
    fig = plot_entropy.entropy_figure(f, run, "file.h5")
    axs = panels(fig)
    scales, dims, counts = np.unique(t["scale"]), np.unique(t["dims"]), np.unique(t["particles"])
    check(f"{tag}: two panels per scale and dimension", len(axs) == 2 * len(scales) * len(dims), len(axs))
    check(f"{tag}: title names the run and file", fig._suptitle.get_text().startswith(f"{run}: ") and
          "file.h5" in fig._suptitle.get_text(), fig._suptitle.get_text())
    for si, s in enumerate(scales):
        for mi, m in enumerate(dims):
            top, bottom = axs[2 * si * len(dims) + mi], axs[(2 * si + 1) * len(dims) + mi]
            p = f"{tag} s={s:g} m={m}"
            sel = (t["scale"] == s) & (t["dims"] == m)
            h = t["H"][sel][0]
            check(f"{p}: title names m, the scale and H", f"m = {m}, scale {s:g}" in top.get_title(), top.get_title())
            check(f"{p}: symmetric-log deviation axis", top.get_yscale() == "symlog", top.get_yscale())
            want = "log" if spans_decades(t["delta"][sel]) else "linear"
            check(f"{p}: Delta axis {want}", top.get_xscale() == want == bottom.get_xscale(), top.get_xscale())
            want = "log" if spans_decades(t["per_cell"][sel], [1.0, plot_entropy.WELL_SAMPLED]) else "linear"
            check(f"{p}: N/K axis {want}", bottom.get_yscale() == want, bottom.get_yscale())
            dt, db = series(top), series(bottom)
            for n in counts:
                r = sel & (t["particles"] == n)
                x, y, e = dt[f"bridge@{ekey(s, m, n)}"]
                check.same(f"{p} N={n}: Delta", x, t["delta"][r])
                check.same(f"{p} N={n}: H_Delta + m ln Delta - H", y, t["bridge"][r] - h)
                check.bars(f"{p} N={n}: error bars", e, t["bridge"][r] - h, t["H_se"][r])
                check.same(f"{p} N={n}: N/K", db[f"per_cell@{ekey(s, m, n)}"][1], t["per_cell"][r])
            r = sel & (t["particles"] == counts[-1])
            check.same(f"{p}: exact grid line", dt[f"bridge_exact@{ekey(s, m, 0)}"][1], t["bridge_exact"][r] - h)
            check(f"{p}: the limit drawn at 0", dt.get("limit") is not None and (dt["limit"][1] == 0).all())
            colors = [str(c.lines[0].get_color()) for c in top.containers]
            check(f"{p}: one colour per particle count", len(set(colors)) == len(colors) == len(counts), colors)
            for a in (top, bottom):
                check(f"{p}: legend outside the axes", legend_outside_axes(fig, a))
    return fig


def check_command_line(h5, d):
    py = shutil.which("python3") or sys.executable
    for script, runs, suffix in (("plot_training.py", ["mse", "ce", "mae"], "-training"), ("plot_entropy.py",
                                                                                          ["ent"], "")):
        path = os.path.join(scripts, script)
        out = subprocess.run([py, path, h5, "--outdir", d], capture_output=True, text=True)
        want = sorted(os.path.join(d, f"x-{r}{suffix}.png") for r in runs)
        check(f"{script}: exit 0", out.returncode == 0, out.stderr)
        check(f"{script}: prints one PNG per run", sorted(out.stdout.split()) == want, out.stdout)
        for png in want:
            size = png_size(png) if os.path.exists(png) else None
            check(f"{os.path.basename(png)} is a PNG of at least 800 pixels wide", size and size[0] >= 800, size)
    sweep_only = os.path.join(d, "sweep.h5")
    run('[sweep]\nscales = [1.0]\n[mc]\nparticles = 1024\n', "plain", sweep_only, d)
    refused(check, (([os.path.join(scripts, "plot_training.py"), sweep_only], "no runs with a training table"),
                    ([os.path.join(scripts, "plot_entropy.py"), h5, "--run", "mse"],
                     "no run 'mse' with a entropy table")), d)


def main():
    with tempfile.TemporaryDirectory() as d:
        h5 = os.path.join(d, "x.h5")
        train = ('[data]\nn = 40\nm = 2\n{extra}[sweep]\nscales = [1.0, 3.0]\n[mc]\nparticles = 1024\n'
                 '[experiment]\nkind = "training"\nsteps = 12\nlearning_rate = {lr}\n')
        run(train.format(extra="", lr=0.1), "mse", h5, d)
        run(train.format(extra='labels = "binary"\n[model]\nkind = "logistic"\n[energy]\nkind = "ce"\n', lr=1.0), "ce",
            h5, d)
        run(train.format(extra='[energy]\nkind = "mae"\n', lr=0.05), "mae", h5, d)
        run('[sweep]\nscales = [1.0, 2.0]\n[experiment]\nkind = "entropy"\ndeltas = [1.0, 0.3, 0.1, 0.03]\n'
            'dims = [1, 2]\nparticles = [300, 3000]\n', "ent", h5, d)
        with h5py.File(h5, "r") as f:
            for r in ("mse", "ce", "mae"):
                with check.group(f"training figure {r}"):
                    check_training_figure(f, r, f"training {r}")
            with check.group("entropy figure"):
                check_entropy_figure(f, "ent", "entropy")
        with check.group("command line"):
            check_command_line(h5, d)
    check.finish()


main()
