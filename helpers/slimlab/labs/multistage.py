"""Lab 02 (02-multistage): build tools out of the runtime image, and a layered jar so a
code change pushes kilobytes instead of the whole jar.

Every figure comes from this run's builds and measurements; the write-up's sizes appear in
columns of their own, marked as its author's machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slimlab import workbook
from slimlab.variants import variant
from slimlab.views import (
    MB,
    Summary,
    Table,
    dataframe,
    dockerfile_of,
    filesystem_layers,
    leftovers,
    points_html,
    short,
    stand_in_note,
    table_html,
    table_text,
    tag_of,
)

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from slimlab.registry import Push

LAB = "02-multistage"


def build_steps(result: Any) -> Table:
    """A build as BuildKit ran it: stage, instruction, CACHED or seconds; the caption is
    the ``docker build`` line that does the same at work."""
    frame = dataframe([{"#": s.index, "stage": s.stage or "—", "instruction": short(s.instruction),
                        "result": "CACHED" if s.cached else f"{s.seconds:.1f} s"}
                       for s in result.steps])
    return Table(frame, f"{result.summary()}. At work: {result.command}")


@dataclass
class PushCompare:
    """The bytes a push sends after the same one-line change, single jar vs layered."""

    single: workbook.Delivery
    layered: workbook.Delivery
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.layered.push_bytes / self.single.push_bytes if self.single.push_bytes \
            else float("inf")

    def table(self) -> pandas.DataFrame:
        rows = []
        for d in (self.single, self.layered):
            rows.append({"image": variant(d.name).tag,
                         "layers sent": d.new_layers,
                         "already in the registry": len(d.after.layers) - d.new_layers,
                         "push sent MB": round(d.push_bytes / MB, 3),
                         "gzip estimate MB": round(d.estimate_bytes / MB, 3),
                         "rebuild s": round(d.warm.seconds, 1),
                         "steps from cache": f"{d.warm.cached_steps}/{len(d.warm.steps)}"})
        return dataframe(rows)

    def pushed(self, which: str = "layered") -> Table:
        """The push after the change, layer by layer, as `docker push` printed it."""
        d = self.layered if which == "layered" else self.single
        return Table(dataframe(d.push_rows()),
                     f"docker push {variant(d.name).tag} after the change (registry on "
                     "127.0.0.1; sizes as the registry stores them)")

    def points(self) -> list[str]:
        return [f"After a one-line change a push of {variant(self.single.name).tag} sent "
                f"{self.single.push_bytes / MB:.1f} MB (the whole jar, compressed); "
                f"{variant(self.layered.name).tag} sent {self.layered.push_bytes / 1e3:,.0f} kB "
                f"({100 * self.ratio:.2f} % of it): only the application layer was new.",
                "These are the registry's own byte counts for what each push sent (the new "
                "layers, the config and the manifest); every other layer was reported "
                "'Layer already exists'. The gzip estimate beside them is the cross-check.",
                "A node that pulls the new version skips the same layers it already holds."]

    def plot(self) -> Figure:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8, 2.6), layout="constrained")
        ax = figure.subplots()
        names = [variant(d.name).tag for d in (self.single, self.layered)]
        values = [d.push_bytes / MB for d in (self.single, self.layered)]
        bars = ax.barh(names, values, color=["#f28e2b", "#1f6fb4"])
        ax.bar_label(bars, labels=[f"{v:.3f} MB" if v < 1 else f"{v:.1f} MB" for v in values],
                     padding=3, fontsize=9)
        ax.invert_yaxis()
        ax.margins(x=0.25)
        ax.set_xlabel("MB a push sent after a one-line change (the registry's count)")
        ax.set_title("Bytes per code change" + self.note)
        return figure

    def _repr_html_(self) -> str:
        return (table_html(self.table(), "A one-line change, pushed" + self.note)
                + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), "A one-line change, pushed"),
                          *("- " + p for p in self.points())])


@dataclass
class CompressionCompare:
    """One image pushed twice, its layers compressed with gzip and with zstd: the registry's
    sizes per layer and in total, and how long each build-and-push took. On an engine that
    cannot push zstd, only the gzip push, and ``missing`` says why and what to change."""

    image: str
    pushes: dict[str, Push]
    seconds: dict[str, float]
    missing: str = ""

    def table(self) -> pandas.DataFrame:
        methods = [m for m in ("gzip", "zstd") if m in self.pushes]
        rows: list[dict[str, object]] = []
        for index, layers in enumerate(zip(*(self.pushes[m].layers for m in methods),
                                           strict=True)):
            row: dict[str, object] = {"layer": index + 1}
            row.update({f"{m} MB": round(layer.bytes / MB, 3)
                        for m, layer in zip(methods, layers, strict=True)})
            rows.append(row)
        total: dict[str, object] = {"layer": "all (a first pull)"}
        total.update({f"{m} MB": round(self.pushes[m].stored_bytes / MB, 1) for m in methods})
        rows.append(total)
        if self.ratio is not None:
            pairs = zip(self.pushes["gzip"].layers, self.pushes["zstd"].layers, strict=True)
            for row, (g, z) in zip(rows[:-1], pairs, strict=True):
                row["zstd / gzip"] = round(z.bytes / g.bytes, 3) if g.bytes else None
            rows[-1]["zstd / gzip"] = round(self.ratio, 3)
        return dataframe(rows)

    @property
    def ratio(self) -> float | None:
        """zstd's stored bytes over gzip's; None when zstd could not be pushed here."""
        if "zstd" not in self.pushes:
            return None
        return self.pushes["zstd"].stored_bytes / self.pushes["gzip"].stored_bytes

    def points(self) -> list[str]:
        if self.ratio is None:
            return [f"Only gzip was pushed: {self.missing}",
                    f"gzip stored {self.image} in {self.pushes['gzip'].stored_bytes / MB:,.1f} "
                    f"MB; building and pushing took {self.seconds['gzip']:.0f} s."]
        pairs = zip(self.pushes["gzip"].layers, self.pushes["zstd"].layers, strict=True)
        last_g, last_z = [(g, z) for g, z in pairs if g.bytes > 1000][-1]
        return [
            f"zstd stored {self.image} in {100 * self.ratio:.0f} % of gzip's bytes; building "
            f"and pushing took {self.seconds['zstd']:.0f} s with zstd and "
            f"{self.seconds['gzip']:.0f} s with gzip (BuildKit keeps each layer's compressed "
            "copy once made, so a repeat of this cell is faster).",
            "zstd pays on big layers that many nodes pull (the JDK, the dependencies): fewer "
            "bytes and faster decompression on every pull. Engines pull zstd layers since "
            "Docker 23; older clients, and some registries and scanners, cannot.",
            f"It does not pay on small layers, like the application layer a code change "
            f"sends: the last layer with content is {last_g.bytes / 1e3:,.1f} kB with gzip "
            f"and {last_z.bytes / 1e3:,.1f} kB with zstd.",
        ]

    def _repr_html_(self) -> str:
        return (table_html(self.table(), f"{self.image}: gzip vs zstd, as the registry "
                           "stores them") + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), f"{self.image}: gzip vs zstd"),
                          *("- " + p for p in self.points())])


def compression(what: str = "layered") -> CompressionCompare:
    """Build ``what`` from the cache and push it twice to a registry on 127.0.0.1, its layers
    compressed with gzip, then zstd; the registry's own sizes say what each costs. An engine
    on the graph-driver store pushes gzip only: then only gzip, and why.
    At work: ``docker buildx build --output type=image,name=REF,push=true,compression=zstd``."""
    from slimlab.builder import ZSTD_NEEDS_CONTAINERD, build_image, zstd_refusal
    from slimlab.registry import registry

    target = workbook.resolve(what)
    args = {r.arg: r.image for r in workbook.base_args(target.buildable())}
    refusal = zstd_refusal()
    methods = ("gzip",) if refusal else ("gzip", "zstd")
    missing = f"{refusal}. {ZSTD_NEEDS_CONTAINERD}" if refusal else ""
    pushes: dict[str, Push] = {}
    seconds: dict[str, float] = {}
    workbook.build(what, quiet=True, record=False)  # the cache warm for both, so the
    with registry(LAB) as reg:  # times below compare compression, not a first build
        for method in methods:
            ref = reg.ref(f"{target.name}-{method}:1")
            result = build_image(target.buildable(), ref, lab=LAB, buildargs=args,
                                 quiet=True, push_compressed=method)
            seconds[method] = result.seconds
            pushes[method] = reg.stored(ref)
    return CompressionCompare(target.tag, pushes, seconds, missing)


# ---------------------------------------------------------------------------- dependencies

PRODUCTION_TAG = "bookshelf:production"
PRODUCTION_DOCKERFILE = "labs/02-multistage/Dockerfile.production"
LIB_DIR = "/app/lib"  # where the layered images keep the dependencies layer's jars
DATASOURCE_REFUSAL = "Failed to configure a DataSource"  # Spring Boot, with no URL and no H2


def library_jars(what: str) -> list[dict[str, Any]]:
    """The jars of an image's dependencies layer (``/app/lib``), biggest first."""
    report = workbook.image(what)
    prefix = LIB_DIR.strip("/") + "/"
    rows = [{"jar": path.rsplit("/", 1)[-1], "bytes": entry.size}
            for path, (entry, _) in report.fs.files.items()
            if entry.kind == "f" and path.startswith(prefix) and path.endswith(".jar")]
    return sorted(rows, key=lambda r: (-r["bytes"], r["jar"]))


def dependencies(what: str = "layered") -> Table:
    """What Spring Boot packaged from the compile and runtime scopes: one row per jar."""
    jars = library_jars(what)
    total = sum(r["bytes"] for r in jars)
    rows = [{"jar": r["jar"], "MB": round(r["bytes"] / MB, 2)} for r in jars]
    return Table(dataframe(rows), f"{len(rows)} libraries in {tag_of(what)}'s dependencies "
                 f"layer, {total / MB:,.1f} MB" + stand_in_note(dockerfile_of(what)))


def _artifact_of(jar: str) -> str:
    """``h2-2.3.232.jar`` -> ``h2``: the artifactId, the name up to the version."""
    stem = jar.removesuffix(".jar")
    parts = stem.split("-")
    for index, part in enumerate(parts):
        if index and part[:1].isdigit():
            return "-".join(parts[:index])
    return stem


def matching_jars(coordinates: list[str], jars: list[str]) -> dict[str, list[str]]:
    """Each ``groupId:artifactId`` with the jars of that artifactId (none: it matched
    nothing, and Spring Boot would skip it silently)."""
    found: dict[str, list[str]] = {}
    for coordinate in coordinates:
        artifact = coordinate.split(":")[1] if coordinate.count(":") >= 1 else coordinate
        found[coordinate] = [jar for jar in jars if _artifact_of(jar) == artifact]
    return found


@dataclass
class ProductionDeps:
    """bookshelf:layered beside bookshelf:production, built without the excluded libraries."""

    excludes: list[str]
    before: list[dict[str, Any]]  # library_jars of the layered image
    after: list[dict[str, Any]]  # library_jars of the production image
    image_bytes: dict[str, int]
    note: str = ""

    @property
    def removed(self) -> list[str]:
        kept = {r["jar"] for r in self.after}
        return [r["jar"] for r in self.before if r["jar"] not in kept]

    @property
    def unmatched(self) -> list[str]:
        """Excludes that left nothing out: no library of the layered image has that
        artifactId, or its jar still ships (a wrong groupId). Spring Boot says nothing."""
        found = matching_jars(self.excludes, [r["jar"] for r in self.before])
        kept = {r["jar"] for r in self.after}
        return [coordinate for coordinate, jars in found.items()
                if not jars or any(jar in kept for jar in jars)]

    @property
    def test_libraries(self) -> list[str]:
        """Jars of the usual test libraries in either image (none expected: test scope)."""
        names = ("junit", "assertj", "mockito", "hamcrest", "spring-boot-test", "spring-test")
        return sorted({r["jar"] for r in [*self.before, *self.after]
                       if _artifact_of(r["jar"]).startswith(names)})

    def ships(self, artifact: str) -> bool:
        return any(_artifact_of(r["jar"]) == artifact for r in self.after)

    @property
    def saved_bytes(self) -> int:
        return sum(r["bytes"] for r in self.before) - sum(r["bytes"] for r in self.after)

    def table(self) -> pandas.DataFrame:
        rows = []
        for name, jars in ((tag_of("layered"), self.before), (PRODUCTION_TAG, self.after)):
            rows.append({"image": name, "libraries": len(jars),
                         "dependencies layer MB": round(sum(r["bytes"] for r in jars) / MB, 1),
                         "image MB": round(self.image_bytes[name] / MB, 1)})
        return dataframe(rows)

    def points(self) -> list[str]:
        gone = ", ".join(self.removed) or "nothing"
        points = [f"Left out: {gone}; the dependencies layer is {self.saved_bytes / MB:,.1f} MB "
                  "smaller, and so is every first pull of it."]
        if self.unmatched:
            points.append("Matched no library (Spring Boot skipped them without a word): "
                          + ", ".join(self.unmatched) + ". Check the groupId:artifactId.")
        if self.test_libraries:
            points.append("Test libraries reached the images: " + ", ".join(self.test_libraries)
                          + ". Give them <scope>test</scope> in the pom.")
        else:
            points.append("No test library (JUnit, AssertJ, Mockito…) is in either image: "
                          "Maven's test scope keeps them in the build stage, the way "
                          "`npm ci --omit=dev` keeps devDependencies out.")
        return points

    def _repr_html_(self) -> str:
        return (table_html(self.table(), "Production dependencies only" + self.note)
                + points_html(self.points()))

    def __repr__(self) -> str:
        return "\n".join([table_text(self.table(), "Production dependencies only"),
                          *("- " + p for p in self.points())])


def production(excludes: list[str]) -> ProductionDeps:
    """Build ``bookshelf:production``: Dockerfile.production with ``excludes``
    (``groupId:artifactId`` each) left out of the jar, and measure it beside layered.
    At work: ``mvn package -Dspring-boot.excludes=GROUP:ARTIFACT``, or ``<excludes>`` in the
    spring-boot-maven-plugin's configuration."""
    from slimlab import config
    from slimlab.builder import build_image
    from slimlab.errors import ConfigError

    bad = [c for c in excludes if not isinstance(c, str) or c.count(":") != 1
           or not all(c.split(":"))]
    if bad:
        raise ConfigError(f"Not groupId:artifactId: {', '.join(map(repr, bad))}.",
                          hint='Write each as "groupId:artifactId", e.g. "org.example:tools".')
    workbook.ensure("layered")
    path = config.workbook_root() / PRODUCTION_DOCKERFILE
    args = {r.arg: r.image for r in workbook.base_args(path)}
    args["BOOT_EXCLUDES"] = ",".join(excludes)
    build_image(path, PRODUCTION_TAG, lab=LAB, buildargs=args)
    sizes = {tag: workbook.image(tag).size_bytes for tag in (tag_of("layered"), PRODUCTION_TAG)}
    return ProductionDeps(list(excludes), library_jars("layered"),
                          library_jars(PRODUCTION_TAG), sizes, stand_in_note(path))


def without_database(tag: str = PRODUCTION_TAG) -> str:
    """Start ``tag`` with no database URL and return the line in which it refuses: an image
    without H2 must fail naming the DataSource rather than keep data in memory. "" when it
    started; any other failure (a crash, a timeout) is raised as it is."""
    from slimlab.containers import run_container
    from slimlab.errors import ContainerFailed

    try:
        with run_container(tag, lab=LAB, timeout=120):
            return ""
    except ContainerFailed as exc:
        said = [line.strip() for line in exc.log.splitlines()
                if line.strip().startswith(DATASOURCE_REFUSAL)]
        if not said:
            raise
        return said[0]


def push_compare(single: workbook.Delivery, layered: workbook.Delivery) -> PushCompare:
    return PushCompare(single, layered, stand_in_note(variant(single.name).path))


def summary(basic: str, multi: str, push: PushCompare) -> Summary:
    """Lab 02's closing table, drawn from this run's measurements."""
    from slimlab.report import WRITEUP

    b, m = workbook.image(basic), workbook.image(multi)
    note = stand_in_note(dockerfile_of(multi))
    left = leftovers(multi)
    rows = [
        {"what": f"{tag_of(basic)} size / pull size",
         "measured here" + note: f"{b.size_bytes / MB:,.0f} MB / {b.pull_bytes / MB:,.0f} MB",
         "write-up (its machine)": f"{WRITEUP['basic']['size_mb']} MB"},
        {"what": f"{tag_of(multi)} size / pull size",
         "measured here" + note: f"{m.size_bytes / MB:,.0f} MB / {m.pull_bytes / MB:,.0f} MB",
         "write-up (its machine)": f"{WRITEUP['multi']['size_mb']} MB"},
        {"what": "sources, Maven, ~/.m2 left in multi",
         "measured here" + note: f"{len(left)} paths", "write-up (its machine)": ""},
        {"what": "push after a one-line change: single jar vs layered",
         "measured here" + note: f"{push.single.push_bytes / MB:.1f} MB vs "
                                 f"{push.layered.push_bytes / 1e3:,.0f} kB",
         "write-up (its machine)": ""},
    ]
    saved = b.size_bytes - m.size_bytes
    points = [
        f"Two stages kept the build tools out: {tag_of(multi)} is {saved / MB:,.0f} MB smaller "
        f"than {tag_of(basic)} ({m.size_bytes / b.size_bytes:.2f} ×) and holds "
        f"{'no' if not left else len(left)} source, Maven or ~/.m2 paths.",
        f"What remains is mostly the JDK base: the runtime stage's own layers weigh "
        f"{sum(r['size_bytes'] for r in filesystem_layers(multi, own_only=True)) / MB:.0f} MB; "
        "lab 03 swaps the JDK for a JRE.",
        f"Layering the jar turned a {push.single.push_bytes / MB:.0f} MB push per change into "
        f"{push.layered.push_bytes / 1e3:,.0f} kB ({100 * push.ratio:.2f} %).",
    ]
    if note:
        points.append("Sizes here come from kit stand-in base images, so they differ from the "
                      "write-up's figures, which were measured on its author's machine.")
    return Summary(f"Lab 02, measured in this run{note}", rows, points)
