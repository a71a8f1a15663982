"""What each key of a TOML spec table may hold, checked when the spec loads.

A table's schema maps each known key to a `Kind`: a short description of what is expected
("a whole number >= 1") and the test of a value. `check_table` refuses an unknown key
(suggesting the closest known one), a missing required key and a value of the wrong kind
with a `SpecError` that names the key (``mcmc.walkers``) and what is expected. `read_toml`
reads a spec file, naming the file when it is missing, not UTF-8 or not TOML. Nothing here
knows about calibration or forecasting: both specs declare their tables this way.
"""

from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from ._tomllib import tomllib
from .errors import SpecError


@dataclass(frozen=True)
class Kind:
    """What one key holds: ``expected`` (for messages) and ``accepts`` (the test).

    Examples
    --------
    >>> whole(minimum=1).check(4, "optimiser.starts")
    >>> whole(minimum=1).check("many", "optimiser.starts")
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: optimiser.starts: expected a whole number >= 1, got 'many'
    """

    expected: str
    accepts: Callable[[Any], bool]

    def check(self, value, key: str) -> None:
        """Raise `SpecError` naming ``key`` unless ``value`` is of this kind."""
        if not self.accepts(value):
            raise SpecError(f"{key}: expected {self.expected}, got {value!r}")

    def __or__(self, other: "Kind") -> "Kind":
        return Kind(f"{self.expected} or {other.expected}",
                    lambda v: self.accepts(v) or other.accepts(v))


def is_number(value) -> bool:
    """A finite real number, numpy's included (TOML's ``true`` is no number, nor are
    ``inf`` and ``nan``)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def _is_whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


STRING = Kind("a string", lambda v: isinstance(v, str))
BOOLEAN = Kind("true or false", lambda v: isinstance(v, bool))
TABLE = Kind("a table", lambda v: isinstance(v, dict))
NUMBER = Kind("a number", is_number)
POSITIVE = Kind("a number > 0", lambda v: is_number(v) and v > 0)
STRINGS = Kind("a list of strings", lambda v: isinstance(v, list)
               and all(isinstance(x, str) for x in v))
STRING_TABLE = Kind("a table of strings", lambda v: isinstance(v, dict)
                    and all(isinstance(x, str) for x in v.values()))
NUMBER_PAIR = Kind("[first, last], two numbers", lambda v: isinstance(v, (list, tuple))
                   and len(v) == 2 and all(is_number(x) for x in v))


def whole(minimum: int | None = None) -> Kind:
    """A whole number (not a bool), optionally at least ``minimum``."""
    if minimum is None:
        return Kind("a whole number", _is_whole)
    return Kind(f"a whole number >= {minimum}", lambda v: _is_whole(v) and v >= minimum)


def number_between(low: float, high: float) -> Kind:
    """A number in the closed interval ``[low, high]``."""
    return Kind(f"a number in [{low:g}, {high:g}]",
                lambda v: is_number(v) and low <= v <= high)


def one_of(*choices) -> Kind:
    """One of the given values."""
    return Kind(f"one of {list(choices)}", lambda v: isinstance(v, type(choices[0]))
                and v in choices)


def check_table(table, fields: Mapping[str, Kind], where: str,
                required: tuple[str, ...] = ()) -> dict:
    """Check a parsed TOML table against its schema and return it.

    Parameters
    ----------
    table : object
        The value found at ``where`` (must be a dict).
    fields : mapping of str to Kind
        Every key the table may hold.
    where : str
        The table's key for messages: ``"mcmc"``, ``"series[0]"``, or ``""`` at the top.
    required : tuple of str
        Keys that must be present.

    Raises
    ------
    SpecError
        Naming the key and what is expected; an unknown key gets the closest known key
        as a suggestion.

    Examples
    --------
    >>> fields = {"walkers": whole(minimum=2), "steps": whole(minimum=1)}
    >>> check_table({"walkers": 8}, fields, "mcmc")
    {'walkers': 8}
    >>> check_table({"walker": 8}, fields, "mcmc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: mcmc.walker: unknown key; did you mean 'walkers'? (known keys: ...)
    """
    if not isinstance(table, dict):
        raise SpecError(f"{where or 'the spec'}: expected a table, got {table!r}")
    for key, value in table.items():
        name = f"{where}.{key}" if where else key
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise SpecError(f"{name}: unknown key{hint} (known keys: "
                            f"{', '.join(sorted(fields))})")
        fields[key].check(value, name)
    for key in required:
        if key not in table:
            name = f"{where}.{key}" if where else key
            raise SpecError(f"{name}: is required ({fields[key].expected})")
    return table


def read_toml(path: str | Path) -> dict:
    """The tables of the TOML file at ``path``.

    Raises
    ------
    SpecError
        Naming the file when it does not exist, is not UTF-8 text (with the byte) or is
        not valid TOML (with TOML's line and column).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = f.write_text('seed = 3\\n[model]\\nfactory = "pkg.module:build"\\n')
    >>> read_toml(f)
    {'seed': 3, 'model': {'factory': 'pkg.module:build'}}
    >>> _ = f.write_text('seed = \\n')
    >>> try:
    ...     read_toml(f)
    ... except SpecError as error:
    ...     print(str(error).replace(str(f), "s.toml"))
    s.toml: not valid TOML: Invalid value (at line 1, column 8)
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"spec file {path} does not exist") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) "
                        "cannot be decoded; save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
