"""The web app's pages over HTTP (no browser): sign-in and its cookie, CSRF, tenant isolation,
the editor's located problems, the week, the whole picture and its API endpoint, sharing."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from scheduler.solver.result import SolveResult
from tests.test_api_helpers import (
    Api,
    create_scenario,
    keep_current,
    running_api,
    settings_for,
    solved,
    tiny,
    until_stopped,
    wait_for_job,
)

HOUSEHOLD = json.loads((Path(__file__).resolve().parent.parent / "data" / "household.json").read_text())


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path), solve=keep_current) as running:
        yield running


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign ``client`` in with ``key``; the session's CSRF token."""
    page = client.get("/signin")
    answer = client.post("/signin", data={"api_key": key, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/scenarios").text)


def web_client(
    api: Api, key: str | None = None, base_url: str = "http://testserver"
) -> tuple[TestClient, str]:
    """A second client on the same app, signed in with ``key`` (the api's own key by default)."""
    client = TestClient(api.client.app, base_url=base_url, follow_redirects=False)
    return client, sign_in(client, key or api.key)


def test_signing_in_sets_an_httponly_samesite_cookie_and_secure_over_tls(api: Api) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = TestClient(api.client.app, base_url=base, follow_redirects=False)
        page = client.get("/signin")
        answer = client.post("/signin", data={"api_key": api.key, "csrf_token": csrf_of(page.text)})
        cookie = answer.headers["set-cookie"]
        assert "cp_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure
        assert api.key not in cookie


def test_pages_forbid_scripts_and_frames_from_elsewhere(api: Api) -> None:
    page = TestClient(api.client.app).get("/signin")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"


def test_a_wrong_key_or_a_missing_signin_token_is_refused(api: Api) -> None:
    client = TestClient(api.client.app, follow_redirects=False)
    token = csrf_of(client.get("/signin").text)
    wrong = client.post("/signin", data={"api_key": "cpk_wrong", "csrf_token": token})
    assert wrong.status_code == 401
    assert "not valid or has been revoked" in wrong.text
    forged = TestClient(api.client.app, follow_redirects=False)
    assert forged.post("/signin", data={"api_key": api.key, "csrf_token": "x"}).status_code == 403


def test_pages_need_a_session_and_forms_need_the_csrf_token(api: Api) -> None:
    anonymous = TestClient(api.client.app, follow_redirects=False)
    assert anonymous.get("/scenarios").headers["location"] == "/signin?next=/scenarios"
    client, csrf = web_client(api)
    scenario_id = create_scenario(api)
    assert client.post(f"/scenarios/{scenario_id}/solve", data={"time_limit_s": "1"}).status_code == 403
    assert client.post(f"/scenarios/{scenario_id}/solve", data={"csrf_token": "nope"}).status_code == 403
    accepted = client.post(f"/scenarios/{scenario_id}/solve", data={"csrf_token": csrf, "time_limit_s": "1"})
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/jobs/")


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(api: Api) -> None:
    client, csrf = web_client(api)
    cookie = client.cookies["cp_session"]
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 303
    copy_client = TestClient(api.client.app, follow_redirects=False, cookies={"cp_session": cookie})
    assert copy_client.get("/scenarios").status_code == 303


def test_another_tenants_pages_and_forms_answer_404(api: Api) -> None:
    scenario_id = create_scenario(api)
    job = solved(api, scenario_id)
    client, csrf = web_client(api, api.new_key("rival"))
    for path in (
        f"/scenarios/{scenario_id}",
        f"/scenarios/{scenario_id}/edit",
        f"/scenarios/{scenario_id}/download",
        f"/scenarios/{scenario_id}/week",
        f"/scenarios/{scenario_id}/report",
        f"/scenarios/{scenario_id}/compare",
        f"/scenarios/{scenario_id}/sharing",
        f"/jobs/{job['id']}",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Not found" in answer.text
    for path in (f"/scenarios/{scenario_id}/solve", f"/schedules/{job['schedule_id']}/publish"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 404, path
    assert scenario_id not in client.get("/scenarios").text


def _upload(client: TestClient, csrf: str, document: dict[str, Any]) -> Any:
    return client.post(
        "/scenarios/upload",
        data={"csrf_token": csrf},
        files={"document": ("household.json", json.dumps(document).encode(), "application/json")},
    )


def _field_html(html: str, path_id: str) -> str:
    """The HTML of one editor field: from its input to the end of its block."""
    start = html.index(f'id="{path_id}"')
    return html[start : html.index("</div>", start)]


def test_an_upload_with_problems_opens_the_editor_with_each_problem_at_its_field(api: Api) -> None:
    client, csrf = web_client(api)
    document = copy.deepcopy(HOUSEHOLD)
    document["clients"][0]["routines"][0]["start"] = "25:00"
    document["appointments"][1]["duration"] = "forty"
    answer = _upload(client, csrf, document)
    assert answer.status_code == 422
    assert "2 problems to fix before saving" in answer.text
    assert "is not a time of day" in _field_html(answer.text, "f-clients-0-routines-0-start")
    assert "valid integer" in _field_html(answer.text, "f-appointments-1-duration")
    assert 'aria-invalid="true"' in _field_html(answer.text, "f-appointments-1-duration")


def test_a_reference_to_nobody_is_shown_at_the_list_that_holds_it(api: Api) -> None:
    client, csrf = web_client(api)
    document = copy.deepcopy(HOUSEHOLD)
    document["appointments"][0]["practitioners"][0] = "slt-pria"
    answer = _upload(client, csrf, document)
    assert answer.status_code == 422
    assert "did you mean &#34;slt-priya&#34;?" in _field_html(answer.text, "f-appointments-0-practitioners")


def test_a_file_that_is_not_json_is_refused_at_the_upload_field(api: Api) -> None:
    client, csrf = web_client(api)
    answer = client.post(
        "/scenarios/upload",
        data={"csrf_token": csrf},
        files={"document": ("x.json", b"{oops", "application/json")},
    )
    assert answer.status_code == 422
    assert 'id="upload-errors"' in answer.text


def _form_pairs(html: str) -> list[tuple[str, str]]:
    """What a browser would post from the editor (inputs, checked boxes, selected options, textareas)."""
    pairs: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input ([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs or attrs.get("type") == "file":
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in tag.group(1):
                pairs.append((attrs["name"], attrs.get("value", "on")))
        else:
            pairs.append((attrs["name"], attrs.get("value", "")))
    for select in re.finditer(r'<select id="[^"]*" name="([^"]*)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r"<option(?: value=\"([^\"]*)\")? selected>([^<]*)</option>", select.group(2))
        if chosen:
            pairs.append(
                (select.group(1), chosen.group(1) if chosen.group(1) is not None else chosen.group(2))
            )
    for area in re.finditer(r'<textarea id="[^"]*" name="([^"]*)"[^>]*>(.*?)</textarea>', html, re.S):
        pairs.append((area.group(1), area.group(2)))
    return [(n, v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")) for n, v in pairs]


def _post_pairs(client: TestClient, path: str, pairs: list[tuple[str, str]]) -> Any:
    return client.post(
        path, content=urlencode(pairs), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def test_the_editor_saves_what_it_shows_and_adds_items(api: Api) -> None:
    scenario_id = create_scenario(api, HOUSEHOLD)
    client, _ = web_client(api)
    page = client.get(f"/scenarios/{scenario_id}/edit").text
    pairs = _form_pairs(page)
    added = _post_pairs(
        client, f"/scenarios/{scenario_id}/edit", [*pairs, ("action", "add:clients[0].routines")]
    )
    assert added.status_code == 200
    assert 'name="clients[0].routines.__count" value="3"' in added.text
    saved = _post_pairs(client, f"/scenarios/{scenario_id}/edit", [*pairs, ("action", "save")])
    assert saved.status_code == 303, saved.text[:2000]
    stored = api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()
    assert stored["version"] == 2
    assert stored["document"]["clients"] == HOUSEHOLD["clients"]
    assert stored["document"]["appointments"] == HOUSEHOLD["appointments"]


def test_the_week_shows_today_and_the_new_pattern_for_every_kind_of_subject(api: Api) -> None:
    scenario_id = create_scenario(api, HOUSEHOLD)
    job = solved(api, scenario_id)
    client, _ = web_client(api)
    for kind, subject in (
        ("household", "hughes"),
        ("client", "alfie"),
        ("carer", "mum"),
        ("practitioner", "slt-priya"),
        ("venue", "cdc-nene"),
    ):
        page = client.get(
            f"/scenarios/{scenario_id}/week?schedule={job['schedule_id']}&pick={kind}:{subject}"
        )
        assert page.status_code == 200, (kind, page.text[:500])
        assert "Today&#39;s bookings" in page.text
        assert "New pattern" in page.text
    household = client.get(f"/scenarios/{scenario_id}/week?pick=household:hughes").text
    assert "block-journey" in household
    assert "block-routine" in household
    assert client.get(f"/scenarios/{scenario_id}/week?pick=client:nobody").status_code == 404


def test_a_two_week_pattern_shows_both_weeks(api: Api) -> None:
    fortnight = json.loads((Path(__file__).resolve().parent.parent / "data" / "fortnight.json").read_text())
    scenario_id = create_scenario(api, fortnight)
    job = solved(api, scenario_id)
    client, _ = web_client(api)
    page = client.get(f"/scenarios/{scenario_id}/week?schedule={job['schedule_id']}").text
    assert "New pattern" in page
    grids = page.count('<section class="week"')
    assert grids >= 2
    assert page.count(">Week 1 Mon<") == grids
    assert page.count(">Week 2 Fri<") == grids


def test_the_picture_endpoint_and_page(api: Api) -> None:
    scenario_id = create_scenario(api, HOUSEHOLD)
    job = solved(api, scenario_id)
    picture = api.client.get(
        f"/v1/scenarios/{scenario_id}/picture",
        params={"schedule_id": job["schedule_id"], "household": "hughes"},
        headers=api.auth,
    )
    assert picture.status_code == 200
    body: dict[str, Any] = picture.json()
    assert {"figures", "findings", "overloads", "duplications", "gaps", "conversations"} <= body.keys()
    assert body["pattern"] is not None
    assert body["findings"]
    unknown = api.client.get(
        f"/v1/scenarios/{scenario_id}/picture", params={"household": "hugh"}, headers=api.auth
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == "query.household"
    rival = {"Authorization": f"Bearer {api.new_key('rival')}"}
    assert api.client.get(f"/v1/scenarios/{scenario_id}/picture", headers=rival).status_code == 404
    client, _ = web_client(api)
    page = client.get(f"/scenarios/{scenario_id}/report?schedule={job['schedule_id']}")
    assert page.status_code == 200
    assert "Today's faults (" in page.text
    unknown_page = client.get(f"/scenarios/{scenario_id}/report?household=hugh")
    assert unknown_page.status_code == 422
    assert "query.household: no household &#34;hugh&#34;; did you mean &#34;hughes&#34;?" in unknown_page.text


def test_publishing_shows_each_new_link_once_with_a_qr_code_and_rotating_gives_a_new_one(api: Api) -> None:
    scenario_id = create_scenario(api, tiny())
    job = solved(api, scenario_id)
    client, csrf = web_client(api)
    shared = client.post(f"/schedules/{job['schedule_id']}/publish", data={"csrf_token": csrf})
    assert shared.status_code == 200
    links = re.findall(r'value="(webcal://feeds\.test/feeds/[^"]+\.ics)"', shared.text)
    assert len(links) == len(re.findall(r'class="copy"', shared.text)) > 0
    assert shared.text.count("<svg") >= len(links)
    again = client.get(f"/scenarios/{scenario_id}/sharing").text
    assert "webcal://" not in again
    feed_id = re.findall(r'action="/sharing/([^/]+)/rotate"', again)[0]
    rotated = client.post(f"/sharing/{feed_id}/rotate", data={"csrf_token": csrf}).text
    new_links = re.findall(r'value="(webcal://feeds\.test/feeds/[^"]+\.ics)"', rotated)
    assert len(new_links) == 1
    assert new_links[0] not in links


def test_the_publish_form_sends_journeys_and_a_reminder_and_refuses_a_wrong_reminder(api: Api) -> None:
    scenario_id = create_scenario(api, tiny())
    job = solved(api, scenario_id)
    client, csrf = web_client(api)
    page = client.get(f"/scenarios/{scenario_id}").text
    assert 'name="journeys" value="true"' in page
    assert (
        f'<label class="inline" for="reminder-{job["schedule_id"]}">reminder before leaving</label>' in page
    )
    path = f"/schedules/{job['schedule_id']}/publish"
    wrong = client.post(path, data={"csrf_token": csrf, "reminder_minutes": "2000"})
    assert wrong.status_code == 422
    assert "reminder_minutes: input should be less than or equal to 1440" in wrong.text
    words = client.post(path, data={"csrf_token": csrf, "reminder_minutes": "soon"})
    assert words.status_code == 422
    assert "reminder_minutes: &#34;soon&#34; is not a whole number of minutes" in words.text
    shared = client.post(path, data={"csrf_token": csrf, "journeys": "true", "reminder_minutes": "30"})
    assert shared.status_code == 200
    link = re.findall(r'value="webcal://feeds\.test(/feeds/[^"]+\.ics)"', shared.text)[0]
    assert b"TRIGGER:-PT30M" in client.get(link).content


WHY_INFEASIBLE = "alfie-slt has no slot: Priya Shah works Mondays, Wednesdays and Thursdays only"


def _infeasible(scenario: Any, **_: Any) -> SolveResult:
    """A solve with no pattern and its reason (module-level: solves run in worker processes)."""
    return SolveResult("infeasible", None, None, 0.01, explanation=WHY_INFEASIBLE)


def _timed_out(scenario: Any, **_: Any) -> SolveResult:
    """A solve that found no pattern in time."""
    return SolveResult("timeout", None, None, 0.01)


def _job_page_after_solving(api: Api) -> str:
    scenario_id = create_scenario(api)
    client, csrf = web_client(api)
    job_path = client.post(f"/scenarios/{scenario_id}/solve", data={"csrf_token": csrf}).headers["location"]
    wait_for_job(api, job_path.rsplit("/", 1)[1])
    return client.get(job_path).text


def test_an_infeasible_solve_shows_the_explanation_in_words(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path), solve=_infeasible) as api:
        page = _job_page_after_solving(api)
    assert "No pattern keeps every rule." in page
    assert WHY_INFEASIBLE in page


def test_a_timeout_says_so(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path), solve=_timed_out) as api:
        page = _job_page_after_solving(api)
    assert "Time ran out before any pattern was found." in page


def test_progress_is_polled_with_its_figures_and_the_solve_can_be_cancelled(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path, max_time_limit_s=30), solve=until_stopped) as api:
        scenario_id = create_scenario(api)
        client, csrf = web_client(api)
        job_path = client.post(f"/scenarios/{scenario_id}/solve", data={"csrf_token": csrf}).headers[
            "location"
        ]
        wait_for_job(
            api, job_path.rsplit("/", 1)[1], until=lambda job: job["progress"]["objective"] is not None
        )
        panel = client.get(job_path + "/progress").text
        assert 'hx-trigger="every 1s"' in panel
        assert '<dd id="fig-objective">10.0</dd>' in panel
        assert '<dd id="fig-gap">50.0 %</dd>' in panel
        cancelled = client.post(
            job_path + "/cancel", data={"csrf_token": csrf}, headers={"HX-Request": "true"}
        )
        assert cancelled.status_code == 200
        assert "Cancelled: no schedule was kept." in cancelled.text
        assert "hx-trigger" not in cancelled.text


def test_a_scenario_from_scratch_is_saved_and_downloads_as_json(api: Api) -> None:
    client, _ = web_client(api)
    page = client.get("/scenarios/new")
    assert page.status_code == 200
    pairs = [(n, v) for n, v in _form_pairs(page.text) if n != "name"]
    saved = _post_pairs(client, "/scenarios/new", [*pairs, ("name", "Ben's week"), ("action", "save")])
    assert saved.status_code == 303, saved.text[:2000]
    scenario_id = saved.headers["location"].split("/")[2].split("?")[0]
    download = client.get(f"/scenarios/{scenario_id}/download")
    assert download.headers["content-type"] == "application/json"
    assert 'filename="Ben-s-week.json"' in download.headers["content-disposition"]
    document = json.loads(download.content)
    assert document["name"] == "Ben's week"
    assert document["appointments"][0]["id"] == "visit-1"


def test_removing_an_item_in_the_editor_is_checked_like_any_edit(api: Api) -> None:
    scenario_id = create_scenario(api, HOUSEHOLD)
    client, _ = web_client(api)
    pairs = _form_pairs(client.get(f"/scenarios/{scenario_id}/edit").text)
    answer = _post_pairs(client, f"/scenarios/{scenario_id}/edit", [*pairs, ("venues[0].__remove", "on")])
    assert answer.status_code == 422
    assert "4 problems to fix before saving" in answer.text
    assert "no venue &#34;home-hughes&#34;" in _field_html(answer.text, "f-clients-0-home")
    stored = api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()
    assert stored["version"] == 1


def test_the_editor_of_a_town_saves(api: Api) -> None:
    town = json.loads((Path(__file__).resolve().parent.parent / "data" / "town.json").read_text())
    scenario_id = create_scenario(api, town)
    client, _ = web_client(api)
    pairs = _form_pairs(client.get(f"/scenarios/{scenario_id}/edit").text)
    assert len(pairs) > 1000
    saved = _post_pairs(client, f"/scenarios/{scenario_id}/edit", [*pairs, ("action", "save")])
    assert saved.status_code == 303, saved.text[:300]


def test_only_the_pinned_packages_distribution_files_are_served(api: Api) -> None:
    client = TestClient(api.client.app)
    htmx = client.get("/assets/npm/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200
    assert htmx.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    for path in (
        "/assets/npm/axe-core/axe.min.js",
        "/assets/npm/htmx.org/package.json",
        "/assets/npm/../package.json",
    ):
        assert client.get(path).status_code == 404, path


def test_signing_in_goes_back_to_a_local_page_only(api: Api) -> None:
    client = TestClient(api.client.app, follow_redirects=False)
    for target, landing in (("/scenarios/new", "/scenarios/new"), ("//evil.example/x", "/scenarios")):
        token = csrf_of(client.get(f"/signin?next={target}").text)
        answer = client.post("/signin", data={"api_key": api.key, "csrf_token": token, "next": target})
        assert answer.headers["location"] == landing
