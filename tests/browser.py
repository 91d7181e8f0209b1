"""``nox -s browser``: a real ``server.html`` in headless Chromium, JavaScript off, no network.

A faulty Lago (the payable invoice refused: MUST findings) is served on 127.0.0.1 and checked by
the server suite through its command line; the report it writes is opened from disk in Debian's
Chromium (``$LAGO_CHROMIUM``), driven by Playwright with a fresh profile. The page must show the
verdict, the counts of ``server.json`` and the first finding; its matrix link must bring that
finding into view; and it must ask for nothing but itself. Screenshots go to reports/browser/.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance import dump_fixtures
from conformance._cli.main import main as lago_conformance
from conformance._mock.serve import serving
from tests.faulty_servers import API_KEY, FAULTS, FaultyLago

OUT = Path("reports/browser")
# What Chromium needs here: no sandbox (root, a container), no GPU, nothing fetched on its own.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
COUNTS = ("checks", "passed", "failed", "skipped", "accepted", "must", "should")


def faulty_report() -> dict[str, Any]:
    """Run the server suite against a faulty Lago; the JSON report it wrote beside server.html."""
    app = FaultyLago(next(fault for fault in FAULTS if fault.name == "payable-refused").run)
    OUT.mkdir(parents=True, exist_ok=True)
    fixtures = OUT / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures), encoding="utf-8")
    with serving(app) as url:
        code = lago_conformance([
            "server", "--base-url", f"{url}/api/v1", "--api-key", API_KEY,
            "--fixtures", str(fixtures), "--max-examples", "5", "--report-dir", str(OUT),
        ])  # fmt: skip
    assert code == 1, f"the faulty server's run exited {code}, not 1"
    data: dict[str, Any] = json.loads((OUT / "server.json").read_text(encoding="utf-8"))
    return data


def in_view(page: Any, selector: str) -> bool:
    """Whether the element's top is inside the viewport (not merely rendered somewhere)."""
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] < height


def check(page: Any, data: dict[str, Any]) -> list[str]:
    """Assert what a person must see; returns what was seen, for the log."""
    verdict = page.locator("#verdict")
    assert verdict.is_visible(), "the verdict is not visible"
    assert verdict.inner_text().strip() == "Verdict: NOT conformant", verdict.inner_text()
    cells = page.locator("#counts table td")
    shown = [cells.nth(i).inner_text().strip() for i in range(cells.count())]
    assert shown == [str(data["counts"][key]) for key in COUNTS], shown
    assert all(cells.nth(i).is_visible() for i in range(cells.count())), "counts hidden"
    first = next(f for result in data["results"] for f in result["findings"])
    title = page.locator("#finding-1 h3")
    assert title.inner_text().strip() == f"[{first['severity']}] {first['title']}"
    page.screenshot(path=str(OUT / "server.png"))
    assert not in_view(page, "#finding-1"), "the first finding is already in view: no scroll test"
    page.locator('a[href="#finding-1"]').first.click()
    assert in_view(page, "#finding-1"), "the matrix link did not bring the finding into view"
    assert title.is_visible()
    page.screenshot(path=str(OUT / "server-finding.png"))
    return [verdict.inner_text().strip(), " ".join(shown), title.inner_text().strip()]


def main() -> int:
    """Render the report, check it, write the screenshots; 0 when everything showed."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    data = faulty_report()
    page_url = (OUT / "server.html").resolve().as_uri()
    asked: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=os.environ.get("LAGO_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=ARGS,
            java_script_enabled=False,
            viewport={"width": 1280, "height": 900},
        )
        context.on("request", lambda request: asked.append(request.url))
        context.route("http*://**", lambda route: route.abort())  # nothing leaves the machine
        try:
            page = context.new_page()
            page.goto(page_url)
            seen = check(page, data)
            version = context.browser.version if context.browser else "?"
        finally:
            context.close()
    assert asked == [page_url], f"the page asked for more than itself: {asked}"
    for line in (f"Chromium {version}: {page_url}", *seen):
        print(f"browser: {line}")
    print(f"browser: screenshots in {OUT}/server.png and server-finding.png;"
          f" {time.monotonic() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
