"""Find the model a spec or a command line names: ``package.module:attr``,
``path/to/file.py:attr`` or a Vensim/XMILE model file.

Examples
--------
>>> load_model("sdmodels.reference.bass:build", {"stop": 5}).stop
5.0
>>> load_model("/etc/hostname")
Traceback (most recent call last):
...
sdflow.forecasting.targets.TargetError: '/etc/hostname' is neither a Python file (.py) nor a model file (.mdl, .xmile, .xml, .stmx); give path/to/file.py:ATTR, MODULE:ATTR or a model file
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path

from ..dsl.model import Model
from ..errors import SdflowError


#: Suffixes of model files read through `sdflow.io` (Vensim, XMILE).
MODEL_FILES = (".mdl", ".xmile", ".xml", ".stmx")


class TargetError(SdflowError):
    """The MODULE:ATTR given on the command line or in a spec does not lead to a model."""


def load_model(target: str, options: dict | None = None) -> Model:
    """The `Model` named by ``target``: a Model object, or a factory called with
    ``options`` (e.g. a ``build(**options)`` function), or a Vensim/XMILE model file."""
    if Path(target).suffix.lower() in MODEL_FILES:
        if options:
            raise TargetError(f"'{target}' is a model file; --option needs a factory")
        from ..io import read_model
        return read_model(target)
    module_name, _, attr = target.partition(":")
    if not module_name:
        raise TargetError(f"'{target}' names no module; write MODULE:ATTR, e.g. "
                          "sdmodels.reference.bass:build")
    attr = attr or "build"
    if module_name.endswith(".py") or "/" in module_name:
        module = _module_from_file(target, Path(module_name))
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise TargetError(f"cannot import module '{module_name}' ({exc}); check the "
                              "spelling and that it is installed or on PYTHONPATH") from None
    try:
        obj = getattr(module, attr)
    except AttributeError:
        public = [n for n in dir(module) if not n.startswith("_")]
        raise TargetError(f"module '{module_name}' has no attribute '{attr}'; it has "
                          f"{public[:20]}") from None
    if isinstance(obj, Model):
        if options:
            raise TargetError(f"'{target}' is a Model object; --option needs a factory")
        return obj
    if callable(obj):
        try:
            inspect.signature(obj).bind(**(options or {}))
        except TypeError as exc:
            raise TargetError(f"'{target}' does not accept these options: {exc}") from None
        model = obj(**(options or {}))
        if isinstance(model, Model):
            return model
        raise TargetError(f"'{target}' returned {type(model).__name__}, not a sdflow Model")
    raise TargetError(f"'{target}' is a {type(obj).__name__}, not a Model or a factory")


def _module_from_file(target: str, path: Path):
    if not path.exists():
        raise TargetError(f"file {path} does not exist")
    if path.suffix != ".py" or path.is_dir():
        raise TargetError(f"'{target}' is neither a Python file (.py) nor a model file "
                          f"({', '.join(MODEL_FILES)}); give path/to/file.py:ATTR, "
                          "MODULE:ATTR or a model file")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:  # the modeller's file, not sdflow: say where
        raise TargetError(f"{exc.filename or path}, line {exc.lineno}: {exc.msg}; fix the "
                          "model file") from None
    return module
