"""Lago's own bugs: requests a client may send that real Lago answers 500 (docs/lago-behaviour.md,
"Lago's own bugs"). The twin answers them as Lago should.

A default run never sends one, so that a real deployment can pass it: ``lago_bug_in`` tells the
phases that draw requests (the property tests) which to keep back. ``--send-lago-bugs``
(``ServerOptions.send_lago_bugs``) sends each bug's request once, in its own phase, judged by
``lago_bug`` alone: a 5xx is a MUST finding that says real Lago answers the same way, and why.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from conformance._contract.request import Request
from conformance._contract.rules import bearer_token
from conformance._report.findings import Check, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conformance._server.judging.recorder import Recorder
    from conformance._server.transport.exchange import Exchange
    from conformance._server.transport.target import Target

__all__ = ["BUGS", "LAGO_BUG", "LagoBug", "lago_bug", "lago_bug_in", "send_lago_bugs"]

PHASE = "lago bugs"
_FORM = "application/x-www-form-urlencoded"
# rack lib/rack/multipart/parser.rb: MULTIPART, and what parse_boundary and parse raise on
_MULTIPART = re.compile(r'multipart/.*?boundary(\s*)="?([^";,]+)"?', re.I | re.S)
_BOUNDARY_MAX = 70


@dataclass(frozen=True)
class LagoBug:
    """One of Lago's own bugs: its name, a request that meets it, what Lago should answer, why
    real Lago answers 500, and where that comes from."""

    name: str
    request: Callable[[str, str], Request]  # (the run's Authorization, a path) -> the request
    should: str
    why: str
    source: str


def _latin1_not_utf8(text: str) -> bool:
    try:
        text.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:
        return False  # no client sends it as one byte each
    except UnicodeDecodeError:
        return True
    return False


def _form(bearer: str, path: str, body: bytes) -> Request:
    headers = (("Authorization", bearer), ("Content-Type", _FORM))
    return Request("POST", path, "", headers, body)


def _multipart(bearer: str, path: str, content_type: str) -> Request:
    headers = (("Authorization", bearer), ("Content-Type", content_type))
    return Request("POST", path, "", headers, b"--x\r\n\r\n--x--\r\n")


BUGS: tuple[LagoBug, ...] = (
    LagoBug(
        "key-not-utf8",
        lambda bearer, path: Request.of("POST", path, bearer + "\xe9"),
        "401: an unknown key",
        "PostgreSQL refuses a byte that is not UTF-8 in the key lookup, and the "
        "ActiveRecord::StatementInvalid it raises is not rescued",
        "lago-api app/services/api_keys/cache_service.rb (fetch_from_database), "
        "app/controllers/api/base_controller.rb (authenticate)",
    ),
    LagoBug(
        "form-name-not-utf8",
        lambda bearer, path: _form(bearer, path, b"\xff\xfe"),
        "the answer to the same request with a readable form",
        "ParameterFilter matches filter_parameters against a parameter name that is not "
        "UTF-8, and Ruby raises ArgumentError, before authentication",
        "activesupport lib/active_support/parameter_filter.rb, actionpack "
        "lib/action_dispatch/http/filter_parameters.rb, lago-api "
        "config/initializers/filter_parameter_logging.rb",
    ),
    LagoBug(
        "multipart-boundary-too-long",
        lambda bearer, path: _multipart(bearer, path, "multipart/form-data; boundary=" + "b" * 71),
        "400: a body Rack cannot read",
        "Rack raises BoundaryTooLongError, which Rails' Request#POST does not rescue, before "
        "authentication",
        "rack lib/rack/multipart/parser.rb (parse), actionpack "
        "lib/action_dispatch/http/request.rb (POST)",
    ),
    LagoBug(
        "multipart-space-before-equals",
        lambda bearer, path: _multipart(bearer, path, "multipart/form-data; boundary =x"),
        "400: a body Rack cannot read",
        "Rack raises Multipart::Error, which Rails' Request#POST does not rescue, before "
        "authentication",
        "rack lib/rack/multipart/parser.rb (parse_boundary), actionpack "
        "lib/action_dispatch/http/request.rb (POST)",
    ),
)
_BY_NAME = {bug.name: bug for bug in BUGS}


def _form_name_not_utf8(request: Request) -> bool:
    content_type = request.header("content-type")
    media = (content_type or "").split(";")[0].strip().lower()
    untyped_post = content_type is None and request.method == "POST"
    # Rack reads a multipart body with no boundary as a form (Request#form_pairs)
    unbounded = media.startswith("multipart/") and not _MULTIPART.match(content_type or "")
    if not request.body or not (media == _FORM or untyped_post or unbounded):
        return False
    for pair in request.body.split(b"&"):
        name = urllib.parse.unquote_to_bytes(pair.split(b"=", 1)[0].replace(b"+", b" "))
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            return True
    return False


def lago_bug_in(request: Request) -> LagoBug | None:
    """The Lago bug ``request`` meets (real Lago answers it 500), or None."""
    authorization = ", ".join(request.values("authorization")) or None
    token = bearer_token(authorization)
    if token is not None and _latin1_not_utf8(token):
        return _BY_NAME["key-not-utf8"]
    content_type = request.header("content-type") or ""
    found = _MULTIPART.match(content_type)
    if found is not None and request.body:
        if found[1] or re.search(r"boundary\s*=", content_type[found.end() :], re.I):
            return _BY_NAME["multipart-space-before-equals"]
        if len(found[2]) > _BOUNDARY_MAX:
            return _BY_NAME["multipart-boundary-too-long"]
    if _form_name_not_utf8(request):
        return _BY_NAME["form-name-not-utf8"]
    return None


def lago_bug(observed: tuple[LagoBug, Exchange]) -> Iterator[Problem]:
    """A 5xx to a request that meets one of Lago's own bugs: real Lago answers the same way."""
    bug, exchange = observed
    status = exchange.status
    if status is not None and status >= 500 and status != 501 and not exchange.rate_limited:
        yield Problem(
            f"{status} to a request that meets a bug of Lago's own ({bug.name})",
            f"{status} {exchange.media_type or 'no content type'}",
            f"{bug.should}. Real Lago answers the same way: {bug.why} ({bug.source}).",
        )


LAGO_BUG: Check[tuple[LagoBug, Exchange]] = Check("lago_bug", lago_bug)


class _Run(Protocol):
    target: Target
    recorder: Recorder

    def random_uuid(self) -> str: ...


def send_lago_bugs(run: _Run, path_of: Callable[[str], str]) -> None:
    """Send each bug's request once, to an unknown invoice, and judge it with ``lago_bug``."""
    target = run.target
    for bug in BUGS:
        exchange = target.send(bug.request(target.bearer(), path_of(run.random_uuid())))
        run.recorder.judge(LAGO_BUG, f"lago-bug/{bug.name}", (bug, exchange), exchange.curl())
