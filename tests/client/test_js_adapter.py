"""``--adapter lago-javascript-client``: the official JavaScript SDK, driven by a Node script.

The unit tests need no SDK; the fake-SDK tests need ``node``; the pinned findings need the real
SDK, installed where ``LAGO_JS_SDK_DIR`` says (``nox -s sdk_js`` sets it and
``LAGO_JS_SDK_VERSION``), e.g. ``npm install --prefix /tmp/jssdk lago-javascript-client@1.53.0``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import conformance
from conformance._cli.main import main
from conformance._client.calling.adapters import BUILT_INS, load_adapter
from conformance._client.calling.js_adapter import JS_SDK, SCRIPT
from conformance._client.served.catalogue import catalogue
from conformance._client.suite import ClientOptions, run_subject, subject_for
from conformance._errors import UsageError

if TYPE_CHECKING:
    from conformance._report.findings import Report

pytestmark = pytest.mark.http

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node on PATH")

# A stand-in for the SDK, as the real one behaves (swagger-typescript-api's HttpClient.request
# in openapi/client.js): resolve with the Response, `.data` the parsed body, on a 2xx; throw the
# Response, `.error` the parsed body (or the parse error), otherwise; let fetch's errors through.
# Unlike the real one it encodes the id, so the request-reserved-characters scenario passes.
FAKE_SDK = """\
export const Client = (apiKey, { baseUrl }) => ({
  invoices: {
    invoicePaymentUrl: async (lagoId) => {
      const url = `${baseUrl}/invoices/${encodeURIComponent(lagoId)}/payment_url`;
      const headers = { Authorization: `Bearer ${apiKey}` };
      const r = await fetch(url, { method: "POST", headers });
      r.data = null;
      r.error = null;
      await r.json().then((body) => { if (r.ok) r.data = body; else r.error = body; },
                          (error) => { r.error = error; });
      if (!r.ok) throw r;
      return r;
    },
  },
});
"""


def fake_sdk(node_modules: Path, source: str = FAKE_SDK) -> Path:
    """Write a fake ``lago-javascript-client`` (ESM, export map, a "v" version) into ``node_modules``."""
    root = node_modules / JS_SDK
    (root / "esm").mkdir(parents=True)
    package = {
        "name": JS_SDK,
        "version": "v9.8.7",
        "exports": {".": {"import": "./esm/mod.js", "require": "./script/mod.js"}},
    }
    (root / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (root / "esm" / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    (root / "esm" / "mod.js").write_text(source, encoding="utf-8")
    return root


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with no NODE_PATH and a HOME without global node folders."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NODE_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def flagged(report: Report) -> set[tuple[str, str]]:
    return {(result.scenario, result.check) for result in report.results if result.findings}


def test_it_is_a_built_in_and_the_script_ships_in_the_package() -> None:
    assert JS_SDK in BUILT_INS
    assert SCRIPT.is_file()
    assert SCRIPT.is_relative_to(Path(conformance.__file__).parent)


@needs_node
def test_a_missing_sdk_is_one_line_and_exit_2(
    bare: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["client", "--adapter", JS_SDK, "--report-dir", str(bare / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"lago-conformance: error: --adapter {JS_SDK}: the SDK is not installed; run `npm install "
        f"{JS_SDK}` in this directory, or set NODE_PATH to a node_modules folder that has it\n"
    )
    assert not (bare / "reports").exists()


def test_a_missing_node_is_one_line_and_exit_2(
    bare: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_sdk(bare / "node_modules")
    empty = bare / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code = main(["client", "--adapter", JS_SDK, "--report-dir", str(bare / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "Node.js 18 or newer is needed; install it" in err


@needs_node
def test_an_sdk_without_the_call_is_a_usage_error(bare: Path) -> None:
    fake_sdk(bare / "node_modules", "export const Client = () => ({ invoices: {} });\n")
    with pytest.raises(UsageError, match=r"has no Client\(\.\.\.\)\.invoices\.invoicePaymentUrl"):
        load_adapter(JS_SDK)


@needs_node
def test_an_sdk_that_fails_to_import_is_a_usage_error(bare: Path) -> None:
    fake_sdk(bare / "node_modules", "throw new RangeError('broken build');\n")
    with pytest.raises(UsageError, match=r"importing the SDK failed: .*RangeError: broken build"):
        load_adapter(JS_SDK)


@needs_node
def test_the_fake_sdk_maps_success_errors_and_network_failures(bare: Path) -> None:
    fake_sdk(bare / "node_modules")
    subject = load_adapter(JS_SDK)
    assert (subject.name, subject.version, subject.transport) == (JS_SDK, "9.8.7", "http")
    assert subject.identity()["sdk_path"] == str((bare / "node_modules" / JS_SDK).resolve())
    scenarios = (
        "200-example",
        "422-third_party_error",
        "502-html",
        "connection-refused",
        "200-without-root-key",
        "request-reserved-characters",
    )
    report = run_subject(subject, ClientOptions(scenarios=scenarios, timeout=20))
    # The empty success of a 200 without invoice_payment_details, as with the real SDK, and a
    # thrown Response whose text names nothing served (it has no message).
    assert flagged(report) == {
        ("200-without-root-key", "no_silent_success"),
        ("422-third_party_error", "failure_names_error"),
    }
    outcomes = {name: record["outcome"] for name, record in report.metadata["scenarios"].items()}
    assert outcomes["200-example"]["ok"] is True
    assert sorted(outcomes["200-example"]["details"]) == [
        "external_customer_id",
        "lago_customer_id",
        "lago_invoice_id",
        "payment_provider",
        "payment_url",
    ]
    assert outcomes["422-third_party_error"] == {
        "ok": False,
        "status": 422,
        "code": "third_party_error",
        "error_details": {
            "third_party": "Stripe",
            "thirdparty_error": "Your card was declined, réessayez.",
        },
        "message": "[object Response]",
    }
    html = outcomes["502-html"]
    assert (html["status"], html["code"], html["error_details"]) == (502, None, None)
    assert html["message"].startswith("[object Response]; the body was not read: SyntaxError")
    refused = outcomes["connection-refused"]
    assert (refused["ok"], refused["status"]) == (False, None)
    assert refused["message"].startswith("TypeError: fetch failed (ECONNREFUSED")
    assert outcomes["200-without-root-key"] == {"ok": True, "details": {}}


@needs_node
def test_the_sdk_is_found_through_node_path(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sdk(bare / "lib" / "node_modules")
    (bare / "elsewhere").mkdir()
    monkeypatch.chdir(bare / "elsewhere")
    with pytest.raises(UsageError, match="the SDK is not installed"):
        load_adapter(JS_SDK)
    monkeypatch.setenv(
        "NODE_PATH", os.pathsep.join(["does-not-exist", str(bare / "lib" / "node_modules")])
    )
    subject = load_adapter(JS_SDK)
    assert subject.version == "9.8.7"
    report = run_subject(subject, ClientOptions(scenarios=("401-unauthorized",), timeout=20))
    assert flagged(report) == {("401-unauthorized", "failure_names_error")}
    assert report.metadata["scenarios"]["401-unauthorized"]["outcome"]["status"] == 401


# The real SDK's findings, checked by hand against its source: 1.53.0, 1.43.0 and 1.15.0 handle
# this call with the same code (esm/openapi/client.js: `invoicePaymentUrl` and
# `HttpClient.request`; esm/mod.js: `Client`), so every version has the same findings.
# No MUST finding: uuids, the only ids the contract allows, reach the right path.
DOCUMENTED: set[tuple[str, str]] = set()
STRICT = DOCUMENTED | {
    # invoicePaymentUrl: `path: \`/invoices/${lagoId}/payment_url\`` interpolates the raw id, and
    # request() passes `${baseUrl}${path}` to fetch, whose URL parser resolves "/../" and cuts
    # "?y=1#z ...": the request goes to /api/v1/invoices/x?y=1 (an id outside the contract).
    ("request-reserved-characters", "id_percent_encoded"),
    # request(): `if (!response.ok) throw data;` on the first 429; Client() adds no retry
    # (1.53.0 retries 429 only with the opt-in `rateLimitRetry` option, via createRateLimitFetch;
    # 1.43.0 and 1.15.0 have no retry at all).
    ("429-then-200", "rate_limit_retried"),
    # request(): `response.json()` rejects on the cut body, `.catch((e) => { r.error = e; return
    # r; })` swallows it, and as `response.ok` the promise resolves with `r.data = null`.
    ("200-invalid-json", "no_silent_success"),
    # request(): on a 2xx `r.data = data` whatever its shape; nothing checks for
    # invoice_payment_details, so the user gets undefined from a resolved call.
    ("200-without-root-key", "no_silent_success"),
    # request(): the reset comes after a 200's headers, so fetch resolves; reading the body fails
    # (undici: "terminated") into the same `.catch`, and the call resolves with `data = null`.
    ("connection-reset", "transport_fault"),
    # request(): `signal: ... requestParams.signal || null` and baseApiParams has no signal: no
    # timeout (undici's own headersTimeout is 300 s); the harness kills the call.
    ("never-answers", "transport_fault"),
    # Answers beyond the documented ones. request() (client.js line 112):
    # `${baseUrl || this.baseUrl || ""}${path}` keeps a base URL's trailing slash: /api/v1//invoices
    # (Lago's router reads it as /, so a SHOULD); a prefix, a port and http:// are kept.
    ("base-trailing-slash", "exact_path"),
    # baseApiParams (line 27) `redirect: "follow"`: fetch follows every redirect and the call
    # resolves with what the other server said. Node 20's fetch (undici) drops Authorization on a
    # cross-origin redirect, as the Fetch standard says, so the key stays home (no MUST).
    *((f"redirect-{status}-other-origin", "no_redirect_followed") for status in (301, 302, 303, 307, 308)),
    ("redirect-307-same-origin", "no_redirect_followed"),
    # request(): on a 2xx `r.data = data` whatever its shape (the script reads
    # data.invoice_payment_details as the user would): every non-object root is an empty success.
    *((f"200-{kind}", "no_silent_success") for kind in (
        "details-null", "details-array", "details-string", "details-number",
        "body-null", "body-array", "body-string",
    )),
    # No signal, no timeout: a body that trickles in is waited for until the harness kills it.
    ("200-trickles", "slow_body_bounded"),
    # The generated answers (issue 15), request() (1.53.0 lines 121-152): fetch resolves on the
    # headers; an answer closed mid-body after a 429's headers makes response.json() reject,
    # `.catch((e) => { r.error = e; return r; })` keeps the Response, and `if (!response.ok)
    # throw data` throws it with status 429 (a transport fault has no status); a 200 whose body
    # is null is `r.data = data` (line 129), an empty success. Both served_as_answered (SHOULD).
    ("generated", "served_as_answered"),
    # How a failure reads (issue 21): request() throws the fetch Response itself (`throw data`),
    # which has no message: what a user sees ("[object Response]") names neither the served
    # error nor its code (the SDK's getLagoError reads the body). Every documented error.
    *((scenario.name, "failure_names_error") for scenario in catalogue() if any(
        check.name == "failure_names_error" for check in scenario.checks)),
    # Passes: no retry, so long 429 hints end at once with status 429; a Latin-1 502 keeps 502
    # (`.error` is the SyntaxError); response.json() decodes invalid UTF-8 with U+FFFD, so the
    # 422 keeps its status and code; the key is only ever in Authorization.
}  # fmt: skip
PINNED = {"documented": DOCUMENTED, "strict": STRICT}
JS_VERSIONS = {"1.53.0", "1.43.0", "1.15.0", "1.11.0", "1.7.0"}
# 1.7.0 and 1.11.0 (the same code otherwise): `HttpClient.baseUrl` (client.js line 19) is
# "https://{region}.getlago.com/api/v1", the OpenAPI server template with its variable unfilled,
# so with no baseUrl no request reaches a documented server (a MUST finding).
REGION_TEMPLATE = {"1.7.0", "1.11.0"}


@pytest.fixture
def real_sdk(monkeypatch: pytest.MonkeyPatch) -> str:
    """The real SDK's version, with the working directory where it is installed."""
    where, version = os.environ.get("LAGO_JS_SDK_DIR"), os.environ.get("LAGO_JS_SDK_VERSION")
    if not where or not version:
        pytest.skip("set LAGO_JS_SDK_DIR (nox -s sdk_js does)")
    if shutil.which("node") is None:
        pytest.skip("needs node on PATH")
    monkeypatch.chdir(where)
    monkeypatch.delenv("NODE_PATH", raising=False)
    return version


@pytest.mark.parametrize("level", ["documented", "strict"])
def test_the_real_sdk_has_exactly_the_hand_checked_findings(real_sdk: str, level: str) -> None:
    subject = load_adapter(JS_SDK)
    assert subject.version == real_sdk
    if real_sdk not in JS_VERSIONS:
        pytest.skip(f"findings are pinned for {', '.join(sorted(JS_VERSIONS))}, not {real_sdk}")
    # A short kill timeout: the SDK never gives up on a silent server, whatever the bound.
    options = ClientOptions(level=level, max_examples=5, timeout=6)  # type: ignore[arg-type]
    report = run_subject(subject, options)
    wrong_default = (
        {("default-base-url", "default_base_url")} if real_sdk in REGION_TEMPLATE else set()
    )
    assert flagged(report) == PINNED[level] | wrong_default


# rateLimitRetry: {retryOnRateLimit: false}, as rate_limit_fetch.d.ts documents it ("Whether to
# automatically retry on rate limit"), from 1.46.0. rate_limit_fetch.js (1.53.0 lines 24-26)
# throws the LagoRateLimitError inside its `try`; the `catch` (lines 43-51) takes it for a
# retryable one and loops while `attempt < maxRetries`: 4 requests, back to back, where one
# was asked for. The last throw is that Error, with no status (rate_limit_bounded).
NO_RETRY = 'rateLimitRetry={"retryOnRateLimit":false}'
NO_RETRY_FINDINGS = {
    ("429-always", "retries_as_configured"),
    ("429-always", "rate_limit_bounded"),
    ("429-then-200", "retries_as_configured"),
    ("429-reset-2-then-200", "retries_as_configured"),
    ("429-reset-2-then-200", "rate_limit_hint_waited"),
}


def test_the_real_sdk_told_not_to_retry_retries_all_the_same(real_sdk: str) -> None:
    if real_sdk != "1.53.0":
        pytest.skip(f"pinned for 1.53.0 (rateLimitRetry is from 1.46.0), not {real_sdk}")
    scenarios = ("429-always", "429-then-200", "429-reset-2-then-200")
    options = ClientOptions(
        adapter=JS_SDK, scenarios=scenarios, timeout=20, client_options=(NO_RETRY,)
    )
    report = run_subject(subject_for(options), options)
    assert flagged(report) == NO_RETRY_FINDINGS
    assert report.metadata["scenarios"]["429-always"]["request_count"] == 4
