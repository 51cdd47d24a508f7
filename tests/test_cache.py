"""The one content-hash cache: an index in JSON, long texts in a text file beside it, one pair
of files per namespace; the key covers the configuration in order."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from opsdocs.cache import Cache, cache_key


def entry(n: int) -> dict[str, Any]:
    return {
        "findings": [[f"docs/slo-{n}.md", 3, 5, "a warning", "warning"]],
        "texts": [
            [f"slo-{n}.yaml", f'groups:\n  - name: "é{n}"\n    expr: |-\n      x{{a="{n}"}}\n'],
            [f"slo-{n}.x.test.yaml", ""],
        ],
        "notes": [f"note {n}"],
    }


def saved(tmp_path: Path) -> Cache:
    cache = Cache(tmp_path / "cache", "slo-rules", "k1")
    for n in range(3):
        cache.put(f"docs/slo-{n}.md", f"h{n}", entry(n))
    cache.save()
    return cache


def test_saved_entries_load_as_they_were_put(tmp_path: Path) -> None:
    saved(tmp_path)
    loaded = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    for n in range(3):
        assert loaded.get(f"docs/slo-{n}.md", f"h{n}") == {"hash": f"h{n}", **entry(n)}
    assert loaded.get("docs/slo-0.md", "other") is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "slo-rules-k1.json",
        "slo-rules-k1.txt",
        "slo-rules.lock",  # held while saving (parallel runs merge)
    ]
    index = json.loads((tmp_path / "cache/slo-rules-k1.json").read_text())
    assert "groups:" not in json.dumps(index)  # the texts live in the .txt file only


def test_text_file_of_another_run_or_cut_short_is_ignored(tmp_path: Path) -> None:
    cache = saved(tmp_path)
    original = cache.texts.read_text(encoding="utf-8")
    stamp, _, blob = original.partition("\n")
    for broken in (f"{'0' * len(stamp)}\n{blob}", original[:-5], ""):
        cache.texts.write_text(broken, encoding="utf-8")
        assert Cache(tmp_path / "cache", "slo-rules", "k1").load().entries == {}
    cache.texts.unlink()
    assert Cache(tmp_path / "cache", "slo-rules", "k1").load().entries == {}


def test_texts_keep_their_line_endings(tmp_path: Path) -> None:
    """The text file is read as written: a CRLF or CR in a text neither changes it nor makes
    the lengths disagree (which would drop every entry)."""
    cache = Cache(tmp_path / "cache", "slo-rules", "k1")
    texts = [["a.yaml", "one\r\ntwo\rthree\n"], ["b.yaml", "\r"]]
    cache.put("docs/slo-a.md", "h", {"texts": texts})
    cache.save()
    loaded = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    assert loaded.get("docs/slo-a.md", "h") == {"hash": "h", "texts": texts}


def test_offsets_outside_the_text_file_are_ignored(tmp_path: Path) -> None:
    cache = saved(tmp_path)
    index = json.loads(cache.file.read_text())
    index["entries"]["docs/slo-1.md"]["texts"][0][2] = index["length"] + 1
    cache.file.write_text(json.dumps(index))
    assert Cache(tmp_path / "cache", "slo-rules", "k1").load().entries == {}


def test_a_new_key_replaces_the_old_files(tmp_path: Path) -> None:
    saved(tmp_path)
    other = Cache(tmp_path / "cache", "slo-rules", "k2")
    other.put("docs/slo-0.md", "h0", entry(0))
    other.save()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "slo-rules-k2.json",
        "slo-rules-k2.txt",
        "slo-rules.lock",
    ]
    assert Cache(tmp_path / "cache", "slo-rules", "k1").load().entries == {}


def test_text_file_is_written_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c", "slo-rules", "k")
    texts = [f"file {i}\n" * (i + 1) for i in range(50)]
    cache.put(
        "a.md",
        "h",
        {"findings": [], "texts": [[f"{i}.yaml", t] for i, t in enumerate(texts)], "notes": []},
    )
    cache.save()
    blob = cache.texts.read_text(encoding="utf-8")
    stamp, _, rest = blob.partition("\n")
    assert rest == "".join(texts) and len(stamp) == 16
    umask = os.umask(0)
    os.umask(umask)
    assert cache.texts.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in (tmp_path / "c").iterdir() if p.name.endswith(".tmp")] == []


def test_namespaces_keep_their_own_files(tmp_path: Path) -> None:
    saved(tmp_path)
    check = Cache(tmp_path / "cache", "slo", "k9")
    check.put("a.md", "h", {"findings": []})
    check.save()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "slo-k9.json",
        "slo-k9.txt",
        "slo-rules-k1.json",
        "slo-rules-k1.txt",
        "slo-rules.lock",
        "slo.lock",
    ]
    assert Cache(tmp_path / "cache", "slo", "k9").load().get("a.md", "h") == {
        "hash": "h",
        "findings": [],
    }
    assert Cache(tmp_path / "cache", "slo-rules", "k1").load().get("docs/slo-0.md", "h0")


def test_the_key_covers_the_configuration_in_order() -> None:
    a, b = {"paths": ["a/*.md"]}, {"paths": ["*.md"]}
    assert cache_key({"profiles": {"a": a, "b": b}}) != cache_key({"profiles": {"b": b, "a": a}})
    assert cache_key({"x": 1}) == cache_key({"x": 1})
    assert cache_key({"x": 1}) != cache_key({"x": 2})


def test_two_runs_saving_at_once_keep_both_runs_entries(tmp_path: Path) -> None:
    first = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    second = Cache(tmp_path / "cache", "slo-rules", "k1").load()  # loaded before the first saves
    first.put("docs/slo-0.md", "h0", entry(0))
    second.put("docs/slo-1.md", "h1", entry(1))
    second.forget("docs/slo-0.md")  # not in its view: does not remove the first run's entry
    first.save()
    second.save()
    loaded = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    assert loaded.get("docs/slo-0.md", "h0") == {"hash": "h0", **entry(0)}
    assert loaded.get("docs/slo-1.md", "h1") == {"hash": "h1", **entry(1)}


def test_a_forgotten_entry_is_removed_on_save(tmp_path: Path) -> None:
    saved(tmp_path)
    cache = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    cache.forget("docs/slo-2.md")
    cache.save()
    loaded = Cache(tmp_path / "cache", "slo-rules", "k1").load()
    assert sorted(loaded.entries) == ["docs/slo-0.md", "docs/slo-1.md"]


def test_the_key_covers_the_bundled_templates() -> None:
    """A kind's required sections are read from its template: editing one is a new key."""
    from opsdocs.cache import _source_stamp

    stamped = {entry[0] for entry in _source_stamp([])}
    assert "documents/templates/runbook-template.md" in stamped
    assert "slo/templates/slo-template.md" in stamped
    assert "slo/templates/kinds.toml" in stamped
