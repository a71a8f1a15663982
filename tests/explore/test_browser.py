"""The explorer in a real headless browser: Debian's chromium driven by Playwright.

Skipped, with the reason shown, when chromium (``apt-get install chromium``) or the
playwright package (``pip install playwright``) is missing; Playwright's own browser
downloads are never used.
"""

from __future__ import annotations

import shutil

import pytest

from sdflow.explore import ExplorerApp, start_in_background
from sdflow.forecasting.examples import growth_model
from sdmodels.reference import bass

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed: pip install playwright")
if shutil.which("chromium") is None:
    pytest.skip("chromium is not installed: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page_of(browser):
    servers, pages = [], []

    def open_page(app):
        server = start_in_background(app)
        servers.append(server)
        page = browser.new_page()
        pages.append(page)
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_selector("body[data-runs='1']", timeout=30_000)
        return page

    yield open_page
    for page in pages:
        page.close()
    for server in servers:
        server.shutdown()
        server.server_close()


def current_path(page, chart=0) -> str:
    return page.get_attribute(f"#plot-{chart} path.current", "d")


def end_value(page, chart=0) -> float:
    return float(page.get_attribute(f"#plot-{chart} .end-value", "data-value"))


def test_moving_a_slider_redraws_the_plot(page_of):
    page = page_of(ExplorerApp(bass.build(), "sdmodels.reference.bass:build"))
    assert page.inner_text("#model-name").startswith("bass diffusion")
    before_path, before_end = current_path(page), end_value(page)
    baseline = page.get_attribute("#plot-0 path.baseline", "d")
    assert before_path == baseline          # at the defaults the run is the baseline
    slider = page.locator("input[data-name='imitation']")
    slider.focus()
    for _ in range(40):                    # 40 steps of (0.76 - 0) / 200 down
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.body.dataset.runs >= 2 && "
                           "!document.getElementById('status').textContent.includes('running')")
    page.wait_for_function(f"document.querySelector('#plot-0 .end-value').dataset.value "
                           f"!= '{before_end}'")
    assert float(slider.input_value()) == pytest.approx(0.38 - 40 * 0.76 / 200)
    after_path = current_path(page)
    assert after_path != before_path
    assert page.get_attribute("#plot-0 path.baseline", "d") == baseline
    assert end_value(page) < before_end    # less word of mouth, fewer adopters by year 20
    assert page.locator(".control .name.changed").count() == 1


def test_policy_year_fan_loops_and_export_in_the_page(page_of):
    page = page_of(ExplorerApp(growth_model(0.02), "sdflow.forecasting.examples:growth_model",
                               {"rate": 0.02}))
    slider = page.locator("input[data-name='rate']")
    slider.focus()
    page.keyboard.press("End")             # the top of the range: 0.04
    page.wait_for_function("document.body.dataset.runs >= 2")
    page.wait_for_function("Number(document.querySelector('#plot-0 .end-value')"
                           ".dataset.value) > 1.4")
    # Euler, dt 1: (1 + 0.04) ** 10
    assert end_value(page) == pytest.approx(1.04 ** 10, rel=1e-9)
    runs = int(page.evaluate("document.body.dataset.runs"))
    page.check("#use-policy-year")
    page.wait_for_function(f"document.body.dataset.runs > {runs}")
    page.wait_for_function("Number(document.querySelector('#plot-0 .end-value')"
                           ".dataset.value) < 1.4")
    year = float(page.input_value("#policy-year"))
    assert year == 2025.0                  # the middle of 2020-2030
    assert end_value(page) == pytest.approx(1.02 ** 5 * 1.04 ** 5, rel=1e-9)

    page.click("#fan-draw")
    page.wait_for_selector("#fan svg path.band90")
    assert "200 runs" in page.inner_text("#fan")

    page.click("#loops-draw")
    page.wait_for_selector("#loops table")
    assert "reinforcing" in page.inner_text("#loops")
    page.wait_for_selector("#diagram svg[data-kind='stock_flow']")  # drawn on opening
    page.click("#loops tr.clickable")       # the loop R1 alone, as a causal loop diagram
    page.wait_for_selector("#diagram svg[data-kind='causal_loop']")
    assert "R1" in page.inner_text("#diagram")

    page.click("#export")
    page.wait_for_selector("#export-text:not([hidden])")
    text = page.inner_text("#export-text")
    assert 'target = "sdflow.forecasting.examples:growth_model"' in text
    assert '{ "lever" = "rate", "at" = 2025.0, "to" = 0.04 }' in text
