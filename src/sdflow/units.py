"""The one pint unit registry of the process, and what pint itself defines.

Below everything that reads units: the graph's unit check (`sdflow.ir.units`), io's
translation of Vensim unit names and calibration data. pint's registry takes a few tenths
of a second to build, so it is built on first use and pint is imported only then.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

#: Unit names sdflow added to pint's registry: its own words and the units models declare.
_ADDED_NAMES: set[str] = set()


@functools.lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The unit registry shared by all models (extended with the units models declare).

    Built once per process, on first use.
    """
    import pint
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    define_unit(ureg, "million", "million = 1e6")
    define_unit(ureg, "billion", "billion = 1e9")
    return ureg


def define_unit(ureg, name: str, definition: str) -> None:
    """Add ``definition`` (pint syntax) for ``name`` to ``ureg``, and remember that the
    name is sdflow's, not pint's (see `pint_defines`)."""
    ureg.define(definition)
    _ADDED_NAMES.add(name)


def pint_defines(name: str) -> bool:
    """True when pint's own definitions know the unit ``name`` (prefixed or plural forms
    included), whatever units models have added to the shared registry since.

    Examples
    --------
    >>> pint_defines("minutes"), pint_defines("kilometer"), pint_defines("widget")
    (True, True, False)
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return False
    return any(unit not in _ADDED_NAMES for _, unit, _ in registry().parse_unit_name(name))
