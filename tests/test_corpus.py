"""The corpus source: every article file, and a clear problem line for each bad one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.sources.corpus import collect, file_of

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_reads_txt_md_html_in_path_order(tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "b.md").write_text("# Title\n\nBody text.", encoding="utf-8")
    (corpus / "a.txt").write_text("Plain text.", encoding="utf-8")
    (corpus / "sub" / "c.html").write_text("<p>Hi</p>", encoding="utf-8")
    (corpus / "notes.pdf").write_bytes(b"%PDF")
    (corpus / ".hidden.txt").write_text("secret", encoding="utf-8")
    found = collect((corpus,), tmp_path, NOW)
    assert [file_of(d.key) for d in found.documents] == [
        "articles/a.txt",
        "articles/b.md",
        "articles/sub/c.html",
    ]
    assert [d.content_type for d in found.documents] == ["text", "markdown", "html"]
    assert found.problems == ()


def test_bad_files_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")
    (corpus / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    # Tests may run as root, for whom chmod 0 does not stop reading: a dangling link does.
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "good.txt").write_text("A good article.", encoding="utf-8")
    found = collect((corpus, tmp_path / "missing"), tmp_path, NOW)
    assert [file_of(d.key) for d in found.documents][-1] == "seeds/good.txt"
    problems = "\n".join(found.problems)
    assert "seeds/empty.txt: empty file, skipped" in problems
    assert "seeds/latin1.txt: not UTF-8 text" in problems
    assert "seeds/gone.txt: No such file or directory, skipped" in problems
    assert "missing: corpus directory not found, skipped" in problems
    for line in found.problems:
        assert "\n" not in line


def test_key_changes_when_the_file_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    path = corpus / "a.txt"
    path.write_text("first version", encoding="utf-8")
    first = collect((corpus,), tmp_path, NOW).documents[0].key
    assert collect((corpus,), tmp_path, NOW).documents[0].key == first
    path.write_text("second version", encoding="utf-8")
    assert collect((corpus,), tmp_path, NOW).documents[0].key != first
