"""``--jobs``: scenarios of a command run at once, each on its own server, into the same report."""

from __future__ import annotations

import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from conformance._client.calling.adapters import command_subject, load_adapter
from conformance._client.suite import ClientOptions, run_subject
from conformance._report.writers import write_json

ROOT = Path(__file__).resolve().parents[2]
# A client that drops error codes and ignores its base URL's path: findings on several scenarios.
COMMAND = (
    f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -m tests.faulty_clients "
    "drop_code=true path='\"api/v1/invoices/{id}/payment_url\"'"
)
SCENARIOS = (
    "200-example",
    "401-unauthorized",
    "404-invoice_not_found",
    "422-third_party_error",
    "request-self-hosted",
    "500-html",
    "connection-refused",
)


def report_text(jobs: int) -> Any:
    options = ClientOptions(scenarios=SCENARIOS, jobs=jobs, timeout=20)
    stream = io.StringIO()
    write_json(run_subject(command_subject(COMMAND), options), stream)
    data = json.loads(stream.getvalue())
    del data["timestamp"]
    return data


def test_any_number_of_jobs_gives_the_same_report_as_one() -> None:
    alone = report_text(jobs=1)
    assert report_text(jobs=4) == alone
    failing = {r["scenario"] for r in alone["results"] if r["findings"]}
    assert failing == {"404-invoice_not_found", "422-third_party_error", "request-self-hosted"}


def test_in_process_adapters_run_one_scenario_at_a_time() -> None:
    subject = command_subject("true")
    assert ClientOptions(jobs=8).jobs_for(subject) == 8
    assert ClientOptions(jobs=None).jobs_for(subject) >= 1
    assert ClientOptions(jobs=8).jobs_for(load_adapter("reference")) == 1
