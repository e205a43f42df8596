"""The benchmark's rows: figures today and in the pattern, accompanying minutes included."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.run import print_header, print_row, run_one
from tests.builders import appointment, household_dict


def test_a_row_counts_accompanying_minutes_today_and_in_the_pattern(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Jo's therapy is at the clinic, 20 min from home: Mia, never left alone, comes along with
    # Sam today and in the pattern, 20 + 60 + 20 minutes away from home.
    d = household_dict()
    therapy = appointment(d, "therapy")
    therapy["venues"] = ["clinic"]
    therapy["current"] = [{"day": "mon", "start": "10:00", "venue": "clinic"}]
    row = run_one("household", d, limit=5, workers=1, seed=0)
    assert (row.status, row.violations) == ("optimal", 0)
    assert row.accompanying == (100, 100)
    assert row.trips == (1, 1)
    print_header()
    print_row(row)
    print_row(dataclasses.replace(row, status="timeout", trips=(1, None), accompanying=(100, None)))
    header, _, solved, unsolved = capsys.readouterr().out.splitlines()
    assert "accomp min now/new" in header
    assert solved.split()[-2:] == ["100/100", "1.00"]
    assert unsolved.split()[-2:] == ["100/-", "-"]
    assert len(solved) == len(header) == len(unsolved)
