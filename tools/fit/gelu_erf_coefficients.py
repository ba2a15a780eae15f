#!/usr/bin/env python3
"""Coefficients of the normal-CDF tail used by simd::gelu_erf_kernel (include/tessera/simd/math.hpp).

For a = |x| >= 0,
    Φ(−a) = exp(−a²/2) · t · P(t),   t = 1 / (1 + p·a),
where P is a polynomial of degree DEG in t. h(a) = Φ(−a)·exp(a²/2) is smooth on [0, ∞)
(h(0) = 1/2, h(a) ~ 1/(a·√(2π))), and t maps [0, A_MAX] onto (t_min, 1], so one
polynomial covers the whole line without a branch: x < 0 uses Φ(−a), x > 0 uses 1 − Φ(−a).
A_MAX = 13.5 covers the kernel's range (it takes Φ(−a) as 0 past a = 13, where x·Φ(x) < 1e-36).

The fit is a least-squares fit of the *relative* error on Chebyshev nodes in t; the
coefficients are then rounded to float one at a time, highest degree first, each time
re-fitting the lower ones (so the rounding of one is absorbed by the rest). Prints the
C++ initialisers and the relative error of the float-rounded polynomial (in float64).

    python3 tools/fit/gelu_erf_coefficients.py
"""
import math

import numpy as np

P = 0.25  # a power of two: t is computed from a without rounding p
DEG = 9
A_MAX = 13.5


def h(a):
    return 0.5 * math.erfc(a / math.sqrt(2.0)) * math.exp(a * a / 2.0)


def main():
    t_min = 1.0 / (1.0 + P * A_MAX)
    n = 4000
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n) * (1 - t_min) / 2 + (1 + t_min) / 2
    y = np.array([h((1.0 / v - 1.0) / P) for v in t]) / t  # P(t) = h / t
    w = 1.0 / y
    fixed = {}
    for k in range(DEG, -1, -1):  # round the highest free coefficient, refit the rest
        free = [j for j in range(DEG + 1) if j not in fixed]
        rhs = y - sum(c * t**j for j, c in fixed.items())
        a = np.stack([t**j for j in free], axis=1)
        sol, *_ = np.linalg.lstsq(a * w[:, None], rhs * w, rcond=None)
        fixed[k] = float(np.float32(sol[free.index(k)]))
    coef = [fixed[j] for j in range(DEG + 1)]
    tt = np.linspace(t_min, 1.0, 100001)
    yy = np.array([h((1.0 / v - 1.0) / P) for v in tt]) / tt
    err = np.max(np.abs(np.polyval(coef[::-1], tt) / yy - 1.0))
    print(f"// P(t), t = 1/(1 + {P}·a), degree {DEG}, a in [0, {A_MAX}]: max relative error {err:.2e}")
    for j, c in enumerate(coef):
        print(f"    {'%.9g' % c}f,  // t^{j}")


if __name__ == "__main__":
    main()
