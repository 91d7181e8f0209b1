from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance import (
    FIXTURE_KEYS,
    Fixtures,
    FixturesError,
    LagoMock,
    dump_fixtures,
    load_fixtures,
    parse_fixtures,
)

if TYPE_CHECKING:
    from pathlib import Path

PAYABLE = "1a901a90-1a90-1a90-1a90-1a901a901a90"


def test_parse_canonicalises_ids() -> None:
    fixtures = parse_fixtures(f'[invoices]\npayable = "{PAYABLE.upper()}"\n')
    assert fixtures.invoices == {"payable": PAYABLE}
    assert fixtures.get("payable") == PAYABLE
    assert fixtures.get("payment_provider_error") is None


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    fixtures = LagoMock(seed=9).fixtures
    path = tmp_path / "fixtures.toml"
    path.write_text(dump_fixtures(fixtures, "made by a test"), encoding="utf-8")
    assert load_fixtures(path) == fixtures
    assert path.read_text().startswith("# made by a test\n[invoices]\n")


def test_every_reason_is_a_key() -> None:
    assert FIXTURE_KEYS[0] == "payable"
    assert "missing_payment_provider_customer" in FIXTURE_KEYS
    assert "third_party_error" in FIXTURE_KEYS


def test_empty_file_is_empty_fixtures() -> None:
    assert parse_fixtures("") == Fixtures()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '[invoices]\npayabel = "x"',
            "unknown key 'payabel' in [invoices]; use one of: payable, ",
            id="typo",
        ),
        pytest.param(
            '[invoices]\npayable = "xyz"', "invoices.payable = 'xyz' is not a UUID", id="bad-uuid"
        ),
        pytest.param(
            "[invoices]\npayable = 3",
            "invoices.payable must be a quoted invoice id",
            id="not-a-string",
        ),
        pytest.param(
            'api_key = "k"',
            "API keys never live in this file: pass --api-key or set LAGO_API_KEY",
            id="api-key-top",
        ),
        pytest.param(
            '[invoices]\nlago_api_key = "k"',
            "API keys never live in this file",
            id="api-key-in-table",
        ),
        pytest.param(
            "[other]\n",
            "unknown top-level key 'other'; the only table is [invoices]",
            id="other-table",
        ),
        pytest.param('invoices = "x"', "'invoices' must be a table", id="not-a-table"),
        pytest.param("[invoices\n", "not valid TOML", id="bad-toml"),
    ],
)
def test_bad_fixtures_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(FixturesError) as caught:
        parse_fixtures(text, source="f.toml")
    assert str(caught.value).startswith("f.toml: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FixturesError, match="does not exist; check the path"):
        load_fixtures(tmp_path / "nope.toml")


def test_fixtures_are_read_only() -> None:
    fixtures = parse_fixtures(f'[invoices]\npayable = "{PAYABLE}"')
    with pytest.raises(TypeError):
        fixtures.invoices["payable"] = "x"  # type: ignore[index]
