#!/usr/bin/env python3
"""GFLOP/s of numpy (its bundled OpenBLAS) and PyTorch on the matrix products
of one relu-paper training step, one thread, the same shapes and transposes
as benches/gemm-compare:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /tmp/torch-venv/bin/python benches/gemm_shapes.py
"""
import statistics
import time

import numpy as np
import torch

torch.set_num_threads(1)


def shapes(b):
    # name, m, k, n, A transposed, B transposed
    return [("fwd0 x W0^T", b, 500, 1000, False, True), ("fwd1 a W1^T", b, 1000, 1000, False, True),
            ("dW1 g^T a", 1000, b, 1000, True, False), ("dx1 g W1", b, 1000, 1000, False, False),
            ("dW0 g^T x", 1000, b, 500, True, False)]


def gflops(flops, f):
    f()
    runs = []
    for _ in range(5):
        t, k = time.perf_counter(), 0
        while k == 0 or time.perf_counter() - t < 0.2:
            f()
            k += 1
        runs.append(flops * k / (time.perf_counter() - t) / 1e9)
    return statistics.median(runs)


print(f"{'batch':<5} {'product':<12} {'m':>5} {'k':>5} {'n':>5} {'openblas':>8} {'torch':>8}")
for b in (16, 50, 256, 512):
    for name, m, k, n, a_t, b_t in shapes(b):
        a = np.random.rand(k, m).astype(np.float32).T if a_t else np.random.rand(m, k).astype(np.float32)
        bb = np.random.rand(n, k).astype(np.float32).T if b_t else np.random.rand(k, n).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        ta, tb, tc = torch.from_numpy(np.ascontiguousarray(a.T)).T if a_t else torch.from_numpy(a), \
            torch.from_numpy(np.ascontiguousarray(bb.T)).T if b_t else torch.from_numpy(bb), torch.from_numpy(c)
        flops = 2.0 * m * k * n
        ob = gflops(flops, lambda: np.matmul(a, bb, out=c))
        tt = gflops(flops, lambda: torch.matmul(ta, tb, out=tc))
        print(f"{b:<5} {name:<12} {m:>5} {k:>5} {n:>5} {ob:>8.1f} {tt:>8.1f}")
