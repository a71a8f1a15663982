"""Loop dominance for the explorer: the strongest loops' relative scores over time under
the current settings (`sdflow.loop_scores`) and the periods of dominance
(`sdflow.dominant_loops`).

Loops are scored between variables where the model allows it (a model without
dimensions, or one whose loops all share theirs) and between elements otherwise; between
elements only the loops of at most ``ELEMENT_LOOP_LENGTH`` variables are scored, which
keeps the regional model's answer to about a second instead of twenty.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..analyse import dominant_loops, loop_scores, loops
from ..errors import SdflowError
from .settings import Settings

#: Longest loops between elements that are scored (the full set of an arrayed model can
#: run into thousands of loops).
ELEMENT_LOOP_LENGTH = 8
#: Loops shown in the chart: the strongest by mean absolute share over the run.
SHOWN_LOOPS = 8


def loop_dominance(model, settings: Settings, method: str = "euler",
                   shown: int = SHOWN_LOOPS) -> dict:
    """Relative scores of the ``shown`` strongest loops and the dominance periods.

    Examples
    --------
    >>> from sdmodels.reference import sir
    >>> out = loop_dominance(sir.build(), Settings())
    >>> [loop["id"] for loop in out["loops"]], out["periods"][0]["loops"]
    (['B1', 'R1', 'B2'], ['R1'])
    """
    prepared = settings.prepare(model)
    target = prepared.model
    level, limit, notes = "variables", None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scores = loop_scores(target, params=prepared.levers or None, method=method)
        except SdflowError as exc:
            if "elements=True" not in str(exc):
                raise
            level, limit = "elements", ELEMENT_LOOP_LENGTH
            scores = loop_scores(target, params=prepared.levers or None, method=method,
                                 elements=True, max_length=limit)
        table = loops(target, elements=level == "elements", max_length=limit)
    notes += sorted({str(w.message) for w in caught})
    if limit is not None:
        notes.append(f"loops between elements of at most {limit} variables")
    periods = _periods(scores)
    scores = _flatten(scores)
    strength = np.abs(scores.values).mean(axis=0)
    order = np.argsort(-strength, kind="stable")[:shown]
    variables = {row.loop: list(row.variables) for row in table.itertuples()}
    listed = []
    for i in order:
        loop_id = str(scores["loop"].values[i])
        base_id = loop_id.partition("[")[0]
        listed.append({"id": loop_id, "polarity": str(scores["polarity"].values[i]),
                       "variables": variables.get(base_id, []),
                       "mean_share": float(strength[i]),
                       "scores": [float(v) for v in np.nan_to_num(scores.values[:, i])]})
    return {"time": [float(t) for t in scores["time"].values], "level": level,
            "loop_count": int(scores.sizes["loop"]), "loops": listed, "notes": notes,
            "periods": periods}


def _periods(scores) -> list[dict]:
    """`dominant_loops` periods; for an arrayed model those of each element, whose loops
    compete with each other only, with the element in the loop ids (``R1[Anhui]``)."""
    extra = [d for d in scores.dims if d not in ("time", "loop")]
    if not extra:
        parts = [((), scores)]
    else:
        stacked = scores.stack(element=extra)
        parts = [(e if isinstance(e, tuple) else (e,), stacked.sel(element=e).drop_vars(
            ["element", *extra], errors="ignore")) for e in stacked["element"].values]
    found = []
    for element, part in parts:
        suffix = f"[{','.join(map(str, element))}]" if element else ""
        for p in dominant_loops(part).itertuples():
            found.append({"start": p.start, "end": p.end, "share": p.share,
                          "loops": [f"{loop}{suffix}" for loop in p.loops]})
    return sorted(found, key=lambda p: (p["start"], p["loops"]))


def _flatten(scores):
    """Scores over (time, loop): the loops of each element of an arrayed model become
    loops of their own (``R1[Anhui]``), their shares divided by the number of elements so
    that the absolute shares still add up to 1 at each time."""
    extra = [d for d in scores.dims if d not in ("time", "loop")]
    if not extra:
        return scores.transpose("time", "loop")
    stacked = scores.stack(element=extra).transpose("time", "loop", "element")
    count = stacked.sizes["element"]
    labels = [f"{loop}[{','.join(map(str, e if isinstance(e, tuple) else (e,)))}]"
              for loop in stacked["loop"].values for e in stacked["element"].values]
    polarity = [str(p) for p in stacked["polarity"].values for _ in range(count)]
    import xarray as xr

    values = stacked.values.reshape(stacked.sizes["time"], -1) / count
    return xr.DataArray(values, dims=("time", "loop"),
                        coords={"time": stacked["time"].values, "loop": labels,
                                "polarity": ("loop", polarity)})
