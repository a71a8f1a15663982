"""Notebook display: `Model._repr_html_` and `Results._repr_html_`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import sdflow as sf
from sdflow.analyse.diagrams import dot_available
from sdflow.analyse.display import model_html
from sdmodels.reference import sir

#: elements without an end tag in HTML
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class BalanceChecker(HTMLParser):
    """Parses HTML and records every end tag that does not close the open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.mismatches: list[tuple[str, list[str]]] = []
        self.script_tags = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.script_tags += tag == "script"
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.mismatches.append((tag, list(self.open)))
        else:
            self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> BalanceChecker:
    checker = BalanceChecker()
    checker.feed(page)
    checker.close()
    assert checker.mismatches == [] and checker.open == []
    return checker


def test_model_html_lists_every_variable_by_kind():
    model = sir.build()
    page = model._repr_html_()
    text = "".join(parse(page).text)
    for variable in model.variables:
        assert variable.name in text
    assert "Stocks (3)" in text and "Flows (2)" in text and "Constants (3)" in text
    assert "susceptible * infectious / total population * contact infectivity" in text
    assert "person/day" in text and "new infections per day" in text
    # the loops table of sf.loops (SIR is small)
    assert "Feedback loops (3)" in text and "infectious \u2192 succumbing" in text


def test_model_text_is_escaped():
    m = sf.Model("<script>alert('model')</script>", start=0, stop=1, dt=0.5)
    x = m.stock("<script>alert(1)</script>", initial=1.0, units="widget",
                doc="<img src=x onerror=alert(2)> & more")
    m.flow("drain", x * 0.5, source=x, units="widget/time", doc="</td></tr></table>")
    page = model_html(m)
    checker = parse(page)
    assert checker.script_tags == 0 and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = "".join(checker.text)
    assert "<script>alert(1)</script> * 0.5" in text  # shown as written, inert
    assert "</td></tr></table>" in text


def test_large_models_skip_loops_and_diagram():
    text = "".join(parse(model_html(sir.build(), size_limit=5)).text)
    assert "Feedback loops" not in text
    assert "not shown for a model of more than 5 variables" in text


def test_model_that_does_not_check_still_displays():
    m = sf.Model("broken", start=0, stop=1, dt=0.5)
    x = m.stock("x", initial=1.0)
    m.flow("out", x * m.ref("missing rate"), source=x)
    text = "".join(parse(model_html(m)).text)
    assert "The model does not check" in text and "missing rate" in text


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not installed "
                    "(apt-get install graphviz): no inline diagram")
def test_small_model_shows_its_diagram_inline():
    page = sir.build()._repr_html_()
    assert "<svg" in page and "<?xml" not in page and "<!DOCTYPE" not in page
    assert "recovering (flow) = infectious / duration" in page  # a tooltip


def test_results_display_is_xarrays():
    run = sir.build().simulate()
    page = run._repr_html_()
    # xarray gives each section a fresh uuid on every call
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert uuid.sub("-", page) == uuid.sub("-", run.dataset._repr_html_())
    assert "xr-wrap" in page and "succumbing" in page
