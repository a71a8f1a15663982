"""Named dimensions (Vensim's subscript ranges), e.g. the regions of a model."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import DimensionError


class Dimension:
    """A named, ordered set of elements that variables can be arrayed over.

    Arithmetic between variables aligns dimensions by name, as in xarray.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=0.5)
    >>> region = m.dim("region", ["Shanghai", "Jiangsu"])
    >>> len(region), region.index("Jiangsu")
    (2, 1)
    """

    __slots__ = ("name", "elements", "model")

    def __init__(self, name: str, elements: Sequence[Any], model=None):
        elements = tuple(str(e) for e in elements)
        if not elements:
            raise DimensionError(f"dimension '{name}' needs at least one element", (name,))
        if len(set(elements)) != len(elements):
            seen, dupes = set(), []
            for e in elements:
                (dupes.append(e) if e in seen else seen.add(e))
            raise DimensionError(
                f"dimension '{name}' lists element(s) {dupes} more than once; "
                "give each element once", (name,))
        self.name = name
        self.elements = elements
        self.model = model

    def __len__(self) -> int:
        return len(self.elements)

    def index(self, element: Any) -> int:
        """Position of ``element``: a name, or an integer position.

        An integer that is also an element's name (years: ``sel(year=2020)``) is the name.
        """
        if str(element) in self.elements:
            return self.elements.index(str(element))
        if isinstance(element, int) and not isinstance(element, bool):
            if -len(self) <= element < len(self):
                return element % len(self)
        raise DimensionError(
            f"dimension '{self.name}' has no element {element!r}; "
            f"its elements are {list(self.elements)}", (self.name,))

    def __repr__(self):
        return f"Dimension({self.name!r}, {list(self.elements)})"
