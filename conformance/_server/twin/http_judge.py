"""The "http" checks as a run applies them: each answer linted once, beside Lago's, with the
cookies the target sets on answers without a checkout link remembered across the run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._server.twin.http_checks import HttpPair, carries_link, cookie_names
from conformance._server.twin.http_lint import lint_exchange, lint_reply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conformance._contract.rules import Reply
    from conformance._report.findings import Check, Problem
    from conformance._server.transport.exchange import Exchange
    from conformance._server.twin.http_lint import Linted

__all__ = ["HttpJudge"]


class HttpJudge:
    """Applies the "http" checks to one answer after another, Lago's answer beside each."""

    def __init__(self, checks: tuple[Check[HttpPair], ...]) -> None:
        self.checks = checks
        self._linted: tuple[Exchange, Linted] | None = None
        self._cookies: set[str] = set()  # set by the target on answers without a link

    def judge(self, exchange: Exchange, lago: Reply) -> Iterator[tuple[Check[HttpPair], Problem]]:
        """Each http check's problems with ``exchange``, Lago's answer being ``lago``."""
        if not self.checks or exchange.status is None:
            return
        if self._linted is None or self._linted[0] is not exchange:
            # The exploration previews an answer, then records it: linted once.
            self._linted = (exchange, lint_exchange(exchange))
        if not carries_link(exchange):
            self._cookies |= cookie_names(exchange)
        linted, cookies = self._linted[1], frozenset(self._cookies)
        pair = HttpPair(exchange, lago, linted, lint_reply(lago, exchange.request), cookies)
        for check in self.checks:
            for problem in check.judge(pair):
                yield check, problem
