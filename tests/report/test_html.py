"""The HTML report: what a browser shows, and that nothing a server sent becomes markup."""

from __future__ import annotations

import io
from dataclasses import replace
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest

from conformance import dump_fixtures
from conformance._cli.main import main
from conformance._mock.serve import serving
from conformance._report.difference import Difference, Row
from conformance._report.findings import REDACTED, CaseResult, Check, Finding, Problem, Report
from conformance._report.html.page import write_html
from tests.faulty_servers import API_KEY, FaultyLago, Reply, Request

if TYPE_CHECKING:
    from pathlib import Path

# Markup, a script, attribute breakers of both quotes, an entity, and a key to redact.
KEY = "sk_live_<b>key'\"&amp;"
HOSTILE = "\"'><script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:x'>&amp;"
# Every tag and attribute the writer itself emits: nothing else may appear, whatever the input.
TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "p", "h1", "h2", "h3",
    "h4", "h5", "ol", "span", "b", "code", "section", "table", "thead", "tbody", "tr", "th", "td", "a",
    "article", "dl", "dt", "dd", "pre", "div", "ul", "li", "details", "summary", "small",
}  # fmt: skip
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "scope", "title"}


class Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)


def assert_only_our_markup(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag in TAGS, tag
        for name, value in attrs:
            if name == "href":
                assert tag == "a"
                assert value is not None
                assert value.startswith("#finding-")
            else:
                assert name in ATTRIBUTES, (tag, name, value)


def hostile_report() -> Report:
    """Every string of a report, hostile: as a server could make the findings' and notes' text."""
    check: Check[object] = Check("no_secret_echo", lambda _: [])
    rows = (Row(HOSTILE, HOSTILE, f"Bearer {KEY}", False), Row("status", "500", HOSTILE, True))
    difference = Difference((HOSTILE, f"{HOSTILE} {KEY}"), rows)
    sequence = (f"curl -H 'Authorization: Bearer {KEY}' {HOSTILE}", HOSTILE)
    received = f"500 {HOSTILE} header x-debug: Bearer {KEY}"
    echoed = check.finding(
        Problem(f"Echoed {HOSTILE}", received, HOSTILE, difference, sequence),
        f"curl -X POST -H 'Authorization: Bearer {KEY}' 'http://h/{HOSTILE}'",
        (KEY,),
        lago=f"404 {HOSTILE} {KEY}",
    )
    echoed = replace(echoed, source=f"#/{HOSTILE}")
    should = Finding("invoice_echo", "SHOULD", HOSTILE, HOSTILE, HOSTILE, accepted=HOSTILE)
    report = Report(
        suite="server",
        subject={"target": f"http://h/{HOSTILE}"},
        level="strict",
        fail_on="must",
        seed=1,
        results=[
            CaseResult("no_secret_echo", f"probe/{HOSTILE}", "MUST", (echoed,)),
            CaseResult("invoice_echo", "invoice/payable", "SHOULD", (should,)),
            CaseResult("auth_required", "auth/no-header", "MUST", skipped=HOSTILE),
            CaseResult("auth_required", "auth/empty-bearer", "MUST"),
        ],
        coverage={"tables": {HOSTILE: [[HOSTILE, "verdict"], [HOSTILE, 3]]}},
        stale=[HOSTILE],
        secrets=(KEY,),
    )
    report.note(f"the target said {HOSTILE} with Bearer {KEY}")
    report.describe(requests=4, **{HOSTILE: HOSTILE, "error": f"{HOSTILE} {KEY}"})
    return report


def rendered(report: Report) -> str:
    stream = io.StringIO()
    write_html(report, stream)
    return stream.getvalue()


def test_hostile_strings_stay_text_and_the_key_stays_redacted() -> None:
    text = rendered(hostile_report())
    page = Page(text)
    assert_only_our_markup(page)
    assert "<script" not in text.lower()
    assert KEY not in text
    assert "sk_live" not in page.text
    # Every hostile string is shown, as the text it was: in the title, received, notes, tables.
    assert page.text.count(HOSTILE) >= 22  # the difference's rows and sides, the sequence too
    assert f"Bearer {REDACTED}" in page.text


def test_the_page_loads_nothing_and_runs_nothing() -> None:
    page = Page(rendered(hostile_report()))
    (policy,) = [dict(a)["content"] for t, a in page.tags if dict(a).get("http-equiv")]
    assert policy is not None
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # scripts fall under default-src: none
    assert all(tag not in {"link", "script", "img", "iframe"} for tag, _ in page.tags)


def test_both_answers_side_by_side_when_lago_answered() -> None:
    page = Page(rendered(hostile_report()))
    classes = [dict(attrs).get("class") for _, attrs in page.tags]
    assert classes.count("answers") == 1  # only the finding with Lago's answer
    assert "The target answered" in page.text
    assert f"Lago answered404 {HOSTILE} {REDACTED}" in page.text.replace("\n", "")


@pytest.mark.parametrize(
    ("change", "word", "css"),
    [
        pytest.param({}, "NOT conformant", "v-not-conformant", id="not-conformant"),
        pytest.param({"results": [], "stale": []}, "conformant", "v-conformant", id="conformant"),
        pytest.param({"incomplete": "rate-limited throughout"}, "incomplete", "v-incomplete",
                     id="incomplete"),
        pytest.param({"aborted": "the target stopped answering"}, "aborted", "v-aborted",
                     id="aborted"),
    ],
)  # fmt: skip
def test_the_verdict_word_and_its_colour(change: dict[str, object], word: str, css: str) -> None:
    report = hostile_report()
    for name, value in change.items():
        setattr(report, name, value)
    page = Page(rendered(report))
    verdict = [dict(attrs)["class"] for tag, attrs in page.tags if tag == "span"]
    assert verdict[0] == f"verdict {css}"
    assert f"Verdict: {word}" in page.text
    for reason in ("incomplete", "aborted"):
        assert (reason in change) == any(dict(a).get("id") == reason for _, a in page.tags)


def test_the_matrix_colours_each_outcome_and_links_failures_to_their_finding() -> None:
    report = hostile_report()
    report.results.append(replace(report.results[0], scenario="again"))
    page = Page(rendered(report))
    cells = {str(dict(a).get("title")).split(": ")[0]: dict(a)["class"] for t, a in page.tags
             if t == "td" and "title" in dict(a)}  # fmt: skip
    assert cells == {
        f"no_secret_echo on probe/{HOSTILE}": "failed-must",
        "invoice_echo on invoice/payable": "accepted",
        "auth_required on auth/no-header": "skipped",
        "auth_required on auth/empty-bearer": "passed",
        "no_secret_echo on again": "failed-must",
    }
    links = [dict(a)["href"] for t, a in page.tags if t == "a"]
    # Findings are numbered as shown, grouped by check: no_secret_echo's two, then invoice_echo's.
    assert links == ["#finding-1", "#finding-3", "#finding-2"]
    ids = {dict(a).get("id") for _, a in page.tags}
    assert {"finding-1", "finding-2", "finding-3", "counts", "coverage", "notes"} <= ids


def hostile(server: FaultyLago, request: Request) -> Reply:
    """The faithful mock, but every 404 is a 500 page of markup and script, the key echoed in it
    and in a header, with attribute breakers in the content type and a header."""
    reply = server.faithful(request)
    if reply.status != 404:
        return reply
    body = f"<html><script>alert(1)</script>{HOSTILE} {request.authorization}</html>"
    headers = (
        ("content-type", 'text/html; charset="><script>alert(3)</script>'),
        ("x-debug", f"{HOSTILE} {request.authorization}"),
    )
    return Reply(500, body.encode(), headers)


@pytest.mark.http
def test_a_hostile_servers_markup_and_script_stay_text_in_the_report(tmp_path: Path) -> None:
    app = FaultyLago(hostile)
    fixtures = tmp_path / "fixtures.toml"
    fixtures.write_text(dump_fixtures(app.mock.fixtures))
    with serving(app) as url:
        args = [
            "server",
            "--base-url",
            f"{url}/api/v1",
            "--api-key",
            API_KEY,
            "--fixtures",
            str(fixtures),
        ]
        code = main([*args, "--max-examples", "3", "--report-dir", str(tmp_path)])
    assert code == 1
    text = (tmp_path / "server.html").read_text(encoding="utf-8")
    page = Page(text)
    assert_only_our_markup(page)
    assert API_KEY not in text
    assert "<script" not in text.lower()
    assert "<script>alert(1)</script>" in page.text  # the server's body, shown as text
    assert 'charset="><script>alert(3)</script>' in page.text
    assert "Verdict: NOT conformant" in page.text


def test_the_page_reads_top_down_with_the_matrix_folded() -> None:
    text = rendered(hostile_report())
    ids = [dict(a).get("id") for _, a in Page(text).tags]
    order = ["verdict", "findings", "counts", "coverage", "notes", "matrix", "settings"]
    assert [i for i in ids if i in order] == order
    # The matrix, and nothing else of its section but the legends, sits in a folded <details>.
    matrix = text[text.index('<section id="matrix">') :]
    assert matrix.index('<details class="fold">') < matrix.index('<table class="matrix">')
    assert matrix.index("</table></div></details>") < matrix.index("</section>")
    assert '<details class="fold" open' not in text


def test_findings_are_grouped_by_check_with_a_count_the_must_ones_first() -> None:
    should = Finding("invoice_echo", "SHOULD", "Another id", "y", "x")
    must = [Finding("no_secret_echo", "MUST", f"Echo {n}", "k", "none") for n in range(5)]
    report = Report("server", {}, "strict", "must", 0, results=[
        CaseResult("invoice_echo", "invoice/payable", "SHOULD", (should,)),
        *(CaseResult("no_secret_echo", f"probe/{n}", "MUST", (f,)) for n, f in enumerate(must)),
    ])  # fmt: skip
    text = rendered(report)
    page = Page(text)
    assert "no_secret_echo: 5 findings" in page.text
    assert "invoice_echo: 1 finding" in page.text
    assert text.index('id="check-no_secret_echo"') < text.index('id="check-invoice_echo"')
    # Numbered as shown; past the first three, a group's findings are folded.
    assert text.index('id="finding-1"') < text.index("Echo 0") < text.index('id="finding-2"')
    folded = text[text.index('<details class="more">') : text.index('id="check-invoice_echo"')]
    assert "2 more of" in folded
    assert "Echo 3" in folded
    assert "Echo 4" in folded
    assert "Echo 2" not in folded
    assert 'id="finding-6"' in text[text.index('id="check-invoice_echo"') :]
