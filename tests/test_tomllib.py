"""Python 3.10 support: ``requires-python >= 3.10`` but ``tomllib`` only exists from 3.11.

Every TOML reader goes through ``sdflow._tomllib``, which takes ``tomli`` on 3.10; the
package declares that dependency for those Pythons only.
"""

import importlib.util
import re
import sys
import types
from pathlib import Path

from sdflow._tomllib import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_tomllib_but_the_import_site():
    direct = re.compile(r"^\s*(import tomllib|from tomllib import)", re.MULTILINE)
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "src" / "sdflow").rglob("*.py")
                 if path.name != "_tomllib.py" and direct.search(path.read_text())]
    assert offenders == []


def test_python_3_10_reads_toml_with_tomli(monkeypatch):
    fake_tomli = types.ModuleType("tomli")
    fake_tomli.loads, fake_tomli.TOMLDecodeError = tomllib.loads, tomllib.TOMLDecodeError
    monkeypatch.setitem(sys.modules, "tomli", fake_tomli)
    monkeypatch.setattr(sys, "version_info", (3, 10, 14, "final", 0))
    path = ROOT / "src" / "sdflow" / "_tomllib.py"
    loader = importlib.util.spec_from_file_location("tomllib_on_3_10", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    assert module.tomllib is fake_tomli


def test_pyproject_declares_tomli_below_python_3_11():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    from packaging.requirements import Requirement
    requirements = [Requirement(text) for text in project["dependencies"]]
    [tomli] = [r for r in requirements if r.name == "tomli"]
    assert tomli.marker.evaluate({"python_version": "3.10"})
    assert not tomli.marker.evaluate({"python_version": "3.11"})
