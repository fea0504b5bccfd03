"""The clerk's desk in a real browser: headless Chromium (Debian's chromium and
chromium-driver) through selenium, against the desk served by uvicorn.

TOOLKIT_SCREENSHOTS=1 writes the README's screenshots to docs/images/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs chromium and chromedriver (apt install chromium chromium-driver)")]
webdriver = pytest.importorskip("selenium.webdriver")

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "examples" / "dingshan-units.csv"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The desk served on a free local port, for the module."""
    import uvicorn

    from toolkit.app.web import create_app

    folder = tmp_path_factory.mktemp("desk")
    app = create_app("dingshan-2026", UNITS, folder / "台账.db", period="2026Q2", due="2026-12-31")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--lang=zh-CN"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    from toolkit.api import simulate_returns

    folder = tmp_path_factory.mktemp("returns")
    simulate_returns("dingshan-2026", UNITS, "2026Q2", folder, n=11, seed=5, error_rate=0.3)
    return sorted(folder.glob("*.xlsx"))


def _wait(condition, timeout=120):
    """Poll ``condition`` until true. While the page reloads, what was read may belong to the document being
    replaced (stale, or "does not belong to the document"): it is read again, and the last such error is shown
    if time runs out."""
    from selenium.common.exceptions import WebDriverException

    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            value = condition()
        except WebDriverException as exc:
            value, last = None, exc
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out; last error: {last!r}")


def _count(browser, element_id: str) -> int:
    """The number a page shows in element `element_id`, read in one step inside the page (no element handle to
    go stale while it reloads); -1 while the element is not there."""
    text = browser.execute_script(f"var e = document.getElementById({element_id!r}); return e ? e.textContent : null")
    return int(text) if text and text.strip().isdigit() else -1


def _shot(driver, name):
    if os.environ.get("TOOLKIT_SCREENSHOTS"):
        (ROOT / "docs" / "images").mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ROOT / "docs" / "images" / name))


def test_upload_watch_statuses_download(desk, browser, returns):
    import json
    import urllib.request

    from selenium.webdriver.common.by import By

    browser.get(f"{desk}/period?period=2026Q2")
    assert int(browser.find_element(By.ID, "n-missing").text) >= len(returns)  # nothing received yet
    returns = returns[:-1]  # the last one arrives in the next test
    browser.get(f"{desk}/upload?period=2026Q2")
    picker = browser.find_element(By.ID, "files")
    picker.send_keys("\n".join(str(p) for p in returns))  # the page's <input type="file" multiple>
    form = browser.find_element(By.ID, "upload")
    _wait(lambda: form.get_attribute("data-done") == "1")
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == len(returns)
    shown = {r.find_elements(By.TAG_NAME, "td")[0].text: r.get_attribute("data-status") for r in rows}
    assert set(shown) == {p.name for p in returns}
    assert "rejected" in shown.values() and "used" in shown.values()
    assert any("错误" in r.text for r in rows)  # findings in words, with sheet and cell
    assert browser.find_element(By.ID, "progress").get_attribute("value") == "100"
    _shot(browser, "desk-upload.png")

    # the API answers as the CLI does for the same files
    with urllib.request.urlopen(f"{desk}/api/status?period=2026Q2") as answer:
        status = json.load(answer)
    used = sum(1 for v in shown.values() if v == "used")
    browser.get(f"{desk}/period?period=2026Q2")
    counts = {k: int(browser.find_element(By.ID, f"n-{k}").text) for k in ("on_time", "late", "rejected", "missing")}
    received = sum(1 for u in status["units"] if u["status"] == "received")
    assert counts["on_time"] + counts["late"] == received == used
    assert counts["missing"] == sum(1 for u in status["units"] if u["status"] == "missing")
    _shot(browser, "desk-period.png")

    browser.get(f"{desk}/downloads?period=2026Q2")
    browser.find_element(By.PARTIAL_LINK_TEXT, "汇总").click()
    target = browser.downloads / "汇总_2026Q2.xlsx"  # the Chinese name, as the browser saved it
    _wait(lambda: target.exists() and not list(browser.downloads.glob("*.crdownload")))
    import openpyxl

    book = openpyxl.load_workbook(target, read_only=True)
    assert "领导总览" in book.sheetnames

    browser.get(f"{desk}/indicators?period=2026Q2")  # the overview, its trend drawn from the ledger
    assert browser.find_elements(By.CSS_SELECTOR, "svg.trend polyline")
    _shot(browser, "desk-indicators.png")
    assert browser.find_elements(By.CSS_SELECTOR, "tr.s-met") or browser.find_elements(By.CSS_SELECTOR, "tr.s-missed")


def test_page_refreshes_when_a_file_arrives(desk, browser, returns):
    import urllib.request
    import uuid

    browser.get(f"{desk}/period?period=2026Q2")
    before = _count(browser, "n-files")
    assert before >= 0
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{returns[-1].name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + returns[-1].read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{desk}/api/returns?period=2026Q2", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    urllib.request.urlopen(request).read()
    _wait(lambda: _count(browser, "n-files") > before, timeout=30)
