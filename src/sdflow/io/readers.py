"""``read_vensim`` and ``read_xmile``: model files in, sdflow models out."""

from __future__ import annotations

import codecs
import contextlib
import re
import warnings
from pathlib import Path

from ..dsl.model import Model
from ..names import name_key
from ..errors import ImportModelError, UnitError, UnitsDroppedWarning


def _declared_encoding(path: Path) -> str | None:
    """The encoding a Vensim file declares on its first line (``{UTF-8}``), or None.

    Read here because pysd, given no encoding, runs chardet on that line, and chardet's
    first call costs a tenth of a second. Anything but a plain ``{name}`` of a known codec
    is left to pysd.
    """
    with path.open("rb") as file:
        first = file.readline()
    match = re.fullmatch(rb"(?:\xef\xbb\xbf)?\{([A-Za-z0-9_.:-]+)\}\s*", first)
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _abstract_model(path, kind: str):
    path = Path(path)
    if not path.exists():
        raise ImportModelError(f"model file {path} does not exist", file=path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "vensim":
                from pysd.translators.vensim.vensim_file import VensimFile
                source = VensimFile(path, encoding=_declared_encoding(path))
                source.parse()
            else:
                from pysd.translators.xmile.xmile_file import XmileFile
                source = XmileFile(path)
                with _stock_elements_read(), _names_unescaped(), \
                        _wildcards_banged(xmile_declared_dims(path)):
                    source.parse()
            return source.get_abstract_model()
    except ImportModelError as exc:
        raise exc.with_file(path) from None
    except Exception as exc:  # the parsers raise many kinds; report the first lines
        text = " ".join(str(exc).split())[:600]
        raise ImportModelError(f"cannot parse the model: {text}", file=path) from None


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


def xmile_declared_dims(path) -> dict[str, list[str]]:
    """Name key -> the dimensions an XMILE file declares for each arrayed variable.

    pysd passes on only the element names of a variable defined element by element, and
    two ranges may hold the same names (``DimB`` a copy of ``DimA``): the declaration
    says which one the variable is arrayed over.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.xmile"
    >>> _ = path.write_text('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">'
    ...     '<model><variables><aux name="flow_in"><dimensions><dim name="DimB"/>'
    ...     '</dimensions><eqn>1</eqn></aux></variables></model></xmile>')
    >>> xmile_declared_dims(path)
    {'flow in': ['DimB']}
    """
    import xml.etree.ElementTree as ET
    from .xmile_equations import read_attribute_name
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return {}  # the translator reports a file it cannot read
    declared = {}
    for node in root.iter():
        if node.tag.rsplit("}", 1)[-1] not in ("aux", "flow", "stock") or "name" not in node.attrib:
            continue
        dims = [child for child in node if child.tag.rsplit("}", 1)[-1] == "dimensions"]
        if dims:
            declared[name_key(read_attribute_name(node.attrib["name"]))] = [
                d.attrib.get("name", "") for d in dims[0] if d.tag.rsplit("}", 1)[-1] == "dim"]
    return declared


def xmile_save_interval(path) -> float | None:
    """The save interval an XMILE file states, or None.

    XMILE 1.0 has no save interval; Stella and Simlin write it as the ``save_interval``
    attribute of ``<sim_specs>`` in isee's namespace (``isee:save_interval="2"``), and
    pysd's translator ignores it, so it is read here.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.xmile"
    >>> _ = path.write_text('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" '
    ...     'xmlns:isee="http://iseesystems.com/XMILE"><sim_specs isee:save_interval="2">'
    ...     '<start>0</start><stop>4</stop><dt>1</dt></sim_specs></xmile>')
    >>> xmile_save_interval(path)
    2.0
    """
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None  # the translator reports a file it cannot read
    for node in root.iter():
        if node.tag.rsplit("}", 1)[-1] != "sim_specs":
            continue
        for attribute, value in node.attrib.items():
            if attribute.rsplit("}", 1)[-1] == "save_interval":
                try:
                    return float(value)
                except ValueError:
                    raise ImportModelError(
                        f"<sim_specs> save_interval={value!r} is not a number",
                        file=path) from None
    return None


def _apply_save_interval(model: Model, path) -> None:
    from ..dsl.model import validate_time_settings
    from ..errors import TimeSettingsError
    saveper = xmile_save_interval(path)
    if saveper is None or saveper == model.dt:
        return
    try:
        validate_time_settings(model.start, model.stop, model.dt, saveper)
    except TimeSettingsError as exc:
        warnings.warn(f"{path}: the save interval is not used, results are saved every "
                      f"dt={model.dt:g} ({exc})", stacklevel=4)
        return
    model.saveper = saveper


def _build(path, kind: str) -> Model:
    from .builder import ModelBuilder
    abstract = _abstract_model(path, kind)
    declared = xmile_declared_dims(path) if kind == "xmile" else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ModelBuilder(abstract, Path(path), declared_dims=declared).build()
            problems = [e for e in model.check(raise_on_error=False).errors
                        if isinstance(e, UnitError)]
            if problems:
                # the reference tool ran this model: units never stop it from running here
                model = ModelBuilder(abstract, Path(path), units=False,
                                     declared_dims=declared).build()
    except ImportModelError as exc:
        raise exc.with_file(path) from None
    if problems:
        warnings.warn(f"{path}: the model's units do not pass sdflow's unit check, so they "
                      f"are dropped ({len(problems)} problem(s), first: {problems[0]})",
                      UnitsDroppedWarning, stacklevel=3)
    return model


def read_vensim(path) -> Model:
    """Import a Vensim ``.mdl`` model as a sdflow `Model`.

    The file is parsed by pysd's Vensim translator; every equation is rebuilt from its
    syntax tree as sdflow expressions (subscripts become named dimensions, lookups,
    delays, smooths, external data and macros are supported). A construct sdflow cannot
    reproduce raises `ImportModelError` naming the file, the variable and the function.

    Examples
    --------
    >>> import pathlib, tempfile, sdflow as sf
    >>> text = '''
    ... decay = stock * 0.1 ~ ~|
    ... stock = INTEG(-decay, 100) ~ ~|
    ... INITIAL TIME = 0 ~ ~|
    ... FINAL TIME = 10 ~ ~|
    ... TIME STEP = 1 ~ ~|
    ... SAVEPER = TIME STEP ~ ~|
    ... '''
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "decay.mdl"
    >>> _ = path.write_text(text)
    >>> m = sf.read_vensim(path)
    >>> round(float(m.simulate()["stock"][-1]), 4)  # 100 * 0.9 ** 10
    34.8678
    """
    return _build(path, "vensim")


def read_xmile(path) -> Model:
    """Import an XMILE (``.xmile``/``.xml``, Stella/iThink) model as a sdflow `Model`.

    Examples
    --------
    >>> import pathlib, tempfile, sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=1)
    >>> x = m.stock("x", initial=100)
    >>> _ = m.flow("decay", 0.1 * x, source=x)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "decay.xmile"
    >>> sf.write_xmile(m, path)
    >>> round(float(sf.read_xmile(path).simulate()["x"][-1]), 4)
    34.8678
    """
    model = _build(path, "xmile")
    _apply_save_interval(model, path)
    return model


def read_model(path) -> Model:
    """`read_vensim` or `read_xmile`, chosen by the file's extension.

    Parameters
    ----------
    path : str or Path
        A Vensim ``.mdl`` file, or an XMILE ``.xmile``/``.xml``/``.stmx``/``.itmx`` file.

    Returns
    -------
    Model

    Raises
    ------
    ImportModelError
        For any other extension (and the errors of the reader chosen).

    Examples
    --------
    >>> import pathlib, tempfile, sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=1)
    >>> x = m.stock("x", initial=100)
    >>> _ = m.flow("decay", 0.1 * x, source=x)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sf.write_xmile(m, folder / "decay.xmile")
    >>> round(float(read_model(folder / "decay.xmile").simulate()["x"][-1]), 4)
    34.8678
    >>> read_model(folder / "decay.txt")
    Traceback (most recent call last):
    ...
    sdflow.errors.ImportModelError: ...decay.txt: unknown model file type '.txt'; ...
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".mdl":
        return read_vensim(path)
    if suffix in (".xmile", ".xml", ".stmx", ".itmx"):
        return read_xmile(path)
    raise ImportModelError(f"unknown model file type '{suffix}'; use .mdl "
                           "(Vensim) or .xmile (XMILE)", file=path)
