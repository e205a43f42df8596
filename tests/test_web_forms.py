"""The editor's form: built from the contract's models, read back into the same scenario, with
each loader problem attached to the field at its location; and the session cookie's signature."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.web.forms import COUNT, FormData, FormField, add_item, parse_form, scenario_form
from api.web.session import MAX_AGE_S, Signer
from scheduler.errors import InputIssue, ScenarioError
from scheduler.loader import load_scenario

DATA = Path(__file__).resolve().parent.parent / "data"


def posted(fields: list[FormField]) -> Iterator[tuple[str, str]]:
    """What a browser posts for ``fields`` as they are shown."""
    for f in fields:
        if f.kind in ("group", "hours"):
            yield from posted(f.children)
        elif f.kind == "items":
            yield f"{f.path}.{COUNT}", str(len(f.children))
            for item in f.children:
                yield from posted(item.children)
        elif f.kind == "days":
            yield from ((f.path, d) for d in f.value)
        elif f.kind == "checkbox":
            if f.value:
                yield f.path, "on"
        else:
            yield f.path, f.value


def round_trip(document: dict[str, Any], *changes: tuple[str, str]) -> dict[str, Any]:
    changed = dict(changes)
    pairs = [(name, changed.get(name, value)) for name, value in posted(scenario_form(document).fields)]
    return parse_form(FormData(pairs))


@pytest.mark.parametrize("name", ["household", "fortnight", "town", "spec-example"])
def test_every_example_reads_back_as_the_same_scenario(name: str) -> None:
    document = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    assert load_scenario(round_trip(document)) == load_scenario(document)


def test_a_value_that_cannot_be_read_is_kept_for_the_loader_to_report() -> None:
    document = json.loads((DATA / "household.json").read_text(encoding="utf-8"))
    changed = round_trip(document, ("appointments[1].duration", "forty"), ("horizon.weeks", "3"))
    assert changed["appointments"][1]["duration"] == "forty"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(changed)
    assert {i.location for i in caught.value.issues} == {"appointments[1].duration", "horizon.weeks"}


def test_each_problem_is_attached_to_the_closest_field_at_its_location() -> None:
    document = json.loads((DATA / "household.json").read_text(encoding="utf-8"))
    issues = [
        InputIssue("clients[0].routines[0].start", "bad start"),
        InputIssue("appointments[0].practitioners[1]", "no such practitioner"),
        InputIssue("venues[1].open.mon[0]", "ends before it starts"),
        InputIssue("clients[0].colour", "unknown field"),
        InputIssue("", "the document is wrong"),
    ]
    form = scenario_form(document, issues)
    fields = {f.path: f for top in form.fields for f in top.walk()}
    assert fields["clients[0].routines[0].start"].errors == ["bad start"]
    assert fields["appointments[0].practitioners"].errors == ["no such practitioner"]
    assert fields["venues[1].open.mon"].errors == ["ends before it starts"]
    assert fields["clients[0]"].errors == ["unknown field"]
    assert [p.target for p in form.problems] == [
        "f-clients-0-routines-0-start",
        "f-appointments-0-practitioners",
        "f-venues-1-open-mon",
        "f-clients-0",
        "problems",
    ]
    assert fields["clients[0]"].open
    assert not fields["clients[1]"].open


def test_a_huge_item_count_reads_no_more_items_than_the_form_has() -> None:
    document = parse_form(FormData([("clients.__count", "1000000000"), ("clients[0].id", "a")]))
    assert document["clients"] == [{"id": "a"}, {}]


def test_adding_an_item_needs_a_list_of_the_document() -> None:
    document: dict[str, Any] = {"clients": [{"id": "a"}]}
    assert add_item(document, "clients[0].routines") == "clients[0].routines[0]"
    assert document["clients"][0]["routines"] == [{}]
    for wrong in ("clients[3].routines", "clients[0].id", "clients[0]", ""):
        with pytest.raises(ValueError, match="no list"):
            add_item(document, wrong)


def test_a_session_cookie_is_refused_when_altered_expired_or_signed_out() -> None:
    signer = Signer("secret")
    value = signer.session_value("key-1", now=1_000_000)
    assert signer.read(value, now=1_000_100) is not None
    assert signer.read(value.replace("key-1", "key-2"), now=1_000_100) is None
    assert Signer("other").read(value, now=1_000_100) is None
    assert signer.read(value, now=1_000_000 + MAX_AGE_S + 1) is None
    assert signer.read("not.a.cookie", now=1_000_100) is None
    signer.end(value)
    assert signer.read(value) is None


HOUSEHOLD_NAMES = sorted(
    {name for name, _ in posted(scenario_form(json.loads((DATA / "household.json").read_text())).fields)}
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(HOUSEHOLD_NAMES),
            st.one_of(
                st.text(max_size=12), st.sampled_from(["-1", "1e9", "3", "", "09:00-", "car=x", "mon"])
            ),
        ),
        max_size=40,
    )
)
def test_any_posted_form_reads_as_a_document_the_loader_accepts_or_locates(
    pairs: list[tuple[str, str]],
) -> None:
    document = parse_form(FormData(pairs))
    issues: tuple[InputIssue, ...] = ()
    try:
        load_scenario(document)
    except ScenarioError as exc:
        issues = exc.issues
    assert all(issue.message for issue in issues)
