"""BuildKit's --progress=rawjson folded into steps, times, cache hits, logs and errors.

The fixture is the real output of `docker buildx build --progress=rawjson` (buildx 0.13.1,
Engine 26.1.5) for a two-stage Dockerfile whose last RUN fails: pretty-printed JSON objects
one after another, then the Dockerfile excerpt and the ERROR line as plain text.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from slimlab.builder import plain_log, steps_of
from slimlab.engine.buildx import Events, parse_events, parse_time

FAILED = (Path(__file__).parent / "fixtures" / "buildx-rawjson-failed.txt").read_text()


def chunked(text: str, size: int):
    """The CLI's output arrives in arbitrary pieces: objects split across reads."""
    return (text[i:i + size] for i in range(0, len(text), size))


@pytest.mark.parametrize("size", [7, 100, 1 << 20])
def test_objects_split_anywhere_parse_the_same(size):
    events = parse_events(chunked(FAILED, size))
    names = [v.name for v in events.ordered()]
    assert "[one 1/1] COPY a.txt /a.txt" in names and "[two 2/2] RUN false" in names
    assert events.text[-1].startswith("ERROR: failed to solve:")


def test_the_failure_is_the_failing_vertex_with_its_log():
    events = parse_events([FAILED])
    failed = events.failed_vertex()
    assert failed is not None and failed.name == "[two 2/2] RUN false"
    assert "exit code: 1" in failed.error
    assert any("/bin/sh" in line for line in failed.log)  # the RUN's own stderr, decoded
    assert events.error == ('failed to solve: process "/bin/sh -c false" did not complete '
                            'successfully: exit code: 1')  # docker build's own last line
    assert ">>> RUN false" in "\n".join(events.text)  # the Dockerfile excerpt is kept


def test_steps_follow_the_dockerfile_not_the_event_order():
    events = parse_events([FAILED])
    steps = steps_of(events, ["one", "two"])
    assert [(s.stage, s.instruction) for s in steps] == [
        ("one", "COPY a.txt /a.txt"), ("two", "COPY b.txt /b.txt"), ("two", "RUN false")]
    assert [s.index for s in steps] == [1, 2, 3]
    assert all(s.seconds >= 0 for s in steps)


def _event(digest: str, name: str, **fields) -> str:
    return json.dumps({"vertexes": [{"digest": digest, "name": name, **fields}]}, indent=2)


def test_cached_flag_timing_and_logs():
    log = base64.b64encode(b"Downloading 3 files\nBUILD SUCCESS\n").decode()
    text = "\n".join([
        _event("d1", "[build 2/3] RUN mvn dependency:go-offline",
               started="2026-12-04T15:46:40.100000000Z",
               completed="2026-12-04T15:46:40.100000000Z", cached=True),
        _event("d2", "[build 3/3] RUN mvn package", started="2026-12-04T15:46:40.5Z"),
        json.dumps({"logs": [{"vertex": "d2", "stream": 1, "data": log}]}),
        _event("d2", "[build 3/3] RUN mvn package", started="2026-12-04T15:46:40.5Z",
               completed="2026-12-04T15:46:52.760000001Z"),
        _event("d0", "[internal] load build definition from Dockerfile"),
    ])
    seen = []
    events = parse_events(chunked(text, 13), on_vertex=lambda v: seen.append(v.name))
    steps = steps_of(events, ["build"])
    assert [(s.instruction, s.cached) for s in steps] == [
        ("RUN mvn dependency:go-offline", True), ("RUN mvn package", False)]
    assert steps[1].seconds == pytest.approx(12.26, abs=1e-3)
    assert steps[1].log == ["Downloading 3 files", "BUILD SUCCESS"]
    assert seen.count("[build 3/3] RUN mvn package") == 2  # every update is heard
    plain = plain_log(events)
    assert "#1 [build 2/3] RUN mvn dependency:go-offline\n#1 CACHED" in plain
    assert "#2 BUILD SUCCESS\n#2 DONE 12.3s" in plain


def test_times_with_nanoseconds_and_offsets():
    assert parse_time("2026-12-04T15:46:40.272412173Z") == pytest.approx(
        parse_time("2026-12-04T15:46:40Z") + 0.272412173)
    assert parse_time("2026-12-04T16:46:40+01:00") == parse_time("2026-12-04T15:46:40Z")
    assert parse_time(None) is None and parse_time("yesterday") is None


def test_plain_text_without_json_is_kept():
    events = parse_events(["ERROR: ambiguous Dockerfile source: both stdin and flag\n"])
    assert events.vertexes == {} and events.error.startswith("ambiguous Dockerfile source")
    assert Events().error == ""
