from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest

from conformance._cli.main import main
from tests.contract.documents import bundled, whole_document, with_403, with_required, write

if TYPE_CHECKING:
    from pathlib import Path


def drift(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["drift", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_differences_exit_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = drift(capsys, str(write(tmp_path / "lago.yaml", whole_document())))
    assert (code, err) == (0, "")
    assert "No differences." in out


def test_differences_are_markdown_or_json_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "new.yaml", with_403(with_required(bundled())))
    code, out, _ = drift(capsys, str(path))
    assert code == 1
    assert out.startswith(f"# Drift: the bundled contract -> {path}\n")
    assert "| status | `403` | added | newly documented: clients must handle it | clients |" in out
    code, out, _ = drift(capsys, str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["spec_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {c["breaks"] for c in data["changes"]} == {"servers", "clients"}
    assert len(data["changes"]) == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "cannot read the spec"),
        ("{not: [yaml", "is not YAML or JSON"),
        ("title: a README", "is not an OpenAPI 3.x document"),
        ("openapi: 3.1.0\npaths: {/customers: {get: {responses: {}}}}", "has no POST"),
    ],
)
@pytest.mark.parametrize("command", ["drift", "server", "client"])
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
    text: str | None,
    message: str,
) -> None:
    path = tmp_path / "spec.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    reports = ["--report-dir", str(tmp_path / "r")]
    args = [str(path)] if command == "drift" else ["--spec", str(path), *reports]
    assert main([command, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "r").exists()


def verdicts(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["check"], r["scenario"], r["outcome"]) for r in report["results"]]


def test_server_spec_gives_the_same_verdicts_and_records_the_spec(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "lago.yaml", whole_document())
    reports = {}
    for name, extra in (("bundled", []), ("spec", ["--spec", str(path)])):
        args = ["server", "--max-examples", "5", "--report-dir", str(tmp_path / name), *extra]
        assert main(args) == 0
        reports[name] = json.loads((tmp_path / name / "server.json").read_text())
    capsys.readouterr()
    assert verdicts(reports["spec"]) == verdicts(reports["bundled"])
    assert reports["bundled"]["metadata"]["spec"] == "bundled"
    metadata = reports["spec"]["metadata"]
    assert metadata["spec"] == str(path)
    assert metadata["spec_file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert set(metadata["spec_sha256"]) == {"documented", "strict"}


def test_server_spec_judges_by_the_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The mock never answers 403: a spec documenting one still passes; one requiring a field
    # the mock sends passes too. One that drops the 404 makes the mock's 404s undocumented.
    document = bundled()
    del document["paths"]["/invoices/{lago_id}/payment_url"]["post"]["responses"]["404"]
    path = write(tmp_path / "no404.yaml", document)
    code = main(
        ["server", "--max-examples", "5", "--report-dir", str(tmp_path), "--spec", str(path)]
    )
    capsys.readouterr()
    assert code == 1
    report = json.loads((tmp_path / "server.json").read_text())
    failed = {r["check"] for r in report["results"] if r["outcome"] == "failed"}
    assert "status_code_conformance" in failed


def test_client_spec_on_a_fragment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "required.yaml", with_required(bundled()))
    args = ["client", "--spec", str(path), "--report-dir", str(tmp_path), "--max-examples", "5"]
    code = main([*args, "--scenario", "200-example", "--scenario", "200-generated"])
    capsys.readouterr()
    assert code == 0
    report = json.loads((tmp_path / "client.json").read_text())
    assert report["metadata"]["spec"] == str(path)
    assert report["metadata"]["spec_file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {r["outcome"] for r in report["results"]} == {"passed"}
