"""``nox -s browser``: real ``server.html`` reports in headless Chromium, JavaScript off, no network.

Two faulty Lagos are served on 127.0.0.1 in turn and checked by the server suite through its
command line: one refuses the payable invoice (MUST findings), one echoes any ``Origin`` with
credentials allowed (SHOULD findings decided by two headers alone, run at ``--fail-on should``).
Each report is opened from disk in Debian's Chromium (``$LAGO_CHROMIUM``), driven by Playwright
with a fresh profile, in a 1280 x 800 window. The first screen, before any scroll, must show the
verdict and the first finding (for the second, the headers that decided, highlighted); the
counts must be those of ``server.json``; the matrix is folded until asked for, and its link
brings the finding back into view; and the page asks for nothing but itself. Screenshots go to
reports/browser/.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import dump_fixtures
from conformance._cli.main import main as lago_conformance
from conformance._mock.serve import serving
from tests.faulty_servers import API_KEY, FAULTS, FaultyLago
from tests.report_faults import cors_echo

if TYPE_CHECKING:
    from collections.abc import Callable

OUT = Path("reports/browser")
# What Chromium needs here: no sandbox (root, a container), no GPU, nothing fetched on its own.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
COUNTS = ("checks", "passed", "failed", "skipped", "accepted", "must", "should")
# A laptop's first screen: what shows before any scroll.
VIEWPORT = {"width": 1280, "height": 800}
# The rows a CORS echo's finding must highlight, and the colour it highlights them in.
CORS_ROWS = ("header Access-Control-Allow-Origin", "header Access-Control-Allow-Credentials")
HIGHLIGHT = "rgb(255, 235, 233)"


def faulty_report(name: str, fault: Callable[..., Any], *options: str) -> dict[str, Any]:
    """Run the server suite against a faulty Lago; the JSON report it wrote beside its HTML one,
    both in reports/browser/``name``/."""
    app = FaultyLago(fault)
    out = OUT / name
    out.mkdir(parents=True, exist_ok=True)
    fixtures = out / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures), encoding="utf-8")
    with serving(app) as url:
        code = lago_conformance([
            "server", "--base-url", f"{url}/api/v1", "--api-key", API_KEY,
            "--fixtures", str(fixtures), "--max-examples", "5", "--report-dir", str(out), *options,
        ])  # fmt: skip
    assert code == 1, f"the {name} run exited {code}, not 1"
    data: dict[str, Any] = json.loads((out / "server.json").read_text(encoding="utf-8"))
    return data


def in_view(page: Any, selector: str) -> bool:
    """Whether the element's top is inside the viewport (not merely rendered somewhere); a jump
    to an anchor may leave it a fraction of a pixel above the top."""
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and -1 < box["y"] < height


def check_first_screen(page: Any, data: dict[str, Any]) -> list[str]:
    """Before any scroll: the verdict and the first finding, in view; the counts as in JSON."""
    verdict = page.locator("#verdict")
    assert verdict.is_visible(), "the verdict is not visible"
    assert verdict.inner_text().strip() == "Verdict: NOT conformant", verdict.inner_text()
    assert in_view(page, "#verdict"), "the verdict is not in the first screen"
    cells = page.locator("#counts table td")
    shown = [cells.nth(i).inner_text().strip() for i in range(cells.count())]
    assert shown == [str(data["counts"][key]) for key in COUNTS], shown
    assert all(cells.nth(i).is_visible() for i in range(cells.count())), "counts hidden"
    # The first finding shown is the first of the first group: a MUST one if the run has any.
    findings = [f for result in data["results"] for f in result["findings"]]
    severities = {f["severity"] for f in findings if "accepted" not in f}
    title = page.locator("#finding-1 h4")
    first = title.inner_text().strip()
    assert first.startswith("[MUST]" if "MUST" in severities else "[SHOULD]"), first
    assert first in {f"[{f['severity']}] {f['title']}" for f in findings}, first
    assert in_view(page, "#finding-1"), "the first finding is not in the first screen"
    assert in_view(page, "#finding-1 h4"), "the first finding's title is not in the first screen"
    return [verdict.inner_text().strip(), " ".join(shown), first]


def check_matrix(page: Any) -> str:
    """The matrix is folded; opened (a click on its summary, no script), its link to the first
    finding brings that finding back into view."""
    matrix = page.locator("table.matrix")
    assert not matrix.is_visible(), "the matrix is not folded"
    page.locator("#matrix details.fold > summary").click()
    assert matrix.is_visible(), "the matrix did not unfold"
    link = page.locator('table.matrix a[href="#finding-1"]').first
    link.scroll_into_view_if_needed()
    assert not in_view(page, "#finding-1"), "the finding is still in view: no scroll to test"
    link.click()
    assert in_view(page, "#finding-1"), "the matrix link did not bring the finding into view"
    return "the matrix unfolds and links to its findings"


def check_difference(page: Any) -> str:
    """The first finding's difference: the two CORS headers, marked ≠ and highlighted, in the
    first screen; the rows that were equal, not highlighted."""
    rows = page.locator("#finding-1 table.difference tbody tr")
    differs = page.locator("#finding-1 table.difference tr.differs")
    names = [differs.nth(i).locator("th").inner_text().strip() for i in range(differs.count())]
    assert names == list(CORS_ROWS), names
    for i in range(differs.count()):
        row = differs.nth(i)
        assert row.locator("td.mark").inner_text().strip() == "≠"
        background = row.locator("th").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == HIGHLIGHT, background
        assert in_view(page, f"#finding-1 table.difference tr.differs >> nth={i}"), names[i]
    same = page.locator("#finding-1 table.difference tr.same th")
    background = same.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != HIGHLIGHT, "an equal row is highlighted"
    return f"{differs.count()} of {rows.count()} rows highlighted: {', '.join(names)}"


def main() -> int:
    """Render the reports, check them, write the screenshots; 0 when everything showed."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    payable = next(fault for fault in FAULTS if fault.name == "payable-refused").run
    runs = {
        "payable-refused": faulty_report("payable-refused", payable),
        "cors-echo": faulty_report("cors-echo", cors_echo, "--fail-on", "should"),
    }
    asked: list[str] = []
    pages: list[str] = []
    seen: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=os.environ.get("LAGO_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=ARGS,
            java_script_enabled=False,
            viewport=VIEWPORT,
        )
        context.on("request", lambda request: asked.append(request.url))
        context.route("http*://**", lambda route: route.abort())  # nothing leaves the machine
        try:
            for name, data in runs.items():
                page_url = (OUT / name / "server.html").resolve().as_uri()
                pages.append(page_url)
                page = context.new_page()
                page.goto(page_url)
                seen += [f"{name}: {line}" for line in check_first_screen(page, data)]
                if name == "cors-echo":
                    seen.append(f"{name}: {check_difference(page)}")
                page.screenshot(path=str(OUT / f"{name}.png"))
                seen.append(f"{name}: {check_matrix(page)}")
                page.screenshot(path=str(OUT / f"{name}-matrix-link.png"))
                page.close()
            version = context.browser.version if context.browser else "?"
        finally:
            context.close()
    assert asked == pages, f"the pages asked for more than themselves: {asked}"
    for line in (f"Chromium {version}, {VIEWPORT['width']}x{VIEWPORT['height']}", *seen):
        print(f"browser: {line}")
    print(f"browser: screenshots in {OUT}/; {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
