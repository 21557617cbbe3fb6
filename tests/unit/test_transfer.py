"""Pull and push events and errors, from the engine's own texts (no engine needed)."""

from __future__ import annotations

import pytest
from slimlab.engine.transfer import LayerEvent, events, manifest_size, transfer_error
from slimlab.errors import PullFailed


@pytest.mark.parametrize(("text", "cause", "hint_word"), [
    ("toomanyrequests: You have reached your pull rate limit. You may increase the limit "
     "by authenticating and upgrading", "rate limit", "docker login"),
    ('Get "https://registry-1.docker.io/v2/": proxyconnect tcp: dial tcp 10.0.0.1:3128: '
     "connect: connection refused", "proxy", "Proxies"),
    ("manifest for eclipse-temurin:26-jdk not found: manifest unknown: manifest unknown",
     "no such image or tag", "tag"),
    ('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on '
     "127.0.0.53:53: no such host", "offline", "bundle"),
    ('Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
     "offline", "make lab"),
    ("pull access denied for slimlab/nothing, repository does not exist or may require "
     "'docker login': denied: requested access to the resource is denied", "login",
     "docker login"),
])
def test_each_cause_gets_its_own_message(text, cause, hint_word):
    error = transfer_error("some/image:1", text)
    assert isinstance(error, PullFailed)
    assert cause in error.cause and hint_word in error.hint
    assert error.message.startswith("Cannot pull some/image:1")
    assert text in error.log  # the engine's own words stay visible


def test_an_unknown_failure_still_carries_the_engine_text():
    error = transfer_error("x:1", "something new went wrong", "push")
    assert error.cause == "" and error.message == "Cannot push x:1."
    assert "something new" in error.log


def test_events_become_layer_events_and_an_error_event_raises():
    stream = iter([
        {"status": "Pulling from slimlab-test/base", "id": "1"},
        {"status": "Downloading", "id": "abc", "progressDetail": {"current": 5, "total": 9}},
        {"status": "Download complete", "id": "abc", "progressDetail": {}},
        {"error": "toomanyrequests: slow down", "errorDetail": {"message": "slow down"}},
    ])
    got = []
    with pytest.raises(PullFailed, match="rate limit"):
        for event in events(stream, "slimlab-test/base:1", "pull"):
            got.append(event)
    assert got[1] == LayerEvent("abc", "Downloading", 5, 9)
    assert got[2].status == "Download complete"


def test_manifest_size_picks_this_platform_from_an_index():
    def entry(os, arch, sizes):
        return {"Descriptor": {"platform": {"os": os, "architecture": arch}},
                "SchemaV2Manifest": {"config": {"size": 100},
                                     "layers": [{"size": s} for s in sizes]}}
    index = [entry("linux", "arm64", [1, 2]), entry("linux", "amd64", [1000, 2000])]
    assert manifest_size(index, ("linux", "amd64")) == 3100
    assert manifest_size(index, ("linux", "s390x")) is None
    single = {"Descriptor": {}, "OCIManifest": {"config": {"size": 7},
                                                "layers": [{"size": 3}]}}
    assert manifest_size(single, ("linux", "amd64")) == 10
