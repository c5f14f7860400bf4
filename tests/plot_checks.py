"""Helpers shared by the plot tests (tests/test_plot_*.py): counted checks, what a matplotlib
figure draws, and the mltemp binary and the plot scripts run as a user runs them.

Every drawn series carries its HDF5 column as gid (scripts/mltemp_plot.py), which is how a test
compares what a figure draws with the file.
"""
import contextlib
import os
import struct
import subprocess
import sys
import traceback

import numpy as np
from matplotlib.container import ErrorbarContainer


def test_args():
    """A plot test's command line, `BUILD/mltemp SOURCE_DIR`: (the binary, the scripts folder),
    with the scripts folder put on sys.path so that the test imports the plot scripts."""
    binary, source = sys.argv[1], sys.argv[2]
    scripts = os.path.join(source, "scripts")
    sys.path.insert(0, scripts)
    return binary, scripts


class Checks:
    """Counts every check; a failure prints what differed and the run goes on."""

    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")
        return ok

    def same(self, name, got, want, rtol=1e-12):
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        ok = got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=0.0)
        return self(name, ok, f"drawn {got.tolist()} != file {want.tolist()}")

    def bars(self, name, drawn, y, se):
        """Error bars drawn from y - se to y + se."""
        lo, hi = drawn
        return self.same(name + " (low ends)", lo, y - se) and self.same(name + " (high ends)", hi, y + se)

    def finish(self):
        """The last line, 'plots: N passed, M failed', and the exit: code 1 when any check failed."""
        print(f"plots: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)

    @contextlib.contextmanager
    def group(self, name):
        """A block whose unexpected exception is one failure, not the end of the test."""
        try:
            yield
        except Exception:
            self(name, False, "exception\n" + traceback.format_exc())


def series(ax, skip=("T_undefined",)):
    """{gid: (x, y, (bar low ends, bar high ends) or None)} of every drawn series that names its
    column (vertical bars; the last bar collection of a container with x and y bars); gids in
    `skip` (marker lines) left out."""
    out = {}
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer) and c.lines[0].get_gid():
            x, y = c.lines[0].get_xydata().T
            seg = c.lines[2][-1].get_segments()
            out[c.lines[0].get_gid()] = (x, y, (np.array([s[0][1] for s in seg]), np.array([s[1][1] for s in seg])))
    for ln in ax.get_lines():
        gid = ln.get_gid()
        if gid and gid not in out and gid not in skip:
            x, y = (np.asarray(v, dtype=float) for v in ln.get_data())
            out[gid] = (x, y, None)
    return out


def vlines(ax, gid):
    return sorted(float(ln.get_xdata()[0]) for ln in ax.get_lines() if ln.get_gid() == gid)


def panels(fig):
    """The data axes of a figure (legends are not axes; colorbars would be)."""
    return [a for a in fig.axes if a.get_label() != "<colorbar>"]


def panels_and_title(check, fig, tag, n):
    """The figure's data axes, checked to be n of them, and its title."""
    axs = panels(fig)
    check(f"{tag}: {n} panels", len(axs) == n, len(axs))
    return axs, fig._suptitle.get_text()


def legend_outside_axes(fig, ax):
    """No legend, or one whose box lies outside the axes' box (so it covers no data)."""
    if not getattr(fig, "_drawn_by_test", False):  # layout (and legend positions) exist after a draw
        fig.canvas.draw()
        fig._drawn_by_test = True
    leg = ax.get_legend()
    if leg is None:
        return True
    lb, ab = leg.get_window_extent(), ax.get_window_extent()
    return lb.x0 >= ab.x1 or lb.y0 >= ab.y1 or lb.x1 <= ab.x0 or lb.y1 <= ab.y0


def legend_texts(ax):
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg else []


def finite_rows(*cols):
    m = np.ones(len(cols[0]), dtype=bool)
    for c in cols:
        m &= np.isfinite(np.asarray(c, dtype=float))
    return m


def spans_decades(*cols):
    """Positive finite values spanning more than one decade: the rule for a log axis."""
    v = np.concatenate([np.asarray(c, dtype=float) for c in cols])
    v = v[np.isfinite(v)]
    return bool(len(v)) and v.min() > 0 and v.max() / v.min() > 10


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def refused(check, cases, folder):
    """Each (args, msg) of cases: the script run with bad input exits 2 with `msg` on stderr and
    writes nothing into folder."""
    for args, msg in cases:
        before = sorted(os.listdir(folder))
        r = subprocess.run(args, capture_output=True, text=True)
        name = f"{os.path.basename(args[0])} {' '.join(os.path.basename(a) for a in args[1:])}"
        check(f"{name}: exit 2", r.returncode == 2, (r.returncode, r.stderr))
        check(f"{name}: message", msg in r.stderr, r.stderr)
        check(f"{name}: nothing written", sorted(os.listdir(folder)) == before,
              set(os.listdir(folder)) - set(before))


def run_mltemp(binary, cfg_text, name, h5, folder):
    """`mltemp run` of a config text (the name line added) into h5, quietly."""
    cfg = os.path.join(folder, f"{name}.toml")
    with open(cfg, "w") as fh:
        fh.write(f'name = "{name}"\n' + cfg_text)
    subprocess.run([binary, "run", cfg, "--out", h5, "--quiet"], check=True)
