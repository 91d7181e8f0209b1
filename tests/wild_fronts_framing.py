"""Faulty fronts that break the answer on the wire: content codings, lengths, framing, fields."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from tests.wild_front_kit import UNKNOWN, Deployment, answers, post
from tests.wild_front_wire import Response, chunked, gzipped

if TYPE_CHECKING:
    from tests.wild_front_server import Conn
    from tests.wild_front_wire import Request


def _double_gzip(request: Request, response: Response, conn: Conn) -> Response:
    if "gzip" not in (request.header("accept-encoding") or "") or not response.body:
        return response
    # the app's Rack::Deflater compressed it once; nginx compresses it again, one header for both
    body = gzipped(gzipped(response.body))
    return replace(response, body=body).with_fields(
        ("Content-Encoding", "gzip"), drop=("content-encoding",)
    )


def _gzip_always(request: Request, response: Response, conn: Conn) -> Response:
    if not response.body:
        return response
    fields = (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
    return replace(response, body=gzipped(response.body)).with_fields(*fields)


def _stale_length(request: Request, response: Response, conn: Conn) -> Response:
    try:
        value = json.loads(response.body)
    except ValueError:
        return response
    body = json.dumps(value, indent=2).encode()
    return replace(response, body=body, framing="verbatim")  # the upstream Content-Length kept


def _chunked_and_length(request: Request, response: Response, conn: Conn) -> Response:
    if request.method == "HEAD":
        return response
    fields = (*response.fields, ("Transfer-Encoding", "chunked"))
    return replace(response, fields=fields, body=chunked(response.body, 64), framing="verbatim")


def _two_content_types(request: Request, response: Response, conn: Conn) -> Response:
    return response.with_fields(("Content-Type", "application/json"))


FRAMING_FAULTS = (
    Deployment("double-gzip", "faulty",
               "Rack::Deflater in the app and gzip_proxied any in nginx, which does not check "
               "Content-Encoding: the body is gzipped twice under one Content-Encoding: gzip",
               answers(_double_gzip), (post(UNKNOWN, ("Accept-Encoding", "gzip")),)),
    Deployment("gzip-unasked", "faulty",
               "A CDN 'always compress' setting gzips answers for clients that sent no "
               "Accept-Encoding, which cannot decode them",
               answers(_gzip_always), (post(UNKNOWN),)),
    Deployment("stale-content-length", "faulty",
               "A response-rewriting filter (a Lua/Lambda@Edge step re-serialising JSON) keeps "
               "the upstream Content-Length: the body is cut short",
               answers(_stale_length), (post(UNKNOWN),)),
    Deployment("chunked-and-content-length", "faulty",
               "A proxy re-chunking the body but forwarding the upstream Content-Length too: "
               "framing RFC 9112 says to treat as an error (Node's llhttp refuses it)",
               answers(_chunked_and_length), (post(UNKNOWN),)),
    Deployment("duplicate-content-type", "faulty",
               "add_header Content-Type application/json on the API location: every answer "
               "carries two Content-Type fields",
               answers(_two_content_types), (post(UNKNOWN),)),
)  # fmt: skip
