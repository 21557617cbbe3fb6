"""Build and run against the real engine, with tiny images made from the kit."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import textwrap
import time
import uuid

import pytest
from conftest import JDK_IMAGE, OS_IMAGE, TEST_LAB, remove_image, unique_tag
from docker.errors import NotFound
from slimlab import containers as run_mod
from slimlab import engine as slim_engine
from slimlab.builder import build_image
from slimlab.errors import BuildFailed, ContainerFailed, PortBusy

run = run_mod.run_container

pytestmark = pytest.mark.engine

TINY = """\
ARG OS_IMAGE=debian:trixie-slim
FROM ${OS_IMAGE}
COPY hello.txt /hello.txt
RUN echo "token %s" > /token.txt
"""

# A readiness endpoint like Spring's, in plain Java (the kit OS image has no python, and
# the JRE cannot run `java Server.java`: the source launcher needs the JDK's compiler).
SERVER_JAVA = textwrap.dedent("""\
    import com.sun.net.httpserver.HttpServer;
    import java.lang.management.ManagementFactory;
    import java.net.InetSocketAddress;

    public class Server {
        public static void main(String[] args) throws Exception {
            long start = System.nanoTime();
            HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
            server.createContext("/actuator/health/readiness", exchange -> {
                byte[] body = "{\\"status\\":\\"UP\\"}".getBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            double seconds = (System.nanoTime() - start) / 1e9;
            double running = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            System.out.printf("Started Server in %.3f seconds (process running for %.3f)%n",
                              seconds, running);
        }
    }
    """)

SERVER_DOCKERFILE = """\
ARG JDK_IMAGE=eclipse-temurin:25-jdk
FROM ${JDK_IMAGE}
COPY Server.java /src/Server.java
RUN javac -d /srv /src/Server.java
CMD ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", "/srv", "Server"]
"""


# ------------------------------------------------------------------------------ build
def test_build_success_result_and_labels(engine, tiny_image):
    token = uuid.uuid4().hex
    result = tiny_image(TINY % token, files={"hello.txt": b"hello\n"}, name="build-ok")
    assert result.image_id.startswith("sha256:")
    assert result.tag.startswith("slimlab-test/build-ok:")
    assert result.seconds > 0
    # BuildKit lists the Dockerfile's instructions; ARG and the API's labels make no step
    kinds = [s.instruction.split()[0] for s in result.steps]
    assert kinds == ["FROM", "COPY", "RUN"], result.steps
    assert result.step("RUN echo").cached is False  # the token makes the RUN new
    assert result.context_bytes >= len(b"hello\n")
    assert result.bases == {"OS_IMAGE": OS_IMAGE}
    assert "[2/3] COPY hello.txt /hello.txt" in result.log  # as --progress=plain prints it
    assert result.command.startswith("docker build -f ") and f"-t {result.tag}" in result.command
    image = engine.images.get(result.tag)
    assert image.id == result.image_id
    assert image.labels["slimlab"] == "true" and image.labels["slimlab.lab"] == TEST_LAB
    assert result.to_dict()["steps"] == len(result.steps)


def test_images_carry_buildkits_build_history(engine, tiny_image):
    result = tiny_image(TINY % uuid.uuid4().hex, files={"hello.txt": b"h\n"}, name="history")
    rows = engine.images.get(result.tag).history()
    ours = [r for r in rows if "hello.txt" in r["CreatedBy"] or "token" in r["CreatedBy"]]
    assert len(ours) == 2 and all(r["Comment"] == "buildkit.dockerfile.v0" for r in ours), rows


def test_second_build_is_all_cached(engine, tiny_image):
    token = uuid.uuid4().hex
    first = tiny_image(TINY % token, files={"hello.txt": b"hi\n"}, name="cache")
    started = time.monotonic()
    second = tiny_image(TINY % token, files={"hello.txt": b"hi\n"}, name="cache")
    print(f"cached rebuild: {time.monotonic() - started:.2f} s")
    # The same layers and config. The id may still differ: on the containerd store it is
    # the digest of an index that also holds BuildKit's provenance attestation, new per build.
    layers = [engine.images.get(r.image_id).attrs["RootFS"]["Layers"] for r in (first, second)]
    assert layers[0] == layers[1]
    if engine.info()["Driver"] == "overlay2":
        assert second.image_id == first.image_id
    after_from = [s for s in second.steps if not s.instruction.startswith("FROM")]
    assert after_from and all(s.cached for s in after_from), second.steps
    assert second.cached_steps >= len(after_from)
    assert "CACHED" in second.log


def test_a_stage_the_target_does_not_need_is_skipped(engine, tiny_image):
    dockerfile = ("ARG OS_IMAGE=debian:trixie-slim\n"
                  "FROM ${OS_IMAGE} AS unused\nRUN echo never-run-%s\n"
                  "FROM ${OS_IMAGE}\nRUN echo final-%s\n") % ((uuid.uuid4().hex,) * 2)
    result = tiny_image(dockerfile, name="skip-stage")
    assert [s.stage for s in result.steps if s.instruction.startswith("RUN")] == ["stage-1"]
    assert "never-run" not in result.log


def test_build_failure_names_the_instruction_with_the_log_tail(engine, tiny_image):
    marker = f"about-to-fail-{uuid.uuid4().hex[:8]}"
    dockerfile = ("ARG OS_IMAGE=debian:trixie-slim\nFROM ${OS_IMAGE}\n"
                  f"RUN echo {marker} && exit 3\n")
    with pytest.raises(BuildFailed) as info:
        tiny_image(dockerfile, name="build-fail")
    err = info.value
    assert "RUN echo about-to-fail" in err.step and "exit 3" in err.step
    assert "failed at: [2/2] RUN echo" in err.message and "exit code: 3" in err.message
    assert marker in err.log  # the tail carries the step's own output
    assert err.hint


def test_build_with_a_missing_base_image_fails_before_building(tiny_image, monkeypatch):
    from slimlab.engine import buildx
    from slimlab.errors import BaseImageMissing

    def no_build(*args, **kwargs):
        raise AssertionError("the build started: BuildKit would have pulled the base")

    monkeypatch.setattr(buildx, "run_build", no_build)
    with pytest.raises(BaseImageMissing) as info:
        tiny_image("ARG BASE=slimlab-test/no-such-base\nFROM ${BASE}:never\nRUN true\n",
                   name="no-base")
    assert "slimlab-test/no-such-base:never" in info.value.message
    assert "never lets a build pull" in info.value.message and "make lab" in info.value.hint


# ------------------------------------------------------------------------------ run
@pytest.fixture(scope="module")
def server_image(engine, tmp_path_factory):
    """A ~1 s-to-ready HTTP server image on the kit JDK (removed after the module)."""
    context = tmp_path_factory.mktemp("server")
    (context / "Server.java").write_text(SERVER_JAVA)
    dockerfile = context / "Dockerfile"
    dockerfile.write_text(SERVER_DOCKERFILE)
    tag = unique_tag("server")
    build_image(dockerfile, tag, context=context, buildargs={"JDK_IMAGE": JDK_IMAGE}, lab=TEST_LAB,
          use_mirror=False, quiet=True)
    yield tag
    remove_image(engine, tag)


def _gone(engine, container_id: str) -> bool:
    try:
        engine.containers.get(container_id)
    except NotFound:
        return True
    return False


def test_run_measures_and_removes(engine, server_image):
    with run(server_image, lab=TEST_LAB, timeout=60) as app:
        assert app.port > 0 and app.url == f"http://127.0.0.1:{app.port}/"
        status, body = app.get("/actuator/health/readiness")
        assert (status, body) == (200, {"status": "UP"})
        assert 0 < app.ready_seconds < 60
        assert app.spring_seconds is not None and app.spring_seconds < app.ready_seconds
        assert 5 * 2**20 < app.memory_bytes < 2**30
        labels = app.container.labels
        assert labels["slimlab.lab"] == TEST_LAB
        assert labels[run_mod.OWNER] == f"{socket.gethostname()}:{os.getpid()}"
        bindings = engine.api.inspect_container(app.container.id)["HostConfig"]["PortBindings"]
        assert bindings["8080/tcp"][0]["HostIp"] == "127.0.0.1"
        container_id = app.container.id
    print(f"ready {app.ready_seconds:.2f} s, stop {app.stop_seconds:.2f} s")
    assert app.stop_seconds is not None and app.stop_seconds < 10
    assert app.exit_code == 143  # the JVM's answer to SIGTERM
    assert _gone(engine, container_id)


def test_container_that_crashes_at_once(engine, server_image):
    with pytest.raises(ContainerFailed) as info, run(
            server_image, lab=TEST_LAB, timeout=30,
            command=["sh", "-c", "echo boom-on-stderr >&2; exit 3"]):
        pytest.fail("the block must not run")
    err = info.value
    assert err.status == "exited (3)" and "code 3" in err.message
    assert "boom-on-stderr" in err.log
    assert not engine.containers.list(all=True, filters={"label": f"slimlab.lab={TEST_LAB}",
                                                         "ancestor": server_image})


def test_container_that_never_gets_ready(engine, server_image):
    started = time.monotonic()
    with pytest.raises(ContainerFailed) as info, run(
            server_image, lab=TEST_LAB, timeout=2, command=["sleep", "300"]):
        pass
    assert time.monotonic() - started < 20
    assert "did not become ready within 2 s" in info.value.message
    assert info.value.status == "running"
    assert "SLIMLAB_READY_TIMEOUT" in info.value.hint


def test_exception_inside_the_block_still_removes(engine, server_image):
    with pytest.raises(RuntimeError, match="learner error"), run(
            server_image, lab=TEST_LAB, timeout=60) as app:
        container_id = app.container.id
        raise RuntimeError("learner error")
    assert _gone(engine, container_id)


def test_orphan_of_a_dead_owner_is_removed(engine):
    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = f"{socket.gethostname()}:{dead.pid}"
    orphan = engine.containers.create(OS_IMAGE, ["sleep", "300"],
                                      labels=slim_engine.labels(TEST_LAB, owner=owner))
    alive = engine.containers.create(
        OS_IMAGE, ["sleep", "300"],
        labels=slim_engine.labels(TEST_LAB, owner=f"{socket.gethostname()}:{os.getpid()}"))
    try:
        orphan.start()
        assert run_mod.remove_orphans() >= 1
        assert _gone(engine, orphan.id)
        assert not _gone(engine, alive.id)  # its owner (this process) lives
    finally:
        for c in (orphan, alive):
            with contextlib.suppress(NotFound):
                c.remove(force=True)


def test_busy_port(engine, server_image):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortBusy) as info, run(server_image, lab=TEST_LAB, port=port,
                                                  timeout=30):
            pass
    assert str(port) in info.value.message


def test_missing_image(engine):
    with pytest.raises(ContainerFailed, match="There is no image"), run(
            "slimlab-test/never-built:none", lab=TEST_LAB, timeout=5):
        pass
