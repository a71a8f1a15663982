"""The only ways text from a model reaches generated source: identifiers made here, and
``repr()`` literals.

Model names are free text: an XMILE file can name a variable ``"a&#10;    import os"``,
with a newline in it. Every identifier in a generated module therefore comes from
`python_identifier`, which keeps only characters Python accepts in identifiers, and every
other piece of model text (a name in a comment, the model's name in the docstring) is
written by `comment` or `string_literal`, both built on ``repr()``.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

#: Names the generated code binds or reads itself: the arguments and locals of
#: ``initialize``, ``evaluate``, the fused loops and the numba ``run``, the generated
#: functions, the modules they call, and every builtin (``min``, ``sum``, ``float``...).
#: A variable called ``start`` or ``sum`` gets ``v_start`` or ``v_sum`` instead.
RESERVED = frozenset(
    {"t", "y", "P", "mem", "k", "n", "np", "rt", "math", "dy", "dt", "commit", "save",
     "t_input", "steps", "initialize", "evaluate", "run_euler", "run", "start",
     "save_every", "rows", "keep", "check", "row", "run_fixed", "noise"}
    | set(dir(builtins)) | set(keyword.kwlist))

_NOT_IN_IDENTIFIER = "\x00"


def _readable(text: str) -> str:
    """``text`` lower-cased, with every run of characters that cannot be part of an
    identifier (spaces, quotes, ``#``, newlines...) replaced by one ``_``."""
    # Python reads identifiers in NFKC form ("ﬁx" is "fix"), so work in that form: a name
    # that differs from another only before normalisation must not look unique here
    text = unicodedata.normalize("NFKC", str(text)).lower()
    kept = "".join(c if ("a" + c).isidentifier() else _NOT_IN_IDENTIFIER for c in text)
    base = re.sub(f"{_NOT_IN_IDENTIFIER}+", "_", kept).strip("_")
    if unicodedata.normalize("NFKC", base) != base or not ("a" + base).isidentifier():
        # letters that only combine into something else once normalised: keep ASCII
        base = re.sub(r"[^a-z0-9_]+", "_", base.encode("ascii", "replace").decode()).strip("_")
    return base


def python_identifier(text: str, taken: set[str], prefix: str = "") -> str:
    """A valid Python identifier, readable from ``text``, not in ``taken`` (and added to it).

    The identifier starts with ``prefix`` (``"C_"`` for a folded table, say), never is a
    keyword, a builtin or a name in `RESERVED`, and is in the normal form Python reads
    identifiers in, so two different identifiers can never denote one variable.

    Parameters
    ----------
    text : str
        Any text, typically a variable's name.
    taken : set of str
        Identifiers already given out in the same module; updated in place.
    prefix : str
        An ASCII prefix that marks what the identifier holds.

    Returns
    -------
    str

    Examples
    --------
    >>> taken = set()
    >>> python_identifier("GDP growth", taken), python_identifier("gdp-growth", taken)
    ('gdp_growth', 'gdp_growth_2')
    >>> python_identifier("start", taken), python_identifier("2nd stage", taken)
    ('v_start', 'v_2nd_stage')
    >>> python_identifier("x\\n    import os #", taken)
    'x_import_os'
    >>> python_identifier("effect", taken, prefix="LX_")
    'LX_effect'
    """
    base = prefix + _readable(text)
    if not base.isidentifier() or base in RESERVED:  # empty, a leading digit, a keyword
        base = "v_" + base if base else "v"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    if not _is_safe(name):  # not expected; the check keeps the promise unconditional
        name, i = f"{prefix}v", 2
        while name in taken:
            name, i = f"{prefix}v_{i}", i + 1
    taken.add(name)
    return name


def _is_safe(name: str) -> bool:
    return (name.isidentifier() and unicodedata.normalize("NFKC", name) == name
            and name not in RESERVED)


def string_literal(text: str) -> str:
    """``text`` as a Python string literal, on one line whatever it contains.

    Examples
    --------
    >>> print(string_literal("it's\\nover"))
    "it's\\nover"
    """
    return str.__repr__(str(text))  # str's own repr, even for a subclass of str


def comment(text: str) -> str:
    """A one-line comment quoting ``text`` (``repr`` escapes newlines and every other
    character that is not printable, so nothing can end the comment early).

    Examples
    --------
    >>> print(comment("capital\\nimport os"))
    # 'capital\\nimport os'
    """
    return "# " + string_literal(text)
