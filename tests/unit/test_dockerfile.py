"""FROM lines resolved as BuildKit resolves them, so a missing base is caught before a build."""

from __future__ import annotations

from pathlib import Path

from slimlab.dockerfile import base_images, stage_names, substitute

LABS = Path(__file__).resolve().parents[2] / "labs"

LAYERED = """\
# a comment FROM nowhere
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-25
ARG JDK_IMAGE="eclipse-temurin:25-jdk"
FROM ${MAVEN_IMAGE} AS build
ARG JDK_IMAGE=ignored-inside-a-stage
RUN mvn package
FROM --platform=$BUILDPLATFORM $JDK_IMAGE
COPY --from=build /x /x
FROM build AS again
FROM scratch
"""


def test_defaults_and_build_args_fill_the_from_lines():
    assert base_images(LAYERED) == ["maven:3.9-eclipse-temurin-25", "eclipse-temurin:25-jdk"]
    assert base_images(LAYERED, {"JDK_IMAGE": "slimlab-kit/jdk:25"}) == [
        "maven:3.9-eclipse-temurin-25", "slimlab-kit/jdk:25"]


def test_stages_and_scratch_are_not_images():
    assert "build" not in base_images(LAYERED) and "scratch" not in base_images(LAYERED)
    assert stage_names(LAYERED) == ["build", "stage-1", "again", "stage-3"]


def test_substitution_forms():
    values = {"A": "x", "EMPTY": ""}
    assert substitute("${A}:$A:${EMPTY:-d}:${NONE:-e}:${NONE}", values) == "x:x:d:e:"


def test_continuation_lines_are_joined():
    assert base_images("ARG B=img:1\nFROM \\\n  ${B} \\\n  AS base\n") == ["img:1"]


def test_every_lab_dockerfile_names_its_bases_through_arguments():
    """What the build checks before it starts: each lab Dockerfile resolves to images."""
    for path in sorted(LABS.glob("*/Dockerfile*")):
        images = base_images(path.read_text())
        assert images, path
        assert all("$" not in image for image in images), (path, images)


def test_the_final_stages_base():
    from slimlab.dockerfile import final_base

    assert final_base(LAYERED) is None  # the last stage is scratch
    two = ("ARG JDK=eclipse-temurin:25-jdk\nFROM maven AS build\nFROM ${JDK}\n"
           "COPY --from=build a b\n")
    assert final_base(two) == "eclipse-temurin:25-jdk"
    assert final_base(two, {"JDK": "slimlab-kit/jdk:25"}) == "slimlab-kit/jdk:25"
    assert final_base("FROM img AS build\nFROM build\n") is None


def _stage(text: str, name: str) -> str:
    """The lines of one stage (``FROM … AS name`` up to the next FROM)."""
    out, inside = [], False
    for line in text.splitlines():
        if line.lstrip().upper().startswith("FROM "):
            inside = line.rstrip().lower().endswith(f" as {name}")
        elif inside and not line.lstrip().startswith("#"):
            out.append(line)
    return "\n".join(out)


def test_the_native_builder_stage_needs_only_a_shell():
    """GraalVM's builder image is Oracle Linux slim: no find, sort or sed. The class path
    and main class come from the Maven stage, in an argument file; Boot's own argfile is
    passed when the jar has one."""
    text = (LABS / "05-native" / "Dockerfile").read_text()
    native = _stage(text, "native")
    assert "native-image" in native and "@native-image.args" in native
    assert "@META-INF/native-image/argfile" in native
    for tool in ("find ", "sort", "sed ", " tr "):
        assert tool not in native, tool
    assert "native-image.args" in _stage(text, "aot")


def test_no_lab_dockerfile_names_an_end_of_life_distroless():
    for path in sorted(LABS.glob("*/Dockerfile*")):
        assert "debian12" not in path.read_text(), path
