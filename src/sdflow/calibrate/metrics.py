"""Goodness of fit: R^2, MAPE, RMSE, Theil's inequality decomposition, naive trend.

Theil's decomposition (Sterman 1984, "Appropriate summary statistics for evaluating the
historical fit of system dynamics models", Dynamica 10(2)) splits the mean squared error
into bias ``U_M = (mean_s - mean_a)^2 / MSE``, unequal variation
``U_S = (sd_s - sd_a)^2 / MSE`` and unequal covariation ``U_C = 2 (1 - r) sd_s sd_a / MSE``
(population standard deviations), which add up to one.
"""

from __future__ import annotations

import numpy as np


def fit_statistics(simulated, observed) -> dict[str, float]:
    """R^2, MAPE (%), RMSE and Theil's U_M, U_S, U_C over the finite pairs.

    Examples
    --------
    >>> s = fit_statistics([1.0, 2.0, 3.0, 5.0], [1.0, 2.0, 3.0, 4.0])
    >>> round(s["RMSE"], 3), round(s["MAPE"], 2), round(s["U_M"] + s["U_S"] + s["U_C"], 6)
    (0.5, 6.25, 1.0)
    """
    sim, obs = np.ravel(simulated).astype(float), np.ravel(observed).astype(float)
    ok = np.isfinite(sim) & np.isfinite(obs)
    sim, obs = sim[ok], obs[ok]
    nan = float("nan")
    if len(obs) == 0:
        return {"n": 0, "R2": nan, "MAPE": nan, "RMSE": nan, "U_M": nan, "U_S": nan,
                "U_C": nan}
    error = sim - obs
    mse = float(np.mean(error ** 2))
    total = float(np.sum((obs - obs.mean()) ** 2))
    r2 = 1 - float(np.sum(error ** 2)) / total if total > 0 else nan
    with np.errstate(divide="ignore", invalid="ignore"):
        mape = float(np.mean(np.abs(error / obs))) * 100 if np.all(obs != 0) else nan
    ss, sa = sim.std(), obs.std()
    r = float(np.corrcoef(sim, obs)[0, 1]) if ss > 0 and sa > 0 else 0.0
    if mse > 0:
        um = (sim.mean() - obs.mean()) ** 2 / mse
        us = (ss - sa) ** 2 / mse
        uc = 2 * (1 - r) * ss * sa / mse
    else:
        um = us = uc = nan
    return {"n": int(len(obs)), "R2": r2, "MAPE": mape, "RMSE": float(np.sqrt(mse)),
            "U_M": float(um), "U_S": float(us), "U_C": float(uc)}


def naive_trend(times, values, new_times) -> np.ndarray:
    """Extrapolate each column by its trend over ``times``: constant growth (a straight
    line through the logs) when all values are positive, else a straight line.

    Examples
    --------
    >>> naive_trend([1, 2, 3], np.array([[1.0], [2.0], [4.0]]), [4]).round(6).tolist()
    [[8.0]]
    """
    times, new_times = np.asarray(times, float), np.asarray(new_times, float)
    values = np.asarray(values, float)
    out = np.full((len(new_times), values.shape[1]), np.nan)
    for j in range(values.shape[1]):
        ok = np.isfinite(values[:, j])
        if ok.sum() < 2:
            continue
        y = values[ok, j]
        logs = np.all(y > 0)
        slope, intercept = np.polyfit(times[ok], np.log(y) if logs else y, 1)
        line = intercept + slope * new_times
        out[:, j] = np.exp(line) if logs else line
    return out
