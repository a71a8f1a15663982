"""The integration areas the model ships with: members as named in the provincial data."""

from __future__ import annotations

from dataclasses import dataclass

from sdflow.errors import ModelError


@dataclass(frozen=True)
class Preset:
    """An integration area: its key, its full name and its member provinces."""

    key: str
    title: str
    members: tuple


PRESETS = {
    "yrd": Preset("yrd", "Yangtze River Delta", ("Shanghai", "Jiangsu", "Zhejiang", "Anhui")),
    "jjj": Preset("jjj", "Jing-Jin-Ji", ("Beijing", "Tianjin", "Hebei")),
    "pprd": Preset("pprd", "Pan-Pearl River Delta",
                   ("Guangdong", "Fujian", "Jiangxi", "Hunan", "Guangxi", "Hainan", "Sichuan",
                    "Guizhou", "Yunnan")),
}
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
