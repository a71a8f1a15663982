"""pysd's XMILE translator, with the fixes sdflow reads XMILE through.

sdflow parses XMILE with pysd 3.14's translator; where it misreads XMILE 1.0, the
translator's classes are patched for the time one file is parsed (`xmile_translator_fixes`),
and restored afterwards, so pysd itself keeps its own behaviour.
"""

from __future__ import annotations

import contextlib
import re

from ..errors import ImportModelError


@contextlib.contextmanager
def xmile_translator_fixes(declared: dict, time_settings: dict | None = None,
                           macros: dict | None = None):
    """Every fix below, while one file is parsed; ``declared`` is `xmile_declared_dims`,
    ``time_settings`` `xmile_time_settings.read_time_settings`, ``macros``
    `xmile_equation_errors.xmile_macro_names`."""
    with _stock_elements_read(), _sized_dimensions_read(), _names_unescaped(), \
            _equations_rewritten(declared, macros or {}), _lookup_calls_kept(), \
            _time_settings_read(time_settings or {}):
        yield


def wrap_draft_variables(root) -> int:
    """Put a pre-1.0 XMILE draft's variables where XMILE 1.0 (and pysd) looks for them.

    Drafts of XMILE written by Stella 10 (namespace ``http://www.systemdynamics.org/XMILE``)
    list a model's stocks, flows and auxes directly under ``<model>``; XMILE 1.0 puts them
    in ``<model><variables>``, the only place pysd reads, so such a file read as a model
    with no variables at all. Moves them into a ``<variables>`` element of the parsed
    tree ``root`` (lxml, as pysd parses it) and returns how many moved.

    Examples
    --------
    >>> from lxml import etree
    >>> root = etree.fromstring('<xmile xmlns="http://www.systemdynamics.org/XMILE">'
    ...     '<model><aux name="a"><eqn>1</eqn></aux></model></xmile>')
    >>> wrap_draft_variables(root)
    1
    >>> [child.tag.split("}")[1] for child in root[0]]
    ['variables']
    """
    namespace = root.nsmap.get(None)
    tag = (lambda name: f"{{{namespace}}}{name}") if namespace else (lambda name: name)
    kinds = {tag(name) for name in ("stock", "flow", "aux", "gf", "module", "group")}
    moved = 0
    for model in root.iter(tag("model")):
        loose = [child for child in model if child.tag in kinds]
        if not loose or model.find(tag("variables")) is not None:
            continue
        variables = model.makeelement(tag("variables"), {})
        model.insert(model.index(loose[0]), variables)
        for child in loose:
            variables.append(child)  # lxml moves an appended element
        moved += len(loose)
    return moved


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


#: A token of an equation: a quoted name (left as written), or a run of name characters
_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|[\w.$\']+')
#: XMILE's words pysd's equation grammar reads in one case only: the case it reads
_GRAMMAR_CASE = {"mod": "mod", "if": "IF", "then": "THEN", "else": "ELSE"}


def words_in_grammar_case(equation: str) -> str:
    """``equation`` with the operator MOD and the words of IF THEN ELSE written in the
    case pysd's grammar reads them.

    XMILE's builtin names are case-insensitive, and these words are reserved (no variable
    is named so without quotes); pysd's grammar reads ``mod`` in lower case only and
    ``IF``, ``THEN`` and ``ELSE`` in upper case only. Whole tokens are rewritten: names
    that contain the words (``model_mod``, ``MODx``) and quoted names are left as written.

    Examples
    --------
    >>> words_in_grammar_case('if model_mod MOD 3 > 1 then MODx else "a MOD b"')
    'IF model_mod mod 3 > 1 THEN MODx ELSE "a MOD b"'
    """
    def case(match: re.Match) -> str:
        token = match.group(0)
        return _GRAMMAR_CASE.get(token.lower(), token)

    return _TOKEN.sub(case, equation)


@contextlib.contextmanager
def _equations_rewritten(declared: dict, macros: dict):
    """pysd's XMILE translator, reading each equation as XMILE writes it: its grammar has
    no wildcard subscript ``*``, so every ``a[*]`` is written as the banged dimension it
    stands for (`xmile_wildcards.banged_wildcards`); it reads MOD, IF, THEN and ELSE
    in one case only (`words_in_grammar_case`); and it binds MOD below ``*`` and ``/``,
    where XMILE 1.0 gives the three one precedence (`xmile_precedence.mod_grouped`). An
    equation it cannot read is reported with its variable and, where the file is at fault
    (the exporting tool's ``???``, a call of a macro the file does not define), the cause
    (`xmile_equation_errors`)."""
    from parsimonious.exceptions import ParseError
    from pysd.translators.xmile import xmile_element
    from .xmile_equation_errors import check_equation, parse_error
    from .xmile_precedence import mod_grouped
    from .xmile_wildcards import banged_wildcards

    original = xmile_element.Element._smile_parser

    def parse(self, expression):
        check_equation(self.name, expression, macros)
        try:
            text = mod_grouped(words_in_grammar_case(expression))
            return original(self, banged_wildcards(text, declared))
        except ParseError as exc:
            raise parse_error(self.name, expression, exc) from None

    xmile_element.Element._smile_parser = parse
    try:
        yield
    finally:
        xmile_element.Element._smile_parser = original


@contextlib.contextmanager
def _lookup_calls_kept():
    """pysd's XMILE translator, reading XMILE's builtin ``LOOKUP(gf, x)``.

    pysd 3.14 builds a call whose name is one of its own structures as that structure;
    ``lookup`` is the one it builds graphical functions with, so ``LOOKUP(gf, x)`` fails
    (``LookupsStructure.__init__() missing 3 required positional arguments``). While the
    file is parsed, a call named ``lookup`` stays a call, which sdflow's translator reads
    (`sdflow.io.expressions`: the graphical function ``gf`` at x).
    """
    from pysd.translators.xmile import xmile_element

    original = xmile_element.EquationVisitor.visit_call

    def visit_call(self, n, vc):
        func = self.elements[vc[0]]
        if getattr(func, "reference", None) == "lookup":
            return self.add_element(xmile_element.structures["call"](
                func, self.elements[vc[4]]))
        return original(self, n, vc)

    xmile_element.EquationVisitor.visit_call = visit_call
    try:
        yield
    finally:
        xmile_element.EquationVisitor.visit_call = original


@contextlib.contextmanager
def _time_settings_read(equations: dict):
    """pysd's XMILE translator, making the time settings from sdflow's extension.

    pysd makes Vensim's control variables (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER)
    from the numbers of ``<sim_specs>`` (and drops auxiliaries of those names). A file
    `write_xmile` writes for a model whose settings change with TIME holds their
    equations in ``<sdflow:time_settings>`` (`sdflow.io.xmile_time_settings`): while the
    file is parsed, the control variables take those equations, which sdflow's importer
    re-reads along the run as it does Vensim's.
    """
    from pysd.translators.xmile import xmile_section

    original = xmile_section.Section._parse_control_vars

    def parse_control_vars(self):
        controls = original(self)
        for control in controls:
            if control.name in equations:
                control.eqn = equations[control.name]
        return controls

    xmile_section.Section._parse_control_vars = parse_control_vars
    try:
        yield
    finally:
        xmile_section.Section._parse_control_vars = original
