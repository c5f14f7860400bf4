#!/usr/bin/python3
"""PyTorch (CPU, float64) peer of mltemp's benchmark workloads: what a competent user writes.

torch.no_grad(), float64, every buffer allocated once per batch size (out= and in-place ops),
batch size tuned at start. Debian's torch hands matrix products to OpenBLAS, whose own thread
pool fights torch's on the same cores, so OpenBLAS gets one thread (set before `import torch`)
and torch keeps its intra-op threads (TORCH_THREADS, default 2). Prints one JSON line.

    /usr/bin/python3 bench/peer_torch.py bench/workloads/linear-mae.toml [--variant stats]
"""

import ctypes
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before torch loads OpenBLAS

import torch  # noqa: E402

import peer_common  # noqa: E402

torch.set_grad_enabled(False)
F64 = torch.float64
CORES = len(os.sched_getaffinity(0))
_openblas = [ctypes.CDLL(p) for p in peer_common.blas_libraries() if "openblas" in p]


def settings(batch):
    """Thread splits to tune: (OpenBLAS 1, torch all cores) and (OpenBLAS all cores, torch 1)."""
    return [{"batch": batch, "blas_threads": 1, "torch_threads": CORES},
            {"batch": batch, "blas_threads": CORES, "torch_threads": 1}]


def make_evaluator(w, data, variant, setting):
    batch = setting["batch"]
    torch.set_num_threads(setting["torch_threads"])
    for lib in _openblas:
        lib.openblas_set_num_threads(setting["blas_threads"])
    gen = torch.Generator().manual_seed(12345)
    s, n = w["scale"], w["n"]
    if w["kind"] == "mlp":
        return mlp_evaluator(w, data, batch, gen)
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    m = X.shape[1]
    theta = torch.empty(batch, m, dtype=F64)
    obs = torch.empty(batch, 1, dtype=F64)
    e = obs[:, 0]
    if variant == "stats":  # E = c - 2 b.theta + theta' A theta
        A, b, c = X.T @ X / n, X.T @ y / n, float(y @ y) / n
        T = torch.empty(batch, m, dtype=F64)
        lin = torch.empty(batch, dtype=F64)

        def ev():
            theta.normal_(0.0, s, generator=gen)
            torch.mm(theta, A, out=T)
            T.mul_(theta)
            torch.sum(T, dim=1, out=e)
            torch.mv(theta, b, out=lin)
            e.add_(lin, alpha=-2.0).add_(c)
            return obs.numpy()

        return ev
    XT = X.T.contiguous()
    P = torch.empty(batch, n, dtype=F64)  # z = theta . x_i for the batch's particles and all points
    zero = torch.zeros((), dtype=F64)
    # Per point, in place on P: (y - z)^2, |y - z|, or softplus(z) (CE's -y z term summed over
    # the points is theta . X'y, one small product per batch).
    pointwise = {"mse": lambda: P.sub_(y).square_(), "mae": lambda: P.sub_(y).abs_(),
                 "ce": lambda: torch.logaddexp(P, zero, out=P)}[w["energy"]]
    ce, xy, lin = w["energy"] == "ce", X.T @ y / n, torch.empty(batch, dtype=F64)

    def ev():
        theta.normal_(0.0, s, generator=gen)
        torch.mm(theta, XT, out=P)
        pointwise()
        torch.sum(P, dim=1, out=e)
        e.div_(n)
        if ce:
            torch.mv(theta, xy, out=lin)
            e.sub_(lin)
        return obs.numpy()

    return ev


def mlp_evaluator(w, data, batch, gen):
    widths, n, s = w["widths"], w["n"], w["scale"]
    L = len(widths) - 1
    Ws = [torch.empty(batch, widths[l], widths[l - 1], dtype=F64) for l in range(1, L + 1)]
    zsT = [torch.from_numpy(z.T.copy()) for z in data["zstar"]]  # (n_l, n)
    XT = torch.from_numpy(data["X"].T.copy())  # (n_0, n)
    y = torch.from_numpy(data["y"])
    Z = [torch.empty(batch, widths[l], n, dtype=F64) for l in range(1, L + 1)]
    H = torch.empty(batch, max(widths[1:L]), n, dtype=F64)
    R = torch.empty(batch, n, dtype=F64)
    obs = torch.empty(batch, 1 + L, dtype=F64)

    def ev():
        for W in Ws:
            W.normal_(0.0, s, generator=gen)
        # Layer 1 is one big product: (batch * n_1, n_0) x (n_0, n).
        torch.mm(Ws[0].view(-1, widths[0]), XT, out=Z[0].view(-1, n))
        for l in range(1, L + 1):
            z = Z[l - 1]
            if l > 1:
                torch.bmm(Ws[l - 1], H[:, : widths[l - 1]], out=z)
            if l < L:
                torch.tanh(z, out=H[:, : widths[l]])
            else:
                torch.sub(z[:, 0], y, out=R)
                torch.sum(R.square_(), dim=1, out=obs[:, 0])
            z.sub_(zsT[l - 1]).square_()
            torch.sum(z, dim=(1, 2), out=obs[:, l])
        obs.div_(n)
        return obs.numpy()

    return ev


if __name__ == "__main__":
    peer_common.main("torch", make_evaluator, "torch.mm (layer 1) / torch.bmm per layer, torch.tanh, in-place sums",
                     settings)
