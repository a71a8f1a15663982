"""``read_vensim`` and ``read_xmile``: model files in, sdflow models out."""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

from ..dsl.model import Model
from ..names import name_key
from ..errors import ImportModelError, UnitError, UnitsDroppedWarning
from .pysd_xmile import wrap_draft_variables, xmile_translator_fixes
from .xmile_equation_errors import xmile_macro_names
from .xmile_time_settings import read_time_settings


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
                wrap_draft_variables(source.xmile_root)
                with xmile_translator_fixes(xmile_declared_dims(path),
                                            read_time_settings(path),
                                            xmile_macro_names(source.xmile_root)):
                    source.parse()
            return source.get_abstract_model()
    except ImportModelError as exc:
        raise exc.with_file(path) from None
    except Exception as exc:  # the parsers raise many kinds; report the first lines
        text = " ".join(str(exc).split())[:600]
        raise ImportModelError(f"cannot parse the model: {text}", file=path) from None


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


def xmile_graph_points(path) -> dict[str, list[float]]:
    """Name key -> the x points (``<xpts>``) of each variable's own graphical function.

    XMILE places a graphical function's points at its ``<xpts>`` when it has them
    (``<xscale>`` is then only the axis); pysd's translator spaces them evenly over
    ``<xscale>`` whenever that is present, so the points are read here. Graphical
    functions given element by element are left to the translator.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.xmile"
    >>> _ = path.write_text('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">'
    ...     '<model><variables><aux name="effect_of_x"><eqn>x</eqn><gf><xscale min="0" '
    ...     'max="10"/><xpts>0,4,10</xpts><ypts>0,2,5</ypts></gf></aux></variables>'
    ...     '</model></xmile>')
    >>> xmile_graph_points(path)
    {'effect of x': [0.0, 4.0, 10.0]}
    """
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return {}  # the translator reports a file it cannot read

    def local(node):
        return node.tag.rsplit("}", 1)[-1]

    points = {}
    for node in root.iter():
        if local(node) not in ("aux", "flow", "stock", "gf") or "name" not in node.attrib:
            continue
        gf = node if local(node) == "gf" else next(
            (child for child in node if local(child) == "gf"), None)
        xpts = None if gf is None else next((c for c in gf if local(c) == "xpts"), None)
        if xpts is None or not (xpts.text or "").strip():
            continue
        sep = xpts.attrib.get("sep", ",")
        try:
            points[name_key(node.attrib["name"])] = [float(v) for v in xpts.text.split(sep)]
        except ValueError:
            raise ImportModelError(f"variable '{node.attrib['name']}': <xpts> "
                                   f"{xpts.text.strip()!r} are not numbers separated by "
                                   f"{sep!r}", node.attrib["name"], file=path) from None
    return points


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


def _build(path, kind: str, data_files=None) -> Model:
    from .builder import ModelBuilder
    from .run_data import data_file_paths
    data_files = data_file_paths(data_files, Path(path).parent)
    abstract = _abstract_model(path, kind)
    declared = xmile_declared_dims(path) if kind == "xmile" else {}
    points = xmile_graph_points(path) if kind == "xmile" else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ModelBuilder(abstract, Path(path), declared_dims=declared,
                                 graph_points=points, data_files=data_files).build()
            problems = [e for e in model.check(raise_on_error=False).errors
                        if isinstance(e, UnitError)]
            if problems:
                # the reference tool ran this model: units never stop it from running here
                model = ModelBuilder(abstract, Path(path), units=False,
                                     declared_dims=declared, graph_points=points,
                                     data_files=data_files).build()
    except ImportModelError as exc:
        raise exc.with_file(path) from None
    if problems:
        warnings.warn(f"{path}: the model's units do not pass sdflow's unit check, so they "
                      f"are dropped ({len(problems)} problem(s), first: {problems[0]})",
                      UnitsDroppedWarning, stacklevel=3)
    return model


def read_vensim(path, data_files=None) -> Model:
    """Import a Vensim ``.mdl`` model as a sdflow `Model`.

    The file is parsed by pysd's Vensim translator; every equation is rebuilt from its
    syntax tree as sdflow expressions (subscripts become named dimensions, lookups,
    delays, smooths, external data and macros are supported). A construct sdflow cannot
    reproduce raises `ImportModelError` naming the file, the variable and the function.

    ``data_files`` (a path or a list, relative to the model's folder) are the run's data
    files, as Vensim is given them: tables (``.tab``/``.csv``, times down the first
    column, a column ``name[element, ...]`` per element, such as another run's output)
    from which data variables without a source (``x[dim] :HOLD BACKWARD:``) take their
    values, read between their times as their keyword says (`sdflow.io.run_data`).

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
    return _build(path, "vensim", data_files)


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


def read_model(path, data_files=None) -> Model:
    """`read_vensim` or `read_xmile`, chosen by the file's extension.

    Parameters
    ----------
    path : str or Path
        A Vensim ``.mdl`` file, or an XMILE ``.xmile``/``.xml``/``.stmx``/``.itmx`` file.
    data_files : str, Path or list, optional
        A Vensim model's run data files (see `read_vensim`); XMILE has no data
        variables read from them.

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
        return read_vensim(path, data_files)
    if suffix in (".xmile", ".xml", ".stmx", ".itmx"):
        if data_files:
            raise ImportModelError("data_files are for Vensim models (their data variables "
                                   "without a source); an XMILE model reads none", file=path)
        return read_xmile(path)
    raise ImportModelError(f"unknown model file type '{suffix}'; use .mdl "
                           "(Vensim) or .xmile (XMILE)", file=path)
