"""The parts a generated request is made of, each named by a feature (``auth=wrong_key``,
``path=suffix_xml``): credential forms, bodies and their content types, queries, hosts, path
forms, id forms and methods; the headers are in headers.py.

The names and values are those of the corpus recorded against Lago's real stack
(tests/data/realstack/), so that a drawn request can be matched with a recorded answer. Each
value says what part of Lago's stack it reaches: Puma's limits, rack-cors, Rack's parameter
parsers, Rails' negotiation and router, lago-api's token and id casting (docs/lago-behaviour.md).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BODIES",
    "CONTENT_TYPES",
    "CREDENTIALS",
    "HOSTS",
    "ID_FORMS",
    "LITERAL_IDS",
    "METHODS",
    "PATHS",
    "QUERIES",
    "WIRE_ONLY",
]

NIL = "00000000-0000-0000-0000-000000000000"
BOUNDARY = "XyZzy123"
_MULTIPART = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--{BOUNDARY}--\r\n'
).encode()
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"

# Authorization values from the run's key and another organization's; () sends no header.
CREDENTIALS: dict[str, Callable[[str, str], tuple[str, ...]]] = {
    "basic": lambda k, o: ("Basic " + base64.b64encode(f"{k}:".encode()).decode(),),
    "bearer_alone": lambda k, o: ("Bearer",),
    "double_space": lambda k, o: (f"Bearer  {k}",),
    "empty": lambda k, o: ("",),
    "key_only": lambda k, o: (k,),
    "long": lambda k, o: ("Bearer " + "k" * 11000,),
    "lower_bearer": lambda k, o: (f"bearer {k}",),
    # one byte that is not UTF-8 (latin-1 é), and é as UTF-8 in place of the key's sixth letter
    "non_ascii_latin1": lambda k, o: (f"Bearer {k}\xe9",),
    "non_ascii_utf8": lambda k, o: (f"Bearer {k[:5]}\xc3\xa9{k[6:]}",),
    "none": lambda k, o: (),
    "other_org": lambda k, o: (f"Bearer {o}",),
    "tab": lambda k, o: (f"Bearer\t{k}",),
    "token": lambda k, o: (f"Token {k}",),
    "trailing_comma": lambda k, o: (f"Bearer {k},",),
    "twice_same": lambda k, o: (f"Bearer {k}", f"Bearer {k}"),
    "twice_valid_wrong": lambda k, o: (f"Bearer {k}", "Bearer wrong-key"),
    "two_keys": lambda k, o: (f"Bearer {k} {o}",),
    "two_keys_other_first": lambda k, o: (f"Bearer {o} {k}",),
    "wrong_key": lambda k, o: ("Bearer wrong-key",),
}

# body kind -> (bytes, the content type that matches it); "binary" is drawn.
BODIES: dict[str, tuple[bytes, str | None]] = {
    "binary": (b"", "application/octet-stream"),
    "empty": (b"", None),
    "form": (b"a=1&b=2", _FORM),
    "form_bad_escape": (b"a=%ZZ", _FORM),
    "form_id": (f"id={NIL}".encode(), _FORM),
    "form_nested_conflict": (b"a[]=1&a[b]=2", _FORM),
    "json_array": (b"[1,2]", _JSON),
    "json_bom": (b"\xef\xbb\xbf{}", _JSON),
    "json_deep": (b"[" * 150 + b"]" * 150, _JSON),
    "json_empty": (b"{}", _JSON),
    "json_invalid": (b"{bad", _JSON),
    "json_nested": (b'{"invoice":{"payment":{"url":"x"}}}', _JSON),
    "json_null": (b"null", _JSON),
    "json_obj": (b'{"a":1,"b":"x"}', _JSON),
    "json_other_id": (f'{{"id":"{NIL}"}}'.encode(), _JSON),
    "json_string": (b'"x"', _JSON),
    "json_truncated": (b'{"a":', _JSON),
    "multipart": (_MULTIPART, f"multipart/form-data; boundary={BOUNDARY}"),
    "multipart_malformed": (b"garbage", f"multipart/form-data; boundary={BOUNDARY}"),
    "multipart_no_boundary": (_MULTIPART, "multipart/form-data"),
    "text": (b"hello", "text/plain"),
    "xml": (b"<a>1</a>", "application/xml"),
}

# "content-type=<name>" for a body, other than its matching one.
CONTENT_TYPES: dict[str, str] = {
    "empty": "",
    "form": _FORM,
    "garbage": "garbage",
    "json": _JSON,
    "json_latin1": "application/json; charset=latin1",
    "json_upper": "APPLICATION/JSON",
    "json_utf8": "application/json; charset=utf-8",
    "multipart_boundary": f"multipart/form-data; boundary={BOUNDARY}",
    "multipart_no_boundary": "multipart/form-data",
    "octet": "application/octet-stream",
    "text": "text/plain",
    "vnd_json": "application/vnd.api+json",
    "xml": "application/xml",
}

QUERIES: dict[str, str] = {
    "ampersands": "&&&",
    "bad_escape_key": "%=1",
    "bad_escape_pct": "a=%",
    "bad_escape_zz": "a=%ZZ",
    "benign": "a=1",
    "benign_two": "foo=bar&baz=qux",
    "deep_nesting": "a" + "[b]" * 40 + "=1",
    "empty": "",
    "format_csv": "format=csv",
    "format_empty": "format=",
    "format_html": "format=html",
    "format_json": "format=json",
    "format_xml": "format=xml",
    "id_override": f"id={NIL}",
    "many_params": "&".join(f"p{n}=1" for n in range(300)),
    "method_override": "_method=GET",
    "nested_conflict": "a[]=1&a[b]=2",
    "nested_conflict2": "a=1&a[b]=2",
    "nested_conflict3": "a[b]=1&a[b][c]=2",
    "non_utf8": "a=%E9",
    "plus_space": "a=b+c&d=e%20f",
    "semicolon": "a=1;b=2",
    "very_long": "q=" + "x" * 13000,
}

# Host values from the target's host name; () sends none.
HOSTS: dict[str, Callable[[str], tuple[str, ...]]] = {
    "bad_chars": lambda h: ("local_host!",),
    "empty": lambda h: ("",),
    "example": lambda h: ("api.example.com",),
    "ipv4": lambda h: ("127.0.0.1",),
    "ipv6": lambda h: ("[::1]:8080",),
    "missing": lambda h: (),
    "twice": lambda h: (h, "evil.example"),
    "upper": lambda h: (h.upper(),),
    "with_port": lambda h: (f"{h}:3000",),
}

# Path forms: (the API root, the id as formed, the host) -> the raw path.
PATHS: dict[str, Callable[[str, str, str], str]] = {
    "absolute_form": lambda r, i, h: f"http://{h}{r}/invoices/{i}/payment_url",
    "dot_segment": lambda r, i, h: f"{r}/./invoices/{i}/payment_url",
    "dotdot_segment": lambda r, i, h: f"{r}/customers/../invoices/{i}/payment_url",
    "double_slash_lead": lambda r, i, h: f"/{r}/invoices/{i}/payment_url",
    "double_slash_mid": lambda r, i, h: f"{r}//invoices/{i}//payment_url",
    "other_api_root": lambda r, i, h: f"{r}/",
    "other_no_id": lambda r, i, h: f"{r}/payment_url",
    "other_root": lambda r, i, h: "/",
    "other_sibling": lambda r, i, h: f"{r}/invoices/{i}/payment_link",
    "other_singular": lambda r, i, h: f"{r}/invoice/{i}/payment_url",
    "other_subpath": lambda r, i, h: f"{r}/invoices/{i}/payment_url/extra",
    "other_version": lambda r, i, h: f"{r.rsplit('/', 1)[0]}/v3/invoices/{i}/payment_url",
    "other_word": lambda r, i, h: "/nope",
    "pct_underscore": lambda r, i, h: f"{r}/invoices/{i}/payment%5Furl",
    "suffix_JSON": lambda r, i, h: f"{r}/invoices/{i}/payment_url.JSON",
    "suffix_csv": lambda r, i, h: f"{r}/invoices/{i}/payment_url.csv",
    "suffix_html": lambda r, i, h: f"{r}/invoices/{i}/payment_url.html",
    "suffix_json": lambda r, i, h: f"{r}/invoices/{i}/payment_url.json",
    "suffix_xml": lambda r, i, h: f"{r}/invoices/{i}/payment_url.xml",
    "trailing_slash": lambda r, i, h: f"{r}/invoices/{i}/payment_url/",
    "upper_action": lambda r, i, h: f"{r}/invoices/{i}/PAYMENT_URL",
}


def _regroup(lago_id: str) -> str:
    bare = lago_id.replace("-", "")
    return "-".join(bare[n : n + 4] for n in range(0, len(bare), 4))


def _mixed(lago_id: str) -> str:
    return "".join(c.upper() if n % 2 else c.lower() for n, c in enumerate(lago_id))


ID_FORMS: dict[str, Callable[[str], str]] = {
    "braces": lambda i: f"{{{i}}}",
    "dot_suffix": lambda i: f"{i}.x",
    "half_brace": lambda i: f"{{{i}",
    "hyphen_every_4": _regroup,
    "long_13000": lambda i: "a" * 13000,
    "long_5000": lambda i: "a" * 5000,
    "long_suffix": lambda i: i + "a" * 300,
    "mixed_case": _mixed,
    "no_hyphens": lambda i: i.replace("-", ""),
    "pct_all": lambda i: "".join(f"%{ord(c):02X}" for c in i),
    "pct_braces": lambda i: f"%7B{i}%7D",
    "pct_dot_suffix": lambda i: f"{i}%2Ex",
    "pct_ff": lambda i: f"{i}%FF",
    "pct_hyphens": lambda i: i.replace("-", "%2D"),
    "pct_nul": lambda i: f"{i}%00",
    "pct_slash": lambda i: f"{i}%2Fx",
    "pct_space": lambda i: f"{i}%20",
    "upper": str.upper,
}

LITERAL_IDS = ("%20", NIL, "123", "not-a-uuid", "null", "payable")
# Puma's SUPPORTED_HTTP_METHODS and beyond: the last three it answers 501.
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "PUT", "TRACE", "PROPFIND", "QUERY", "FOO")
# Features only a raw socket can send: an HTTP client library sends a Host of its own, HTTP/1.1
# and its own framing, and an origin-form target.
WIRE_ONLY = frozenset(
    {
        "version=HTTP/1.0",
        "transfer-encoding=chunked",
        "host=missing",
        "host=twice",
        "path=absolute_form",
    }
)
