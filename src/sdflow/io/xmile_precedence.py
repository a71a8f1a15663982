"""XMILE's MOD at the precedence of ``*`` and ``/``, for PySD's equation grammar.

The XMILE 1.0 specification's table of operators puts MOD in one precedence group with
``*`` and ``/``: "Multiplication, division, modulo", evaluated left to right, below the
unary operators and ``^`` and above ``+`` and ``-``. So ``7 MOD 4 * 2`` is
``(7 MOD 4) * 2 = 6`` (Simlin gives 6). PySD 3.14's grammar (``mod_expr = prod_expr
("mod" prod_expr)?``) binds MOD below ``*`` and ``/`` and reads one MOD per term: it reads
``7 mod (4 * 2) = 7`` and refuses ``a MOD b MOD c``. `mod_grouped` writes the grouping
the specification gives with parentheses before PySD parses an equation; a term with one
MOD between two operands parses alike both ways and is left as written.
"""

from __future__ import annotations

import re

__all__ = ["mod_grouped"]

#: Tokens of an equation: blanks, a quoted name, a number, a name, a two-character
#: comparison, one other character
_LEX = re.compile(r'\s+|"(?:\\.|[^"\\])*"|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?'
                  r"|[^\W\d][\w.$']*|<=|>=|<>|.", re.S)
_PRODUCT = {"*", "/", "mod"}
#: words before an operand that are not part of it
_PREFIX_WORDS = {"if", "not"}
_CLOSING = {")": "(", "]": "["}


class _Unreadable(Exception):
    """An equation this scan does not follow: left to PySD's parser, which reports it."""


def mod_grouped(equation: str) -> str:
    """``equation`` with each chain of ``*``, ``/`` and MOD that holds a MOD and more than
    two operands grouped from the left by parentheses.

    Examples
    --------
    >>> mod_grouped("7 MOD 4 * 2")
    '(7 MOD 4) * 2'
    >>> mod_grouped("IF a MOD b MOD -c > 0 THEN f(x mod 2 / y) ELSE g[d, e!] * 2")
    'IF (a MOD b) MOD -c > 0 THEN f((x mod 2) / y) ELSE g[d, e!] * 2'
    >>> mod_grouped("a * b MOD c")  # one MOD at the end: PySD reads it so already
    '(a * b) MOD c'
    >>> mod_grouped('"a MOD b" * 2 + c mod 3')  # a quoted name is a name
    '"a MOD b" * 2 + c mod 3'
    """
    if "mod" not in equation.lower():
        return equation
    tokens = [(m.start(), m.end(), m.group()) for m in _LEX.finditer(equation)
              if not m.group().isspace()]
    inserts: list[tuple[int, str]] = []
    try:
        end = _level(tokens, 0, inserts, None)
        if end != len(tokens):
            raise _Unreadable
    except (_Unreadable, IndexError):
        return equation
    text = equation
    # from the end, closing parentheses before opening ones at the same place
    for position, mark in sorted(inserts, key=lambda p: (p[0], p[1] == "("), reverse=True):
        text = text[:position] + mark + text[position:]
    return text


def _level(tokens, i: int, inserts: list, closing: str | None) -> int:
    """Scan one nesting level from token ``i`` up to its ``closing`` bracket (or the end);
    returns the index of that bracket. Each chain of ``*``, ``/`` and MOD found is grouped."""
    chain: list[tuple[int, int]] = []  # (first, last) token of each operand
    ops: list[str] = []
    expect_operand = True
    while i < len(tokens):
        text = tokens[i][2]
        if text in _CLOSING or text == closing:
            break
        if expect_operand:
            if text.lower() in _PREFIX_WORDS:
                i += 1
                continue
            first = i
            i = _operand(tokens, i, inserts)
            chain.append((first, i - 1))
            expect_operand = False
            continue
        if text.lower() in _PRODUCT and not text.startswith('"'):
            ops.append(text.lower())
            expect_operand = True
            i += 1
            continue
        _group(tokens, chain, ops, inserts)  # a lower operator, THEN, ELSE or a comma
        chain, ops = [], []
        expect_operand = True
        i += 1
    if expect_operand and chain:
        raise _Unreadable  # an operator without its right operand
    _group(tokens, chain, ops, inserts)
    if closing is not None and (i >= len(tokens) or tokens[i][2] != closing):
        raise _Unreadable
    return i


def _operand(tokens, i: int, inserts: list) -> int:
    """The operand starting at token ``i`` (signs, an atom, then ``^`` and further
    operands); returns the index after it."""
    while tokens[i][2] in ("+", "-"):
        i += 1
    i = _atom(tokens, i, inserts)
    while i < len(tokens) and tokens[i][2] == "^":
        i += 1
        while tokens[i][2] in ("+", "-"):
            i += 1
        i = _atom(tokens, i, inserts)
    return i


def _atom(tokens, i: int, inserts: list) -> int:
    text = tokens[i][2]
    if text == "(":
        return _level(tokens, i + 1, inserts, ")") + 1
    if text[0] == '"' or text[0].isdigit() or text[0] == "." or re.match(r"[^\W\d]", text):
        if text.lower() in _PRODUCT | {"and", "or", "then", "else"} and text[0] != '"':
            raise _Unreadable
        i += 1
        if i < len(tokens) and tokens[i][2] == "[":
            i = _skip_subscripts(tokens, i)
        if i < len(tokens) and tokens[i][2] == "(":  # a call: its arguments are levels
            i = _level(tokens, i + 1, inserts, ")") + 1
        return i
    raise _Unreadable


def _skip_subscripts(tokens, i: int) -> int:
    """Past the ``[...]`` at token ``i`` (subscripts are names, ``!`` and ``*``)."""
    depth = 0
    while True:
        text = tokens[i][2]
        depth += text == "["
        depth -= text == "]"
        i += 1
        if depth == 0:
            return i


def _group(tokens, chain, ops, inserts) -> None:
    """Parentheses that group ``chain`` from the left, if it holds a MOD and more than
    two operands."""
    if "mod" not in ops or len(chain) < 3:
        return
    start = tokens[chain[0][0]][0]
    for _, last in chain[1:-1]:
        inserts.append((start, "("))
        inserts.append((tokens[last][1], ")"))
