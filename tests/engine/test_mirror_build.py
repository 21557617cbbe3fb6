"""A real build through the auto mirror (host networking): Maven in the kit image fetches
from the primed repository; an artifact the repository lacks fails the build, and the
mirror says which path it lacked."""

from __future__ import annotations

import logging
import uuid

import pytest
from conftest import MAVEN_IMAGE, TEST_LAB, remove_image, unique_tag
from slimlab import config
from slimlab.builder import build_image
from slimlab.errors import BuildFailed
from slimlab.kit import mirror

pytestmark = pytest.mark.engine

PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin"
PLUGIN_VERSION = "3.9.0"  # what the primed repository holds (no plugin-prefix metadata)
PRESENT = "org.slf4j:slf4j-api:2.0.18"
ABSENT = "org.example.slimlab:not-in-the-repo:9.9.9"

DOCKERFILE = f"""\
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-25
FROM ${{MAVEN_IMAGE}}
WORKDIR /work
COPY .mvn .mvn
# One layer fetches the plugin (about 1,000 files) and a present artifact, so the failing
# build below reuses it from the cache and only asks the mirror for what is missing. RUN_ID
# is new for every test session: BuildKit keeps its cache after the images are gone, and
# these tests need Maven to really run.
ARG RUN_ID
RUN mvn -B -ntp {PLUGIN}:{PLUGIN_VERSION}:get -Dtransitive=false -Dartifact={PRESENT}
ARG ARTIFACT
RUN mvn -B -ntp {PLUGIN}:{PLUGIN_VERSION}:get -Dtransitive=false -Dartifact=${{ARTIFACT}} \\
 && ls -l /root/.m2/repository/$(echo ${{ARTIFACT}} | cut -d: -f1-2 | tr .: //)/*
"""


@pytest.fixture(scope="module")
def mirror_build(engine, tmp_path_factory):
    """The auto mirror, and one successful build through it (kept until the module ends:
    the failing build reuses its cached steps, and removing it prunes them all)."""
    repo = config.maven_repo()
    jar = repo / "org/slf4j/slf4j-api/2.0.18/slf4j-api-2.0.18.jar"
    plugin = repo / f"org/apache/maven/plugins/maven-dependency-plugin/{PLUGIN_VERSION}"
    tmp = tmp_path_factory.mktemp("mirror-build")
    (tmp / "context").mkdir()
    (tmp / "Dockerfile").write_text(DOCKERFILE)
    tags: list[str] = []
    run_id = uuid.uuid4().hex

    def mvn_build(artifact: str):
        tag = unique_tag("mirror")
        tags.insert(0, tag)
        return build_image(tmp / "Dockerfile", tag, context=tmp / "context", lab=TEST_LAB,
                     quiet=True, buildargs={"MAVEN_IMAGE": MAVEN_IMAGE, "ARTIFACT": artifact,
                                            "RUN_ID": run_id})

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SLIMLAB_MAVEN_MIRROR", raising=False)
        patch.delenv("SLIMLAB_MAVEN_REPO", raising=False)
        if not (jar.is_file() and plugin.is_dir()):
            pytest.fail(f"the primed Maven repository {repo} lacks {jar.name} or the "
                        f"dependency plugin {PLUGIN_VERSION}: run `make kit`", pytrace=False)
        url = mirror.mirror_url_for_builds()
        assert url.startswith("http://127.0.0.1:"), url
        served_before = mirror._shared.stats.served
        try:
            result = mvn_build(PRESENT)
            yield mirror._shared, served_before, result, mvn_build
        finally:
            for tag in tags:  # the successful image last: it prunes the shared parents
                remove_image(engine, tag)


def test_build_fetches_through_the_mirror(mirror_build):
    running, served_before, result, _ = mirror_build
    assert "BUILD SUCCESS" in result.log
    assert "slf4j-api-2.0.18.jar" in result.log  # the `ls` of the container's repository
    # BuildKit names a step with its ARGs filled in: the first fetches the plugin, the
    # second (ARTIFACT, then `ls`) only the jar
    assert result.step("Dartifact=org.slf4j").seconds > result.step("&& ls -l").seconds
    assert running.stats.served > served_before  # the plugin and the jar came from it


def test_missing_artifact_fails_and_the_mirror_logs_the_404(mirror_build, caplog):
    running, _, _, mvn_build = mirror_build
    with caplog.at_level(logging.WARNING, logger="slimlab.mirror"), \
            pytest.raises(BuildFailed) as info:
        mvn_build(ABSENT)
    path = "/org/example/slimlab/not-in-the-repo/9.9.9/not-in-the-repo-9.9.9"
    assert any(m.startswith(path) for m in running.stats.missing), running.stats.missing
    assert any("MIRROR 404" in r.getMessage() and path in r.getMessage()
               for r in caplog.records)
    err = info.value
    assert err.step.startswith("RUN mvn") and "not-in-the-repo" in err.log
    assert "Maven could not download an artifact" in err.hint
