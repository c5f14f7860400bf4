"""Checks shared by the plot tests (tests/test_plot_*.py): a counter of checks, and readers of
what a matplotlib figure draws (series by their HDF5 column gid, legends, panels)."""
import contextlib
import os
import struct
import subprocess
import traceback

import numpy as np
from matplotlib.container import ErrorbarContainer


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

    def refused(self, args, msg, folder):
        """A command that must exit 2 with `msg` on stderr and write nothing into `folder`."""
        before = sorted(os.listdir(folder))
        r = subprocess.run(args, capture_output=True, text=True)
        name = " ".join(os.path.basename(a) for a in args)
        self(f"{name}: exit 2", r.returncode == 2, (r.returncode, r.stderr))
        self(f"{name}: message", msg in r.stderr, r.stderr)
        self(f"{name}: nothing written", sorted(os.listdir(folder)) == before, set(os.listdir(folder)) - set(before))

    @contextlib.contextmanager
    def group(self, name):
        """A block whose unexpected exception is one failure, not the end of the test."""
        try:
            yield
        except Exception:
            self(name, False, "exception\n" + traceback.format_exc())



# ---- reading what a figure draws -----------------------------------------------------------

def series(ax):
    """{gid: (x, y, (bar low ends, bar high ends) or None)} of every drawn series that names its column."""
    out = {}
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer) and c.lines[0].get_gid():
            x, y = c.lines[0].get_xydata().T
            seg = c.lines[2][0].get_segments()
            out[c.lines[0].get_gid()] = (x, y, (np.array([s[0][1] for s in seg]), np.array([s[1][1] for s in seg])))
    for ln in ax.get_lines():
        gid = ln.get_gid()
        if gid and gid not in out and gid != "T_undefined":
            x, y = (np.asarray(v, dtype=float) for v in ln.get_data())
            out[gid] = (x, y, None)
    return out


def vlines(ax, gid):
    return sorted(float(ln.get_xdata()[0]) for ln in ax.get_lines() if ln.get_gid() == gid)


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
        m &= np.isfinite(c)
    return m


def spans_decades(*cols):
    """Positive finite values spanning more than one decade: the rule for a log axis."""
    v = np.concatenate([np.asarray(c, dtype=float) for c in cols])
    v = v[np.isfinite(v)]
    return bool(len(v)) and v.min() > 0 and v.max() / v.min() > 10


def panels(fig):
    """The data axes of a figure (legends are not axes; colorbars would be)."""
    return [a for a in fig.axes if a.get_label() != "<colorbar>"]


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def mltemp_run(binary, cfg_text, name, h5, folder):
    """`mltemp run` of a config text (its name set to `name`) into the results file h5."""
    cfg = os.path.join(folder, f"{name}.toml")
    with open(cfg, "w") as fh:
        fh.write(f'name = "{name}"\n' + cfg_text)
    subprocess.run([binary, "run", cfg, "--out", h5, "--quiet"], check=True)
