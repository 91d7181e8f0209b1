"""Faulty clients written from what real SDKs get wrong, after the generated answers were designed.

Each is a small client of its own, with one realistic fault, the way a generated SDK, a
hand-written wrapper or a retry library has it; none is a ``FaultyClient`` flag. They were run
once, as they are here, before anything in the suite changed for them: the first-contact
figure in docs/client-generated-answers.md and CHANGELOG.md is theirs. ``python -m
tests.wild_clients`` runs them again and prints what found each.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from conformance._client.calls.outcome import DETAIL_FIELDS, failure, success

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = "invoice_payment_details"
Outcome = dict[str, Any]


def _url(base_url: str, lago_id: str) -> str:
    return f"{base_url.rstrip('/')}/invoices/{urllib.parse.quote(lago_id, safe='')}/payment_url"


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def _from(status: int, body: object, message: str = "") -> Outcome:
    """A plain, correct reading of an answer's parsed body."""
    if status == 200:
        details = body.get(ROOT) if isinstance(body, dict) else None
        if isinstance(details, dict):
            return success(
                {k: details[k] for k in DETAIL_FIELDS if isinstance(details.get(k), str)}
            )
        return failure(status, message="no invoice_payment_details")
    data = body if isinstance(body, dict) else {}
    code, details = data.get("code"), data.get("error_details")
    return failure(
        status,
        code if isinstance(code, str) else None,
        details if isinstance(details, dict) else None,
        message or f"HTTP {status}",
    )


def _parsed(content: bytes) -> object:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _post(base_url: str, api_key: str, lago_id: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(_url(base_url, lago_id), headers=_headers(api_key), timeout=10, **kwargs)


def generated_content_type_regex(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A generated SDK: JSON is deserialized only when the content type matches its
    case-sensitive pattern; anything else comes back as text, and the 200 is unreadable."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    mime = response.headers.get("content-type", "")
    is_json = re.match(r"^application/json(\s*;|$)", mime) is not None
    body = _parsed(response.content) if is_json else response.text
    return _from(response.status_code, body)


def tenacity_retries_every_error(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper under a retry decorator (stop after 3 attempts) around raise_for_status():
    every HTTPStatusError is retried, a 401 or a 422 too."""
    last: httpx.Response | None = None
    for _ in range(3):
        try:
            last = _post(base_url, api_key, lago_id)
            last.raise_for_status()
            break
        except httpx.HTTPStatusError:
            time.sleep(0.5)
            continue
        except httpx.HTTPError as error:
            return failure(None, message=str(error))
    assert last is not None
    return _from(last.status_code, _parsed(last.content))


def raises_only_on_4xx_5xx(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A hand-written wrapper: `if status >= 400: raise`, else read what it can."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    if response.status_code >= 400:
        return _from(response.status_code, _parsed(response.content))
    body = _parsed(response.content)
    details = body.get(ROOT, {}) if isinstance(body, dict) else {}
    return success(
        {"payment_url": details.get("payment_url") if isinstance(details, dict) else None}
    )


def int_retry_after(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper that honours Retry-After on a 429, as `int(headers["Retry-After"])`, capped at
    5 s, three times."""
    try:
        for attempt in range(4):
            response = _post(base_url, api_key, lago_id)
            if response.status_code != 429 or attempt == 3:
                break
            time.sleep(min(5, int(response.headers.get("Retry-After", "1"))))
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    return _from(response.status_code, _parsed(response.content))


def latin1_without_charset(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper that decodes the body by the content type's charset, ISO-8859-1 when there is
    none (HTTP/1.1's old default for text), then parses the text."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    charset = "iso-8859-1"
    for part in response.headers.get("content-type", "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    try:
        text = response.content.decode(charset)
    except (LookupError, UnicodeDecodeError):
        text = ""
    try:
        body: object = json.loads(text)
    except ValueError:
        body = None
    return _from(response.status_code, body)


def needs_content_length(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper that caps the body it reads at the announced Content-Length."""
    try:
        with httpx.stream(
            "POST", _url(base_url, lago_id), headers=_headers(api_key), timeout=10
        ) as response:
            size = int(response.headers["content-length"])
            content = response.read()[:size]
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    return _from(response.status_code, _parsed(content))


def retries_timeouts(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A retry library's default: a timeout is retried three times (15 s each)."""
    for attempt in range(4):
        try:
            response = httpx.post(_url(base_url, lago_id), headers=_headers(api_key), timeout=15)
            break
        except httpx.TimeoutException as error:
            if attempt == 3:
                return failure(None, message=str(error))
        except httpx.HTTPError as error:
            return failure(None, message=str(error))
    return _from(response.status_code, _parsed(response.content))


def error_as_code(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper that takes `code`, or failing that `error`, as the error's code."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    body = _parsed(response.content)
    outcome = _from(response.status_code, body)
    if not outcome["ok"] and outcome["code"] is None and isinstance(body, dict):
        served = body.get("error")
        outcome["code"] = served if isinstance(served, str) else None
    return outcome


def copied_browser_headers(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper whose headers were copied from a browser (`Accept-Encoding: gzip, deflate`),
    reading the raw bytes, never decompressed."""
    headers = {**_headers(api_key), "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
    try:
        with httpx.stream("POST", _url(base_url, lago_id), headers=headers, timeout=10) as response:
            content = b"".join(response.iter_raw())
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    return _from(response.status_code, _parsed(content))


def status_from_body(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A wrapper that reports the error's status as the JSON body's `status`, when it has one."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    body = _parsed(response.content)
    outcome = _from(response.status_code, body)
    if not outcome["ok"] and isinstance(body, dict) and "status" in body:
        status = body["status"]
        outcome["status"] = (
            status if isinstance(status, int) and not isinstance(status, bool) else None
        )
    return outcome


def strict_generated_model(base_url: str, api_key: str, lago_id: str) -> Outcome:
    """A generated SDK whose model marks the five fields required and forbids others
    (pydantic `extra="forbid"`): a 200 that is not exactly the model raises."""
    try:
        response = _post(base_url, api_key, lago_id)
    except httpx.HTTPError as error:
        return failure(None, message=str(error))
    body = _parsed(response.content)
    if response.status_code != 200:
        return _from(response.status_code, body)
    details = body.get(ROOT) if isinstance(body, dict) else None
    if not isinstance(details, dict):
        return failure(200, message="no invoice_payment_details")
    if set(details) != set(DETAIL_FIELDS):
        raise ValueError(f"InvoicePaymentDetails: fields {sorted(details)} do not match the model")
    return success(details)


@dataclass(frozen=True)
class WildClient:
    """A client of the batch, and where its fault comes from."""

    name: str
    client: Callable[[str, str, str], Outcome]
    kind: str  # "generated SDK", "hand-written wrapper" or "retry library"


WILD_CLIENTS: tuple[WildClient, ...] = (
    WildClient("content-type-regex", generated_content_type_regex, "generated SDK"),
    WildClient("strict-generated-model", strict_generated_model, "generated SDK"),
    WildClient("retries-every-error", tenacity_retries_every_error, "retry library"),
    WildClient("retries-timeouts", retries_timeouts, "retry library"),
    WildClient("int-retry-after", int_retry_after, "hand-written wrapper"),
    WildClient("raises-only-on-4xx-5xx", raises_only_on_4xx_5xx, "hand-written wrapper"),
    WildClient("latin1-without-charset", latin1_without_charset, "hand-written wrapper"),
    WildClient("needs-content-length", needs_content_length, "hand-written wrapper"),
    WildClient("error-as-code", error_as_code, "hand-written wrapper"),
    WildClient("copied-browser-headers", copied_browser_headers, "hand-written wrapper"),
    WildClient("status-from-body", status_from_body, "hand-written wrapper"),
)


def main() -> int:
    """Run each client through a default in-process run; print what the catalogue and the
    generated answers found (``python -m tests.wild_clients``)."""
    from conformance._client.calling.adapters import Subject
    from conformance._client.suite import ClientOptions, run_subject

    for wild in WILD_CLIENTS:
        report = run_subject(Subject(wild.name, None, wild.client), ClientOptions())
        found = {(r.scenario == "generated", r.check) for r in report.results if r.findings}
        catalogue = sorted(check for generated, check in found if not generated)
        generated = sorted(check for is_generated, check in found if is_generated)
        print(
            f"{wild.name} ({wild.kind}): catalogue {catalogue or '-'}; generated {generated or '-'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
