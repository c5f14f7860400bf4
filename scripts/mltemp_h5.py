"""Reading mltemp results files (HDF5) in Python: the interpreter, the file, its tables.

Shared by the plot scripts and meant for any later analysis script:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from mltemp_h5 import open_results, runs_with, Table, text_attr

Importing this module re-executes the calling script under Debian's /usr/bin/python3 when the
current interpreter cannot import h5py, numpy and matplotlib (a `python3` on PATH often cannot
see Debian's python3-* packages).

Text may be stored as fixed-length or variable-length strings, and h5py returns either bytes or
str: `text()` turns any of them into str, so readers work with both writers.
"""
import math
import os
import sys

try:
    import h5py
    import numpy as np
    import matplotlib
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("mltemp scripts need h5py, numpy and matplotlib (Debian: python3-h5py python3-numpy python3-matplotlib)")

matplotlib.use("Agg")

FILETYPE = "mltemp-results"
# Units that mean "a pure number": no bracket on an axis label.
DIMENSIONLESS = ("", "1", "dimensionless")


def fail(msg):
    """Bad input: the message on stderr, exit code 2 (the project's convention)."""
    print(f"{os.path.basename(sys.argv[0])}: error: {msg}", file=sys.stderr)
    sys.exit(2)


FORMAT_VERSION = 2  # the newest results layout these scripts read (host/h5_writer.h)


def text(v):
    """str from a fixed- or variable-length HDF5 string (bytes, numpy.bytes_, str, 1-element array)."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise ValueError(f"expected one string, got an array of shape {v.shape}")
        v = v.reshape(()).item()
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8", errors="replace").rstrip("\0")
    return str(v)


def text_attr(obj, name, default=""):
    """A text attribute of a group or dataset as str (`default` when absent)."""
    return text(obj.attrs[name]) if name in obj.attrs else default


def number_attr(obj, name, default=math.nan):
    """A numeric attribute (stored as integer or double) as float (`default` when absent)."""
    if name not in obj.attrs:
        return default
    v = np.asarray(obj.attrs[name])
    return float(v.reshape(-1)[0]) if v.size else default


class Table:
    """A compound table (`sweep`, `layers`, `efficiency`, ...) read whole into memory.

    t["col"] is a numpy array: numbers as stored, text columns as an array of str.
    t.units("col") / t.meaning("col") read the `<col>_units` / `<col>_meaning` attributes;
    t.label("col") is an axis label with the units in brackets (none for pure numbers).
    """

    def __init__(self, dataset):
        self.path = dataset.name
        self.rows = dataset[()]
        self._attrs = {k: text(v) for k, v in dataset.attrs.items() if k.endswith(("_units", "_meaning"))}

    @property
    def columns(self):
        return self.rows.dtype.names

    def __contains__(self, col):
        return col in self.columns

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, col):
        if col not in self.columns:
            raise KeyError(f"{self.path}: no column {col!r} (columns: {', '.join(self.columns)})")
        v = self.rows[col]
        if v.dtype.kind in "SOU":
            return np.array([text(x) for x in v], dtype=object)
        return v

    def units(self, col):
        u = self._attrs.get(f"{col}_units", "")
        return "" if u.strip() in DIMENSIONLESS else u

    def meaning(self, col):
        return self._attrs.get(f"{col}_meaning", "")

    def label(self, col, symbol=None):
        u = self.units(col)
        return f"{symbol or col} [{u}]" if u else (symbol or col)

    def has_finite(self, col):
        return col in self and np.isfinite(self[col]).any()


def open_results(path):
    """Open an mltemp results file read-only; exit 2 with a message naming the file if it is not one."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    kind = text_attr(f, "filetype")
    if kind != FILETYPE:
        fail(f"{path}: not an mltemp results file (filetype {kind!r}, expected {FILETYPE!r})")
    version = f["/"].attrs.get("format_version")
    if version is None or not np.isscalar(version) or not 1 <= float(version) <= FORMAT_VERSION:
        fail(f"{path}: format_version {version!r}: these scripts read versions 1 to {FORMAT_VERSION}")
    return f


def runs_with(f, table, wanted, path):
    """Run names that have `table`, or the `wanted` ones (exit 2 if one lacks it)."""
    runs = sorted(k for k in f.get("runs", {}) if table in f[f"runs/{k}"])
    if wanted:
        for r in wanted:
            if r not in runs:
                fail(f"{path}: no run {r!r} with a {table} table (runs: {', '.join(runs) or 'none'})")
        runs = list(wanted)
    if not runs:
        fail(f"{path}: no runs with a {table} table")
    return runs


def read_table(f, run, table):
    return Table(f[f"runs/{run}/{table}"])


def out_dir(path, outdir):
    """The folder for outputs: --outdir, else the results file's folder (exit 2 if not a folder)."""
    d = outdir or os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        fail(f"--outdir {d}: not a folder")
    return d


def file_stem(path):
    return os.path.splitext(os.path.basename(path))[0]
