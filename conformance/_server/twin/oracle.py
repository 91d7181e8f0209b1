"""The oracle: Lago itself (its twin, the faithful mock) and the target compared with itself.

For each request the suite sends, the twin answers too, in-process. Two relations decide:

- **Lago reacts** (``lago_reacts``, SHOULD): the twin's answer to this request differs from its
  answer to the request's base (or the request has no base). The target must answer as the twin
  does, by shape: status, media type, error shape and codes, the members of a 200 and the invoice
  it names. Values a live deployment owns (its customer ids, checkout links, provider, request
  ids, dates) are not compared.
- **Lago ignores** (``lago_ignores``, SHOULD): the twin answers this request and its base alike.
  The target's two answers must then be equal, values included: its own first answer is the
  reference, so nothing about its live data needs to be known.

``lago_refuses`` (MUST) is where HTTP or the contract decides a difference: the target
authenticated a request Lago refuses with 401, or answered 2xx where Lago answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance._contract.json_text import read_json_text
from conformance._contract.rules import ROOT_KEY, THIRD_PARTY_ERROR
from conformance._report.findings import Check, Problem
from conformance._server.transport.answer import long_header_line
from conformance._server.twin.oracle_rows import (
    of_exchange,
    of_reply,
    shape_difference,
    value_difference,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conformance._contract.request import Request
    from conformance._contract.rules import Reply
    from conformance._report.difference import Difference
    from conformance._server.transport.exchange import Exchange

    # Lago's twin: the answer real Lago gives to a request (its path below the base URL).
    Twin = Callable[[Request], Reply]

__all__ = [
    "ORACLE_CHECKS",
    "Comparison",
    "describe_lago",
    "lago_shape",
    "lago_values",
    "target_shape",
    "target_values",
    "values_difference",
]

# Headers whose value is the answer, beside the body: the rest (dates, request ids, timings,
# cookies, a gateway's own) a deployment owns.
_COMPARED_HEADERS = ("content-type", "content-encoding")
_CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-credentials")


@dataclass(frozen=True)
class Comparison:
    """One request's answers: the target's, the twin's, and, for a variant, both again for the
    base it varies (``base`` is the target's own answer to it)."""

    exchange: Exchange
    lago: Reply
    base: Exchange | None = None
    lago_base: Reply | None = None

    @property
    def ignored(self) -> bool:
        """Whether Lago answers the variant exactly as its base."""
        return (
            self.base is not None
            and self.lago_base is not None
            and lago_values(self.lago, self.exchange.request)
            == lago_values(self.lago_base, self.base.request)
        )


def _json_shape(status: int, body: bytes, media_type: str) -> tuple[Any, ...]:
    text = read_json_text(body)
    if not body:
        return ("empty",)
    if not text.ok:
        return ("not JSON text",)
    value = text.value
    if not isinstance(value, dict):
        return ("JSON", type(value).__name__)
    details = value.get(ROOT_KEY)
    if status == 200 and isinstance(details, dict):
        # The invoice is the one asked for, whatever the deployment: its id is compared as a value.
        invoice = details.get("lago_invoice_id")
        return ("payment", tuple(sorted(details)), _https(details.get("payment_url")), invoice)
    error_details = value.get("error_details")
    if value.get("code") == THIRD_PARTY_ERROR and isinstance(error_details, dict):
        error_details = tuple(sorted(error_details))  # the provider's message is its own
    return (
        "object",
        tuple(sorted(value)),
        value.get("status"),
        value.get("error"),
        value.get("code"),
        _frozen(error_details),
    )


def _https(url: object) -> bool:
    return isinstance(url, str) and url.startswith("https://")


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _cors(request: Request, value: Callable[[str], str | None]) -> tuple[str | None, ...]:
    # To a request that names an Origin, which origin may read the answer (rack-cors decides
    # from the deployment's front URL, which no Origin the exploration sends is).
    if request.header("origin") is None:
        return ()
    return tuple(value(name) for name in _CORS_HEADERS)


def lago_shape(reply: Reply, request: Request) -> tuple[Any, ...]:
    """The shape of the twin's answer to ``request`` (see the module's docstring)."""
    body = b"" if request.method == "HEAD" else reply.body
    media = _media(reply.content_type)
    headers = {name.lower(): value for name, value in reply.all_headers()}
    cors = _cors(request, headers.get)
    return reply.status, media, _json_shape(reply.status, body, media), cors


def target_shape(exchange: Exchange) -> tuple[Any, ...]:
    """The shape of the target's answer, to compare with ``lago_shape``."""
    assert exchange.status is not None
    media = exchange.media_type
    cors = _cors(exchange.request, exchange.headers.get)
    return exchange.status, media, _json_shape(exchange.status, exchange.body, media), cors


def lago_values(reply: Reply, request: Request) -> tuple[Any, ...]:
    """The twin's whole answer to ``request``, values included, but for the headers a deployment
    owns (and the body of an answer to HEAD, which is never sent)."""
    headers = {name.lower(): value for name, value in reply.all_headers()}
    body = b"" if request.method == "HEAD" else reply.body
    compared = tuple(headers.get(name) for name in _COMPARED_HEADERS)
    return reply.status, compared, body, _cors(request, headers.get)


def _asked_coding(exchange: Exchange) -> str | None:
    """The content coding of the answer when the request asked for it: a front may apply it
    (RFC 9110 sections 8.4, 12.5.3), and a client undoes it, so the representation is compared."""
    coding = " ".join(exchange.headers.get("content-encoding", "").lower().split())
    asked = (exchange.request.header("accept-encoding") or "").lower()
    accepted = {part.split(";", 1)[0].strip() for part in asked.split(",")}
    return coding if coding and coding in accepted else None


def target_values(exchange: Exchange) -> tuple[Any, ...]:
    """The target's whole answer, values included, but for the headers a deployment owns; a
    content coding the request asked for (undone by the target reader) is not a difference."""
    text = exchange.json_text
    body: object = _frozen(text.value) if text.ok else exchange.body
    asked = _asked_coding(exchange)
    headers = tuple(
        "" if name == "content-encoding" and asked else value
        for name, value in (
            (name, " ".join(exchange.headers.get(name, "").lower().split()))
            for name in _COMPARED_HEADERS
        )
    )
    if exchange.coded_body is not None:
        # A coding the request asked for, undone: the client reads the same content (a front
        # that gzips only when asked, as nginx does, answers alike).
        headers = (headers[0], "")
    return exchange.status, headers, body, _cors(exchange.request, exchange.headers.get)


# Verbs HTTP lets a gateway answer itself (RFC 9110 sections 9.3.2, 9.3.7, 9.3.8): a 2xx to one
# where Lago answers 404 is Lago's behaviour missed, not the contract broken.
_GATEWAY_VERBS = frozenset({"HEAD", "OPTIONS", "TRACE"})
# A request line this long may be refused by any server on the way (400, 414; Puma: 400 past
# 8 KB), and so may a long header line (400, 431: answer.py): an answer, whatever Lago says.
_LONG_TARGET = 1024


def _judged(comparison: Comparison) -> bool:
    exchange, status = comparison.exchange, comparison.exchange.status
    if status is None or exchange.rate_limited:
        return False
    long_line = status in (400, 431) and long_header_line(exchange.request)
    return not (long_line or (status in (400, 414) and len(exchange.request.target) > _LONG_TARGET))


def _refused(comparison: Comparison) -> bool:
    """Whether ``lago_refuses`` already says it: one difference, one finding, the MUST one."""
    return next(lago_refuses(comparison), None) is not None


def _versus_lago(comparison: Comparison) -> Difference:
    """The target's answer beside Lago's, by the parts ``lago_reacts`` compares."""
    exchange, lago = comparison.exchange, comparison.lago
    answers = (of_exchange(exchange), of_reply(lago, exchange.request))
    shapes = (target_shape(exchange), lago_shape(lago, exchange.request))
    return shape_difference(("the target", "Lago"), answers, shapes, _CORS_HEADERS)


def values_difference(sides: tuple[str, str], exchange: Exchange, other: Exchange) -> Difference:
    """Two answers of the target side by side, by the parts ``target_values`` compares."""
    values = (target_values(exchange), target_values(other))
    answers = (of_exchange(exchange), of_exchange(other))
    return value_difference(sides, answers, values, _COMPARED_HEADERS, _CORS_HEADERS)


def describe_lago(reply: Reply, method: str) -> str:
    """Lago's answer in one line: status, content type and body (none for HEAD); the headers a
    deployment owns (request ids, timings) left out, so that a finding reads the same each run."""
    head = f"{reply.status} ({reply.content_type or 'no content type'})"
    if method == "HEAD":
        return head
    body = reply.body.decode("utf-8", "replace")
    return f"{head} {body if len(body) <= 400 else body[:400] + '…'}".rstrip()


def lago_refuses(comparison: Comparison) -> Iterator[Problem]:
    """Where Lago refuses, the target does too: a request Lago answers 401 is not authenticated
    (no 2xx, no invoice lookup), and one Lago answers 404 gets no 2xx."""
    if not _judged(comparison):
        return
    exchange, lago = comparison.exchange, comparison.lago
    status = exchange.status or 0
    if lago.status == 401 and status != 401 and (200 <= status < 300 or status in (404, 422)):
        code = (exchange.body_json() or {}) if exchange.media_type == "application/json" else {}
        if 200 <= status < 300 or (
            isinstance(code, dict) and code.get("code") != "resource_not_found"
        ):
            yield Problem(
                "Authenticated a request Lago refuses",
                exchange.describe(),
                "401, as Lago answers it: the request carries no key Lago reads",
                _versus_lago(comparison),
            )
    elif lago.status == 404 and 200 <= status < 300 and exchange.method not in _GATEWAY_VERBS:
        yield Problem(
            "Accepted a request Lago answers 404",
            exchange.describe(),
            "404, as Lago answers it: no 2xx",
            _versus_lago(comparison),
        )


def lago_reacts(comparison: Comparison) -> Iterator[Problem]:
    """The target answers as Lago does, by shape (status, media type, error codes, 200 members),
    wherever Lago's answer is not simply its answer to the base request."""
    if not _judged(comparison) or comparison.ignored or _refused(comparison):
        return
    exchange, lago = comparison.exchange, comparison.lago
    if target_shape(exchange) != lago_shape(lago, exchange.request):
        yield Problem(
            "Not answered as Lago answers",
            exchange.describe(),
            "the status, media type and body shape of Lago's answer",
            _versus_lago(comparison),
        )


def lago_ignores(comparison: Comparison) -> Iterator[Problem]:
    """Where Lago answers a variant as its base, the target's two answers are equal too."""
    base = comparison.base
    if not _judged(comparison) or not comparison.ignored or base is None or base.status is None:
        return
    exchange = comparison.exchange
    if base.rate_limited or _refused(comparison):
        return
    if target_values(exchange) == target_values(base):
        return
    yield Problem(
        "Answered a variation Lago ignores otherwise than the request it varies",
        exchange.describe(),
        f"the target's own answer to the base request, as Lago answers both alike: "
        f"{base.describe()}",
        values_difference(("this variant", "the base request"), exchange, base),
    )


ORACLE_CHECKS: tuple[Check[Comparison], ...] = (
    Check("lago_refuses", lago_refuses),
    Check("lago_reacts", lago_reacts),
    Check("lago_ignores", lago_ignores),
)
