"""What the NumPy and PyTorch peers share: the workload, mltemp's own dataset, moments, timing.

The peers read the same workload file as mltemp (bench/workloads/*.toml) and rebuild the very
dataset mltemp builds from it: mltemp's data generator is Philox4x32-10 (Random123) keyed by
data.seed, Box-Muller on two 53-bit uniforms, one draw per (stream, row, column); `make_data`
reproduces it, and bench/run_bench.py checks the copy against the moments and the teacher
network that mltemp writes to HDF5 before any timing, so the E_init check compares the same
computation on the same data (not just the same distribution). Particle draws are the peers'
own (numpy Generator, torch.randn): generating them is part of the timed work.

Timing is marginal: after a batch-size tuning pass, the particle loop runs for two particle
counts N1 < N2 in the same process, and particles/s = (N2 - N1) / (t2 - t1), so one-off costs
(imports, buffers, thread pools) drop out, as for mltemp.
"""

import argparse
import json
import math
import sys
import time
import tomllib

import numpy as np

# ---------------------------------------------------------------------------------------------
# mltemp's data generator (include/mltemp/rng.h, host/dataset.cpp, host/mlp_data.cpp)

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LO = np.uint64(0xFFFFFFFF)
_STREAM = {"init": 1, "synth_data": 2, "synth_truth": 3, "teacher": 4, "teacher_data": 5}


def stream_id(purpose, index):
    return (_STREAM[purpose] << 24) | (index & 0xFFFFFF)


def philox4x32_10(c0, c1, c2, c3, seed):
    """Philox4x32-10 on uint64 arrays holding 32-bit words; key = the 64-bit seed."""
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    for r in range(10):
        if r:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
        p0, p1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & _LO,
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & _LO)
    return c0, c1, c2, c3


def _u01_open(hi, lo):
    x = ((hi << np.uint64(32)) | lo) >> np.uint64(11)
    return (x.astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def philox_normal(seed, stream, rows, cols):
    """mltemp's philox_normal(seed, stream, particle = row, draw = col) for a rows x cols grid."""
    r = np.repeat(np.arange(rows, dtype=np.uint64), cols)
    d = np.tile(np.arange(cols, dtype=np.uint64), rows)
    w = philox4x32_10(d, r & _LO, r >> np.uint64(32), np.full_like(r, stream), seed)
    u1, u2 = _u01_open(w[0], w[1]), _u01_open(w[2], w[3])
    return (np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586476925286766559 * u2)).reshape(rows, cols)


def load_workload(path):
    with open(path, "rb") as f:
        cfg = tomllib.load(f)
    d, mo = cfg.get("data", {}), cfg.get("model", {})
    en, ini = cfg.get("energy", {}), cfg.get("init", {})
    # The peers implement exactly what the bench workloads use; anything else is refused.
    need = [(d.get("standardize", True), False, "data.standardize") if d.get("source") != "teacher" else None,
            (d.get("bias", True), False, "data.bias") if d.get("source") != "teacher" else None,
            (ini.get("dist", "normal"), "normal", "init.dist"), (en.get("l1", 0.0), 0.0, "energy.l1"),
            (en.get("l2", 0.0), 0.0, "energy.l2"), (mo.get("bias", False), False, "model.bias"),
            (ini.get("layer_scaling", "none"), "none", "init.layer_scaling"),
            (mo.get("activation", "tanh"), "tanh", "model.activation")]
    for got, want, key in filter(None, need):
        if got != want:
            sys.exit(f"{path}: {key} = {got!r}: the peers implement only {want!r}")
    scales = cfg.get("sweep", {}).get("scales", [])
    if len(scales) != 1:
        sys.exit(f"{path}: sweep.scales must hold exactly one scale")
    kind = mo.get("kind", "linear")
    w = {"path": path, "name": cfg.get("name", "run"), "kind": kind, "energy": en.get("kind", "mse"),
         "source": d.get("source", "synthetic"), "n": int(d.get("n", 200)), "m": int(d.get("m", 4)),
         "noise": float(d.get("noise", 0.5)), "seed": int(d.get("seed", 7)), "labels": d.get("labels", "real"),
         "scale": float(scales[0])}
    if kind == "mlp":
        if w["source"] != "teacher":
            sys.exit(f"{path}: the peers implement the mlp on teacher data only")
        w["widths"] = [w["m"]] + [int(h) for h in mo.get("hidden", [16])] + [1]
        w["teacher_sigma"] = float(d.get("teacher_sigma", 1.0))
        w["teacher_scaling"] = d.get("teacher_scaling", "none")
    return w


def make_data(w):
    """mltemp's dataset for workload w: {'X', 'y'} (+ 'zstar', 'theta' for the teacher)."""
    n, m, seed = w["n"], w["m"], w["seed"]
    if w["kind"] != "mlp":
        truth = philox_normal(seed, stream_id("synth_truth", 0), 1, m)[0]
        g = philox_normal(seed, stream_id("synth_data", 0), n, m + 1)
        X = np.ascontiguousarray(g[:, :m])
        f = X @ truth + w["noise"] * g[:, m]
        y = (f > 0.0).astype(np.float64) if w["labels"] == "binary" else f
        return {"X": X, "y": y}
    widths = w["widths"]
    X = philox_normal(seed, stream_id("teacher_data", 0), n, widths[0])
    mats, h, zstar = [], X, []
    for l in range(1, len(widths)):
        nin, nout = widths[l - 1], widths[l]
        k = 1.0 / math.sqrt(nin) if w["teacher_scaling"] == "fan_in" else (
            math.sqrt(2.0 / nin) if w["teacher_scaling"] == "he" else 1.0)
        Wl = w["teacher_sigma"] * k * philox_normal(seed, stream_id("teacher", l), 1, nout * nin).reshape(nout, nin)
        mats.append(Wl)
        z = h @ Wl.T
        zstar.append(z)
        h = np.tanh(z)
    y = zstar[-1][:, 0].copy()
    if w["noise"] > 0.0:
        y += w["noise"] * philox_normal(seed, stream_id("teacher_data", 1), n, 1)[:, 0]
    return {"X": X, "y": y, "zstar": zstar, "theta": np.concatenate([a.ravel() for a in mats])}


def observables(w):
    """Names of the per-particle observables: the energy, then (mlp) one energy per layer."""
    if w["kind"] != "mlp":
        return ["E"]
    return ["E"] + [f"E_{l}" for l in range(1, len(w["widths"]))]


# ---------------------------------------------------------------------------------------------
# moments and the timed loop

class Moments:
    """Count, mean and M2 per observable, merged batch by batch (Chan et al.), in float64."""

    def __init__(self, k):
        self.n, self.mean, self.m2 = 0, np.zeros(k), np.zeros(k)

    def add(self, obs):  # obs: (batch, k) float64
        b = obs.shape[0]
        bm = obs.mean(axis=0)
        bm2 = ((obs - bm) ** 2).sum(axis=0)
        d = bm - self.mean
        tot = self.n + b
        self.mean += d * (b / tot)
        self.m2 += bm2 + d * d * (self.n * b / tot)
        self.n = tot

    def merge(self, o):
        tot = self.n + o.n
        d = o.mean - self.mean
        self.mean += d * (o.n / tot)
        self.m2 += o.m2 + d * d * (self.n * o.n / tot)
        self.n = tot

    def summary(self, names):
        var = self.m2 / max(self.n - 1, 1)
        return {nm: {"mean": float(self.mean[i]), "var": float(var[i]), "se": float(math.sqrt(var[i] / self.n))}
                for i, nm in enumerate(names)}


def run_particles(evaluate, batch, particles, k):
    """Evaluates ceil(particles / batch) full batches; returns (seconds, Moments)."""
    mom = Moments(k)
    t0 = time.perf_counter()
    for _ in range((particles + batch - 1) // batch):
        mom.add(evaluate())
    return time.perf_counter() - t0, mom


def blas_libraries():
    """The BLAS shared objects this process has mapped (the driver insists on OpenBLAS)."""
    with open("/proc/self/maps") as f:
        return sorted({ln.split()[-1] for ln in f if "blas" in ln.rsplit("/", 1)[-1]})


def describe(w, variant, mlp_how):
    if w["kind"] == "mlp":
        return mlp_how
    if variant == "stats":
        return "sufficient statistics: theta A theta - 2 b theta + c"
    return "data pass: theta X' GEMM, " + {"mse": "mean((y - z)^2)", "mae": "mean|y - z|",
                                           "ce": "mean softplus(z) - theta.X'y/n"}[w["energy"]]


def main(peer_name, make_evaluator, mlp_how, settings=None):
    """Command line shared by the peers.

    make_evaluator(w, data, variant, setting) -> evaluate(), where evaluate() draws one batch of
    particles and returns their observables as a (batch, k) float64 array; setting is a dict
    with 'batch' and whatever else the peer tunes (settings(batch) lists them for one batch).
    """
    ap = argparse.ArgumentParser(description=f"{peer_name} peer of an mltemp benchmark workload")
    ap.add_argument("workload", help="bench/workloads/*.toml")
    ap.add_argument("--variant", default="", help="linear MSE: 'data' (brute-force pass) or 'stats' (A, b, c)")
    ap.add_argument("--seconds", type=float, default=4.0, help="target time of the N2 - N1 particles")
    ap.add_argument("--batches", default="", help="batch sizes to try (comma list); default per workload")
    a = ap.parse_args()
    w = load_workload(a.workload)
    variant = a.variant or ("data" if w["energy"] == "mse" and w["kind"] == "linear" else "")
    if variant not in (("data", "stats") if w["energy"] == "mse" and w["kind"] == "linear" else ("",)):
        sys.exit(f"--variant {variant}: not available for {w['name']}")
    data = make_data(w)
    names = observables(w)
    k = len(names)
    batches = [int(b) for b in a.batches.split(",")] if a.batches else default_batches(w, variant)
    cands = [st for b in batches for st in (settings(b) if settings else [{"batch": b}])]
    # Tuning: each candidate runs >= 0.25 s after one warm-up batch; the fastest is kept.
    tuned = []
    for st in cands:
        ev = make_evaluator(w, data, variant, st)
        ev()
        n, t = st["batch"], run_particles(ev, st["batch"], st["batch"], k)[0]
        while t < 0.25:
            n *= 2
            t = run_particles(ev, st["batch"], n, k)[0]
        tuned.append((n / t, st))
        del ev  # one evaluator's buffers alive at a time
    rate, best = max(tuned, key=lambda r: r[0])
    b = best["batch"]
    ev = make_evaluator(w, data, variant, best)
    ev()
    n1 = b * max(1, round(rate * a.seconds / 3 / b))
    n2 = n1 + b * max(1, round(rate * a.seconds / b))
    t1, mom1 = run_particles(ev, b, n1, k)
    t2, mom2 = run_particles(ev, b, n2, k)
    mom1.merge(mom2)  # independent draws: both runs count for E_init
    out = {"peer": peer_name, "workload": w["name"], "variant": variant, "describe": describe(w, variant, mlp_how),
           "setting": best, "tuned": [dict(st, particles_per_s=r) for r, st in tuned], "n1": n1, "n2": n2,
           "t1": t1, "t2": t2, "particles_per_s": (n2 - n1) / (t2 - t1) if t2 > t1 else n2 / t2,
           "marginal_ok": t2 > t1, "stats": mom1.summary(names),
           "n": w["n"], "m": w["m"], "blas": blas_libraries()}
    print(json.dumps(out))


def default_batches(w, variant):
    if w["kind"] == "mlp":
        return [4, 8, 16, 32]
    if variant == "stats":
        return [4096, 16384, 65536]
    return [32, 64, 128, 256, 512]
