"""The client's request, checked: POST to the base URL's path for the id, Bearer key, no body."""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING

from conformance._client.call import API_KEY
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.call import Call

__all__ = ["request_shape"]


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _path_problems(call: Call, url: str) -> list[Problem]:
    base = urllib.parse.urlsplit(call.base_url)
    sent = urllib.parse.urlsplit(url)
    segment = urllib.parse.quote(call.lago_id, safe="")
    expected = f"{base.path}/invoices/{segment}/payment_url"
    if (sent.scheme, sent.netloc) != (base.scheme, base.netloc):
        return [
            Problem(
                "the request went to another host than the base URL",
                f"{sent.scheme}://{sent.netloc}",
                f"{base.scheme}://{base.netloc} (from the base URL {call.base_url})",
            )
        ]
    prefix, suffix = f"{base.path}/invoices/", "/payment_url"
    middle = sent.path[len(prefix) : -len(suffix)]
    if (
        sent.path.startswith(prefix)
        and sent.path.endswith(suffix)
        and len(sent.path) > len(prefix) + len(suffix)
        and "/" not in middle
        and urllib.parse.unquote(middle) == call.lago_id
        and not sent.query
    ):
        return []
    return [
        Problem(
            "the request path is not <base URL>/invoices/<lago_id, percent-encoded>/payment_url",
            sent.path + (f"?{sent.query}" if sent.query else ""),
            expected,
        )
    ]


def request_shape(call: Call) -> list[Problem]:
    """POST to <base>/invoices/<id>/payment_url, Authorization: Bearer <key>, no body."""
    if not call.requests:
        return [Problem("the client sent no request", "no request", "one POST")]
    request = call.requests[0]
    problems = []
    if request.method != "POST":
        problems.append(Problem("the request is not a POST", request.method, "POST"))
    problems += _path_problems(call, request.url)
    auth = request.headers.get("authorization")
    if auth != f"Bearer {API_KEY}":
        received = "no Authorization header" if auth is None else f"Authorization: {auth}"
        problems.append(
            Problem(
                "the request is not authorized as `Bearer <key>`",
                received,
                f"Authorization: Bearer {API_KEY}",
            )
        )
    if request.body:
        problems.append(
            Problem(
                "the request has a body", _show(request.body.decode("utf-8", "replace")), "no body"
            )
        )
    return problems
