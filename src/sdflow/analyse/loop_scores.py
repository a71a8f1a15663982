"""`loop_scores`: how strongly each feedback loop drives a model, step by step.

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
from .elements import find_element_loops
from .link_scores import LinkScorer, baseline
from .loops import find_loops


def loop_scores(model, params=None, n: int | None = None, max_loops: int = 10_000,
                max_length: int | None = None, elements: bool = False,
                relative: bool = True, by_partition: bool = True, **run_options):
    """Signed relative loop scores of every loop of ``sf.loops(model)`` over a run.

    Parameters
    ----------
    model : Model
        A model without dimensions, or one whose loops all run through variables of the
        same dimensions: those are scored element by element (``capital[Anhui]``'s loops
        compete with each other, not with ``capital[Jiangsu]``'s). Any other arrayed
        model: score its loops between elements (``elements=True``).
    params, n : optional
        Per-run parameters and run count, as for `sdflow.simulate`: a batch of runs is
        scored in one pass, every step of every run at once.
    max_loops, max_length : optional
        Passed to `loops`; the loops scored are those it lists, with the same ids.
    elements : bool
        Score the loops between elements (``sf.loops(model, elements=True)``): each
        link's partial change moves one element of its source alone.
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
    scorer = LinkScorer(run)
    if elements:
        found = find_element_loops(model, max_loops=max_loops, max_length=max_length,
                                   scorer=scorer)
        scores, dims = _element_loop_scores(found, scorer), ()
    else:
        found = find_loops(model, max_loops=max_loops, max_length=max_length,
                           scorer=scorer)
        scores, dims = _variable_loop_scores(found, scorer)
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
    return out.isel(time=slice(None, None, _save_every(saveper or run.graph.saveper, run)))


def _variable_loop_scores(found: list, scorer: LinkScorer) -> tuple[np.ndarray, tuple]:
    """Scores (time, run, *dims, loop) of loops between variables of one set of dims."""
    graph, run = scorer.graph, scorer.run
    cache: dict = {}
    dims = None
    rows = []
    for loop in found:
        loop_dims = {graph.nodes[k].dims for k in loop.keys}
        if len(loop_dims) > 1 or (dims is not None and loop_dims != {dims}):
            names = [graph.nodes[k].name for k in loop.keys]
            raise SdflowError(
                f"loop {loop.id} {names} and the model's other loops run through "
                "variables of different dimensions, so their scores cannot be laid out "
                "over one set of dimensions: score the loops between elements instead, "
                "sf.loop_scores(model, elements=True) (ids as in sf.loops(model, "
                "elements=True))")
        (dims,) = loop_dims
        score = 1.0
        for link in loop.links:
            if link not in cache:
                cache[link] = scorer.score(link)
            score = score * cache[link]
        rows.append(np.broadcast_to(score, (run.steps, run.n) + tuple(len(d) for d in dims)))
    dims = dims or ()
    if not rows:
        return np.zeros((run.steps, run.n) + (0,)), dims
    return np.stack(rows, axis=-1), dims


def _element_loop_scores(found: list, scorer: LinkScorer) -> np.ndarray:
    """Scores (time, run, loop) of loops between elements."""
    run = scorer.run
    cache: dict = {}
    rows = []
    for loop in found:
        score = np.ones((run.steps, run.n))
        for link in loop.links:
            if link not in cache:
                cache[link] = scorer.element_score(link)
            score = score * cache[link]
        rows.append(score)
    if not rows:
        return np.zeros((run.steps, run.n, 0))
    return np.stack(rows, axis=-1)


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
    membership = (groups[:, None] == np.unique(groups)[None, :]).astype(float)
    totals = np.abs(scores) @ membership @ membership.T  # each loop's group total
    return np.divide(scores, totals, out=np.zeros_like(scores), where=totals > 0)
