"""JSON Schemas of the scenario and schedule documents, generated from the pydantic models.

The committed copies in ``data/schema/`` are written by ``python -m scheduler.contract.schema
data/schema``; a test checks they equal what this module generates, so they never drift
from the models.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scheduler.contract.scenario import ScenarioDoc
from scheduler.contract.schedule import ScheduleDoc

JsonSchema = dict[str, Any]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_schema() -> JsonSchema:
    """The JSON Schema of a scenario document (field names as they appear in JSON)."""
    return _with_dialect(ScenarioDoc.model_json_schema(by_alias=True))


def schedule_schema() -> JsonSchema:
    """The JSON Schema of a schedule document (field names as they appear in JSON)."""
    return _with_dialect(ScheduleDoc.model_json_schema(by_alias=True))


SCHEMAS: dict[str, Callable[[], JsonSchema]] = {
    "scenario.schema.json": scenario_schema,
    "schedule.schema.json": schedule_schema,
}
"""Every schema by the file name it is committed under."""


def _with_dialect(schema: JsonSchema) -> JsonSchema:
    return {"$schema": SCHEMA_DIALECT, **schema}


def schema_text(schema: JsonSchema) -> str:
    """The schema as committed: 2-space indented JSON with a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (created if needed) and return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in SCHEMAS.items():
        path = directory / name
        path.write_text(schema_text(make()), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m scheduler.contract.schema DIRECTORY``."""
    parser = argparse.ArgumentParser(description="Write the scenario and schedule JSON Schemas.")
    parser.add_argument("directory", type=Path, help="where to write the *.schema.json files")
    args = parser.parse_args(argv)
    for path in write_schemas(args.directory):
        print(path)


if __name__ == "__main__":
    main()
