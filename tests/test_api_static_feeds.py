"""Static feed files for a proxy: written on publish, replaced, removed on revoke, rotate and delete."""

from __future__ import annotations

import os
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from api import static_feeds
from api.settings import Settings
from tests.test_api_helpers import (
    Api,
    create_scenario,
    feed_path,
    keep_current,
    moved,
    published,
    running_api,
    settings_for,
    solved,
    tiny,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "var" / "feeds"


@pytest.fixture
def api(tmp_path: Path, folder: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path, feed_files_dir=folder), solve=keep_current) as running:
        yield running


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def publish_tiny(api: Api, document: dict[str, Any] | None = None) -> tuple[str, dict[str, str]]:
    """Create, solve and publish; returns the scenario id and each key's feed URL."""
    scenario_id = create_scenario(api, document)
    result = published(api, solved(api, scenario_id)["schedule_id"])
    return scenario_id, {f["key"]: f["url"] for f in result["feeds"]}


def feed_files(folder: Path) -> set[str]:
    """Names of the files a proxy may serve (the index and nothing else is hidden in a dot folder)."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def nginx_etag(path: Path) -> str:
    """The ETag nginx gives a static file: hex modification seconds, a dash, hex size."""
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def test_publishing_writes_each_feed_as_its_token_with_the_apps_validators(api: Api, folder: Path) -> None:
    _, urls = publish_tiny(api)
    assert feed_files(folder) == {f"{token_of(url)}.ics" for url in urls.values()}
    for url in urls.values():
        path = folder / f"{token_of(url)}.ics"
        served = api.client.get(feed_path(url))
        assert path.read_bytes() == served.content
        assert nginx_etag(path) == served.headers["etag"]
        assert path.stat().st_mtime == parsedate_to_datetime(served.headers["last-modified"]).timestamp()
        assert path.stat().st_mode & 0o777 == 0o644
    index = folder / static_feeds.INDEX
    assert index.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in index.iterdir()} == {0o600}


def test_republishing_replaces_the_file_in_one_step(
    api: Api, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario_id, urls = publish_tiny(api)
    path = folder / f"{token_of(urls['household-a'])}.ics"
    before = path.read_bytes()
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(source: str, target: str | os.PathLike[str]) -> None:
        replaced.append((os.path.dirname(source), os.path.dirname(target)))
        real_replace(source, target)

    monkeypatch.setattr(static_feeds.os, "replace", spy)
    api.client.put(f"/v1/scenarios/{scenario_id}", json=moved(tiny(), "mon", "14:00"), headers=api.auth)
    again = published(api, solved(api, scenario_id)["schedule_id"])
    assert all(f["url"] is None for f in again["feeds"])
    after = api.client.get(feed_path(urls["household-a"]))
    assert path.read_bytes() == after.content != before
    assert nginx_etag(path) == after.headers["etag"]
    assert replaced
    assert all(source == target == str(folder) for source, target in replaced)
    assert feed_files(folder) == {f"{token_of(url)}.ics" for url in urls.values()}


def test_revoking_removes_the_file_and_rotating_moves_it(api: Api, folder: Path) -> None:
    _, urls = publish_tiny(api)
    feeds = api.client.get("/v1/feeds", headers=api.auth).json()["items"]
    ids = {f["key"]: f["id"] for f in feeds}
    assert api.client.delete(f"/v1/feeds/{ids['household-a']}", headers=api.auth).status_code == 204
    assert not (folder / f"{token_of(urls['household-a'])}.ics").exists()
    rotated = api.client.post(f"/v1/feeds/{ids['client-ava']}/rotate", headers=api.auth).json()
    assert not (folder / f"{token_of(urls['client-ava'])}.ics").exists()
    new = folder / f"{token_of(rotated['url'])}.ics"
    assert new.read_bytes() == api.client.get(feed_path(rotated["url"])).content
    remaining = set(urls) - {"household-a", "client-ava"}
    assert feed_files(folder) == {new.name} | {f"{token_of(urls[k])}.ics" for k in remaining}
    assert len(list((folder / static_feeds.INDEX).iterdir())) == len(remaining) + 1


def test_deleting_the_scenario_removes_its_files(api: Api, folder: Path) -> None:
    scenario_id, _ = publish_tiny(api)
    assert feed_files(folder)
    assert api.client.delete(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 204
    assert feed_files(folder) == set()
    assert list((folder / static_feeds.INDEX).iterdir()) == []


def test_a_folder_that_cannot_be_written_leaves_the_app_serving(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with running_api(settings_for(tmp_path, feed_files_dir=blocked), solve=keep_current) as api:
        _, urls = publish_tiny(api)
        assert api.client.get(feed_path(urls["household-a"])).status_code == 200


def test_static_files_are_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().feed_files_dir is None
    monkeypatch.setenv("CAREPATTERN_FEED_FILES_DIR", "")
    assert Settings().feed_files_dir is None
    monkeypatch.setenv("CAREPATTERN_FEED_FILES_DIR", "./var/feeds")
    assert Settings().feed_files_dir == Path("var/feeds")
    monkeypatch.delenv("CAREPATTERN_FEED_FILES_DIR")
    with running_api(settings_for(tmp_path), solve=keep_current) as api:
        publish_tiny(api)
    assert not (tmp_path / "var").exists()
