#!/usr/bin/python3
"""mltemp against a NumPy and a PyTorch peer, and against the DGEMM ceiling, in one run.

Called by bench/peers.sh (which installs the packages and builds mltemp); see that file.
Every contestant is timed the same way: two particle counts N1 < N2 of the same workload
(bench/workloads/*.toml), particles/s = (N2 - N1) / (t2 - t1) over the particle loop alone, so
one-off costs (data, E_min, thread pools, first-touch page faults) drop out. mltemp's loop time
is the `seconds` attribute it writes to HDF5; the peers time their own loop (peer_common.py).

Checks (any failure: exit 1, after the tables are printed):
  - the peers rebuild mltemp's dataset bit for bit (A, b, c of the MSE run, the teacher network);
  - every peer's E_init (and per-layer energies, MLP) agrees with mltemp's within 4 standard
    errors of the difference;
  - the peers' NumPy and PyTorch use OpenBLAS, as the ceiling does;
  - mltemp's peak resident memory is flat in the particle count (max/min <= 1.25).
Targets (the issue's) are reported MET / MISSED; they do not change the exit code.
"""

import argparse
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import peer_common  # noqa: E402

PY = "/usr/bin/python3"
WL = {k: os.path.join(HERE, "workloads", k + ".toml") for k in ("linear-mse", "linear-mae", "logistic-ce", "mlp-tanh")}
# Particles of mltemp's first run per workload for 4 s runs (about 1 s with today's engine on 2
# idle cores); when it takes under 1/5 or over 1x the target time, the run is redone at 1/3.
PILOT = {"linear-mse": 1 << 21, "linear-mae": 1 << 15, "logistic-ce": 1 << 14, "mlp-tanh": 1 << 10}
Z_MAX = 4.0
RSS_FLAT = 1.25


class Failures(list):
    def check(self, ok, what):
        if not ok:
            self.append(what)
            print(f"CHECK FAILED: {what}", file=sys.stderr, flush=True)
        return ok


def fatal(msg):
    sys.exit(f"bench: error: {msg}")


def bench_env():
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # a slow core type is forced on some VMs
        env.pop(k, None)
    return env


def run_child(cmd, env):
    """Runs cmd; returns (stdout, wall seconds, peak RSS in MB of that child). Fails loudly."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        so, se = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        fatal(f"command failed (exit {p.returncode}): {' '.join(cmd)}\n{se[-3000:]}")
    return so, wall, ru.ru_maxrss / 1024.0


# ---------------------------------------------------------------------------------------------
# mltemp

def run_mltemp(ctx, wl, particles, sets=()):
    h5 = os.path.join(ctx.tmp, f"run{len(os.listdir(ctx.tmp))}.h5")
    cmd = [ctx.mltemp, "run", WL[wl], "--out", h5, "--particles", str(particles), "--quiet", "--name", "b"]
    for s in sets:
        cmd += ["--set", s]
    _, wall, rss = run_child(cmd, ctx.env)
    with h5py.File(h5, "r") as f:
        r = f["runs/b"]
        sw = r["sweep"][()]
        obs = {"E": (float(sw["E_init"][0]), float(sw["E_init_se"][0]))}
        if "layers" in r:
            for row in r["layers"][()]:
                obs[f"E_{int(row['layer'])}"] = (float(row["E_l"]), float(row["E_l_se"]))
        res = {"particles": particles, "seconds": float(r.attrs["seconds"]), "wall": wall, "rss_mb": rss,
               "obs": obs, "h5": h5}
    return res


def round_particles(x):
    return max(1024, int(math.ceil(x / 1024.0)) * 1024)


def mltemp_marginal(ctx, wl, sets=()):
    """Two runs N1 < N2 (after pilots if the first is too short); particles/s of the difference."""
    r1 = run_mltemp(ctx, wl, round_particles(PILOT[wl] * ctx.seconds / 4), sets)
    for _ in range(4):
        n = round_particles(r1["particles"] / max(r1["seconds"], 1e-3) * ctx.seconds / 3)
        if ctx.seconds / 5 <= r1["seconds"] <= ctx.seconds or n == r1["particles"]:
            break
        r1 = run_mltemp(ctx, wl, n, sets)
    rate = r1["particles"] / r1["seconds"]
    r2 = run_mltemp(ctx, wl, r1["particles"] + round_particles(rate * ctx.seconds), sets)
    dt = r2["seconds"] - r1["seconds"]
    rate = (r2["particles"] - r1["particles"]) / dt if dt > 0 else r2["particles"] / r2["seconds"]
    ctx.failures.check(dt > 0, f"{wl}: mltemp's loop time did not grow with particles ({r1['seconds']:.2f} s for "
                       f"{r1['particles']}, {r2['seconds']:.2f} s for {r2['particles']}): the machine is busy; "
                       "reported N2/t2 instead")
    return {"particles_per_s": rate, "n1": r1["particles"],
            "n2": r2["particles"], "t1": r1["seconds"], "t2": r2["seconds"], "obs": r2["obs"], "h5": r2["h5"],
            "rss_mb": max(r1["rss_mb"], r2["rss_mb"])}


def mltemp_gemm_part(ctx, wl):
    """HOOK: mltemp's GEMM-shaped part alone, particles/s, or None.

    The engine has no way to time its GEMM part alone yet. When it does, provide an executable
    build/bench/mltemp_gemm_part taking `WORKLOAD.toml --particles N` and printing one JSON line
    {"particles_per_s": x}; this function then reports it next to the overall fraction.
    """
    exe = os.path.join(ctx.build, "bench", "mltemp_gemm_part")
    if not os.access(exe, os.X_OK):
        return None
    out, _, _ = run_child([exe, WL[wl], "--particles", str(ctx.gemm_part_particles)], ctx.env)
    return float(json.loads(out.strip().splitlines()[-1])["particles_per_s"])


# ---------------------------------------------------------------------------------------------
# peers

def run_peer(ctx, peer, wl, variant=""):
    cmd = [PY, os.path.join(HERE, f"peer_{peer}.py"), WL[wl], "--seconds", str(ctx.seconds)]
    if variant:
        cmd += ["--variant", variant]
    out, wall, rss = run_child(cmd, ctx.env)
    res = json.loads(out.strip().splitlines()[-1])
    res["wall"], res["rss_mb"] = wall, rss
    ctx.failures.check(res["marginal_ok"], f"{peer} peer on {wl}: loop time did not grow with particles "
                       f"({res['t1']:.2f} s, {res['t2']:.2f} s): the machine is busy; reported N2/t2 instead")
    ctx.failures.check(any("openblas" in b for b in res["blas"]),
                       f"{peer} peer on {wl} does not use OpenBLAS (loaded: {res['blas']}); "
                       "install libopenblas0-pthread")
    return res


def check_data(ctx, wl, h5):
    """The peers' copy of mltemp's data generator against what mltemp wrote."""
    w = peer_common.load_workload(WL[wl])
    d = peer_common.make_data(w)
    with h5py.File(h5, "r") as f:
        r = f["runs/b"]
        if w["kind"] == "mlp":
            ref = r["reference/theta"][()]
            err = float(np.max(np.abs(ref - d["theta"])) / np.max(np.abs(ref)))
        else:
            X, y, n = d["X"], d["y"], w["n"]
            errs = [np.max(np.abs(r["data/A"][()] - X.T @ X / n)) / np.max(np.abs(r["data/A"][()])),
                    np.max(np.abs(r["data/b"][()] - X.T @ y / n)) / np.max(np.abs(r["data/b"][()])),
                    abs(float(r["data/c"][()]) - float(y @ y) / n) / float(r["data/c"][()])]
            err = float(max(errs))
    ok = ctx.failures.check(err < 1e-10, f"{wl}: bench/peer_common.py no longer rebuilds mltemp's dataset "
                            f"(relative difference {err:.3g}); update make_data to mltemp's generator")
    ctx.checks.append((f"{wl}: peers' dataset = mltemp's", f"max rel. diff {err:.1e}", "ok" if ok else "FAIL"))


def check_agreement(ctx, wl, mlt, peer):
    for name, (mean, se) in mlt["obs"].items():
        p = peer["stats"][name]
        z = (p["mean"] - mean) / math.sqrt(p["se"] ** 2 + se**2)
        label = f"{wl} {name}: {peer['peer']}" + (f" ({peer['variant']})" if peer["variant"] else "")
        ok = ctx.failures.check(abs(z) <= Z_MAX, f"{label} = {p['mean']:.6g} +- {p['se']:.2g} disagrees with "
                                f"mltemp's {mean:.6g} +- {se:.2g} (z = {z:.2f})")
        ctx.checks.append((label + " vs mltemp", f"{p['mean']:.6g} +- {p['se']:.2g} vs {mean:.6g} +- {se:.2g}, "
                           f"z = {z:+.2f}", "ok" if ok else "FAIL"))


# ---------------------------------------------------------------------------------------------
# tables

def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}g}" if abs(x) < 1e5 and abs(x) >= 1e-2 or x == 0 else f"{x:.{digits - 1}e}"


def table(header, rows):
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    wid = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(wid[i]) for i, c in enumerate(r)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in wid) + "|"] + [line(r) for r in cells[1:]])


def gemm_flops(wl):
    """Flops of the GEMM-shaped part per particle: 2 n m (linear passes), 2 n sum n_l n_{l-1} (MLP)."""
    w = peer_common.load_workload(WL[wl])
    if w["kind"] == "mlp":
        ws = w["widths"]
        return 2.0 * w["n"] * sum(ws[i] * ws[i + 1] for i in range(len(ws) - 1))
    return 2.0 * w["n"] * w["m"]


def machine_line():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    return cpu, len(os.sched_getaffinity(0))


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="mltemp vs NumPy and PyTorch peers, and the DGEMM ceiling")
    ap.add_argument("--mltemp", default=os.path.join(ROOT, "build", "mltemp"))
    ap.add_argument("--quick", action="store_true", help="reduced sizes (a smoke run: ~1/3 of the time)")
    ap.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    a = ap.parse_args()

    class Ctx:
        pass

    ctx = Ctx()
    ctx.mltemp = os.path.abspath(a.mltemp)
    ctx.build = os.path.dirname(ctx.mltemp)
    if not os.access(ctx.mltemp, os.X_OK):
        fatal(f"{ctx.mltemp}: no mltemp executable (build it: scripts/setup.sh)")
    ctx.env = bench_env()
    ctx.seconds = 1.0 if a.quick else 4.0  # time of the N2 - N1 particles, per contestant
    ctx.gemm_part_particles = 1 << 14
    ctx.failures = Failures()
    ctx.checks = []
    ctx.tmp = tempfile.mkdtemp(prefix="mltemp-bench-")
    cpu, cores = machine_line()
    load0 = os.getloadavg()
    t_start = time.perf_counter()
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print(f"bench: {stamp}, {cpu}, {cores} cores, load average {load0[0]:.2f}, mltemp {git_rev()}"
          f"{' (quick: reduced sizes)' if a.quick else ''}", flush=True)
    try:
        out = run_all(ctx, a.quick)
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    load1 = os.getloadavg()
    minutes = (time.perf_counter() - t_start) / 60
    # The load at the start says whether other work was running (at the end it counts the
    # benchmark's own threads).
    noisy = load0[0] > 0.5 * cores
    head = [f"## {stamp}: {cpu}, {cores} cores{' (quick run, reduced sizes)' if a.quick else ''}", "",
            f"mltemp {git_rev()}, {minutes:.1f} min, load average {load0[0]:.2f} at start, {load1[0]:.2f} at end"
            + (": OTHER WORK WAS RUNNING, TIMINGS ARE NOISY" if noisy else "") + ".", ""]
    text = "\n".join(head + out)
    print("\n" + text, flush=True)
    if not a.no_results:
        new = not os.path.exists(a.results)
        with open(a.results, "a") as f:
            if new:
                f.write("# Benchmark results (bench/peers.sh appends one section per run)\n\n")
            f.write(text + "\n\n")
        print(f"bench: appended to {a.results}")
    if ctx.failures:
        print(f"bench: {len(ctx.failures)} check(s) FAILED:", file=sys.stderr)
        for f in ctx.failures:
            print("  " + f, file=sys.stderr)
        sys.exit(1)


def run_all(ctx, quick):
    step = lambda s: print(f"bench: {s} ...", flush=True)  # noqa: E731
    step("DGEMM ceiling")
    dg = json.loads(run_child([PY, os.path.join(HERE, "dgemm_ceiling.py")], ctx.env)[0])
    ctx.failures.check(any("openblas" in b for b in dg["blas"]), f"DGEMM ceiling not through OpenBLAS: {dg['blas']}")
    ceiling = dg["gflops"] * 1e9

    res = {}
    for wl in WL:
        step(f"{wl}: mltemp")
        mlt = mltemp_marginal(ctx, wl)
        if wl in ("linear-mse", "mlp-tanh"):
            check_data(ctx, wl, mlt["h5"])
        peers = []
        for variant in (("data", "stats") if wl == "linear-mse" else ("",)):
            for peer in ("numpy", "torch"):
                step(f"{wl}: {peer} peer{' (' + variant + ')' if variant else ''}")
                p = run_peer(ctx, peer, wl, variant)
                check_agreement(ctx, wl, mlt, p)
                peers.append(p)
        res[wl] = (mlt, peers)

    # -- throughput and ratios
    out = []
    rows, target_rows = [], []
    targets = {"linear-mse": 200.0, "linear-mae": 2.0, "logistic-ce": 2.0, "mlp-tanh": 2.0}
    for wl, (mlt, peers) in res.items():
        rows.append([wl, "mltemp", "", fmt(mlt["particles_per_s"]), "", f"{mlt['n1']} / {mlt['n2']}",
                     f"{mlt['t1']:.2f} / {mlt['t2']:.2f}", f"{mlt['rss_mb']:.0f}"])
        for variant in sorted({p["variant"] for p in peers}):
            group = [p for p in peers if p["variant"] == variant]
            best = max(group, key=lambda p: p["particles_per_s"])
            for p in group:
                st = ", ".join(f"{k} {v}" for k, v in p["setting"].items())
                rows.append([wl, p["peer"] + (f" ({variant})" if variant else ""), p["describe"] + f"; {st}",
                             fmt(p["particles_per_s"]), fmt(mlt["particles_per_s"] / p["particles_per_s"]),
                             f"{p['n1']} / {p['n2']}", f"{p['t1']:.2f} / {p['t2']:.2f}", f"{p['rss_mb']:.0f}"])
            ratio = mlt["particles_per_s"] / best["particles_per_s"]
            tgt = targets[wl] if variant in ("", "data") else None
            target_rows.append([wl + (f" vs {variant} peers" if variant else ""), fmt(mlt["particles_per_s"]),
                                f"{best['peer']} {fmt(best['particles_per_s'])}", f"{ratio:.3g}x",
                                f">= {tgt:g}x" if tgt else "(reported)",
                                ("MET" if ratio >= tgt else "MISSED") if tgt else ""])
    out += ["### Particles per second (marginal: (N2 - N1) / (t2 - t1), particle loop only)", "",
            table(["workload", "contestant", "how", "particles/s", "mltemp / this", "N1 / N2", "t1 / t2 (s)",
                   "peak RSS (MB)"], rows), "",
            "### mltemp against the best peer", "",
            table(["workload", "mltemp particles/s", "best peer", "ratio", "target", "verdict"], target_rows), ""]

    # -- fraction of the DGEMM ceiling
    grows = []
    for wl in ("linear-mse", "linear-mae", "logistic-ce", "mlp-tanh"):
        mlt, peers = res[wl]
        fl = gemm_flops(wl)
        part = mltemp_gemm_part(ctx, wl) if wl != "linear-mse" else None
        if wl != "linear-mse":
            grows.append([wl, "mltemp", fmt(fl), fmt(fl * mlt["particles_per_s"] / 1e9),
                          f"{100 * fl * mlt['particles_per_s'] / ceiling:.1f}%",
                          f"{100 * fl * part / ceiling:.1f}%" if part else "n/a (hook: mltemp_gemm_part)",
                          "" if not part else ("MET" if fl * part / ceiling >= 0.5 else "MISSED")])
        for p in peers:
            if p["variant"] == "stats":
                continue
            grows.append([wl, p["peer"] + (" (data pass)" if p["variant"] else ""), fmt(fl),
                          fmt(fl * p["particles_per_s"] / 1e9), f"{100 * fl * p['particles_per_s'] / ceiling:.1f}%",
                          "", ""])
    out += [f"### Fraction of the DGEMM ceiling ({dg['gflops']:.1f} GFLOP/s: {dg['size']}^2 DGEMM via NumPy matmul "
            f"into a preallocated C, OpenBLAS {os.path.basename(dg['blas'][-1])}, {dg['cores']} threads, best of "
            f"{dg['repeats']}; median {dg['gflops_median']:.1f})", "",
            "GEMM-shaped flops per particle: 2 n m (linear data pass), 2 n sum_l n_l n_(l-1) (MLP). 'overall' "
            "divides by the whole particle time (generation, losses, tanh included); target: GEMM part alone "
            ">= 50%. mltemp's MSE uses sufficient statistics (no data pass), so it has no row.", "",
            table(["workload", "contestant", "GEMM flops/particle", "GFLOP/s (overall)", "overall", "GEMM part alone",
                   "target >= 50%"], grows), ""]

    # -- scaling (mltemp)
    step("scaling: MSE against particles")
    parts = [10**5, 10**6, 10**7] + ([] if quick else [10**8])
    srows, rss = [], []
    for n_p in parts:
        r = run_mltemp(ctx, "linear-mse", n_p)
        rss.append(r["rss_mb"])
        srows.append([f"{n_p:.0e}", f"{r['seconds']:.2f}", f"{r['wall']:.2f}", fmt(n_p / r["seconds"]),
                      f"{r['rss_mb']:.1f}"])
    flat = max(rss) / min(rss)
    ok = ctx.failures.check(flat <= RSS_FLAT, f"mltemp's peak RSS grows with particles: {min(rss):.1f} -> "
                            f"{max(rss):.1f} MB")
    ctx.checks.append(("mltemp peak RSS flat in particles (MSE)", f"max/min = {flat:.2f}", "ok" if ok else "FAIL"))
    out += ["### Scaling (mltemp): linear MSE against particles", "",
            table(["particles", "loop (s)", "wall (s)", "particles/s", "peak RSS (MB)"], srows), ""]

    mae_rate = res["linear-mae"][0]["particles_per_s"]
    n_fixed = round_particles(mae_rate * (0.5 if quick else 2.0))  # ~2 s at n = 1e4, m = 32
    shapes = [(1000, 32), (10000, 32), (30000 if quick else 100000, 32), (10000, 8), (10000, 64 if quick else 128)]
    mrows = []
    step("scaling: MAE against n and m")
    for nn, mm in shapes:
        r = run_mltemp(ctx, "linear-mae", n_fixed, [f"data.n={nn}", f"data.m={mm}"])
        mrows.append([nn, mm, n_fixed, f"{r['seconds']:.2f}", f"{r['wall']:.1f}",
                      f"{1e9 * r['seconds'] / (n_fixed * nn * mm):.3f}", f"{r['rss_mb']:.1f}"])
    out += [f"### Scaling (mltemp): linear MAE against n and m, {n_fixed} particles", "",
            "wall includes the setup (data, the exact LAD minimum: a warm-started GLPK dual simplex, about 2 s at "
            "n = 1e5); loop is the particle loop alone.", "",
            table(["n", "m", "particles", "loop (s)", "wall (s)", "ns per particle*point*feature", "peak RSS (MB)"],
                  mrows), ""]
    out += ["### Checks", "", table(["check", "value", "verdict"], ctx.checks), ""]
    return out


if __name__ == "__main__":
    main()
