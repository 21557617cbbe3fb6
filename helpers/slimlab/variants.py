"""The catalog of image variants: one frozen record per stage of the workbook.

Each names its lab, its Dockerfile, its tag, the base-image build arguments it uses, and
what must and must not be inside the final image. Labs may add their own with ``Variant``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slimlab import config
from slimlab.errors import ConfigError

SOURCES = ("app/src/*", "src/main/java/*", "*/src/main/java/*")  # any build WORKDIR
MAVEN = ("*/bin/mvn", "root/.m2/repository/*")
JDK_TOOLS = ("*/bin/javac", "*/bin/jlink")


@dataclass(frozen=True)
class Variant:
    name: str
    lab: str
    dockerfile: str  # relative to the repository root
    tag: str
    stage: str
    idea: str
    bases: tuple[str, ...]
    must_have: tuple[str, ...] = ()
    must_not_have: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return config.workbook_root() / self.dockerfile


CATALOG: tuple[Variant, ...] = (
    Variant("basic", "01-layers", "labs/01-layers/Dockerfile", "bookshelf:basic", "1",
            "JDK and Maven image, sources copied in and built inside", ("MAVEN_IMAGE",),
            must_have=("*/bin/javac", "*/bin/mvn")),
    Variant("ordered", "01-layers", "labs/01-layers/Dockerfile.ordered",
            "bookshelf:ordered", "1b", "stage 1 with dependencies resolved in their own layer",
            ("MAVEN_IMAGE",)),
    Variant("cache-mount", "01-layers", "labs/01-layers/Dockerfile.cache-mount",
            "bookshelf:cache-mount", "1c",
            "stage 1 with Maven's repository in a BuildKit cache mount, not in a layer",
            ("MAVEN_IMAGE",), must_not_have=("root/.m2/repository/*",)),
    Variant("multi", "02-multistage", "labs/02-multistage/Dockerfile", "bookshelf:multi", "2",
            "build stage and runtime stage apart; only the jar is shipped",
            ("MAVEN_IMAGE", "JDK_IMAGE"), must_have=("app/*.jar",),
            must_not_have=(*SOURCES, *MAVEN)),
    Variant("layered", "02-multistage", "labs/02-multistage/Dockerfile.layered",
            "bookshelf:layered", "2b", "stage 2 with the jar's layers in their own image layers",
            ("MAVEN_IMAGE", "JDK_IMAGE"), must_not_have=(*SOURCES, *MAVEN)),
    Variant("jre", "03-jre-alpine", "labs/03-jre-alpine/Dockerfile", "bookshelf:jre", "3",
            "a JRE instead of a JDK", ("MAVEN_IMAGE", "JRE_IMAGE"),
            must_not_have=(*SOURCES, *MAVEN, *JDK_TOOLS)),
    Variant("alpine", "03-jre-alpine", "labs/03-jre-alpine/Dockerfile.small",
            "bookshelf:alpine", "4", "the JRE on the smallest OS base",
            ("MAVEN_IMAGE", "JRE_SMALL_IMAGE"), must_not_have=(*SOURCES, *MAVEN, *JDK_TOOLS)),
    Variant("jlink", "04-jlink", "labs/04-jlink/Dockerfile", "bookshelf:jlink", "5",
            "a runtime of just the modules the app needs, on a distroless base",
            ("MAVEN_IMAGE", "RUNTIME_BASE_IMAGE"),
            must_have=("opt/java/bin/java", "opt/java/lib/modules", "app/bookshelf.jar"),
            must_not_have=(*SOURCES, *MAVEN, *JDK_TOOLS, "bin/sh", "usr/bin/sh",
                           "*.debuginfo", "opt/java/jmods/*")),
    Variant("aot", "04-jlink", "labs/04-jlink/Dockerfile.aot", "bookshelf:aot", "5b",
            "Spring AOT plus the JDK 25 AOT cache from a training run",
            ("MAVEN_IMAGE", "JRE_IMAGE"), must_have=("app/app.aot", "app/bookshelf.jar"),
            must_not_have=(*SOURCES, *MAVEN, *JDK_TOOLS)),
    Variant("native", "05-native", "labs/05-native/Dockerfile", "bookshelf:native", "6",
            "a GraalVM native executable on a small runtime base, no JVM inside",
            ("MAVEN_IMAGE", "NATIVE_BUILDER_IMAGE", "RUNTIME_BASE_IMAGE"),
            must_have=("app/bookshelf",),
            must_not_have=(*SOURCES, *MAVEN, *JDK_TOOLS, "*/bin/java", "app/*.jar")),
)

BY_NAME = {v.name: v for v in CATALOG}


def variant(name_or_variant: str | Variant) -> Variant:
    if isinstance(name_or_variant, Variant):
        return name_or_variant
    try:
        return BY_NAME[name_or_variant]
    except KeyError:
        raise ConfigError(f"There is no variant {name_or_variant!r}.",
                          hint=f"Known variants: {', '.join(BY_NAME)}.") from None
