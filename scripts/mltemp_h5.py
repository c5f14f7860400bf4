"""Shared helpers of the plot scripts: Debian's interpreter, opening an mltemp results file."""
import os
import sys

try:
    import h5py  # noqa: F401
    import numpy  # noqa: F401
    import matplotlib
except ImportError:
    # `python3` on PATH may be an interpreter that cannot see Debian's packages.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("mltemp plots need h5py, numpy and matplotlib (Debian: python3-h5py python3-matplotlib)")

matplotlib.use("Agg")


def fail(msg):
    print(f"{os.path.basename(sys.argv[0])}: error: {msg}", file=sys.stderr)
    sys.exit(2)


def text_attr(obj, name):
    v = obj.attrs.get(name, b"")
    return v.decode() if isinstance(v, bytes) else str(v)


def open_results(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    if text_attr(f["/"], "filetype") != "mltemp-results":
        fail(f"{path}: not an mltemp results file (filetype {text_attr(f['/'], 'filetype')!r})")
    return f


def runs_with(f, table, wanted, path):
    """Run names that have `table`, or the `wanted` ones (error if one lacks it)."""
    runs = sorted(k for k in f.get("runs", {}) if table in f[f"runs/{k}"])
    if wanted:
        for r in wanted:
            if r not in runs:
                fail(f"{path}: no run {r!r} with a {table} table (runs: {', '.join(runs) or 'none'})")
        runs = wanted
    if not runs:
        fail(f"{path}: no runs with a {table} table")
    return runs


def out_dir(path, outdir):
    d = outdir or os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        fail(f"--outdir {d}: not a folder")
    return d
