"""Vensim/XMILE unit text -> text sdflow's unit check (pint) reads.

Vensim writes units as names joined by ``*``, ``/``, ``^`` and parentheses
(``Person/Month``, ``Widget*Month``, ``1/Year``, ``Dmnl``, ``Degrees Fahrenheit``).
Names are read case-insensitively, spaces inside a name become ``_``, ``Dmnl`` is
dimensionless, and a name pint does not know loses its plural ending (``Persons``,
``People`` and ``Person`` are one unit, as are ``Foxes`` and ``Fox``), so a model's
spellings meet. Text outside that grammar gives
None: the variable keeps no units. Unit names pint knows (``month``, ``minute``, ``kg``)
keep pint's meaning, which only matters to the check, never to the numbers.
"""

from __future__ import annotations

import re

from ..units import pint_defines

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<word>[A-Za-z$%][A-Za-z0-9_ $%]*)"
                    r"|(?P<op>[*/^()]))")
_DIMENSIONLESS = {"dmnl", "dimensionless", "unitless", "fraction"}
_IRREGULAR = {"people": "person", "persons": "person", "children": "child"}


def _unit_name(word: str) -> str:
    name = "_".join(word.replace("$", " dollar ").replace("%", " percent ").lower().split())
    if name in _DIMENSIONLESS:
        return "dimensionless"
    if pint_defines(name):  # pint's own units only, so earlier models change nothing
        return name
    name = _IRREGULAR.get(name, name)
    if re.search(r"(x|z|ch|sh|ss)es$", name):  # foxes, boxes, matches, businesses
        return name[:-2]
    if len(name) > 3 and name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def vensim_units(text: str | None) -> str | None:
    """Unit text pint reads for Vensim's ``text``, or None when there is none to keep.

    Examples
    --------
    >>> [vensim_units(t) for t in ("Dmnl", "Person/Month", "Widget*Month", "1/Year")]
    ['dimensionless', 'person/month', 'widget*month', '1/year']
    >>> vensim_units("Degrees Fahrenheit/Minutes"), vensim_units("?"), vensim_units("")
    ('degrees_fahrenheit/minutes', None, None)
    """
    if text is None or not text.strip():
        return None
    out, position, depth = [], 0, 0
    text = text.strip()
    expect_operand = True
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        if match.group("number") is not None or match.group("word") is not None:
            if not expect_operand:
                return None
            word = match.group("word")
            out.append(match.group("number") if word is None else _unit_name(word))
            expect_operand = False
            continue
        op = match.group("op")
        if op == "(":
            if not expect_operand:
                return None
            depth += 1
        elif op == ")":
            depth -= 1
            if expect_operand or depth < 0:
                return None
        elif expect_operand:
            return None
        else:
            expect_operand = True
        out.append("**" if op == "^" else op)
    if expect_operand or depth:
        return None
    return "".join(out)
