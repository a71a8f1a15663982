"""Small models with known answers, shared by the forecast tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

import sdflow as sf


def growth(stop: float = 10.0) -> sf.Model:
    """x' = (g - 1) x with dt = 1: under Euler x(T) = x0 g^T exactly."""
    m = sf.Model("growth", start=0, stop=stop, dt=1)
    g = m.const("growth factor", 1.05)
    x0 = m.const("x0", 1.0)
    x = m.stock("x", initial=x0)
    m.flow("growth", (g - 1) * x, sink=x)
    return m


def regions() -> sf.Model:
    """Three regions growing at their own rates, pushed by an exogenous series."""
    m = sf.Model("regions", start=2020, stop=2040, dt=0.5, time_units="year")
    region = m.dim("region", ["north", "centre", "south"])
    rate = m.const("rate", [0.05, 0.04, 0.03], dims=[region], units="1/year")
    push = m.data("push", pd.Series([0.0, 0.0], index=[2020, 2040]), units="1/year")
    output = m.stock("output", initial=[3.0, 2.0, 1.0], dims=[region], units="yuan")
    m.flow("growth", (rate + push) * output, sink=output, units="yuan/year")
    m.aux("total output", sf.sum(output, over=region), units="yuan")
    return m


def ishigami() -> sf.Model:
    """y = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1 (Ishigami & Homma 1990)."""
    m = sf.Model("ishigami", start=0, stop=1, dt=1)
    x1, x2, x3 = (m.const(f"x{i}", 0.0) for i in (1, 2, 3))
    m.aux("y", sf.sin(x1) + 7 * sf.sin(x2) ** 2 + 0.1 * x3 ** 4 * sf.sin(x1))
    return m


def ishigami_indices(a: float = 7.0, b: float = 0.1):
    """Analytic first-order and total Sobol indices of the Ishigami function for
    x_i ~ U(-pi, pi) (Sobol' & Levitan 1999; e.g. S1 = 0.3139, 0.4424, 0)."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 * 8 / 225
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total
