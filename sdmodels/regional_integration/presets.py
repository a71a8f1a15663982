"""The integration areas the model ships with, read from ``presets.toml`` next to this file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sdflow.errors import ModelError

PRESETS_FILE = Path(__file__).with_name("presets.toml")


@dataclass(frozen=True)
class Preset:
    """An integration area: its key, full name, member provinces, and the region code of
    its cooperation milestones (``regional_cooperation_milestones.csv``)."""

    key: str
    title: str
    members: tuple
    milestones: str = ""


def _load() -> dict:
    with open(PRESETS_FILE, "rb") as handle:
        raw = tomllib.load(handle)
    return {key: Preset(key, entry["title"], tuple(entry["members"]), entry.get("milestones", ""))
            for key, entry in raw.items()}


PRESETS = _load()
"""Presets by key: ``yrd``, ``jjj``, ``pprd``."""


def get_preset(key: str) -> Preset:
    """The preset called ``key`` (case-insensitive).

    Examples
    --------
    >>> get_preset("JJJ").members
    ('Beijing', 'Tianjin', 'Hebei')
    """
    try:
        return PRESETS[str(key).lower()]
    except KeyError:
        raise ModelError(f"unknown preset {key!r}; choose one of {sorted(PRESETS)} or pass "
                         "members=[...] with province names from the data") from None
