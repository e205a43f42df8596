"""The committed JSON Schemas are exactly what the models generate, and every example meets them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from scheduler.contract.schema import (
    SCHEMA_DIALECT,
    SCHEMAS,
    main,
    scenario_schema,
    schedule_schema,
    schema_text,
    write_schemas,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "data" / "schema"
EXAMPLES = sorted((ROOT / "data").glob("*.json"))


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_what_the_models_generate(name: str) -> None:
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schema_text(SCHEMAS[name]()), (
        f"data/schema/{name} is stale: run python -m scheduler.contract.schema data/schema"
    )


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (scenario_schema(), schedule_schema()):
        assert schema["$schema"] == SCHEMA_DIALECT
        _validator(schema)


def test_field_names_are_the_json_ones() -> None:
    matrix_entry = scenario_schema()["$defs"]["MatrixEntry"]
    assert "from" in matrix_entry["properties"]
    assert "from_" not in matrix_entry["properties"]
    assert "from" in schedule_schema()["$defs"]["Leg"]["required"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_meets_the_scenario_schema(path: Path) -> None:
    errors = list(_validator(scenario_schema()).iter_errors(json.loads(path.read_text(encoding="utf-8"))))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_a_misspelt_field_breaks_the_schema() -> None:
    document = json.loads((ROOT / "data" / "household.json").read_text(encoding="utf-8"))
    document["clients"][0]["limits"]["max_sesions_per_day"] = 2
    errors = list(_validator(scenario_schema()).iter_errors(document))
    assert any("max_sesions_per_day" in e.message for e in errors)


def test_a_bad_time_of_day_breaks_the_schema() -> None:
    document = json.loads((ROOT / "data" / "household.json").read_text(encoding="utf-8"))
    document["clients"][0]["routines"][0]["start"] = "25:00"
    assert list(_validator(scenario_schema()).iter_errors(document))


def test_the_command_writes_both_schemas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(tmp_path / "out")])
    printed = capsys.readouterr().out.split()
    for name in SCHEMAS:
        written = tmp_path / "out" / name
        assert str(written) in printed
        assert written.read_text(encoding="utf-8") == (SCHEMA_DIR / name).read_text(encoding="utf-8")


def test_write_schemas_returns_the_paths_written(tmp_path: Path) -> None:
    assert sorted(p.name for p in write_schemas(tmp_path)) == sorted(SCHEMAS)
