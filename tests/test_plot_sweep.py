"""ctest: the plot scripts draw what the results file holds.

    /usr/bin/python3 tests/test_plot_sweep.py BUILD/mltemp SOURCE_DIR

Makes small real runs with the mltemp binary, then inspects the matplotlib figures the scripts
build (axis labels and scales, the series drawn, every plotted point and error bar against the
HDF5 columns, legends outside the data, colours, the panel grid), reads the same file with its
text stored as fixed- and as variable-length strings, and runs the scripts as a user would
(PNG paths printed, exit 2 with a message on bad input). Every check counts: the last line is
'plots: N passed, M failed', and the exit code is 1 when any check failed.
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile

from plot_checks import (Checks, finite_rows, legend_outside_axes, legend_texts, panels, panels_and_title, png_size,
                         refused, run_mltemp, series, spans_decades, test_args, vlines)

binary, scripts = test_args()

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import mltemp_h5  # noqa: E402
import mltemp_plot  # noqa: E402
import plot_layers  # noqa: E402
import plot_sweep  # noqa: E402


check = Checks()
run = functools.partial(run_mltemp, binary)  # run(cfg_text, name, h5, folder)


# ---- the sweep plot ------------------------------------------------------------------------

def check_sweep_figure(f, run, tag):
    t = f[f"runs/{run}/sweep"][()]
    g = f[f"runs/{run}"]
    s, ok = t["scale"], t["T_defined"] == 1
    fig = plot_sweep.sweep_figure(f, run, "file.h5")
    axs, title = panels_and_title(check, fig, tag, 3)
    ax, zx, rx = axs
    system = mltemp_h5.text_attr(g, "system")
    check(f"{tag}: title names run and system", title.startswith(f"{run}: {system}") and system, title)
    check(f"{tag}: title names the file", "file.h5" in title, title)
    for a, name in ((ax, "T"), (zx, "residual"), (rx, "ratio")):
        check(f"{tag}: {name} panel x log", a.get_xscale() == "log", a.get_xscale())
        check(f"{tag}: {name} legend outside the axes", legend_outside_axes(fig, a))
        if (~ok).any():
            marks = vlines(a, "T_undefined")
            check(f"{tag}: {name} marks H <= 0 scales", marks == sorted(s[~ok]), marks)
    units = mltemp_h5.text(g["sweep"].attrs["T_mc_units"])
    check(f"{tag}: T axis label has units", ax.get_ylabel() == f"temperature T [{units}]", ax.get_ylabel())
    want = "log" if spans_decades(t["T_mc"], t["T_exact"], t["T_asym"]) else "linear"
    check(f"{tag}: T axis {want} (log exactly when T spans decades)", ax.get_yscale() == want, ax.get_yscale())
    check(f"{tag}: scale axis label", rx.get_xlabel().startswith("scale s"), rx.get_xlabel())
    check(f"{tag}: residual axis label", zx.get_ylabel() == "(T_mc - T_exact) / se", zx.get_ylabel())

    top = series(ax)
    want = {"T_mc"} | {c for c in ("T_exact", "T_asym") if np.isfinite(t[c]).any()}
    check(f"{tag}: T panel series", set(top) == want, sorted(top))
    m = ok & finite_rows(t["T_mc"], t["T_mc_se"])
    check.same(f"{tag}: T_mc x", top["T_mc"][0], s[m])
    check.same(f"{tag}: T_mc y", top["T_mc"][1], t["T_mc"][m])
    check.bars(f"{tag}: T_mc error bars", top["T_mc"][2], t["T_mc"][m], t["T_mc_se"][m])
    for c in want - {"T_mc"}:
        m = np.isfinite(t[c])
        check.same(f"{tag}: {c} x", top[c][0], s[m])
        check.same(f"{tag}: {c} y", top[c][1], t[c][m])
    circled = any(ln.get_label() == mltemp_plot.UNRELIABLE_LABEL for ln in ax.get_lines())
    check(f"{tag}: T legend has one entry per series", len(legend_texts(ax)) == len(top) + (~ok).any() + circled,
          legend_texts(ax))

    res = series(zx)
    if np.isfinite(t["z"]).any():
        m = np.isfinite(t["z"])
        check(f"{tag}: residual series", set(res) == {"z"}, sorted(res))
        check.same(f"{tag}: z x", res["z"][0], s[m])
        check.same(f"{tag}: z y", res["z"][1], t["z"][m])
        lo, hi = zx.get_ylim()
        check(f"{tag}: residual axis shows +-2 and every z", lo <= -2 and hi >= 2 and hi >= np.abs(t["z"][m]).max(),
              (lo, hi))
    else:
        check(f"{tag}: no residual series without T_exact", res == {}, sorted(res))
        notes = [x.get_text() for x in zx.texts]
        check(f"{tag}: residual panel says why it is empty", any("no residual" in n for n in notes), notes)

    rat = series(rx)
    want = {c for c in ("T_mc_over_T_asym", "energy_ratio") if np.isfinite(t[c]).any()}
    check(f"{tag}: ratio panel series", set(rat) == want, sorted(rat))
    if "T_mc_over_T_asym" in want:
        m = finite_rows(t["T_mc_over_T_asym"], t["T_asym"])
        check.same(f"{tag}: T_mc/T_asym y", rat["T_mc_over_T_asym"][1], t["T_mc_over_T_asym"][m])
        check.bars(f"{tag}: T_mc/T_asym error bars", rat["T_mc_over_T_asym"][2], t["T_mc_over_T_asym"][m],
                   t["T_mc_se"][m] / t["T_asym"][m])
    if "energy_ratio" in want:
        m = finite_rows(t["energy_ratio"], t["energy_ratio_se"])
        check.same(f"{tag}: energy ratio y", rat["energy_ratio"][1], t["energy_ratio"][m])
        check.bars(f"{tag}: energy ratio error bars", rat["energy_ratio"][2], t["energy_ratio"][m],
                   t["energy_ratio_se"][m])
    for a in axs:
        for gid, (x, y, e) in series(a).items():
            check(f"{tag}: {gid} has no NaN point", np.isfinite(x).all() and np.isfinite(y).all())
    return fig


# ---- the layers and efficiency plots -------------------------------------------------------

def picked(t):
    s = np.unique(t["scale"][np.isfinite(t["T_l"])])
    return sorted({s[0], s[len(s) // 2], s[-1]})


def check_layers_figure(f, runs, tag):
    fig = plot_layers.layers_figure(f, runs, "file.h5")
    axs = panels(fig)
    check(f"{tag}: one panel per run", len(axs) == len(runs), len(axs))
    rows, cols = axs[0].get_subplotspec().get_geometry()[:2]
    check(f"{tag}: grid of at most 3 columns", cols == min(3, len(runs)) and rows * cols >= len(runs), (rows, cols))
    width = fig.get_figwidth()
    for ax, run in zip(axs, runs):
        t = f[f"runs/{run}/layers"][()]
        units = mltemp_h5.text(f[f"runs/{run}/layers"].attrs["T_l_units"])
        p = f"{tag} {run}"
        check(f"{p}: panel wide enough to read", ax.get_position().width * width >= 3.0,
              ax.get_position().width * width)
        check(f"{p}: title names the run", ax.get_title().startswith(f"{run}: "), ax.get_title())
        check(f"{p}: layer label", ax.get_xlabel().startswith("layer l"), ax.get_xlabel())
        check(f"{p}: T_l label with units", ax.get_ylabel() == f"T_l = E_l / S_l [{units}]", ax.get_ylabel())
        lo, hi = ax.get_xlim()
        ticks = [x for x in ax.get_xticks() if lo <= x <= hi]
        check(f"{p}: integer layer ticks", ticks and all(float(x).is_integer() for x in ticks), ticks)
        check(f"{p}: legend outside the axes", legend_outside_axes(fig, ax))
        texts = legend_texts(ax)
        check(f"{p}: legend names the leading order", any("leading order" in x for x in texts), texts)
        drawn = series(ax)
        scales = picked(t)
        mc = {k for k in drawn if k.startswith("T_l@")}
        check(f"{p}: one Monte Carlo series per picked scale", mc == {f"T_l@{float(s)!r}" for s in scales}, sorted(mc))
        check(f"{p}: legend has every scale", all(f"s = {s:.3g}" in texts for s in scales), texts)
        colors = [str(c.lines[0].get_color()) for c in ax.containers]
        check(f"{p}: no colour repeats across scales", len(set(colors)) == len(colors) == len(scales), colors)
        for s in scales:
            r = t["scale"] == s
            x, y, e = drawn[f"T_l@{float(s)!r}"]
            m = finite_rows(t["T_l"][r], t["T_l_se"][r])
            check.same(f"{p} s={s:g}: layers", x, t["layer"][r][m])
            check.same(f"{p} s={s:g}: T_l", y, t["T_l"][r][m])
            check.bars(f"{p} s={s:g}: T_l error bars", e, t["T_l"][r][m], t["T_l_se"][r][m])
            for c in ("T_l_exact", "T_l_asym"):
                m = np.isfinite(t[c][r])
                key = f"{c}@{float(s)!r}"
                if check(f"{p} s={s:g}: {c} drawn where finite", (key in drawn) == m.any(), sorted(drawn)) and m.any():
                    check.same(f"{p} s={s:g}: {c} layers", drawn[key][0], t["layer"][r][m])
                    check.same(f"{p} s={s:g}: {c}", drawn[key][1], t[c][r][m])
        sel = np.isin(t["scale"], scales)
        want = "log" if spans_decades(*(t[c][sel] for c in ("T_l", "T_l_exact", "T_l_asym"))) else "linear"
        check(f"{p}: T_l axis {want} (log exactly when T_l spans decades)", ax.get_yscale() == want, ax.get_yscale())
    return fig


def check_efficiency_figure(f, runs, tag):
    fig = plot_layers.efficiency_figure(f, runs, "file.h5")
    axs = panels(fig)
    types = {}
    for r in runs:
        types.setdefault(mltemp_h5.text(f[f"runs/{r}/efficiency"]["engine_type"][0]), []).append(r)
    check(f"{tag}: one panel per heat-engine type", len(axs) == len(types), (len(axs), types))
    for ax in axs:
        kind = next((k for k in types if k in ax.get_title()), None)
        if not check(f"{tag}: panel title names its engine type", kind is not None, ax.get_title()):
            continue
        drawn = series(ax)
        check(f"{tag} {kind}: a series per run", {k for k in drawn if k.startswith("eta@")}
              == {f"eta@{r}" for r in types[kind]}, sorted(drawn))
        colors = [str(c.lines[0].get_color()) for c in ax.containers]
        check(f"{tag} {kind}: one colour per run", len(set(colors)) == len(colors) == len(types[kind]), colors)
        check(f"{tag} {kind}: legend outside the axes", legend_outside_axes(fig, ax))
        check(f"{tag} {kind}: scale axis log", ax.get_xscale() == "log", ax.get_xscale())
        for r in types[kind]:
            e = f[f"runs/{r}/efficiency"][()]
            x, y, err = drawn[f"eta@{r}"]
            check.same(f"{tag} {r}: eta scales", x, e["scale"])
            check.same(f"{tag} {r}: eta", y, e["eta"])
            check.bars(f"{tag} {r}: eta error bars", err, e["eta"], e["eta_se"])
            check.same(f"{tag} {r}: eta_limit line", drawn[f"eta_limit@{r}"][1], [e["eta_limit"][0]] * 2)
    return fig


# ---- files with fixed- and variable-length text --------------------------------------------

def rewrite_text(path, vlen):
    """Store every text attribute and text column of `path` as variable-length (vlen) or
    fixed-length strings, and integer-valued numeric attributes as integers."""
    with h5py.File(path, "r+") as f:
        objs = [f]
        f.visititems(lambda name, o: objs.append(o))
        for o in objs:
            for k, v in list(o.attrs.items()):
                if isinstance(v, (bytes, np.bytes_, str)):
                    s = mltemp_h5.text(v)
                    del o.attrs[k]
                    o.attrs[k] = s if vlen else np.bytes_(s.encode())
                elif np.ndim(v) == 0 and isinstance(v, np.floating) and float(v).is_integer():
                    o.attrs[k] = np.int64(v)
        tables = [o for o in objs if isinstance(o, h5py.Dataset) and o.dtype.names]
        for d in tables:
            if not any(d.dtype[n].kind in "SO" for n in d.dtype.names):
                continue
            fields = [(n, h5py.string_dtype() if vlen and d.dtype[n].kind in "SO" else
                       (np.dtype("S96") if d.dtype[n].kind in "SO" else d.dtype[n])) for n in d.dtype.names]
            rows, attrs, name, parent = d[()], dict(d.attrs), d.name, d.parent
            new = np.empty(len(rows), dtype=fields)
            for n in d.dtype.names:
                new[n] = [mltemp_h5.text(x) for x in rows[n]] if d.dtype[n].kind in "SO" else rows[n]
            del parent[name]
            nd = parent.create_dataset(name, data=new)
            for k, v in attrs.items():
                nd.attrs[k] = v


def check_text_helpers():
    for v in (b"mlp", np.bytes_(b"mlp"), "mlp", np.array([b"mlp"]), np.array("mlp"), b"mlp\0\0"):
        check(f"text({v!r})", mltemp_h5.text(v) == "mlp", repr(mltemp_h5.text(v)))


def figure_digest(fig):
    """Everything a reader sees that comes from the file: titles, labels, legend texts, series."""
    out = [fig._suptitle.get_text() if fig._suptitle else ""]
    for a in panels(fig):
        out += [a.get_title(), a.get_xlabel(), a.get_ylabel(), a.get_xscale(), a.get_yscale()] + legend_texts(a)
        for gid, (x, y, e) in sorted(series(a).items()):
            out.append((gid, x.tolist(), y.tolist(), None if e is None else [v.tolist() for v in e]))
    return out


def check_string_kinds(h5, d, sweep_run, mlp_runs):
    digests = {}
    for kind in ("fixed", "vlen"):
        p = os.path.join(d, f"{kind}.h5")
        shutil.copy(h5, p)
        rewrite_text(p, kind == "vlen")
        with h5py.File(p, "r") as f:
            raw = f[f"runs/{sweep_run}"].attrs["system"]
            check(f"{kind}: the file really holds {kind} text", isinstance(raw, str) == (kind == "vlen"), type(raw))
            eng = f[f"runs/{mlp_runs[0]}/efficiency"].dtype["engine_type"]
            check(f"{kind}: the engine_type column is {kind}", (h5py.check_string_dtype(eng).length is None)
                  == (kind == "vlen"), eng)
            check(f"{kind}: filetype read", mltemp_h5.text_attr(f, "filetype") == "mltemp-results")
            check(f"{kind}: integer attribute read", mltemp_h5.number_attr(f[f"runs/{sweep_run}"], "seed") == 1.0)
            figs = [plot_sweep.sweep_figure(f, sweep_run, "file.h5"), plot_layers.layers_figure(f, mlp_runs, "file.h5"),
                    plot_layers.efficiency_figure(f, mlp_runs, "file.h5")]
            digests[kind] = [figure_digest(x) for x in figs]
    check("fixed and vlen text draw the same figures", digests["fixed"] == digests["vlen"])
    # Units "1" (a pure number) gets no bracket; other units do.
    p = os.path.join(d, "units.h5")
    shutil.copy(h5, p)
    with h5py.File(p, "r+") as f:
        f[f"runs/{sweep_run}/sweep"].attrs["energy_ratio_units"] = "1"
    with h5py.File(p, "r") as f:
        t = mltemp_h5.read_table(f, sweep_run, "sweep")
        check("units '1': no bracket", t.label("energy_ratio") == "energy_ratio", t.label("energy_ratio"))
        check("units given: bracket", t.label("T_mc", "T") == "T [energy/nat]", t.label("T_mc", "T"))
        check("missing units: no bracket", t.label("kappa") == "kappa", t.label("kappa"))


def check_unreliable_se(h5, d, run):
    """A row with se_reliable = 0 is circled in the T and residual panels, and named in the legend."""
    p = os.path.join(d, "shaky.h5")
    shutil.copy(h5, p)
    with h5py.File(p, "r+") as f:
        ds = f[f"runs/{run}/sweep"]
        rows = ds[()]
        i = int(np.flatnonzero(rows["T_defined"] == 1)[-1])
        rows["se_reliable"][i] = 0
        ds[...] = rows
    with h5py.File(p, "r") as f:
        t = f[f"runs/{run}/sweep"][()]
        fig = plot_sweep.sweep_figure(f, run)
        ax, zx, _ = panels(fig)
        for a, col in ((ax, "T_mc"), (zx, "z")):
            circled = [ln for ln in a.get_lines() if ln.get_label() == mltemp_plot.UNRELIABLE_LABEL]
            check(f"shaky: {col} panel has one circle", len(circled) == 1 and len(circled[0].get_xdata()) == 1,
                  circled)
            if circled:
                c = circled[0]
                check.same(f"shaky: {col} circle at the flagged row", c.get_xydata()[0], [t["scale"][i], t[col][i]])
                check(f"shaky: {col} circle is open", c.get_markerfacecolor() == "none", c.get_markerfacecolor())
            check(f"shaky: {col} legend names it", mltemp_plot.UNRELIABLE_LABEL in legend_texts(a), legend_texts(a))


# ---- the scripts as a user runs them -------------------------------------------------------

def check_command_line(h5, d, sweep_runs):
    plot = os.path.join(scripts, "plot_sweep.py")
    layers = os.path.join(scripts, "plot_layers.py")
    # The `python3` on PATH may lack h5py: the script re-executes under /usr/bin/python3.
    py = shutil.which("python3") or sys.executable
    out = subprocess.run([py, plot, h5, "--outdir", d], capture_output=True, text=True)
    want = [os.path.join(d, f"p-{r}.png") for r in sweep_runs]
    check(f"plot_sweep.py under {py}: exit 0", out.returncode == 0, out.stderr)
    check("plot_sweep.py prints one PNG per run", out.stdout.split() == want, out.stdout)
    for png in want:
        size = png_size(png) if os.path.exists(png) else None
        check(f"{os.path.basename(png)} is a PNG of at least 800 x 800 pixels", size and min(size) >= 800, size)
    out = subprocess.run([layers, h5, "--outdir", d, "--run", "relu", "--run", "tanh"], capture_output=True, text=True)
    check("plot_layers.py --run prints the two PNGs", out.returncode == 0 and out.stdout.split() ==
          [os.path.join(d, "p-layers.png"), os.path.join(d, "p-efficiency.png")], out)
    for png in out.stdout.split():
        check(f"{os.path.basename(png)} is a PNG", png_size(png) is not None)

    bad = os.path.join(d, "bad.h5")
    with open(bad, "w") as fh:
        fh.write("not hdf5")
    foreign = os.path.join(d, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f.attrs["filetype"] = "something-else"
    refused(check, (([plot, bad], "bad.h5: cannot open as HDF5"),
                    ([plot, foreign], "not an mltemp results file (filetype 'something-else'"),
                    ([plot, h5, "--run", "nope"], "no run 'nope' with a sweep table"),
                    ([plot, h5, "--outdir", os.path.join(d, "missing")], "--outdir"),
                    ([layers, h5, "--run", sweep_runs[0]], f"no run '{sweep_runs[0]}' with a layers table")), d)


def main():
    with tempfile.TemporaryDirectory() as d:
        h5 = os.path.join(d, "p.h5")
        # Linear MSE: 0.2 has H <= 0 (T undefined), 1 has no T_asym, 10 and 1e3 have everything.
        run('[data]\nn = 30\nm = 2\n[sweep]\nscales = [0.2, 1.0, 10.0, 1e3]\n[mc]\nparticles = 5000\n', "p", h5, d)
        mlp = ('[data]\nsource = "teacher"\nn = 10\nm = 2\nnoise = 0.0\n[model]\nkind = "mlp"\nhidden = {h}\n'
               'activation = "{a}"\n[sweep]\nscales = {s}\n[mc]\nparticles = 2048\n')
        # ReLU: exact at every layer; tanh with 3 hidden layers: no T_exact, exact T_l for l <= 2 only.
        run(mlp.format(h="[3, 3]", a="relu", s="[0.5, 3.0, 100.0, 1e4]"), "relu", h5, d)
        run(mlp.format(h="[3, 3, 3]", a="tanh", s="[2.0, 1e3]"), "tanh", h5, d)
        grid = os.path.join(d, "grid.h5")
        shutil.copy(h5, grid)
        with h5py.File(grid, "r+") as f:  # four networks: a grid of two rows, two cells unused
            for i in (2, 3):
                f.copy(f["runs/relu" if i % 2 else "runs/tanh"], f"runs/net{i}")

        check_text_helpers()
        with h5py.File(h5, "r") as f:
            with check.group("sweep figure, linear run"):
                check_sweep_figure(f, "p", "sweep p")
            with check.group("sweep figure, relu run"):
                check_sweep_figure(f, "relu", "sweep relu")
            with check.group("sweep figure, tanh run (no exact T)"):
                check_sweep_figure(f, "tanh", "sweep tanh")
        with h5py.File(grid, "r") as f:
            nets = ["net2", "net3", "relu", "tanh"]
            with check.group("layers figure"):
                check_layers_figure(f, nets, "layers")
            with check.group("efficiency figure"):
                check_efficiency_figure(f, nets, "efficiency")
        with check.group("fixed and vlen text"):
            check_string_kinds(h5, d, "p", ["relu", "tanh"])
        with check.group("unreliable se"):
            check_unreliable_se(h5, d, "p")
        with check.group("command line"):
            check_command_line(h5, d, ["p", "relu", "tanh"])
    check.finish()


main()
