"""A Hypothesis strategy over whole requests to ``payment_url``: methods, path forms, ids and
their forms, credential forms, headers known and unknown, queries, bodies and content types.

A request is drawn as a set of features (the catalogue's names: ``auth=wrong_key``,
``header Accept: json``, ``body=json_bom``...) and the values no feature fixes (an unknown
header's value, a random invoice id, binary bytes), then built by ``build``. Features name the
same parts as the corpus recorded against Lago's real stack, so a drawn request can be matched
with a recorded answer (tests/mock/test_realstack.py). The server suite draws from it without
the mock; ``wire=True`` adds what only a raw socket sends (HTTP/1.0, chunked framing, no Host or
two, an absolute-form target). Some drawn requests meet one of Lago's own bugs (a key or a form
parameter name that is not UTF-8): the server suite keeps those back unless asked
(``_server/phases/lago_bugs.py``, ``lago_bug_in``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from conformance._contract.drawn.catalogue import (
    BODIES,
    CONTENT_TYPES,
    CREDENTIALS,
    HOSTS,
    ID_FORMS,
    LITERAL_IDS,
    METHODS,
    PATHS,
    QUERIES,
    WIRE_ONLY,
)
from conformance._contract.drawn.headers import HEADERS
from conformance._contract.request import Request

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MAX_HEADERS", "Aim", "Drawn", "Free", "build", "feature_sets", "requests"]

MAX_HEADERS = 4
RANDOM_NAME = ": random name"
# Unknown header names (after "X-") and values: the token and printable ASCII, no control byte.
_NAME_ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_VALUE_ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F))


@dataclass(frozen=True)
class Aim:
    """What drawn requests aim at: the key, another organization's, the invoices by fixtures
    key (``payable`` and the 422 reasons), the API root and the host name."""

    api_key: str = field(repr=False)
    other_api_key: str = field(repr=False)
    invoices: Mapping[str, str]
    root: str = "/api/v1"
    host: str = "localhost"


@dataclass(frozen=True)
class Free:
    """The values no feature fixes: unknown headers' values in order, a random id, binary bytes."""

    values: tuple[str, ...] = ()
    random_id: str = "00000000-0000-4000-8000-000000000000"
    binary: bytes = b"\x00"


@dataclass(frozen=True)
class Drawn:
    """A drawn request, the features it was built from, and what only a raw socket sends."""

    request: Request
    features: tuple[str, ...]
    http10: bool = False
    chunked: bool = False


@dataclass
class _Parts:
    hosts: tuple[str, ...]
    credentials: tuple[str, ...]
    lago_id: str
    method: str = "POST"
    path: str | None = None
    id_form: str | None = None
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    kind: str | None = None
    content_type: str | None = None
    http10: bool = False
    chunked: bool = False


def _apply(parts: _Parts, feature: str, aim: Aim, free: Free, values: list[str]) -> None:
    if feature.startswith("header "):
        label = feature.removeprefix("header ")
        if label.endswith(RANDOM_NAME):
            parts.headers.append((label.removesuffix(RANDOM_NAME), values.pop(0)))
        else:
            name, value = HEADERS[label]
            parts.headers.append((name, value.replace("{key}", aim.api_key)))
        return
    dimension, _, name = feature.partition("=")
    if dimension == "content-type":
        name = name.split(" ", 1)[0]
        matching = BODIES[parts.kind or "empty"][1]
        parts.content_type = matching if name == "matching" else CONTENT_TYPES[name]
    elif dimension == "body":
        parts.body = free.binary if name == "binary" else BODIES[name][0]
        parts.kind = name
    elif dimension == "transfer-encoding":
        parts.chunked = True
    elif dimension == "version":
        parts.http10 = True
    elif dimension == "query":
        parts.query = QUERIES[name]
    elif dimension == "host":
        parts.hosts = HOSTS[name](aim.host)
    elif dimension == "auth":
        parts.credentials = CREDENTIALS[name](aim.api_key, aim.other_api_key)
    elif dimension == "method":
        parts.method = name
    elif dimension == "path":
        parts.path = name
    elif dimension == "id_form":
        parts.id_form = name
    elif dimension == "id":
        parts.lago_id = free.random_id if name == "random uuid" else name[len("literal '") : -1]
    elif dimension == "invoice":
        parts.lago_id = aim.invoices[name]
    else:
        raise ValueError(f"Unknown request feature {feature!r}")


def build(features: tuple[str, ...], aim: Aim, free: Free | None = None) -> Drawn:
    """The request ``features`` describe, with ``free``'s values where a feature fixes none."""
    free = free or Free()
    parts = _Parts((aim.host,), (f"Bearer {aim.api_key}",), aim.invoices["payable"])
    values = list(free.values)
    # A body's kind comes before its content type, whatever the order features are listed in
    for feature in sorted(features, key=lambda f: not f.startswith("body=")):
        _apply(parts, feature, aim, free, values)
    formed = ID_FORMS[parts.id_form](parts.lago_id) if parts.id_form else parts.lago_id
    path = PATHS[parts.path](aim.root, formed, aim.host) if parts.path else None
    path = path or f"{aim.root}/invoices/{formed}/payment_url"
    headers = [("Host", value) for value in parts.hosts]
    headers += [("Authorization", value) for value in parts.credentials]
    headers += parts.headers
    if parts.body is not None and parts.content_type is not None:
        headers.append(("Content-Type", parts.content_type))
    request = Request(parts.method, path, parts.query, tuple(headers), parts.body or b"")
    return Drawn(request, tuple(features), parts.http10, parts.chunked)


def _optional(values: list[str]) -> st.SearchStrategy[list[str]]:
    if not values:
        return st.just([])
    return st.one_of(st.just([]), st.sampled_from(values).map(lambda value: [value]))


@st.composite
def _body(draw: st.DrawFn, wire: bool) -> list[str]:
    kind = draw(st.sampled_from(sorted(BODIES)))
    named = [f"content-type={n} ({v})" for n, v in sorted(CONTENT_TYPES.items())]
    matching = BODIES[kind][1]
    if matching is not None:
        named.append(f"content-type=matching ({matching})")
    typed = draw(_optional(named))
    framing = draw(_optional(["transfer-encoding=chunked"])) if wire else []
    return [*typed, f"body={kind}", *framing]


def _header() -> st.SearchStrategy[str]:
    unknown = st.text(_NAME_ALPHABET, min_size=3, max_size=14).map(
        lambda name: f"header X-{name}{RANDOM_NAME}"
    )
    known = st.sampled_from([f"header {label}" for label in sorted(HEADERS)])
    return st.one_of(known, unknown)


@st.composite
def _features(draw: st.DrawFn, aim: Aim, wire: bool) -> tuple[str, ...]:
    def choose(dimension: str, names: list[str]) -> list[str]:
        chosen = [f"{dimension}={name}" for name in names]
        return draw(_optional([f for f in chosen if wire or f not in WIRE_ONLY]))

    headers = draw(st.lists(_header(), max_size=MAX_HEADERS))
    body = draw(st.one_of(st.just([]), _body(wire)))
    targets = [f"id=literal '{value}'" for value in LITERAL_IDS] + ["id=random uuid"]
    targets += [f"invoice={key}" for key in sorted(aim.invoices) if key != "payable"]
    return (
        *headers,
        *body,
        *choose("query", sorted(QUERIES)),
        *choose("host", sorted(HOSTS)),
        *choose("version", ["HTTP/1.0"]),
        *choose("auth", sorted(CREDENTIALS)),
        *choose("method", list(METHODS)),
        *choose("path", sorted(PATHS)),
        *choose("id_form", sorted(ID_FORMS)),
        *draw(_optional(targets)),
    )


def feature_sets(aim: Aim, *, wire: bool = False) -> st.SearchStrategy[tuple[str, ...]]:
    """Feature sets: up to ``MAX_HEADERS`` headers, at most one of every other dimension."""
    return _features(aim, wire)


@st.composite
def _drawn(draw: st.DrawFn, aim: Aim, features: st.SearchStrategy[tuple[str, ...]]) -> Drawn:
    chosen = draw(features)
    unknown = sum(1 for feature in chosen if feature.endswith(RANDOM_NAME))
    values = tuple(draw(st.text(_VALUE_ALPHABET, max_size=24)) for _ in range(unknown))
    random_id = str(draw(st.uuids(version=4)))
    binary = draw(st.binary(min_size=1, max_size=200))
    return build(chosen, aim, Free(values, random_id, binary))


def requests(
    aim: Aim,
    *,
    wire: bool = False,
    features: st.SearchStrategy[tuple[str, ...]] | None = None,
) -> st.SearchStrategy[Drawn]:
    """Whole requests aimed at ``aim``; ``features`` narrows the feature sets drawn (default:
    ``feature_sets(aim, wire=wire)``)."""
    return _drawn(aim, features if features is not None else feature_sets(aim, wire=wire))
