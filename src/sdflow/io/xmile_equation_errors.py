"""Why an XMILE equation cannot be read, said in the model's terms.

PySD's equation grammar, which `read_xmile` parses with, reports only where it stopped
(``Rule 'expr_type' didn't match at '???'``). Two causes come from the file itself, not
from the reader, and are named here with the variable: the placeholder ``???`` that
exporting tools (xmutil, Stella) write where they could not convert an equation, and a
call of a macro the file does not define (xmutil writes a Vensim macro call as it stands,
but no ``<macro>`` element). A macro the file does define as XMILE's ``<macro>`` is a gap
of the reader (PySD's XMILE translator reads no macros), and says so.
"""

from __future__ import annotations

import re

from ..errors import ImportModelError, IncompleteModelError, UnsupportedFeatureError
from ..names import name_key

#: What exporting tools write in place of an equation they could not convert
PLACEHOLDER = "???"
#: A quoted name (whose text may hold anything)
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"')
#: A name, possibly of several words, followed by an opening parenthesis: a call
_CALL = re.compile(r"(?<![\w.$])([A-Za-z_]\w*(?:[ \t]+[A-Za-z_]\w*)*)[ \t]*\(")
#: Words of XMILE's expression syntax that may stand before a call
_SYNTAX_WORDS = {"if", "then", "else", "and", "or", "not", "mod"}


def called_names(equation: str) -> list[str]:
    """The names ``equation`` calls, as written (quoted names are skipped).

    Examples
    --------
    >>> called_names('IF x > 1 THEN EXPRESSION MACRO(a, b) ELSE MAX(a, "f(x)")')
    ['EXPRESSION MACRO', 'MAX']
    """
    names = []
    for match in _CALL.finditer(_QUOTED.sub('""', equation)):
        words = match.group(1).split()
        while words and words[0].lower() in _SYNTAX_WORDS:
            words.pop(0)
        if words:
            names.append(" ".join(words))
    return names


def xmile_macro_names(root) -> dict[str, str]:
    """Name key -> name of each ``<macro>`` an XMILE file defines (``root``: its parsed
    tree).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> xmile_macro_names(ET.fromstring('<xmile><macro name="Expression_Macro">'
    ...     '<eqn>x</eqn></macro></xmile>'))
    {'expression macro': 'Expression_Macro'}
    """
    return {name_key(node.attrib["name"]): node.attrib["name"] for node in root.iter()
            if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "macro"
            and "name" in node.attrib}


def check_equation(variable: str, equation: str, macros: dict[str, str]) -> None:
    """Refuse, before parsing, an equation no reader can run or that calls a macro.

    Raises `IncompleteModelError` for the exporting tool's placeholder ``???``, and
    `UnsupportedFeatureError` for a call of one of ``macros`` (`xmile_macro_names`).

    Examples
    --------
    >>> check_equation("Rate A", " ??? ", {})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sdflow.errors.IncompleteModelError: variable 'Rate A' has the equation '???', ...
    >>> check_equation("y", "2 * x", {})  # nothing to say: the parser reads it
    """
    text = _QUOTED.sub('""', equation)
    if PLACEHOLDER in text:
        shown = equation.strip() if len(equation.strip()) <= 60 else PLACEHOLDER
        raise IncompleteModelError(
            f"variable '{variable}' has the equation {shown!r}, a placeholder the exporting "
            "tool left where it could not convert the equation; re-export the model or "
            "write the equation", variable)
    for name in called_names(equation):
        if name_key(name) in macros:
            raise UnsupportedFeatureError(
                f"variable '{variable}' calls the macro {name}, which this file defines as "
                "an XMILE <macro>; sdflow's XMILE reader does not read macros (PySD's XMILE "
                "translator, which it parses with, reads none): write the macro's equation "
                "in place of the call, or import the Vensim version of the model", variable)


def parse_error(variable: str, equation: str, exc: Exception) -> ImportModelError:
    """The error to raise when PySD's grammar could not parse ``equation`` (``exc``, a
    parsimonious ``ParseError``): a call of an undefined multi-word name (a macro the
    exporting tool did not write) as `IncompleteModelError`, anything else as
    `ImportModelError` quoting where the parser stopped.

    Examples
    --------
    >>> from parsimonious.exceptions import ParseError
    >>> text = "EXPRESSION MACRO(macro_input, 2)"
    >>> str(parse_error("macro output", text, ParseError(text, 10)))[:73]
    "variable 'macro output' calls EXPRESSION MACRO, which this file does not "
    """
    for name in called_names(equation):
        if len(name.split()) > 1:  # XMILE names have no spaces: no builtin is called so
            return IncompleteModelError(
                f"variable '{variable}' calls {name}, which this file does not define (no "
                "<macro> element) and XMILE has no builtin of that name: the exporting tool "
                "left a call of a macro it did not write; re-export the model with the "
                "macro, or write the macro's equation in place of the call", variable)
    text, pos = getattr(exc, "text", None), getattr(exc, "pos", None)
    where = ""
    if isinstance(text, str) and isinstance(pos, int):
        where = f": PySD's parser stops at {text[pos:pos + 30]!r} (character {pos + 1})"
    shown = equation.strip() if len(equation.strip()) <= 200 else equation.strip()[:197] + "..."
    return ImportModelError(f"variable '{variable}': cannot parse the equation {shown!r}"
                            f"{where}; check its syntax", variable)
