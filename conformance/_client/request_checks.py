"""The client's request, checked: POST to the base URL's path for the id, Bearer key, no body."""

from __future__ import annotations

import urllib.parse
import uuid
from typing import TYPE_CHECKING

from conformance._client.call import API_KEY, show
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.call import Call

__all__ = ["id_percent_encoded", "request_shape"]


def _host_problems(call: Call, url: str) -> list[Problem]:
    base, sent = urllib.parse.urlsplit(call.base_url), urllib.parse.urlsplit(url)
    if (sent.scheme, sent.netloc) == (base.scheme, base.netloc):
        return []
    return [
        Problem(
            "the request went to another host than the base URL",
            f"{sent.scheme}://{sent.netloc}",
            f"{base.scheme}://{base.netloc} (from the base URL {call.base_url})",
        )
    ]


def _segment_problems(call: Call, url: str, title: str) -> list[Problem]:
    base, sent = urllib.parse.urlsplit(call.base_url), urllib.parse.urlsplit(url)
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
    segment = urllib.parse.quote(call.lago_id, safe="")
    return [
        Problem(
            title,
            sent.path + (f"?{sent.query}" if sent.query else ""),
            f"{base.path}/invoices/{segment}/payment_url",
        )
    ]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36  # the contract's format: the hyphenated form


def request_shape(call: Call) -> list[Problem]:
    """POST to <base>/invoices/<id>/payment_url, Authorization: Bearer <key>, no body.

    The path is judged here for ids the contract allows (uuids); for any other id, by
    ``id_percent_encoded``.
    """
    if not call.requests:
        return [Problem("the client sent no request", "no request", "one POST")]
    request = call.requests[0]
    problems = []
    if request.method != "POST":
        problems.append(Problem("the request is not a POST", request.method, "POST"))
    problems += _host_problems(call, request.url)
    if not any(p.title.startswith("the request went") for p in problems) and _is_uuid(call.lago_id):
        title = "the request path is not <base URL>/invoices/<lago_id>/payment_url"
        problems += _segment_problems(call, request.url, title)
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
                "the request has a body", show(request.body.decode("utf-8", "replace")), "no body"
            )
        )
    return problems


def id_percent_encoded(call: Call) -> list[Problem]:
    """An id outside the contract (not a uuid) still goes as one percent-encoded path segment."""
    if not call.requests or _host_problems(call, call.requests[0].url):
        return []  # request_shape's findings
    title = (
        "the id is not percent-encoded as one path segment: an application that passes on an id "
        "it got from a user lets that user steer the request, with the organization's key, to "
        "another path (e.g. ../../ to another endpoint)"
    )
    return _segment_problems(call, call.requests[0].url, title)
