"""The real server: ``scheduler-api serve --demo`` under uvicorn on a loopback port, driven over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from tests.test_api_helpers import tiny

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A ``scheduler-api serve`` process and everything it has printed."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """The first match of ``pattern`` in the output, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output)
            if found:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not printed; output:\n{self.output}")

    def stop(self) -> None:
        """Stop the server as Ctrl-C would."""
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREPATTERN_")}
    env["CAREPATTERN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'demo.sqlite'}"
    env["CAREPATTERN_MAX_TIME_LIMIT_S"] = "3"
    running = Server(["serve", "--demo", "--port", str(port)], env)
    try:
        running.wait_for(r"Uvicorn running on")
        yield running, f"http://127.0.0.1:{port}"
    finally:
        running.stop()


def test_submit_solve_publish_and_fetch_a_feed(server: tuple[Server, str]) -> None:
    process, base = server
    key = process.wait_for(r"demo API key: (cpk_\S+)").group(1)
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/v1/scenarios", headers=auth).json()["total"] == 1
        scenario = http.post("/v1/scenarios", json=tiny(), headers=auth)
        assert scenario.status_code == 201
        submitted = http.post(f"/v1/scenarios/{scenario.json()['id']}/solve", headers=auth)
        assert submitted.status_code == 202
        job_url = submitted.headers["location"]
        deadline = time.monotonic() + 60
        while (job := http.get(job_url, headers=auth).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert job["status"] == "done"
        feeds = http.post(f"/v1/schedules/{job['schedule_id']}/publish", headers=auth).json()["feeds"]
        url = next(f["url"] for f in feeds if f["key"] == "household-a")
        assert url.startswith(base + "/feeds/")
        feed = httpx.get(url, headers={"accept": ""})
        assert feed.status_code == 200
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
        assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1
        assert httpx.get(url, headers={"if-none-match": feed.headers["etag"]}).status_code == 304
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    process.wait_for(r'"GET /feeds/<redacted> HTTP/1.1" 304')
    assert token not in process.output
