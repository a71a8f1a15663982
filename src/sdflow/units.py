"""The one pint unit registry of the process, and what pint itself defines.

Below everything that reads units: the graph's unit check (`sdflow.ir.units`), io's
translation of Vensim unit names and calibration data. pint's registry takes a few tenths
of a second to build, so it is built on first use and pint is imported only then.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .files import cache_dir

if TYPE_CHECKING:
    import pint

#: Unit names sdflow added to pint's registry: its own words and the units models declare.
_ADDED_NAMES: set[str] = set()


@functools.lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The unit registry shared by all models (extended with the units models declare).

    Built once per process, on first use. pint parses its definitions file to build it
    (about a second); the parsed definitions are kept on disk (pint's ``cache_folder``, in
    `pint_cache_folder`), which makes later builds, in every new process, 4-5x faster.
    pint writes its cache files in place, not atomically: a process that reads one while
    another writes it finds a pickle without its end and fails to load it, and then, as
    without a usable folder, the registry is built from pint's file (processes writing
    together write the same bytes).
    """
    import pint
    ureg = None
    folder = pint_cache_folder()
    if folder is not None:
        folder = folder / pint.__version__  # pickles of one pint version only
        try:
            ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True,
                                     cache_folder=folder)
        except Exception:  # noqa: BLE001 - an unwritable or damaged cache: build afresh
            ureg = None
    if ureg is None:
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    define_unit(ureg, "million", "million = 1e6")
    define_unit(ureg, "billion", "billion = 1e9")
    return ureg


def pint_cache_folder() -> Path | None:
    """The folder of pint's parsed definitions: ``pint`` in sdflow's `cache_dir` (None
    without one).

    Examples
    --------
    >>> import os
    >>> os.environ["SDFLOW_CACHE_DIR"] = "/tmp/sdflow-cache"
    >>> str(pint_cache_folder())
    '/tmp/sdflow-cache/pint'
    >>> del os.environ["SDFLOW_CACHE_DIR"]
    """
    base = cache_dir()
    return None if base is None else base / "pint"


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
