"""pysd's XMILE translator, with the fixes sdflow reads XMILE through.

sdflow parses XMILE with pysd 3.14's translator; where it misreads XMILE 1.0, the
translator's classes are patched for the time one file is parsed (`xmile_translator_fixes`),
and restored afterwards, so pysd itself keeps its own behaviour.
"""

from __future__ import annotations

import contextlib

from ..errors import ImportModelError


@contextlib.contextmanager
def xmile_translator_fixes(declared: dict):
    """Every fix below, while one file is parsed; ``declared`` is `xmile_declared_dims`."""
    with _stock_elements_read(), _sized_dimensions_read(), _names_unescaped(), \
            _wildcards_banged(declared):
        yield


@contextlib.contextmanager
def _stock_elements_read():
    """pysd's XMILE translator, reading a stock's per-element initial values.

    An arrayed stock whose elements start from different equations (XMILE 1.0's
    non-apply-to-all arrays: one ``<element subscript=...>`` with its own ``<eqn>`` per
    element, the flows listed once for the stock) is misread by pysd 3.14, which looks
    for the ``<eqn>`` on the stock itself for every element. While the file is parsed,
    its section builds stocks that read each element's own equation.
    """
    from pysd.translators.xmile import xmile_element, xmile_section

    class ElementStock(xmile_element.Stock):
        _equation_node = None

        def _parse_component(self, node, behaviors):
            self._equation_node = node
            try:
                return super()._parse_component(node, behaviors)
            finally:
                self._equation_node = None

        def _get_xpath_text(self, node, xpath):
            if xpath == "ns:eqn" and self._equation_node is not None:
                node = self._equation_node
            return super()._get_xpath_text(node, xpath)

    original = xmile_section.Stock
    xmile_section.Stock = ElementStock
    try:
        yield
    finally:
        xmile_section.Stock = original


@contextlib.contextmanager
def _sized_dimensions_read():
    """pysd's XMILE translator, reading dimensions declared by size alone.

    XMILE 1.0 (section 3.7.1) lets a dimension give its ``size`` instead of naming its
    elements (``<dim name="d" size="3"/>``); its elements are then the indices 1 to
    ``size``. pysd 3.14 reads only ``<elem>`` children, which leaves such a dimension
    empty; while the file is parsed, its section names the elements by index.
    """
    from pysd.translators.xmile import xmile_section

    original = xmile_section.Section._parse_subscripts

    def parse_subscripts(self):
        subscripts = original(self)
        nodes = {node.attrib["name"]: node for node
                 in self.content.xpath("ns:dimensions/ns:dim", namespaces=self.ns)}
        for subscript in subscripts:
            size = nodes[subscript.name].attrib.get("size")
            if subscript.definition or size is None:
                continue
            if not size.strip().isdigit() or int(size) < 1:
                raise ImportModelError(f"dimension '{subscript.name}': size=\"{size}\" is not "
                                       "a whole number of at least 1; give its size or name "
                                       "its elements with <elem name=...>")
            subscript.definition = [str(k) for k in range(1, int(size) + 1)]
        self.subscripts_dict = {subr.name: subr.definition for subr in subscripts}
        return subscripts

    xmile_section.Section._parse_subscripts = parse_subscripts
    try:
        yield
    finally:
        xmile_section.Section._parse_subscripts = original


@contextlib.contextmanager
def _names_unescaped():
    r"""pysd's XMILE translator, reading XMILE's escapes in ``name`` attributes.

    pysd 3.14 turns every ``\n`` of a name into a space, also the ``n`` after an escaped
    backslash (``\\n``, a backslash and an n): while the file is parsed, each element
    takes its name from `read_attribute_name` instead.
    """
    from pysd.translators.xmile import xmile_element
    from .xmile_equations import read_attribute_name

    original = xmile_element.Element.__init__

    def init(self, node, ns, subscripts):
        original(self, node, ns, subscripts)
        self.name = read_attribute_name(node.attrib["name"])

    xmile_element.Element.__init__ = init
    try:
        yield
    finally:
        xmile_element.Element.__init__ = original


@contextlib.contextmanager
def _wildcards_banged(declared: dict):
    """pysd's XMILE translator, reading XMILE's wildcard subscript ``*``: its equation
    grammar has no ``*`` subscript, so each equation is parsed with every ``a[*]``
    written as the banged dimension it stands for (`xmile_wildcards.banged_wildcards`)."""
    from pysd.translators.xmile import xmile_element
    from .xmile_wildcards import banged_wildcards

    original = xmile_element.Element._smile_parser

    def parse(self, expression):
        return original(self, banged_wildcards(expression, declared))

    xmile_element.Element._smile_parser = parse
    try:
        yield
    finally:
        xmile_element.Element._smile_parser = original
