"""The shared views that need no engine: short labels, the layer rows every layer gets,
captioned tables and summaries in both renderings, and the books an answer holds."""

from __future__ import annotations

from types import SimpleNamespace

from slimlab import views, workbook

HISTORY = [
    {"CreatedBy": "ADD rootfs.tar / # buildkit", "Size": 77_000_000, "EmptyLayer": False},
    {"CreatedBy": "CMD [\"bash\"]", "Size": 0, "EmptyLayer": True},
    {"CreatedBy": "WORKDIR /src", "Size": 0, "EmptyLayer": False},  # it made /src: a layer
    {"CreatedBy": "COPY . . # buildkit", "Size": 500_000, "EmptyLayer": False},
    {"CreatedBy": "RUN /bin/sh -c mvn package # buildkit", "Size": 90_000_000,
     "EmptyLayer": False},
    {"CreatedBy": "EXPOSE map[8080/tcp:{}]", "Size": 0, "EmptyLayer": True},
]


def test_short_cuts_digests_and_length() -> None:
    text = "ADD file:" + "a" * 64 + " in /"
    assert views.short(text) == "ADD file:aaaaaaaaaaaa… in /"
    assert len(views.short("x" * 200, 20)) == 20


def test_every_layer_has_a_row_even_an_empty_workdir(monkeypatch) -> None:
    """The layer table lists every layer the image has: as many rows as sl.measure counts."""
    report = SimpleNamespace(history=HISTORY, size_bytes=167_500_000, layer_count=4)
    monkeypatch.setattr(workbook, "image", lambda what: report)
    monkeypatch.setattr(views, "base_rows", lambda report, dockerfile: 2)
    rows = views.filesystem_layers("bookshelf:basic", dockerfile=None)
    assert len(rows) == report.layer_count
    assert [r["instruction"].split()[0] for r in rows] == ["ADD", "WORKDIR", "COPY", "RUN"]
    assert [r["from"] for r in rows] == ["base image", "this Dockerfile", "this Dockerfile",
                                         "this Dockerfile"]


def test_own_only_leaves_out_the_base_rows(monkeypatch) -> None:
    report = SimpleNamespace(history=HISTORY, size_bytes=167_500_000, layer_count=4)
    monkeypatch.setattr(workbook, "image", lambda what: report)
    monkeypatch.setattr(views, "base_rows", lambda report, dockerfile: 2)
    rows = views.filesystem_layers("bookshelf:basic", own_only=True, dockerfile=None)
    assert [r["instruction"].split()[0] for r in rows] == ["WORKDIR", "COPY", "RUN"]


def test_a_table_renders_its_caption_in_html_and_text() -> None:
    shown = views.table([{"image": "bookshelf:jre", "MB": 123.4}], "Sizes <here>")
    assert "Sizes &lt;here&gt;" in shown._repr_html_()
    text = repr(shown)
    assert text.splitlines()[0] == "Sizes <here>"
    assert "bookshelf:jre" in text and "123.4" in text


def test_a_summary_shows_its_rows_and_key_points() -> None:
    summary = views.Summary("Lab 0, measured", [{"what": "size", "measured": "1 MB"}],
                            ["smaller <by far>"])
    assert "<li>smaller &lt;by far&gt;</li>" in summary._repr_html_()
    assert repr(summary).splitlines()[-2:] == ["Key points:", "- smaller <by far>"]


def test_books_reads_a_page_or_a_list_and_says_what_else_it_got() -> None:
    page = {"content": [{"id": i, "title": f"T{i}", "author": "A", "publicationYear": 2000,
                         "isbn": "x"} for i in range(8)]}
    frame = views.books(page, n=3)
    assert list(frame.columns) == ["id", "title", "author", "publicationYear"]
    assert list(frame["id"]) == [0, 1, 2]
    assert list(views.books(page["content"], n=2)["title"]) == ["T0", "T1"]
    assert list(views.books("Internal error").columns) == ["answer"]


def test_stand_in_note_names_kit_bases_only(monkeypatch) -> None:
    monkeypatch.setattr(workbook, "base_args", lambda path: [])
    monkeypatch.setattr(workbook, "base_source", lambda resolved: "kit")
    assert views.stand_in_note("labs/02-multistage/Dockerfile") == " (kit stand-in bases)"
    monkeypatch.setattr(workbook, "base_source", lambda resolved: "upstream")
    assert views.stand_in_note("labs/02-multistage/Dockerfile") == ""
    assert views.stand_in_note(None) == ""


def test_the_base_is_recognised_by_its_layers_not_by_history_ids(monkeypatch) -> None:
    """Under BuildKit every history id is <missing>: the base's diff IDs beginning the
    image's, and the base's own history length, say where our rows start."""
    from pathlib import Path

    image = SimpleNamespace(layer_digests=["sha256:a", "sha256:b", "sha256:c", "sha256:d"],
                            history=[{"Id": "<missing>", "CreatedBy": "x"}] * 6)
    jdk = SimpleNamespace(layer_digests=["sha256:a", "sha256:b"], history=[{}] * 3)
    maven = SimpleNamespace(layer_digests=["sha256:a", "sha256:m"], history=[{}] * 4)
    reports = {"kit/jdk": jdk, "kit/maven": maven}
    monkeypatch.setattr(workbook, "base_args", lambda path: [
        SimpleNamespace(image="kit/maven"), SimpleNamespace(image="kit/jdk")])
    monkeypatch.setattr(views, "inspect", lambda ref: reports[ref])
    assert views.base_rows(image, Path("Dockerfile")) == 3  # the JDK's rows; not maven's
    reports["kit/jdk"] = SimpleNamespace(layer_digests=["sha256:z"], history=[{}])
    assert views.base_rows(image, Path("Dockerfile")) == 0  # no base found: all rows ours


def test_compare_images_names_the_compiler_it_found(monkeypatch) -> None:
    """Not a bare yes: which compiler, so a surprising one can be looked up."""
    from slimlab.metrics import surface as surface_mod

    report = SimpleNamespace(size_bytes=400_000_000, pull_bytes=150_000_000, layer_count=9)
    found = {"basic": ["/opt/java/openjdk/bin/javac"], "jre": []}
    monkeypatch.setattr(workbook, "image", lambda what: report)
    monkeypatch.setattr(views, "_final_base", lambda what: None)
    monkeypatch.setattr(views, "stand_in_note", lambda dockerfile: "")
    calls = iter(found.values())
    monkeypatch.setattr(surface_mod, "surface", lambda report: surface_mod.Surface(
        shell=True, package_manager=True, compiler=False, maven=False, setuid_files=0,
        user="root", packages=None, compilers=next(calls)))
    frame = views.compare_images("basic", "jre")
    assert frame["compiler"].tolist() == ["javac", "no"]
