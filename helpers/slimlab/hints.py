"""Hints that teach, and a solution revealed only after an attempt.

Every exercise of the workbook is listed here once: the lab, the file the learner writes
in, the checkpoints that test the attempt, and three hints. The first names the idea, the
second points at the line, the third gives the fix. ``hint`` shows one level at a time;
``reveal`` shows the instructor's solution once one of the exercise's checkpoints has been
run (passed or not), because trying first is the exercise.

Both are recorded in the results file (kind ``hint``), so the instructor's grading report
says who revealed which solution. Neither changes a score.

Where the solution comes from: the instructor edition holds it in the exercise's own file
between ``# BEGIN SOLUTION`` and ``# BEGIN PROMPT``; the attendee edition, whose files carry
only the prompts, keeps the removed regions in ``labs/.solutions.json`` (out of sight, not
a secret: see ``edition.write``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from slimlab import config
from slimlab.checkpoints import KIND_CHECKPOINT, _append, _now, _records
from slimlab.errors import ConfigError

KIND_HINT = "hint"
SOLUTION_LEVEL = "solution"


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it is written, what checks it, and its three hints."""

    lab: str
    file: str  # relative to the workbook, where the learner writes the answer
    checkpoints: tuple[str, ...]  # sl.check names that test the learner's attempt
    hints: tuple[str, str, str]  # the idea, the line, the fix


EXERCISES: dict[str, Exercise] = {
    "cleanup": Exercise(
        "01-layers", "labs/01-layers/Dockerfile.cleanup-same-run",
        ("same-RUN cleanup image is smaller", "no apt lists in any layer of the same-RUN image",
         "the same-RUN image still installs curl"),
        ("Each `RUN` ends by writing its layer, and a later layer cannot take bytes out of an "
         "earlier one. Whatever a step writes and does not need must be gone **before its "
         "own layer is written**.",
         "Look at the two `RUN` lines of `Dockerfile.cleanup-same-run`: `apt-get update` "
         "writes `/var/lib/apt/lists` in the first one's layer, and `rm` runs only in the "
         "second.",
         "Make it one `RUN`, the commands joined with `&&`:\n\n```dockerfile\n"
         "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n"
         " && rm -rf /var/lib/apt/lists/*\n```\n\nThen run the build cell again.")),
    "ordered": Exercise(
        "01-layers", "labs/01-layers/Dockerfile.ordered",
        ("Dockerfile.ordered resolves dependencies before it copies src",
         "good order serves the dependency step from cache",
         "good order rebuilds faster (time ratio good/bad)"),
        ("The cache reuses a step only while everything it depends on is unchanged, and one "
         "changed step invalidates every step after it. Put what changes rarely first, and "
         "what changes with every commit last.",
         "The dependencies are decided by `pom.xml` (and `.mvn`), never by `src/`. Today one "
         "`COPY . .` brings both in before the only `RUN`, so a change under `src/` makes "
         "Maven download everything again. Which Maven goal fetches the dependencies without "
         "compiling anything?",
         "Copy what decides the dependencies, resolve them in a `RUN` of their own, then "
         "copy the sources and package:\n\n```dockerfile\nCOPY .mvn .mvn\nCOPY pom.xml .\n"
         "RUN mvn dependency:go-offline\nCOPY src src\nRUN mvn package -DskipTests\n```")),
    "dockerignore": Exercise(
        "01-layers", "labs/01-layers/01-layers.ipynb",
        (".dockerignore keeps target/ out of the build context",
         ".dockerignore shrinks the context of a checkout with target/",
         "the build context still holds pom.xml, .mvn and src"),
        ("`COPY . .` copies whatever the build context holds, and the build produces its "
         "own jar. What on a developer's machine is made **by** a build and never read "
         "**by** it?",
         "Read the table above: one top-level folder holds most of the megabytes. It is "
         "what `mvn package` wrote on the host (the jar and the classes).",
         "Put `\"target/\"` in `ignore_rules` (editor and notes files may go too: "
         "`\"*.md\"`, `\".idea/\"`, `\"*.iml\"`), but never `pom.xml`, `.mvn` or `src`. "
         "Then run the measuring cell again.")),
    "runtime-stage": Exercise(
        "02-multistage", "labs/02-multistage/Dockerfile",
        ("bookshelf:multi answers /api/books", "no sources, Maven or ~/.m2 in bookshelf:multi",
         "bookshelf:multi runs as a non-root user",
         "bookshelf:multi is smaller than basic (size ratio)"),
        ("A second `FROM` starts a new, empty stage on a base of its choice; only what you "
         "copy into it reaches the image. The build stage, Maven and its repository stay "
         "behind.",
         "The runtime stage needs a Java runtime (the `JDK_IMAGE` argument is declared at the "
         "top), the one jar the build stage made (`/src/target/bookshelf.jar`, copied with "
         "`COPY --from=build`), a user that is not root, and a way to start.",
         "```dockerfile\nFROM ${JDK_IMAGE}\nWORKDIR /app\n"
         "COPY --from=build /src/target/bookshelf.jar app.jar\nUSER 10001:10001\n"
         "EXPOSE 8080\nENTRYPOINT [\"java\", \"-jar\", \"app.jar\"]\n```\n\n"
         "(The instructor's solution adds a `HEALTHCHECK`: `sl.reveal(\"runtime-stage\")`.)")),
    "production-deps": Exercise(
        "02-multistage", "labs/02-multistage/02-multistage.ipynb",
        ("every excluded name matched a library", "no in-memory database in bookshelf:production",
         "the PostgreSQL driver is still in bookshelf:production",
         "bookshelf:production refuses to start without a database URL"),
        ("The runtime scope holds what the app *can* use at runtime, not what production "
         "*does* use. Which library in the table is there for a laptop or a demo, and which "
         "does production's own setup need?",
         "One library in the table is a database engine that keeps its data in memory; with "
         "no database URL, Spring Boot starts it by itself. Production gives a URL to "
         "PostgreSQL, whose driver is in the table too.",
         "`production_excludes = [\"com.h2database:h2\"]` (H2's groupId is `com.h2database`); "
         "keep `org.postgresql:postgresql`. Then run the build cell again.")),
    "jre-base": Exercise(
        "03-jre-alpine", "labs/03-jre-alpine/Dockerfile",
        ("the JRE_IMAGE you declared is a runtime-only image upstream",
         "no javac inside bookshelf:jre",
         "nothing from the build inside bookshelf:jre (sources, Maven, javac, jlink)",
         "bookshelf:jre is smaller than bookshelf:multi"),
        ("Running a jar takes a Java *runtime*; compiling takes a *development kit*. The "
         "runtime stage only runs, and the distributions that publish a JDK image usually "
         "publish a runtime-only image beside it.",
         "The Maven image's JDK is Eclipse Temurin's (`maven:3.9-eclipse-temurin-25`). "
         "Temurin's images are tagged `<version>-jdk` and `<version>-jre`: declare "
         "`ARG JRE_IMAGE=` with the second for 25, then point the runtime stage's `FROM` "
         "at that argument.",
         "```dockerfile\nARG JRE_IMAGE=eclipse-temurin:25-jre\n…\nFROM ${JRE_IMAGE}\n```"
         "\n\nThe `ARG` goes with `MAVEN_IMAGE`'s at the top; the `FROM` replaces "
         "`FROM ${MAVEN_IMAGE}` in the runtime stage.")),
    "bloat-pattern": Exercise(
        "04-jlink", "labs/04-jlink/04-jlink.ipynb",
        ("the pattern names what bloats Debian's runtime",),
        ("A running JVM opens its module image (`lib/modules`), its native libraries and a "
         "few small files. Look at the largest files and at the endings that hold most of "
         "the bytes: which of them does no running program ever open?",
         "One ending holds most of the runtime's bytes, in files named after the libraries "
         "beside them (`libjvm.so`, and a much bigger file of the same stem). They hold what "
         "a debugger reads about each library, split off from it. Write that ending after "
         "`*`.",
         "`pattern = \"*.debuginfo\"`: Debian splits the native debug info of each library "
         "into a separate `.debuginfo` file beside it. Then run the cell and its checkpoint "
         "again.")),
    "debuginfo": Exercise(
        "04-jlink", "labs/04-jlink/Dockerfile.debian",
        ("Debian-JDK runtime ≤ half the full JRE",),
        ("A file deleted in a later stage or layer still ships in the layer that wrote it. "
         "Delete where the runtime is made, before the final stage copies it.",
         "The `jlink` stage of `Dockerfile.debian` starts from the linked `/runtime`: a "
         "`RUN` there can remove the files your pattern found, and the final stage then "
         "copies only the cleaned folder.",
         "```dockerfile\nRUN find /runtime -name '*.debuginfo' -delete \\\n && du -sh /runtime\n"
         "```\n\nin the `jlink` stage.")),
    "aot-cache": Exercise(
        "04-jlink", "labs/04-jlink/Dockerfile.aot",
        ("bookshelf:aot refuses to start with a cache it cannot use",
         "bookshelf:aot ready in ≤ half the plain jar's time"),
        ("The training run wrote a cache, but a JVM never looks for one on its own: every "
         "start has to be told where it is, and whether a cache it cannot use is an error.",
         "Two JVM options, both `-XX:AOT…`: one names the cache file (`app.aot`, in the "
         "working directory), the other sets the mode in which a rejected cache stops the "
         "JVM. Keep `-Dspring.aot.enabled=true`.",
         "```dockerfile\nENTRYPOINT [\"java\", \"-XX:AOTCache=app.aot\", \"-XX:AOTMode=on\", "
         "\"-Dspring.aot.enabled=true\", \\\n            \"-jar\", \"bookshelf.jar\"]\n```")),
    "spring-aot": Exercise(
        "05-native", "labs/05-native/Dockerfile.aot",
        ("Spring AOT generated Java sources",
         "reachability metadata for the libraries is in the jar"),
        ("Spring AOT is not part of a plain `package`: a Maven profile binds it (and the "
         "libraries' reachability metadata) to the build.",
         "The profile is defined by `spring-boot-starter-parent`, the app's parent pom, and "
         "is named after the kind of build it prepares for.",
         "```dockerfile\nRUN mvn -Pnative -DskipTests package\n```")),
}


@dataclass(frozen=True)
class Hint:
    """One hint, or the solution, rendered as markdown in JupyterLab."""

    exercise: str
    level: int  # 1..3; 4 is the solution
    text: str

    def _repr_markdown_(self) -> str:
        if self.level > 3 and not self.text.startswith("```"):
            return f"**No solution of `{self.exercise}` here.** {self.text}"
        if self.level > 3:
            return f"**Solution of `{self.exercise}`** (recorded as revealed)\n\n{self.text}"
        more = (f" (`sl.hint({self.exercise!r}, {self.level + 1})` for the next)"
                if self.level < 3 else
                f" (after an attempt, `sl.reveal({self.exercise!r})` shows the solution)")
        return f"**Hint {self.level} of 3**{more}\n\n{self.text}"

    def __repr__(self) -> str:
        if self.level > 3:
            return f"Solution of {self.exercise}:\n{self.text}"
        return f"Hint {self.level} of 3: {self.text}"


def exercise(key: str) -> Exercise:
    if key not in EXERCISES:
        raise ConfigError(f"There is no exercise {key!r}.",
                          hint=f"Choose one of: {', '.join(EXERCISES)}.")
    return EXERCISES[key]


def _record(key: str, level: int | str) -> None:
    _append({"kind": KIND_HINT, "lab": EXERCISES[key].lab, "exercise": key, "level": level,
             "when": _now(), "learner": config.learner()})


def hint(key: str, level: int = 1) -> Hint:
    """Hint ``level`` (1 names the idea, 2 points at the line, 3 gives the fix) for one
    exercise. Asked for, never shown unasked: trying first is the exercise."""
    level = min(max(int(level), 1), 3)
    found = exercise(key)
    _record(key, level)
    return Hint(key, level, found.hints[level - 1])


def attempted(key: str, path: Path | None = None) -> bool:
    """Has this learner run one of the exercise's checkpoints (passed or not)?"""
    found = exercise(key)
    return any(r.get("kind") == KIND_CHECKPOINT and r.get("lab") == found.lab
               and r.get("name") in found.checkpoints
               and r.get("learner", "") == config.learner() for r in _records(path))


def solution_text(key: str, root: Path | None = None) -> str:
    """The instructor's solution of one exercise: the attendee edition's saved regions, or
    the regions between the markers of the instructor edition's own file."""
    from slimlab.edition import SOLUTIONS_FILE, solutions_of

    found = exercise(key)
    root = root or config.workbook_root()
    saved = root / SOLUTIONS_FILE
    if saved.is_file():
        regions = json.loads(saved.read_text(encoding="utf-8")).get(found.file, [])
    else:
        path = root / found.file
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if path.suffix == ".ipynb" and text:
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        regions = solutions_of(text)
    if not regions:
        raise ConfigError(f"No solution of {key!r} was found in {found.file}.",
                          hint="Ask your instructor; hint 3 (sl.hint(…, 3)) gives the fix.")
    return "\n\n".join(regions)


def reveal(key: str) -> Hint:
    """The solution, once one of the exercise's checkpoints has run; recorded, so the
    instructor's report shows it was revealed."""
    found = exercise(key)
    if not attempted(key):
        names = "; ".join(f"“{name}”" for name in found.checkpoints)
        raise ConfigError(
            f"Try {key!r} first: the solution opens once one of its checkpoints has run "
            f"({names}).",
            hint=f"Write your attempt in {found.file}, run its cells, and ask "
                 f"sl.hint({key!r}, 1) if you are stuck.")
    try:
        text = solution_text(key)
    except ConfigError as exc:  # a copy without the solutions: say so, never stop a run
        return Hint(key, 4, f"{exc.message} {exc.hint}")
    _record(key, SOLUTION_LEVEL)
    language = "python" if found.file.endswith(".ipynb") else "dockerfile"
    return Hint(key, 4, f"```{language}\n{text.rstrip()}\n```")
