"""Engine trouble becomes one readable EngineUnavailable with the fix, never a traceback."""

from __future__ import annotations

import pytest
from docker.errors import DockerException
from slimlab import engine
from slimlab.errors import EngineUnavailable


@pytest.fixture(autouse=True)
def fresh_client():
    """engine.client() is cached; every test here starts and ends without a client."""
    engine.client.cache_clear()
    yield
    engine.client.cache_clear()


def test_daemon_down_with_a_bogus_socket(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nonexistent.sock")
    with pytest.raises(EngineUnavailable) as info:
        engine.client()
    err = info.value
    assert "Cannot reach the Docker engine" in err.message
    assert "systemctl start docker" in err.hint and "docker-buildx" in err.hint
    assert "Engine 25 or newer" in err.hint
    assert "nonexistent.sock" in err.log or "No such file" in err.log
    assert isinstance(err.__cause__, DockerException)
    text = str(err)
    assert "What to do:" in text and "Last log lines:" in text


def test_daemon_down_on_tcp_loopback(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")  # nothing listens on port 1
    with pytest.raises(EngineUnavailable, match="Cannot reach"):
        engine.client()


def test_permission_denied_says_docker_group(monkeypatch):
    import docker

    class Refusing:
        def ping(self):
            raise DockerException("Error while fetching server API version: "
                                  "('Connection aborted.', PermissionError(13, "
                                  "'Permission denied'))")

    monkeypatch.setattr(docker, "from_env", lambda **kwargs: Refusing())
    with pytest.raises(EngineUnavailable) as info:
        engine.client()
    assert "may not use its socket" in info.value.message
    assert "usermod -aG docker" in info.value.hint


def test_old_engine_is_refused_by_client(monkeypatch):
    import docker

    class Old:
        def ping(self):
            return True

        def version(self):
            return {"Version": "17.03.2-ce", "ApiVersion": "1.27"}

    monkeypatch.setattr(docker, "from_env", lambda **kwargs: Old())
    with pytest.raises(EngineUnavailable, match=r"17\.03\.2-ce speaks API 1\.27"):
        engine.client()


@pytest.mark.parametrize("api", ["1.30", "1.40", "0.9"])
def test_check_version_too_old(api):
    with pytest.raises(EngineUnavailable) as info:
        engine.check_version({"ApiVersion": api})
    assert f"API {api}" in info.value.message and "1.41" in info.value.message
    assert "Upgrade Docker" in info.value.hint


@pytest.mark.parametrize("api", ["1.41", "1.43", "1.51", "2.0"])
def test_check_version_new_enough(api):
    engine.check_version({"Version": "x", "ApiVersion": api})


def test_labels_carry_lab_learner_and_extras(monkeypatch):
    monkeypatch.setenv("SLIMLAB_LEARNER", "ada")
    assert engine.labels("01-layers", kit_recipe="abc") == {
        "slimlab": "true", "slimlab.lab": "01-layers", "slimlab.learner": "ada",
        "slimlab.kit-recipe": "abc"}
    monkeypatch.delenv("SLIMLAB_LEARNER")
    assert engine.labels() == {"slimlab": "true"}


def test_filters():
    assert engine._filters() == {"label": ["slimlab"]}
    assert engine._filters("l", "x") == {
        "label": ["slimlab", "slimlab.lab=l", "slimlab.learner=x"]}
