"""The checks that only the probes call for (SHOULD: Lago's behaviour, beyond the contract).

``cast_form_found``: a form of a fixture id that Rails casts to the same uuid finds that invoice.
``scheme_case_insensitive``: the right key under ``bearer`` or ``BEARER`` is accepted.
``consistent_answers``: identical requests spread across the run get identical answers.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from conformance._report.findings import Problem
from conformance._server.judging.lago_checks import has_reason
from conformance._server.twin.oracle import target_values, values_difference

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from conformance._server.transport.answer import Answer
    from conformance._server.transport.exchange import Exchange

__all__ = ["cast_form_found", "consistent_answers", "scheme_case_insensitive"]


def cast_form_found(answer: Answer) -> Iterator[Problem]:
    """An id in another form Rails accepts (upper case, no hyphens, braces) finds the invoice."""
    exchange, reason = answer.exchange, answer.expectation.reason
    if exchange.status is None:
        return
    if reason is None:
        right, expected = exchange.status == 200, "200, as for the id in its usual form"
    else:
        right = exchange.status == 422 and has_reason(exchange.body_json(), reason)
        expected = f"422 with {reason!r}, as for the id in its usual form"
    if not right:
        yield Problem(
            "An id in a form Rails accepts did not find its invoice",
            f"{exchange.describe()} (for {exchange.url.rsplit('/', 2)[-2]})",
            expected,
        )


def scheme_case_insensitive(answer: Answer) -> Iterator[Problem]:
    """The run's key is accepted whatever the case of ``Bearer`` (RFC 9110 section 11.1)."""
    exchange = answer.exchange
    if exchange.status == 401:
        scheme = (exchange.authorization or "").split(" ", 1)[0]
        yield Problem(
            f"The key was refused under the scheme {scheme!r}",
            exchange.describe(),
            "the key accepted: an auth scheme is case-insensitive, and Lago reads only the token",
        )


def consistent_answers(exchanges: Sequence[Exchange]) -> Iterator[Problem]:
    """Identical requests (the consistency probe at the start, middle and end of a run, and any
    request sent twice) are answered alike: status, content type and coding, every body field."""
    answered = [e for e in exchanges if e.status is not None and not e.rate_limited]
    for first, later in itertools.pairwise(answered):
        if target_values(first) != target_values(later):
            yield Problem(
                "Inconsistent answers to identical requests",
                f"first {first.describe(200)}; later {later.describe(200)}",
                "the same answer each time",
                values_difference(("a later answer", "the first answer"), later, first),
            )
            return
