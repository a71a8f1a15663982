"""The cooperation dilemma the model implies: payoffs of fixed protection strategies.

Each member is made to pursue a fixed protectionism (``protection override = 1``,
``imposed protectionism``) instead of choosing it, and its local payoff is averaged over
the years from 2004 to ``until``. With two strategies, *cooperate* (low protectionism) and
*defect* (high), a pair of members gives the 2x2 payoff matrix of a game; it is a
prisoner's dilemma when defecting pays each member whatever the other does, yet both
defecting leaves both worse off than both cooperating.

In the notation of Rapoport and Chammah (1965) a member's payoffs are R (both cooperate),
S (it cooperates, the other defects), T (it defects alone) and P (both defect); the game is
a prisoner's dilemma when ``T > R``, ``P > S`` and ``R > P`` for both members.
`games_by_horizon` gives the game for officials who look 1, 2, ... years ahead (capture and
tournament standing pay at once, the integration that protection destroys is lost over
years), `unilateral_defection` the gain of one member defecting while its partners go on
choosing, and `perceived_protection_payoff` the payoff of protection as the members
themselves perceive it (the variable their logit choice follows) split into its terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COOPERATE = 0.1
"""Protectionism of the cooperative strategy."""

DEFECT = 0.7
"""Protectionism of the defecting strategy."""

CELLS = (("cooperate", "cooperate"), ("cooperate", "defect"), ("defect", "cooperate"),
         ("defect", "defect"))
"""The four cells of a 2x2 game as (row move, column move)."""


@dataclass(frozen=True)
class StrategyRuns:
    """Mean local payoff (runs x members) and mean area output (runs) of strategy runs."""

    strategies: np.ndarray
    payoff: np.ndarray
    area_output: np.ndarray


def _simulate(model, values: dict, n: int, params: dict | None):
    values = {**(params or {}), **values}
    return model.simulate(params=values, n=n).dataset


def _window_means(ds, start: float, until: float, n: int) -> StrategyRuns:
    window = slice(float(start), float(until))
    payoff = ds["local payoff"].sel(time=window).mean("time")
    output = ds["output"].sel(time=window).sum("member").mean("time")
    if "run" not in payoff.dims:
        payoff, output = payoff.expand_dims(run=1), output.expand_dims(run=1)
    return payoff.transpose("run", "member").values, np.asarray(output.values).reshape(n)


def _check_until(model, until: float) -> None:
    if not float(model.start) < float(until) <= float(model.stop):
        raise ValueError(f"until={until} lies outside the run ({model.start}, {model.stop}]; "
                         f"build the model with stop={until} or later")


def strategy_runs(model, strategies, until: float, params: dict | None = None) -> StrategyRuns:
    """Run ``model`` once per row of ``strategies`` (imposed protectionism per member).

    Payoffs and area output are averaged over the saved years from the start to ``until``.
    ``params`` adds other constants (same for every run).
    """
    _check_until(model, until)
    strategies = np.atleast_2d(np.asarray(strategies, dtype=float))
    n = len(strategies)
    ds = _simulate(model, {"protection override": np.ones_like(strategies),
                           "imposed protectionism": strategies}, n, params)
    payoff, output = _window_means(ds, model.start, until, n)
    return StrategyRuns(strategies, payoff, output)


def _pair_names(model) -> list[str]:
    names = list(model.dimensions["member"].elements)
    if len(names) != 2:
        raise ValueError(f"a 2x2 game needs a model of two members, not {names}; build "
                         "one with build(members=[first, second])")
    return names


def _game_frame(names, payoff, output) -> pd.DataFrame:
    rows = []
    for (a, b), pay, out in zip(CELLS, payoff, output):
        rows.append({"row": a, "column": b, f"payoff {names[0]}": pay[0],
                     f"payoff {names[1]}": pay[1], "area output": out})
    return pd.DataFrame(rows)


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
    names = _pair_names(model)
    level = {"cooperate": cooperate, "defect": defect}
    runs = strategy_runs(model, [(level[a], level[b]) for a, b in CELLS], until, params)
    return _game_frame(names, runs.payoff, runs.area_output)


def _cells(game: pd.DataFrame):
    first, second = [c for c in game.columns if c.startswith("payoff ")]
    p = game.set_index(["row", "column"])
    return first, second, [p.loc[k] for k in CELLS]


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
    first, second, (cc, cd, dc, dd) = _cells(game)
    dominant = (dc[first] > cc[first] and dd[first] > cd[first]
                and cd[second] > cc[second] and dd[second] > dc[second])
    worse = dd[first] < cc[first] and dd[second] < cc[second]
    return bool(dominant and worse)


def _reply(gain_against_cooperator: float, gain_against_defector: float) -> str:
    """A member's best replies from its gains of defecting over cooperating."""
    against_c, against_d = gain_against_cooperator > 0, gain_against_defector > 0
    if against_c and against_d:
        return "defect"
    if not against_c and not against_d:
        return "cooperate"
    return "match" if against_d else "oppose"


def best_replies(game: pd.DataFrame) -> tuple[str, str]:
    """Each member's best-reply pattern in a 2x2 game: ``"defect"`` or ``"cooperate"``
    (dominant), ``"match"`` (do what the other does) or ``"oppose"`` (the opposite).
    A tie counts as cooperating.

    Examples
    --------
    >>> import pandas as pd
    >>> stag_hunt = pd.DataFrame({"row": ["cooperate", "cooperate", "defect", "defect"],
    ...                           "column": ["cooperate", "defect", "cooperate", "defect"],
    ...                           "payoff A": [4, 0, 3, 2], "payoff B": [4, 3, 0, 2]})
    >>> best_replies(stag_hunt)
    ('match', 'match')
    """
    first, second, (cc, cd, dc, dd) = _cells(game)
    return (_reply(dc[first] - cc[first], dd[first] - cd[first]),
            _reply(cd[second] - cc[second], dd[second] - dc[second]))


def equilibria(game: pd.DataFrame) -> list[str]:
    """The pure-strategy Nash equilibria of a 2x2 game, as ``"row move/column move"``.

    Examples
    --------
    >>> import pandas as pd
    >>> chicken = pd.DataFrame({"row": ["cooperate", "cooperate", "defect", "defect"],
    ...                         "column": ["cooperate", "defect", "cooperate", "defect"],
    ...                         "payoff A": [3, 1, 4, 0], "payoff B": [3, 4, 1, 0]})
    >>> equilibria(chicken)
    ['cooperate/defect', 'defect/cooperate']
    """
    first, second, cells = _cells(game)
    pay = dict(zip(CELLS, cells))
    other = {"cooperate": "defect", "defect": "cooperate"}
    out = []
    for a, b in CELLS:
        if (pay[(a, b)][first] >= pay[(other[a], b)][first]
                and pay[(a, b)][second] >= pay[(a, other[b])][second]):
            out.append(f"{a}/{b}")
    return out


def game_type(game: pd.DataFrame) -> str:
    """The type of a 2x2 game (Rapoport and Guyer 1966's names for the symmetric cases).

    * ``"prisoner's dilemma"``: defecting is dominant for both, mutual defection worse for
      both than mutual cooperation;
    * ``"deadlock"``: defecting is dominant for both, and mutual defection is not worse for
      both (no dilemma: defection is simply better);
    * ``"harmony"``: cooperating is dominant for both;
    * ``"stag hunt"``: each does best doing what the other does, mutual cooperation better
      for both than mutual defection (``"coordination"`` otherwise);
    * ``"chicken"``: each does best doing the opposite of the other;
    * ``"asymmetric (<row pattern>, <column pattern>)"`` otherwise, with the patterns of
      `best_replies`.

    Examples
    --------
    >>> import pandas as pd
    >>> game = pd.DataFrame({"row": ["cooperate", "cooperate", "defect", "defect"],
    ...                      "column": ["cooperate", "defect", "cooperate", "defect"],
    ...                      "payoff A": [3, 0, 5, 1], "payoff B": [3, 5, 0, 1]})
    >>> game_type(game)
    "prisoner's dilemma"
    >>> game_type(game.assign(**{"payoff A": [3, 2, 1, 0], "payoff B": [3, 1, 2, 0]}))
    'harmony'
    """
    first, second, (cc, cd, dc, dd) = _cells(game)
    a, b = best_replies(game)
    mutual_worse = dd[first] < cc[first] and dd[second] < cc[second]
    if a == b == "defect":
        return "prisoner's dilemma" if mutual_worse else "deadlock"
    if a == b == "cooperate":
        return "harmony"
    if a == b == "match":
        return "stag hunt" if mutual_worse else "coordination"
    if a == b == "oppose":
        return "chicken"
    return f"asymmetric ({a}, {b})"


def games_by_horizon(model, horizons=range(1, 11), cooperate: float = COOPERATE,
                     defect: float = DEFECT, params: dict | None = None) -> pd.DataFrame:
    """The 2x2 game of a two-member ``model`` for officials who count the payoffs of the
    first ``h`` years, for each ``h`` in ``horizons``: `payoff_matrix` with ``until =
    start + h``, all horizons from one batch of the four strategy runs.

    Returns
    -------
    DataFrame
        One row per horizon: ``horizon``, ``until``, ``row member``, ``column member``,
        ``game`` (`game_type`), ``equilibria`` (`equilibria`, joined by ``"; "``), each
        member's ``T - R`` (gain of defecting alone), ``P - S`` (gain of defecting against a
        defector) and ``R - P`` (loss of mutual defection against mutual cooperation), as
        ``row T - R`` ... ``column R - P`` (mean local payoff, units of the member's 2004
        budget revenue), and the area's mean output when the row member, the column member
        or both defect, in % against both cooperating (``area output %, row defects`` ...).

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> games = games_by_horizon(build(members=["Jiangsu", "Zhejiang"], stop=2006),
    ...                          horizons=[1, 2])
    >>> list(games["game"])
    ["prisoner's dilemma", "prisoner's dilemma"]
    """
    names = _pair_names(model)
    horizons = [float(h) for h in horizons]
    if not horizons or min(horizons) <= 0:
        raise ValueError(f"horizons={horizons}: give one or more positive numbers of years")
    start = float(model.start)
    _check_until(model, start + max(horizons))
    level = {"cooperate": cooperate, "defect": defect}
    strategies = np.array([(level[a], level[b]) for a, b in CELLS])
    ds = _simulate(model, {"protection override": np.ones_like(strategies),
                           "imposed protectionism": strategies}, len(CELLS), params)
    rows = []
    for h in horizons:
        payoff, output = _window_means(ds, start, start + h, len(CELLS))
        game = _game_frame(names, payoff, output)
        (r1, r2), (s1, t2), (t1, s2), (p1, p2) = payoff
        row = {"horizon": h, "until": start + h, "row member": names[0],
               "column member": names[1], "game": game_type(game),
               "equilibria": "; ".join(equilibria(game)),
               "row T - R": t1 - r1, "column T - R": t2 - r2,
               "row P - S": p1 - s1, "column P - S": p2 - s2,
               "row R - P": r1 - p1, "column R - P": r2 - p2}
        for label, k in (("row defects", 2), ("column defects", 1), ("both defect", 3)):
            row[f"area output %, {label}"] = 100 * (output[k] / output[0] - 1)
        rows.append(row)
    return pd.DataFrame(rows)


def unilateral_defection(model, horizons=(1, 5, 10), cooperate: float = COOPERATE,
                         defect: float = DEFECT, params: dict | None = None) -> pd.DataFrame:
    """What one member gains by defecting while its partners go on choosing: for each
    member, a run where it is made to defect and one where it is made to cooperate (its
    partners' protectionism chosen as in the model), payoffs averaged over the first ``h``
    years for each ``h`` in ``horizons``; one batch of ``2 x members`` runs.

    Returns
    -------
    DataFrame
        One row per member and horizon: ``member``, ``horizon``, ``until``, ``gain`` (its
        mean local payoff defecting minus cooperating, units of its 2004 budget revenue),
        ``partners' change`` (the same difference, mean over its partners) and ``area
        output %`` (the area's mean output defecting against cooperating, in %).

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> table = unilateral_defection(build("yrd", stop=2006), horizons=[2])
    >>> list(table["member"])
    ['Shanghai', 'Jiangsu', 'Zhejiang', 'Anhui']
    """
    names = list(model.dimensions["member"].elements)
    k = len(names)
    horizons = [float(h) for h in horizons]
    if not horizons or min(horizons) <= 0:
        raise ValueError(f"horizons={horizons}: give one or more positive numbers of years")
    start = float(model.start)
    _check_until(model, start + max(horizons))
    override = np.vstack([np.eye(k), np.eye(k)])
    imposed = np.vstack([np.eye(k) * defect, np.eye(k) * cooperate])
    ds = _simulate(model, {"protection override": override,
                           "imposed protectionism": imposed}, 2 * k, params)
    rows = []
    others = 1 - np.eye(k)
    for h in horizons:
        payoff, output = _window_means(ds, start, start + h, 2 * k)
        diff = payoff[:k] - payoff[k:]
        for i, name in enumerate(names):
            rows.append({"member": name, "horizon": h, "until": start + h,
                         "gain": diff[i, i],
                         "partners' change": float(others[i] @ diff[i] / (k - 1)),
                         "area output %": 100 * (output[i] / output[k + i] - 1)})
    return pd.DataFrame(rows)


def perceived_protection_payoff(run, model) -> pd.DataFrame:
    """The perceived payoff of protection (``protection payoff``, the variable the logit
    choice of protectionism follows; see `choices`) of a run of ``model``, split into its
    terms, per member and saved time.

    Columns: ``time``, ``member``, ``protection payoff`` and its terms ``capture`` (partners'
    sales its firms would divert, with their tournament credit), ``rent`` (their profits),
    ``deadweight``, ``integration seen at stake`` (``foresight x integration stake``, the
    stake already seen through visibility and the perception delay, with its tournament
    credit) and ``sanctions`` (they sum to the payoff; the
    sum is checked); and ``payoff, stake fully seen``: the payoff with the whole integration
    dividend counted (``sum_j integration_ij x potential gain_ij``: foresight and
    visibility 1, no perception delay), the same path otherwise. Constants are read from
    the run (``run.dataset``) if it varied them, else from ``model``.

    Examples
    --------
    >>> from sdmodels.regional_integration import build
    >>> m = build("jjj", stop=2006)
    >>> table = perceived_protection_payoff(m.simulate(), m)
    >>> sorted(table["member"].unique())
    ['Beijing', 'Hebei', 'Tianjin']
    """
    ds = run.dataset if hasattr(run, "dataset") else run
    if "run" in ds.dims:
        raise ValueError("perceived_protection_payoff takes a single run, not a batch; "
                         "select one with run.dataset.isel(run=k)")

    def const(name):
        return ds[name] if name in ds else float(np.asarray(model[name].value))

    incentive = 1 + ds["tournament incentive"]
    capture, stake = ds["capture opportunity"], ds["integration stake"]
    seen = const("foresight")
    terms = {
        "capture": capture * incentive,
        "rent": const("profit weight") * const("rent margin") * capture / ds["tax share"],
        "deadweight": -const("protection deadweight") * incentive,
        "integration seen at stake": -seen * stake * incentive,
        "sanctions": -const("sanction rate") * ds["effective monitoring"] * ds["visibility"]
        * (1 - ds["contract coverage"]),
    }
    payoff = ds["protection payoff"]
    total = sum(terms.values())
    if not np.allclose(total.values, payoff.broadcast_like(total).values, rtol=1e-6,
                       atol=1e-9):
        raise ValueError("the terms of perceived_protection_payoff no longer sum to the "
                         "model's 'protection payoff': update them to match choices.py")
    full_stake = (ds["market integration"] * ds["potential gain"]).where(
        ds["member"] != ds["partner"], 0).sum("partner")
    frame = {"protection payoff": payoff, **terms,
             "payoff, stake fully seen": payoff + (seen * stake - full_stake) * incentive}
    out = pd.DataFrame({name: da.broadcast_like(payoff).transpose("time", "member")
                        .values.ravel() for name, da in frame.items()})
    index = payoff.transpose("time", "member")
    out.insert(0, "member", np.tile(index["member"].values.astype(str), index.sizes["time"]))
    out.insert(0, "time", np.repeat(index["time"].values, index.sizes["member"]))
    return out
