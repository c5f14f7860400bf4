#!/usr/bin/python3
"""The DGEMM ceiling of this machine: C = A B, 2048 x 2048 doubles, through NumPy's matmul into
a preallocated C, which calls OpenBLAS's dgemm (libopenblas0-pthread) with all cores (OpenBLAS's
default thread count); best of a few. Prints one JSON line.

    /usr/bin/python3 bench/dgemm_ceiling.py [--size 2048] [--repeats 5]
"""

import argparse
import json
import os
import time

import numpy as np

import peer_common

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--size", type=int, default=2048)
ap.add_argument("--repeats", type=int, default=5)
a = ap.parse_args()
rng = np.random.default_rng(1)
A, B = rng.standard_normal((a.size, a.size)), rng.standard_normal((a.size, a.size))
C = np.empty((a.size, a.size))
np.matmul(A, B, out=C)  # warm-up: thread pool, page faults of C
times = []
for _ in range(a.repeats):
    t0 = time.perf_counter()
    np.matmul(A, B, out=C)
    times.append(time.perf_counter() - t0)
flops = 2.0 * a.size**3
print(json.dumps({"size": a.size, "repeats": a.repeats, "seconds": times, "gflops": flops / min(times) / 1e9,
                  "gflops_median": flops / sorted(times)[len(times) // 2] / 1e9, "cores": len(os.sched_getaffinity(0)),
                  "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default (all cores)"),
                  "blas": peer_common.blas_libraries()}))
