"""The client's request, checked: POST to the base URL's path for the id, Bearer key, no body."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from typing import TYPE_CHECKING

from conformance._client.calls.call import API_KEY, origin_of, show
from conformance._report.findings import Problem

if TYPE_CHECKING:
    from conformance._client.calls.call import Call, SentRequest

__all__ = [
    "base_url_joined",
    "exact_path",
    "id_percent_encoded",
    "key_only_in_authorization",
    "key_stays_on_origin",
    "request_shape",
]


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
    prefix, suffix = f"{base.path.rstrip('/')}/invoices/", "/payment_url"
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
            f"{base.path.rstrip('/')}/invoices/{segment}/payment_url",
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


def _key_places(request: SentRequest, *, authorization: bool) -> list[str]:
    """Where ``request`` carries the API key; the Authorization header only if ``authorization``."""
    parts, places = urllib.parse.urlsplit(request.url), []
    for name, part in (("the path", parts.path), ("the query", parts.query)):
        if API_KEY in part or API_KEY in urllib.parse.unquote_plus(part):
            places.append(name)
    places += [
        f"the {name.lower()} header"
        for name, value in request.headers.items()
        if API_KEY in value and (authorization or name.lower() != "authorization")
    ]
    if API_KEY.encode() in request.body:
        places.append("the body")
    return places


def key_only_in_authorization(call: Call) -> list[Problem]:
    """The key goes in ``Authorization`` only: never in the URL, the query, a body or another
    header, where logs, proxies and referrers keep it. Judged on every request of every scenario."""
    problems = []
    for index, request in enumerate(call.requests, 1):
        places = _key_places(request, authorization=False)
        if places:
            problems.append(
                Problem(
                    "the API key is sent outside the Authorization header",
                    f"request {index} ({request.method} {call.shown_url(request.url)}) carries it "
                    f"in {', '.join(places)}",
                    "the key in `Authorization: Bearer <key>` only",
                )
            )
    return problems


def key_stays_on_origin(call: Call) -> list[Problem]:
    """No request to an origin other than the base URL's carries the key, anywhere in it."""
    home, problems = origin_of(call.base_url), []
    for index, request in enumerate(call.requests, 1):
        there = origin_of(request.url)
        places = [] if there == home else _key_places(request, authorization=True)
        if places:
            problems.append(
                Problem(
                    "the API key was sent to another origin",
                    f"request {index} to {call.shown_url(there)} carries it in {', '.join(places)}",
                    f"the key sent to {call.shown_url(home)} only",
                )
            )
    return problems


def _joined(call: Call) -> str:
    base = urllib.parse.urlsplit(call.base_url)
    segment = urllib.parse.quote(call.lago_id, safe="")
    return f"{base.path.rstrip('/')}/invoices/{segment}/payment_url"


def base_url_joined(call: Call) -> list[Problem]:
    """Each request goes to <base URL without its trailing slash>/invoices/<id>/payment_url: same
    scheme, host and port, the base path kept, as Lago's router reads it (repeated slashes as one)."""
    expected, problems = _joined(call), []
    if not call.requests:
        return [Problem("the client sent no request", "no request", "one POST")]
    for index, request in enumerate(call.requests, 1):
        sent = urllib.parse.urlsplit(request.url)
        same_origin = origin_of(request.url) == origin_of(call.base_url)
        if same_origin and re.sub("/+", "/", sent.path) == expected and not sent.query:
            continue
        problems.append(
            Problem(
                "the request does not go to the base URL joined with the endpoint's path",
                f"request {index}: {call.shown_url(request.url)}",
                call.shown_url(origin_of(call.base_url) + expected),
            )
        )
    return problems


def exact_path(call: Call) -> list[Problem]:
    """The path has no repeated slash: Lago's router reads `//` as `/`, but proxies, request
    signatures and other servers need not (RFC 3986: an empty segment is a segment)."""
    expected = _joined(call)
    return [
        Problem(
            "the request path repeats a slash (the base URL's trailing slash kept)",
            f"request {index}: {urllib.parse.urlsplit(request.url).path}",
            expected,
        )
        for index, request in enumerate(call.requests, 1)
        if "//" in urllib.parse.urlsplit(request.url).path
        and re.sub("/+", "/", urllib.parse.urlsplit(request.url).path) == expected
    ]
