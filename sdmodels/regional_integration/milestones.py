"""Dated milestones of inter-governmental cooperation per integration area.

The milestones (``calibration/data/regional_cooperation_milestones.csv``, sources in
PROVENANCE.md there) are exogenous policy events: the model's external-governance levers
(central coordination, evaluation reform) can be switched at their dates.
"""

from __future__ import annotations

import pandas as pd

from sdflow.errors import DataError

from .observed import read_table

MILESTONES_FILE = "regional_cooperation_milestones.csv"

AREA_KEYS = {"yrd": "YRD", "jjj": "JJJ", "pprd": "PPRD"}
"""Preset keys and the area labels they stand for in the file's ``region`` column."""


def cooperation_milestones(area: str, path=None) -> pd.DataFrame:
    """Milestones of cooperation in ``area``, in date order.

    A row belongs to an area when the area is one of the ``/``-separated labels of its
    ``region`` column: the 2004 Bohai Rim framework agreement (``JJJ/Bohai Rim``) counts for
    Jing-Jin-Ji, whose three members signed it.

    Parameters
    ----------
    area : str
        ``YRD``, ``JJJ`` or ``PPRD`` as in the file's ``region`` column, or the preset keys
        ``yrd``, ``jjj``, ``pprd`` (case-insensitive).
    path : str or Path, optional
        The milestones file (default: the one in ``calibration/data``).

    Returns
    -------
    DataFrame
        Columns ``year`` (int), ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as
        precise as the source), ``event`` and ``document_number`` (empty where none).

    Examples
    --------
    >>> jjj = cooperation_milestones("jjj")
    >>> jjj[["year", "date"]].values.tolist()
    [[2004, '2004-06'], [2015, '2015-03-23'], [2015, '2015-04-30']]
    >>> sorted(set(cooperation_milestones("YRD")["year"]) & set(range(2004, 2020)))
    [2008, 2010, 2016, 2018, 2019]
    """
    frame = read_table(MILESTONES_FILE, ["date", "region", "event", "document_number"], path,
                       key=())
    label = AREA_KEYS.get(str(area).lower(), str(area))
    labels = frame["region"].astype(str).str.split("/")
    known = sorted({part for parts in labels for part in parts})
    if label not in known:
        raise DataError(f"no cooperation milestones for area {area!r}; areas in "
                        f"{MILESTONES_FILE} are {known} (or the preset keys "
                        f"{sorted(AREA_KEYS)})")
    rows = frame[labels.map(lambda parts: label in parts)]
    dates = rows["date"].astype(str)
    bad = dates[~dates.str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?")]
    if len(bad):
        raise DataError(f"{MILESTONES_FILE}: dates {bad.tolist()} (file lines "
                        f"{(bad.index + 2).tolist()}) are not YYYY, YYYY-MM or YYYY-MM-DD")
    out = pd.DataFrame({"year": dates.str[:4].astype(int), "date": dates,
                        "event": rows["event"],
                        "document_number": rows["document_number"].fillna("")})
    return out.sort_values("date", kind="stable").reset_index(drop=True)
