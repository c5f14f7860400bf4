#!/usr/bin/python3
"""NumPy peer of mltemp's benchmark workloads: what a competent NumPy user writes.

Vectorized over a batch of particles (batch size tuned at start), every buffer allocated once
per batch size, float64 throughout, OpenBLAS (libopenblas0-pthread) for the products with its
own threads (2 here). Prints one JSON line (see peer_common.main).

    /usr/bin/python3 bench/peer_numpy.py bench/workloads/linear-mae.toml [--variant stats]
"""

import numpy as np

import peer_common


def make_evaluator(w, data, variant, setting):
    batch = setting["batch"]
    rng = np.random.default_rng(12345)
    X, y, s, n = data["X"], data["y"], w["scale"], w["n"]
    if w["kind"] == "mlp":
        return mlp_evaluator(w, data, batch, rng)
    m = X.shape[1]
    theta = np.empty((batch, m))
    obs = np.empty((batch, 1))
    e = obs[:, 0]

    def draw():
        rng.standard_normal(out=theta)
        np.multiply(theta, s, out=theta)

    if variant == "stats":  # E = c - 2 b.theta + theta' A theta
        A, b, c = X.T @ X / n, X.T @ y / n, float(y @ y) / n
        T = np.empty((batch, m))
        lin = np.empty(batch)

        def ev():
            draw()
            np.matmul(theta, A, out=T)
            np.einsum("ij,ij->i", T, theta, out=e)
            np.matmul(theta, b, out=lin)
            np.multiply(lin, -2.0, out=lin)
            np.add(e, lin, out=e)
            np.add(e, c, out=e)
            return obs

        return ev
    XT = np.ascontiguousarray(X.T)
    P = np.empty((batch, n))  # z = theta . x_i for the batch's particles and all points
    # Per point, in place on P: (y - z)^2, |y - z|, or softplus(z) (CE's -y z term summed over
    # the points is theta . X'y, one small product per batch).
    pointwise = {"mse": lambda: np.square(np.subtract(P, y, out=P), out=P),
                 "mae": lambda: np.abs(np.subtract(P, y, out=P), out=P),
                 "ce": lambda: np.logaddexp(P, 0.0, out=P)}[w["energy"]]
    ce, xy, lin = w["energy"] == "ce", X.T @ y / n, np.empty(batch)

    def ev():
        draw()
        np.matmul(theta, XT, out=P)
        pointwise()
        P.sum(axis=1, out=e)
        np.divide(e, n, out=e)
        if ce:
            np.matmul(theta, xy, out=lin)
            np.subtract(e, lin, out=e)
        return obs

    return ev


def mlp_evaluator(w, data, batch, rng):
    widths, n, s = w["widths"], w["n"], w["scale"]
    L = len(widths) - 1
    # One contiguous weight buffer per layer, (batch, n_l, n_{l-1}), drawn in place.
    Ws = [np.empty((batch, widths[l], widths[l - 1])) for l in range(1, L + 1)]
    zsT = [np.ascontiguousarray(z.T) for z in data["zstar"]]  # (n_l, n)
    XT = np.ascontiguousarray(data["X"].T)  # (n_0, n)
    y = data["y"]
    Z = [np.empty((batch, widths[l], n)) for l in range(1, L + 1)]
    H = np.empty((batch, max(widths[1:L]), n))
    R = np.empty((batch, n))
    obs = np.empty((batch, 1 + L))

    def ev():
        for W in Ws:
            rng.standard_normal(out=W)
            W *= s
        # Layer 1 is one big product: (batch * n_1, n_0) x (n_0, n).
        np.matmul(Ws[0].reshape(-1, widths[0]), XT, out=Z[0].reshape(-1, n))
        for l in range(1, L + 1):
            z = Z[l - 1]
            if l > 1:
                h = H[:, : widths[l - 1]]
                np.matmul(Ws[l - 1], h, out=z)  # batched (n_l, n_{l-1}) x (n_{l-1}, n)
            if l < L:
                np.tanh(z, out=H[:, : widths[l]])
            else:
                np.subtract(z[:, 0], y, out=R)
                np.einsum("ij,ij->i", R, R, out=obs[:, 0])
            z -= zsT[l - 1]
            np.einsum("bij,bij->b", z, z, out=obs[:, l])
        np.divide(obs, n, out=obs)
        return obs

    return ev


if __name__ == "__main__":
    peer_common.main("numpy", make_evaluator, "batched matmul per layer (layer 1 one GEMM), np.tanh, einsum sums")
