"""Vensim/XMILE subscript ranges as named sdflow dimensions.

Every range (and every subrange) becomes its own `Dimension`. Values move between a range
and one of its subranges, or a range mapped onto it, through `Reindex` nodes, which pick
elements by name (subranges) or by position (mappings and copies).
"""

from __future__ import annotations

import re

from ..expr.nodes import Expr, Reindex, Select
from ..names import name_key
from ..errors import ImportModelError



def unquote(text: str) -> str:
    r"""A subscript as named: XMILE quotes one that is not a plain identifier, escaping
    its quotes and backslashes (pysd passes the quoted text on).

    Examples
    --------
    >>> unquote('"north-east"'), unquote('"say \\"hi\\""'), unquote("north")
    ('north-east', 'say "hi"', 'north')
    """
    if len(text) > 1 and text[0] == text[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", text[1:-1])
    return text


class SubscriptSpace:
    """The dimensions of one imported model and how elements and ranges relate.

    Parameters
    ----------
    model : Model
        The model the dimensions are declared on.
    ranges : dict
        Range name -> list of element names (pysd's expanded subscript dictionary).
    mapping : dict
        Range name -> list of ranges it maps onto (Vensim's ``->``).
    """

    def __init__(self, model, ranges: dict, mapping: dict):
        self.ranges = {name: list(map(str, elements)) for name, elements in ranges.items()}
        self.mapping = {name: [m for m in maps if isinstance(m, str)]
                        for name, maps in mapping.items()}
        self.dims = {name: model.dim(name, elements) for name, elements in self.ranges.items()}
        self._by_key = {name_key(n): n for n in self.ranges}
        self._element_key = {}
        for elements in self.ranges.values():
            for e in elements:
                self._element_key.setdefault(name_key(e), e)

    def number(self, element: str) -> int:
        """Vensim's value of an element used in an equation: its position (from 1) in the
        largest range that holds it (the main range, not a subrange)."""
        holders = [n for n in self.ranges if element in self.ranges[n]]
        main = max(holders, key=lambda n: len(self.ranges[n]))
        return self.ranges[main].index(element) + 1

    # -- names -------------------------------------------------------------------------
    def range_name(self, text: str) -> str | None:
        """The declared range called ``text`` (case-insensitive), or None."""
        return self._by_key.get(name_key(unquote(text.rstrip("!"))))

    def all_elements(self) -> list[str]:
        """Every element of every range, once each."""
        return list(self._element_key.values())

    def element_name(self, text: str) -> str | None:
        return self._element_key.get(name_key(unquote(text)))

    def elements_of(self, text: str) -> list[str]:
        """The elements a subscript names: a whole range, or a single element."""
        rng = self.range_name(text)
        if rng is not None:
            return self.ranges[rng]
        element = self.element_name(text)
        return [element] if element is not None else []

    # -- the dims of a variable ------------------------------------------------------------
    def full_dims(self, variable: str, subscript_lists: list[list[str]],
                  declared: list[str] | None = None) -> tuple:
        """The dimensions a variable defined by these components is arrayed over.

        At each position the elements all components cover are unioned; the dimension is
        the range the file declares for the variable there (``declared``, XMILE) if it
        holds them all, else a range with exactly those elements (one the components name,
        if possible), or the smallest range that holds them all.
        """
        if not subscript_lists or not subscript_lists[0]:
            return ()
        dims = []
        for pos in range(len(subscript_lists[0])):
            covered, named = [], []
            for subs in subscript_lists:
                text = subs[pos]
                if self.range_name(text):
                    named.append(self.range_name(text))
                for e in self.elements_of(text):
                    if e not in covered:
                        covered.append(e)
                if not self.elements_of(text):
                    raise ImportModelError(
                        f"variable '{variable}': subscript '{text}' is neither a declared "
                        "range nor an element of one", variable)
            cover = set(covered)
            stated = self.range_name(declared[pos]) if declared and pos < len(declared) \
                else None
            exact = [stated] if stated and cover <= set(self.ranges[stated]) else []
            exact += [n for n in named if set(self.ranges[n]) == cover]
            exact += [n for n in self.ranges if set(self.ranges[n]) == cover]
            superset = sorted((n for n in self.ranges if cover <= set(self.ranges[n])),
                              key=lambda n: len(self.ranges[n]))
            choice = [n for n in exact + superset if self.dims[n] not in dims]
            if not choice:
                raise ImportModelError(
                    f"variable '{variable}': no subscript range holds the elements "
                    f"{covered} at position {pos + 1}", variable)
            dims.append(self.dims[choice[0]])
        return tuple(dims)

    # -- moving values between ranges ------------------------------------------------------
    def correspondence(self, source, target, variable: str) -> list[int]:
        """For each element of ``target``, its position in ``source`` (-1 if none)."""
        src, tgt = source.elements, target.elements
        if self.mapped(source, target):
            return list(range(len(tgt)))  # mapped ranges pair up by position
        if set(tgt) & set(src):
            return [src.index(e) if e in src else -1 for e in tgt]
        if len(src) == len(tgt):
            return list(range(len(tgt)))  # copies pair up by position
        raise ImportModelError(
            f"variable '{variable}': cannot relate subscript range '{target.name}' to "
            f"'{source.name}' (no shared elements and no mapping between them)", variable)

    def mapped(self, a, b) -> bool:
        """Whether one range is mapped onto the other (Vensim ``->``), same length."""
        return len(a) == len(b) and (b.name in self.mapping.get(a.name, ())
                                     or a.name in self.mapping.get(b.name, ()))

    def map_onto(self, expr: Expr, expr_dims: tuple, lhs: list, variable: str):
        """Relabel dims of a reference that the left-hand side ``lhs`` names through a
        mapping (Vensim ``->``), e.g. ``y[DimC] = x[DimB]`` with ``DimB -> DimC``."""
        dims = list(expr_dims)
        for i, dim in enumerate(expr_dims):
            if dim in lhs:
                continue
            for target in lhs:
                if target not in dims and self.mapped(dim, target):
                    expr = Reindex(expr, dim, target, self.correspondence(dim, target,
                                                                          variable))
                    dims[i] = target
                    break
        return expr, tuple(dims)

    def _temporary(self, dim):
        """A hidden copy of ``dim``, to swap two dimensions' labels in one reference."""
        name = f"{dim.name} (transposed)"
        if name not in self.dims:
            self.dims[name] = dim.model.dim(name, dim.elements)
        return self.dims[name]

    def banged_copy(self, dim):
        """A hidden copy of ``dim`` for ``dim!`` in VECTOR SELECT, where Vensim (and PySD)
        treat ``x[dim!]`` as varying over a range apart from ``dim`` itself."""
        name = f"{dim.name}!"
        if name not in self.dims:
            self.dims[name] = dim.model.dim(name, dim.elements)
        return self.dims[name]

    def subscript_reference(self, expr: Expr, var_dims: tuple, subscripts: list[str],
                            variable: str, banged: set) -> tuple[Expr, tuple]:
        """``expr`` (arrayed over ``var_dims``) read at ``subscripts``, and its new dims."""
        if len(subscripts) != len(var_dims):
            raise ImportModelError(
                f"variable '{variable}': a reference has {len(subscripts)} subscript(s) but "
                f"the variable it reads has {len(var_dims)}", variable)
        dims = list(var_dims)
        moves = []
        for pos, (text, dim) in enumerate(zip(subscripts, var_dims)):
            rng = self.range_name(text)
            if rng is None:
                element = self.element_name(text)
                if element not in dim.elements:
                    raise ImportModelError(
                        f"variable '{variable}': element '{text}' is not in range "
                        f"'{dim.name}'", variable)
                expr = Select(expr, dim.name, element)
                dims[pos] = None
                continue
            target = self.dims[rng]
            if text.endswith("!"):
                banged.add(target)
            if target is not dim:
                moves.append((pos, dim, target))
        clash = any(target in var_dims for _, _, target in moves)
        if clash:  # a transposition: park the moving dims on hidden copies first
            parked = []
            for pos, dim, target in moves:
                tmp = self._temporary(dim)
                expr = Reindex(expr, dim, tmp, range(len(dim)))
                parked.append((pos, tmp, dim, target))
        else:
            parked = [(pos, dim, dim, target) for pos, dim, target in moves]
        for pos, current, dim, target in parked:
            expr = Reindex(expr, current, target, self.correspondence(dim, target, variable))
            dims[pos] = target
        return expr, tuple(d for d in dims if d is not None)

    def embed(self, expr: Expr, expr_dims: tuple, subscripts: list[str], full: tuple,
              variable: str) -> Expr:
        """Place a component defined at ``subscripts`` into the variable's ``full`` dims.

        Elements the component does not define are 0, so components add up.
        """
        for text, dim in zip(subscripts, full):
            rng = self.range_name(text)
            if rng is not None and self.dims[rng] is dim:
                continue
            if rng is not None and self.dims[rng] in expr_dims:
                source = self.dims[rng]
                index = self.correspondence(source, dim, variable)
                expr = Reindex(expr, source, dim, index)
            else:
                covered = set(self.elements_of(text))
                expr = Reindex(expr, None, dim, [0 if e in covered else -1
                                                 for e in dim.elements])
        return expr
