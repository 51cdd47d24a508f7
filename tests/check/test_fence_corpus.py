"""ST006 over a corpus of 360 runbooks shaped like real ones: fences in list items, nested lists,
block quotes, quotes in lists, next to tables and HTML blocks. Precision and recall are both 1:
no finding on a closed fence, a finding on every fence that runs to the end of its container or
of the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.check.fence_corpus import corpus
from tests.conftest import Result, build_tree

COUNT = 360


def test_st006_on_the_corpus_has_full_precision_and_recall(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    books = corpus(COUNT)
    expected = {(name, line) for name, book in books.items() for line in book.unclosed}
    closed_files = sum(1 for book in books.values() if not book.unclosed)
    assert len(books) >= 300 and closed_files >= 200 and len(expected) >= 100
    (tmp_path / "opsdocs.toml").write_text("")
    build_tree(tmp_path / "notes", {name: book.text for name, book in books.items()})
    result = cli(
        "check", "notes", "--select", "ST006", "--format", "json", "--no-cache", cwd=tmp_path
    )
    found = {(Path(f["path"]).name, f["line"]) for f in json.loads(result.stdout)["findings"]}
    false_positives = sorted(found - expected)
    missed = sorted(expected - found)
    assert not false_positives, f"ST006 on closed fences: {false_positives[:10]}"
    assert not missed, f"unclosed fences not reported: {missed[:10]}"
    assert result.exit_code == 1


def test_corpus_fences_are_in_containers() -> None:
    """The corpus really has the shapes that fooled the line-based check."""
    text = "\n".join(book.text for book in corpus(COUNT).values())
    for shape in ("\n   ```", "\n> ```", "\n  > ```", ">    ```", "\n     ```", "<details>"):
        assert shape in text, shape
