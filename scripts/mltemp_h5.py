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


FORMAT_VERSION = 2  # the newest results layout these scripts read (host/h5_writer.h)


def text(v):
    """A text attribute or table cell as str: fixed-length (numpy bytes) or variable-length."""
    return v.decode() if isinstance(v, (bytes, numpy.bytes_)) else str(v)


def text_attr(obj, name):
    return text(obj.attrs.get(name, b""))


def open_results(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    if text_attr(f["/"], "filetype") != "mltemp-results":
        fail(f"{path}: not an mltemp results file (filetype {text_attr(f['/'], 'filetype')!r})")
    version = f["/"].attrs.get("format_version")
    if version is None or not numpy.isscalar(version) or not 1 <= float(version) <= FORMAT_VERSION:
        fail(f"{path}: format_version {version!r}: these scripts read versions 1 to {FORMAT_VERSION}")
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
