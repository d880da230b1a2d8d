"""The public site in a real browser: headless Chromium (selenium) runs axe-core on every page of
the site (every kind: the calendar, the meetings, the Strategy, agendas, papers) and requires no
WCAG 2.0/2.1 A or AA violation; every link on one page of each kind answers; screenshots of the meeting page and of one paper's
page are kept under out/test-artifacts/ (CI keeps them). .ci/run installs chromium and
chromium-driver; without them these tests skip."""

import functools
import shutil
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import ROOT
from .test_site import MEETING, site  # noqa: F401  (the fixture: the 3 December papers published, the site built)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                                 reason="chromium and chromium-driver not installed (.ci/run installs them)")]

ARTIFACTS = ROOT / "out" / "test-artifacts"
#: One page of each kind the public reads.
PAGES = {"calendar": "index.html", "meeting": f"{MEETING}/index.html", "strategy": "strategy.html",
         "agenda": f"{MEETING}/html/00-agenda.html",
         "paper": f"{MEETING}/html/01-update-report-on-scs-refresh-and-breckland-partnership.html"}
#: The WCAG 2.0 and 2.1 level A and AA rules (the axe-core that axe-selenium-python ships tags 2.1 rules wcag21aa).
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21aa"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):  # noqa: F811
    ws, _ = site
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(ws.dirs.out / "public")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def test_every_page_has_no_wcag_a_or_aa_violation(site, served, browser):  # noqa: F811
    from axe_selenium_python import Axe

    public = site[0].dirs.out / "public"
    pages = sorted(p.relative_to(public).as_posix() for p in public.rglob("*.html"))
    assert set(PAGES.values()) <= set(pages)  # every kind of page is among them
    checked = {}
    for page in pages:
        browser.get(served + page)
        axe = Axe(browser)
        axe.inject()
        results = axe.run(options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
        checked[page] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results["violations"]]
        assert results["passes"], f"axe checked nothing on {page}"
    assert checked == {page: [] for page in pages}, checked
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-pages.txt").write_text(f"{len(pages)} pages checked by axe-core, 0 violations:\n"
                                             + "".join(f"{page}\n" for page in pages))


def test_every_link_answers_and_the_pages_are_kept_as_screenshots(served, browser):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    links = set()
    for kind, page in PAGES.items():
        browser.get(served + page)
        assert browser.execute_script("return document.documentElement.lang") == "en-GB"
        for a in browser.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = a.get_attribute("href")
            if urlsplit(href).scheme in ("http", "https") and not urlsplit(href).fragment:
                links.add(urljoin(served + page, href))
        if kind in ("meeting", "paper"):
            browser.save_screenshot(str(ARTIFACTS / f"{kind}-page.png"))
    assert len(links) > 15
    for link in sorted(links):
        with urllib.request.urlopen(link, timeout=10) as answer:
            assert answer.status == 200, link
    assert (ARTIFACTS / "meeting-page.png").stat().st_size > 10_000
    assert (ARTIFACTS / "paper-page.png").stat().st_size > 10_000
