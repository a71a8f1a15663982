"""Loop dominance by Loops That Matter: loop scores over a run and the periods they rule.

The loop score is the product of the link scores around a loop
(`sdflow.analyse.link_scores`); its sign is the loop's polarity at that moment and its
size how strongly the loop drives the change of the variables on it. Relative loop scores
divide by the sum of the absolute loop scores at the same time, so their absolute values
add up to 1 wherever some loop acts, and to 0 where none does (at the first saved time,
or while nothing changes).

The sum runs over the loops of the same cycle partition (Eberlein & Schoenberg 2020):
loops in parts of a model that do not feed back on each other (a population loop next
to a capital loop that does not reach it) explain different variables, and comparing
them would let one part's strength hide the other's structure. Simlin normalises the
same way. ``by_partition=False`` sums over all loops of the model instead.
"""

from __future__ import annotations

import numpy as np

from ..errors import SdflowError
from .link_scores import LinkScorer, baseline
from .loops import find_loops


def loop_scores(model, params=None, n: int | None = None, max_loops: int = 10_000,
                max_length: int | None = None, relative: bool = True,
                by_partition: bool = True, **run_options):
    """Signed relative loop scores of every loop of ``sf.loops(model)`` over a run.

    Parameters
    ----------
    model : Model
        A model without dimensions, or one whose loops all run through variables of the
        same dimensions: those are scored element by element (``capital[Anhui]``'s loops
        compete with each other, not with ``capital[Jiangsu]``'s).
    params, n : optional
        Per-run parameters and run count, as for `sdflow.simulate`: a batch of runs is
        scored in one pass, every step of every run at once.
    max_loops, max_length : optional
        Passed to `loops`; the loops scored are those it lists, with the same ids.
    relative : bool
        Divide by the sum of absolute loop scores at each time (default). With False the
        raw loop scores are returned.
    by_partition : bool
        Sum the absolute scores within each cycle partition (default, as Simlin does),
        or over all loops of the model.
    **run_options
        Other options of `sdflow.simulate` (``method``, ``dt``, ``seed``...). Scores are
        computed over every time step and returned at the saved times (``saveper``,
        by default the model's), as Simlin reports them.

    Returns
    -------
    xarray.DataArray
        Dims ``(time, loop)``, plus ``run`` for a batch and the loops' dimensions for an
        arrayed model. Balancing loops score negative. Coordinate ``polarity`` gives each
        loop's polarity from `loops`.

    Examples
    --------
    A first-order goal-seeking loop is the only loop of its model: it scores -1.

    >>> import sdflow as sf
    >>> from sdmodels.reference import teacup
    >>> scores = sf.loop_scores(teacup.build())
    >>> scores.sel(time=10.0).values.round(6).tolist()
    [-1.0]
    """
    import xarray as xr

    saveper = run_options.pop("saveper", None)
    run = baseline(model, params=params, n=n, **run_options)
    graph = run.graph
    scorer = LinkScorer(run)
    found = find_loops(model, max_loops=max_loops, max_length=max_length, scorer=scorer)
    cache: dict = {}
    dims = None
    rows = []
    for loop in found:
        loop_dims = {graph.nodes[k].dims for k in loop.keys}
        if len(loop_dims) > 1:
            names = [graph.nodes[k].name for k in loop.keys]
            raise SdflowError(
                f"loop {loop.id} {names} runs through variables of different dimensions; "
                "loop scores of such loops need the loop between elements, which "
                "loop_scores does not compute yet. Score the loops of a model without "
                "dimensions, or whose loops keep to one set of dimensions")
        (loop_dim,) = loop_dims
        if dims is not None and loop_dim != dims:
            raise SdflowError(
                f"loop {loop.id} varies over {[d.name for d in loop_dim]} but an earlier "
                f"loop over {[d.name for d in dims]}; loop_scores needs all loops of a "
                "model over the same dimensions")
        dims = loop_dim
        score = 1.0
        for link in loop.links:
            if link not in cache:
                cache[link] = scorer.score(link)
            score = score * cache[link]
        rows.append(np.broadcast_to(score, (run.steps, run.n) + tuple(len(d) for d in dims)))
    dims = dims or ()
    if rows:
        scores = np.stack(rows, axis=-1)  # (time, run, *dims, loop)
    else:
        scores = np.zeros((run.steps, run.n) + tuple(len(d) for d in dims) + (0,))
    if relative:
        groups = [l.partition if by_partition else 0 for l in found]
        scores = _relative(scores, np.asarray(groups, int))
    coords = {"time": run.times, "loop": [l.id for l in found],
              "polarity": ("loop", [l.polarity for l in found]),
              "partition": ("loop", [l.partition for l in found])}
    names = ["time", "run"] + [d.name for d in dims] + ["loop"]
    for d in dims:
        coords[d.name] = list(d.elements)
    if run.keep_run:
        coords["run"] = np.arange(run.n)
    else:
        scores, names = scores[:, 0], [d for d in names if d != "run"]
    out = xr.DataArray(scores, dims=names, coords=coords,
                       name="relative loop score" if relative else "loop score")
    return out.isel(time=slice(None, None, _save_every(saveper or graph.saveper, run)))


def _save_every(saveper: float, run) -> int:
    """Steps between saved times; every step when ``saveper`` is not a multiple of dt."""
    if run.steps < 2:
        return 1
    dt = float(run.times[1] - run.times[0])
    every = max(1, int(round(saveper / dt)))
    return every if abs(every * dt - saveper) < 1e-9 * max(1.0, saveper) else 1


def _relative(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Scores (time, run, *dims, loop) over the sum of absolute scores of their group's
    loops at the same element (the loops of one element compete with each other)."""
    out = np.zeros_like(scores)
    for group in np.unique(groups):
        members = groups == group
        block = scores[..., members]
        total = np.abs(block).sum(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., members] = np.where(total > 0, block / total, 0.0)
    return out


def dominant_loops(scores, threshold: float = 0.5):
    """Periods in which one loop, or a set of loops of one polarity, dominates.

    At each time the loops are split by the sign of their score; in each group the
    loops are taken in order of decreasing absolute share until their shares add up to
    ``threshold``. The group with the larger share wins and its loops are dominant.
    Consecutive times with the same dominant set form one period.

    Parameters
    ----------
    scores : xarray.DataArray
        Relative loop scores from `loop_scores` (dims ``time``, ``loop``, maybe ``run``;
        other dimensions are not accepted: select an element first).
    threshold : float
        Share of the total absolute loop score the dominant set must reach (0.5 by
        default, as in Schoenberg et al. 2020).

    Returns
    -------
    pandas.DataFrame
        Columns ``start``, ``end`` (first and last time of the period), ``loops`` (tuple
        of loop ids), ``share`` (mean combined share of those loops over the period),
        and ``run`` for a batch.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdmodels.reference import sir
    >>> periods = sf.dominant_loops(sf.loop_scores(sir.build()))
    >>> periods.loops.tolist()[:2]
    [('R1',), ('B1', 'B2')]
    """
    import pandas as pd

    if not 0 < threshold <= 1:
        raise SdflowError(f"threshold={threshold} must be a share in (0, 1]")
    extra = [d for d in scores.dims if d not in ("time", "loop", "run")]
    if extra:
        raise SdflowError(
            f"dominant_loops takes scores over time and loop (and run); these also vary "
            f"over {extra}: select an element first, e.g. scores.sel({extra[0]}=...)")
    if "run" in scores.dims:
        frames = []
        for run in scores["run"].values:
            frame = dominant_loops(scores.sel(run=run), threshold)
            frame.insert(0, "run", run)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["run", "start", "end", "loops", "share"])
    values = scores.transpose("time", "loop").values
    ids = [str(i) for i in scores["loop"].values]
    times = scores["time"].values
    chosen, shares = [], []
    for row in values:
        best: tuple = ()
        best_share = 0.0
        for sign in (1, -1):
            members = [(abs(v), i) for i, v in enumerate(row) if np.sign(v) == sign]
            members.sort(key=lambda m: -m[0])
            picked, total = [], 0.0
            for share, i in members:
                picked.append(ids[i])
                total += share
                if total >= threshold:
                    break
            if total > best_share:
                best, best_share = tuple(sorted(picked)), total
        chosen.append(best)
        shares.append(best_share)
    periods = []
    start = 0
    for i in range(1, len(chosen) + 1):
        if i == len(chosen) or chosen[i] != chosen[start]:
            if chosen[start]:
                periods.append({"start": float(times[start]), "end": float(times[i - 1]),
                                "loops": chosen[start],
                                "share": float(np.mean(shares[start:i]))})
            start = i
    return pd.DataFrame(periods, columns=["start", "end", "loops", "share"])
