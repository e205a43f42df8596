"""A bounded load check of solve submissions against a running server (loopback only).

``python -m api.loadtest --key cpk_... --scenario ID --submissions 50`` submits that many
solves as fast as the server takes them, then polls until every job is over, and prints
how they were accepted, how deep the queue got, how long it took to drain and how every
job ended. It refuses any address that is not loopback.
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer

ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Submission:
    """One solve request's answer."""

    status: int
    seconds: float
    job_id: str | None


def is_loopback(url: str) -> bool:
    """True when ``url`` names localhost or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def submit_all(http: httpx.Client, scenario: str, count: int, time_limit: float) -> list[Submission]:
    """``count`` solve submissions, one after another, with each answer's status and latency."""
    submissions = []
    for _ in range(count):
        started = time.perf_counter()
        response = http.post(f"/v1/scenarios/{scenario}/solve", json={"time_limit_s": time_limit})
        job_id = response.json().get("id") if response.status_code == 202 else None
        submissions.append(Submission(response.status_code, time.perf_counter() - started, job_id))
    return submissions


def drain(http: httpx.Client, job_ids: list[str], timeout: float) -> tuple[dict[str, Any], int, float]:
    """Poll until every job is over: final jobs by id, the deepest queue seen, seconds taken."""
    started = time.perf_counter()
    deepest = 0
    jobs: dict[str, Any] = {}
    while time.perf_counter() - started < timeout:
        jobs = {job_id: http.get(f"/v1/jobs/{job_id}").json() for job_id in job_ids}
        waiting = sum(1 for job in jobs.values() if job["status"] == "queued")
        deepest = max(deepest, waiting)
        if not any(job["status"] in ACTIVE for job in jobs.values()):
            break
        time.sleep(0.25)
    return jobs, deepest, time.perf_counter() - started


def main(
    key: Annotated[str, typer.Option(help="An API key.")],
    scenario: Annotated[str, typer.Option(help="The scenario to solve.")],
    url: Annotated[str, typer.Option(help="The server (loopback only).")] = "http://127.0.0.1:8000",
    submissions: Annotated[int, typer.Option(min=1, max=500)] = 50,
    time_limit: Annotated[float, typer.Option(help="Each solve's time limit, seconds.")] = 2.0,
    timeout: Annotated[float, typer.Option(help="Give up draining after this many seconds.")] = 600.0,
) -> None:
    """Submit solves, watch the queue drain, and print what happened."""
    if not is_loopback(url):
        raise typer.BadParameter(f"{url} is not a loopback address", param_hint="--url")
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        started = time.perf_counter()
        answers = submit_all(http, scenario, submissions, time_limit)
        submitted_in = time.perf_counter() - started
        job_ids = [a.job_id for a in answers if a.job_id is not None]
        jobs, deepest, drained_in = drain(http, job_ids, timeout)
    latencies = sorted(a.seconds for a in answers)
    statuses = Counter(job["status"] for job in jobs.values())
    typer.echo(f"submissions: {submissions} in {submitted_in:.2f} s ({submissions / submitted_in:.0f}/s)")
    typer.echo(f"answers: {dict(Counter(a.status for a in answers))}")
    typer.echo(
        f"submit latency: median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )
    typer.echo(f"deepest queue seen: {deepest} jobs waiting")
    typer.echo(f"drained in: {drained_in:.1f} s after the last submission")
    typer.echo(f"final statuses: {dict(statuses)}; lost: {submissions - sum(statuses.values())}")


if __name__ == "__main__":
    typer.run(main)
