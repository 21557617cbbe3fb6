"""run's pure parts: Spring's startup line, memory less page cache, orphans by owner."""

from __future__ import annotations

import pytest
from slimlab import containers as run_mod
from slimlab.containers import memory_without_cache, spring_started_seconds

SPRING_LOG = """\
2026-05-09T07:35:25.123Z  INFO 1 --- [bookshelf] [main] d.s.b.BookshelfApplication : Starting \
BookshelfApplication v0.0.1 using Java 25
2026-05-09T07:35:27.456Z  INFO 1 --- [bookshelf] [main] d.s.b.BookshelfApplication : Started \
BookshelfApplication in 2.345 seconds (process running for 2.9)
"""


@pytest.mark.parametrize(("log", "seconds"), [
    (SPRING_LOG, 2.345),
    ("Started App in 0.08 seconds (process running for 0.1)", 0.08),
    ("Started BookshelfApplication in 12 seconds", 12.0),
    ("Starting BookshelfApplication\nTomcat started on port 8080", None),
    ("", None),
])
def test_spring_started_seconds(log, seconds):
    assert spring_started_seconds(log) == seconds


def test_spring_first_started_line_wins():
    assert spring_started_seconds("Started A in 1.5 seconds\nStarted B in 9.0 seconds") == 1.5


CGROUP_V1 = {"memory_stats": {"usage": 300_000_000, "limit": 8 << 30, "stats": {
    "cache": 120_000_000, "total_inactive_file": 100_000_000, "inactive_file": 99_000_000,
    "rss": 150_000_000}}}
CGROUP_V2 = {"memory_stats": {"usage": 250_000_000, "limit": 8 << 30, "stats": {
    "anon": 180_000_000, "file": 60_000_000, "inactive_file": 40_000_000,
    "active_file": 20_000_000}}}


def test_memory_cgroup_v1_uses_total_inactive_file():
    assert memory_without_cache(CGROUP_V1) == 200_000_000


def test_memory_cgroup_v2_uses_inactive_file():
    assert memory_without_cache(CGROUP_V2) == 210_000_000


def test_memory_without_detail_or_with_odd_numbers():
    assert memory_without_cache({"memory_stats": {"usage": 5}}) == 5
    assert memory_without_cache({}) == 0
    # a cache figure not below usage is not subtracted (as the docker CLI does)
    assert memory_without_cache({"memory_stats": {"usage": 5, "stats": {"inactive_file": 9}}}) == 5


class FakeContainer:
    def __init__(self, owner: str) -> None:
        self.labels = {"slimlab": "true", run_mod.OWNER: owner}
        self.removed = False

    def remove(self, force: bool = False) -> None:
        self.removed = force


def test_remove_orphans_only_removes_dead_owners_on_this_host(monkeypatch):
    monkeypatch.setattr(run_mod.socket, "gethostname", lambda: "here")
    dead, alive, elsewhere, odd = (FakeContainer("here:999999991"), FakeContainer("here:1"),
                                   FakeContainer("there:999999991"), FakeContainer("garbage"))
    monkeypatch.setattr(run_mod.engine, "containers", lambda: [dead, alive, elsewhere, odd])
    monkeypatch.setattr(run_mod, "_alive", lambda pid: pid != 999999991)
    assert run_mod.remove_orphans() == 1
    assert (dead.removed, alive.removed, elsewhere.removed, odd.removed) == (
        True, False, False, False)


def test_alive_for_this_process_and_a_dead_pid():
    import os

    assert run_mod._alive(os.getpid())
    assert not run_mod._alive(2**22 + 12345)  # above the default pid_max: never a process


def test_exit_hints():
    assert "memory" in run_mod._exit_hint(137, "")
    assert "jar" in run_mod._exit_hint(1, "Error: Unable to access jarfile /app.jar")
    assert "jlink" in run_mod._exit_hint(1, "java.lang.module.FindException: Module x not found")
