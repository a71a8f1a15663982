"""The documentation site builds with warnings as errors, and every tutorial's code runs.

The tutorials' outputs (``pycon`` blocks) are checked as doctests; the numbers in them come
from the models that ship with the project and are checked elsewhere against outside
sources (see each tutorial's text and the tests of those models).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIALS = sorted(p.stem for p in (DOCS / "tutorials").glob("*.md"))


def _tutorial_runner():
    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _tutorial_runner()


def test_the_four_tutorials_exist():
    assert TUTORIALS == ["calibration", "loops", "policy_workflow", "vensim_to_sdflow"]


@pytest.mark.parametrize("tutorial", TUTORIALS)
def test_tutorial_code_runs(tutorial, tmp_path):
    page = DOCS / "tutorials" / f"{tutorial}.md"
    assert len(runner.code_blocks(page)) >= 5, "a tutorial is mostly code that runs"
    failures = runner.run_tutorial(page, tmp_path)
    assert not failures, "".join(failures)
    for name in runner.shown_figures(page):   # the page's code draws every figure it shows
        assert (tmp_path / name).is_file(), f"no code in {page.name} saves {name}"


def test_start_page_code_runs(tmp_path):
    page = DOCS / "index.md"
    assert runner.code_blocks(page)
    assert not runner.run_tutorial(page, tmp_path)


def test_tutorial_runner_checks_output_and_shares_state(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nx = 2\n```\n\n```pycon\n>>> x + 1\n4\n```\n\n"
                    "```bash\nnot run\n```\n")
    assert [b[:2] for b in runner.code_blocks(page)] == [("python", 4), ("pycon", 8)]
    [failure] = runner.run_tutorial(page, tmp_path)
    assert "page.md" in failure and "Expected:\n    4\nGot:\n    3" in failure


def test_tutorial_figures_exist():
    # docs/make_figures.py writes them; a missing one also fails the Sphinx build (-W).
    for tutorial in TUTORIALS:
        for name in runner.shown_figures(DOCS / "tutorials" / f"{tutorial}.md"):
            assert (DOCS / "figures" / name).is_file(), f"{tutorial}.md shows {name}"


def test_docs_build_with_warnings_as_errors(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra is not installed "
                        "(pip install -e '.[docs]'): the documentation site is not built")
    pytest.importorskip("myst_parser", reason="the docs extra is not installed "
                        "(pip install -e '.[docs]'): the documentation site is not built")
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    html = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(tmp_path / "doctrees"), str(DOCS), str(html)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stdout[-4000:]}{done.stderr[-8000:]}"
    for page in ["index", "api", "conformance", *(f"tutorials/{t}" for t in TUTORIALS)]:
        assert (html / f"{page}.html").is_file(), page
    # The reference is generated from the docstrings: the public names appear with them.
    model_page = (html / "api" / "sdflow.Model.html").read_text()
    assert "Examples" in model_page and "simulate" in model_page
    assert (html / "api" / "sdflow.calibrate.calibrate.html").is_file()
    assert (html / "api" / "sdflow.forecasting.Scenario.html").is_file()
