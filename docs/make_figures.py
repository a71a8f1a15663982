"""Run the tutorials' code; with no arguments, regenerate their figures in docs/figures.

Every ``python`` and ``pycon`` code block of a tutorial runs, in the order of the page and
in one namespace, as a reader would type it: ``python`` blocks are executed, ``pycon``
blocks (with ``>>>`` prompts) run as doctests, so the output they show is checked. The
tutorials save their own figures (``fig.savefig("fan_chart.png")``); this script runs them
in a scratch folder and copies the images each page shows (``../figures/NAME.png``) into
docs/figures, so the figures cannot drift from the code. ``tests/test_docs.py`` runs the same blocks in a
temporary folder.

Usage::

    python docs/make_figures.py            # all tutorials
    python docs/make_figures.py loops      # docs/tutorials/loops.md only
"""

from __future__ import annotations

import contextlib
import doctest
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIALS = DOCS / "tutorials"
FIGURES = DOCS / "figures"

# A fenced block opens with ```python or ```pycon at the start of a line and closes with ```.
_FENCE = re.compile(r"^```(?P<language>python|pycon)[ \t]*\n(?P<source>.*?)^```[ \t]*$",
                    re.S | re.M)
_SHOWN_FIGURE = re.compile(r"\(\.\./figures/([\w.-]+\.png)\)")
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def code_blocks(path: Path) -> list[tuple[str, int, str]]:
    """The runnable blocks of a Markdown page: ``(language, first line, source)``."""
    text = path.read_text(encoding="utf-8")
    return [(match["language"], text.count("\n", 0, match.start("source")) + 1,
             match["source"]) for match in _FENCE.finditer(text)]


@contextlib.contextmanager
def _working_directory(path: Path):
    # contextlib.chdir exists from Python 3.11 on; the project supports 3.10.
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def shown_figures(path: Path) -> list[str]:
    """File names of the figures a page shows from docs/figures."""
    return sorted(set(_SHOWN_FIGURE.findall(path.read_text(encoding="utf-8"))))


def run_tutorial(path: Path, workdir: Path) -> list[str]:
    """Run every code block of ``path`` in ``workdir``; the failures, as doctest reports.

    An exception in a ``python`` block propagates, with the page and line in its traceback.
    """
    parser = doctest.DocTestParser()
    failures: list[str] = []
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    namespace: dict = {"__name__": f"tutorial_{path.stem}"}
    with _working_directory(workdir):
        for language, line, source in code_blocks(path):
            where = f"{path.name}:{line}"
            if language == "python":
                exec(compile(source, f"{path}:{line}", "exec"), namespace)  # noqa: S102
                continue
            # A DocTest copies its globals: pass the shared namespace in and take it back.
            test = parser.get_doctest(source, namespace, where, str(path), line - 1)
            runner.run(test, out=failures.append, clear_globs=False)
            namespace.update(test.globs)
    return failures


def main(names: list[str]) -> int:
    import matplotlib

    matplotlib.use("Agg")
    pages = [TUTORIALS / f"{name}.md" for name in names] or sorted(TUTORIALS.glob("*.md"))
    FIGURES.mkdir(exist_ok=True)
    status = 0
    for page in pages:
        with tempfile.TemporaryDirectory() as scratch:
            failures = run_tutorial(page, Path(scratch))
            if failures:
                print(f"{page.relative_to(DOCS)}: FAILED\n" + "".join(failures))
                status = 1
                continue
            for name in shown_figures(page):
                shutil.copyfile(Path(scratch) / name, FIGURES / name)
                print(f"wrote {(FIGURES / name).relative_to(DOCS.parent)}")
    return status


if __name__ == "__main__":
    sys.path[:0] = [str(DOCS.parent / "src"), str(DOCS.parent)]
    os.environ.setdefault("MPLBACKEND", "Agg")
    raise SystemExit(main(sys.argv[1:]))
