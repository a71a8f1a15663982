"""`dominant_loops`: the periods in which a loop, or a set of loops, drives a model."""

from __future__ import annotations

import numpy as np

from ..errors import SdflowError


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
