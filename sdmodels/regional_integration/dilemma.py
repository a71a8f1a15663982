"""The cooperation dilemma the model implies: payoffs of fixed protection strategies.

Each member is made to pursue a fixed protectionism (``protection override = 1``,
``imposed protectionism``) instead of choosing it, and its local payoff is averaged over
the years from 2004 to ``until``. With two strategies, *cooperate* (low protectionism) and
*defect* (high), a pair of members gives the 2x2 payoff matrix of a game; it is a
prisoner's dilemma when defecting pays each member whatever the other does, yet both
defecting leaves both worse off than both cooperating.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COOPERATE = 0.1
"""Protectionism of the cooperative strategy."""

DEFECT = 0.7
"""Protectionism of the defecting strategy."""


@dataclass(frozen=True)
class StrategyRuns:
    """Mean local payoff (runs x members) and mean area output (runs) of strategy runs."""

    strategies: np.ndarray
    payoff: np.ndarray
    area_output: np.ndarray


def strategy_runs(model, strategies, until: float, params: dict | None = None) -> StrategyRuns:
    """Run ``model`` once per row of ``strategies`` (imposed protectionism per member).

    Payoffs and area output are averaged over the saved years from the start to ``until``.
    ``params`` adds other constants (same for every run).
    """
    strategies = np.atleast_2d(np.asarray(strategies, dtype=float))
    n = len(strategies)
    values = {"protection override": np.ones_like(strategies),
              "imposed protectionism": strategies}
    values.update(params or {})
    ds = model.simulate(params=values, n=n).dataset
    window = slice(float(model.start), float(until))
    payoff = ds["local payoff"].sel(time=window).mean("time")
    output = ds["output"].sel(time=window).sum("member").mean("time")
    if "run" not in payoff.dims:
        payoff, output = payoff.expand_dims(run=1), output.expand_dims(run=1)
    return StrategyRuns(strategies, payoff.transpose("run", "member").values,
                        np.asarray(output.values).reshape(n))


def payoff_matrix(model, until: float = 2014.0, cooperate: float = COOPERATE,
                  defect: float = DEFECT, params: dict | None = None) -> pd.DataFrame:
    """The 2x2 game of a two-member ``model``: mean local payoffs 2004-``until``.

    Returns
    -------
    DataFrame
        One row per strategy pair (``row``, ``column`` in {"cooperate", "defect"}) with
        both members' payoffs and the area's mean output.

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> game = payoff_matrix(build(members=["Jiangsu", "Zhejiang"], stop=2014))
    >>> is_prisoners_dilemma(game)
    True
    """
    names = list(model.dimensions["member"].elements)
    if len(names) != 2:
        raise ValueError(f"payoff_matrix needs a model of two members, not {names}; build "
                         "one with build(members=[first, second])")
    labels = {cooperate: "cooperate", defect: "defect"}
    pairs = [(a, b) for a in (cooperate, defect) for b in (cooperate, defect)]
    runs = strategy_runs(model, pairs, until, params)
    rows = []
    for (a, b), payoff, output in zip(pairs, runs.payoff, runs.area_output):
        rows.append({"row": labels[a], "column": labels[b], f"payoff {names[0]}": payoff[0],
                     f"payoff {names[1]}": payoff[1], "area output": output})
    return pd.DataFrame(rows)


def is_prisoners_dilemma(game: pd.DataFrame) -> bool:
    """Whether a `payoff_matrix` is a prisoner's dilemma: defecting is each member's best
    reply to either strategy of the other, and mutual defection is worse for both than
    mutual cooperation.

    Examples
    --------
    The textbook game (Axelrod's payoffs: temptation 5, reward 3, punishment 1, sucker 0):

    >>> import pandas as pd
    >>> game = pd.DataFrame({"row": ["cooperate", "cooperate", "defect", "defect"],
    ...                      "column": ["cooperate", "defect", "cooperate", "defect"],
    ...                      "payoff A": [3, 0, 5, 1], "payoff B": [3, 5, 0, 1]})
    >>> is_prisoners_dilemma(game)
    True
    >>> is_prisoners_dilemma(game.assign(**{"payoff A": [3, 0, 2, 1]}))  # cooperating pays A
    False
    """
    first, second = [c for c in game.columns if c.startswith("payoff ")]
    p = game.set_index(["row", "column"])
    cc, cd, dc, dd = (p.loc[k] for k in [("cooperate", "cooperate"), ("cooperate", "defect"),
                                          ("defect", "cooperate"), ("defect", "defect")])
    dominant = (dc[first] > cc[first] and dd[first] > cd[first]
                and cd[second] > cc[second] and dd[second] > dc[second])
    worse = dd[first] < cc[first] and dd[second] < cc[second]
    return bool(dominant and worse)
