"""The wild fronts: each faulty one's witness differs from Lago, each correct one answers as Lago.

Lago here is the two organizations with no front; a deployment is the same behind its front.
Both run on one ``Stage`` per module (fresh organizations for each witness), so that 47
deployments cost a few seconds.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest

from tests.wild_front_client import Probe, run
from tests.wild_front_kit import UNKNOWN, A, B, post
from tests.wild_front_server import KEY_A, KEY_B, Front, Stage, token
from tests.wild_front_wire import WireError, chunked, read_request, read_response
from tests.wild_fronts import CORRECT, DEPLOYMENTS, FAULTY, TRANSPARENT, answers_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.wild_front_kit import Deployment

# What any client meets: the fixtures' answers, the other organization, Lago's 404s, CORS, codings.
COMMON = (
    post(A["payable"]),
    post(A["payable"], key=None),
    post(B["payable"], key=KEY_B),
    post(A["payable"], key=KEY_B),
    post(A["missing_payment_provider"]),
    post(A["third_party_error"]),
    post(UNKNOWN),
    post("not-a-uuid"),
    post(A["payable"], method="GET", framed=False),
    post(UNKNOWN, method="HEAD", framed=False),
    post(
        A["payable"],
        ("Origin", "http://localhost"),
        ("Access-Control-Request-Method", "POST"),
        key=None,
        method="OPTIONS",
        framed=False,
    ),
    post(A["payable"], suffix="/"),
    post(UNKNOWN, ("Accept-Encoding", "gzip")),
    post(A["payable"], ("Content-Type", "application/json"), body=b'{"note":"x"}'),
)


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    """The organizations and a front, on 127.0.0.1 for this module."""
    with Stage() as started:
        yield started


def test_the_catalogue_has_twenty_faults_and_eight_correct_deployments() -> None:
    names = [d.name for d in DEPLOYMENTS]
    assert len(FAULTY) >= 20
    assert len(CORRECT) >= 8
    assert len(set(names)) == len(names)
    for deployment in DEPLOYMENTS:
        assert deployment.witness, deployment.name
        assert deployment.cause, deployment.name
        assert "\n" not in deployment.cause, deployment.name
        assert deployment.other_key == KEY_B
    assert KEY_B != KEY_A


@pytest.mark.parametrize("deployment", FAULTY, ids=lambda d: d.name)
def test_a_faulty_deployments_witness_differs_from_lago(
    deployment: Deployment, stage: Stage
) -> None:
    got, expected = answers_of(deployment, stage=stage)
    assert len(got) == len(expected) == len(deployment.witness)
    assert got != expected


@pytest.mark.parametrize("deployment", [TRANSPARENT, *CORRECT], ids=lambda d: d.name)
def test_a_correct_deployment_answers_as_lago(deployment: Deployment, stage: Stage) -> None:
    got, expected = answers_of(deployment, COMMON + deployment.witness, stage)
    assert [s.status for s in expected][:5] == [200, 401, 200, 404, 422]
    assert got == expected


def test_the_correct_limiter_answers_429_with_lago_clouds_hints(stage: Stage) -> None:
    limiter = next(d for d in CORRECT if d.name == "rate-limit-20rps")
    got, expected = answers_of(limiter, stage=stage)
    assert got == expected
    refused = [s for s in got if s.status == 429]
    assert len(refused) == 2
    assert dict(refused[0].fields) == {
        "x-ratelimit-limit": "20",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "1",
    }
    assert got[-1].status == 200  # the other organization has its own budget


def test_a_witness_is_sent_byte_for_byte() -> None:
    probe = post(UNKNOWN, ("Accept-Encoding", "gzip"))
    sent = probe.wire("127.0.0.1:1")
    assert sent.startswith(f"POST /api/v1/invoices/{UNKNOWN}/payment_url HTTP/1.1\r\n".encode())
    assert b"Authorization: Bearer " + KEY_A.encode() + b"\r\n" in sent
    assert sent.endswith(b"Content-Length: 0\r\n\r\n")
    assert b"Content-Length" not in post(UNKNOWN, framed=False).wire("h")


def test_a_chunked_request_is_read_and_its_length_given() -> None:
    raw = b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(
        b"hello", 2
    )
    request = read_request(io.BytesIO(raw))
    assert request is not None
    assert request.body == b"hello"
    assert request.header("content-length") == "5"
    assert request.header("transfer-encoding") is None
    assert request.wire() == raw  # unchanged, it goes on as it came


def test_the_witness_client_refuses_a_length_with_chunked_framing() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(
        b"{}", 1
    )
    reader = io.BytesIO(raw)
    with pytest.raises(WireError, match="both"):
        read_response(reader, "POST", strict=True)
    lenient = read_response(io.BytesIO(raw), "POST")
    assert lenient.body == b"{}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer k", "k"),
        ("bearer  k", "k"),
        ("Token k extra", "k"),
        (" Bearer\tk", "k"),
        ("Bearer", None),
        (None, None),
    ],
)
def test_the_key_is_the_second_word_as_lago_reads_it(
    header: str | None, expected: str | None
) -> None:
    assert token(header) == expected


def test_a_request_the_front_cannot_frame_is_refused_by_lagos_server(stage: Stage) -> None:
    stage.reset(Front())
    bad = Probe("POST", f"/api/v1/invoices/{UNKNOWN}/payment_url", (("Transfer-Encoding", "gzip"),))
    direct, fronted = run(stage.reference_url, (bad,)), run(stage.front_url, (bad,))
    assert direct == fronted
    assert direct[0].status == 501
