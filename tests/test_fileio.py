"""Atomic writes, all-or-nothing change sets and the workspace boundary (opsdocs.fileio)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from opsdocs.fileio import (
    ChangeSet,
    OutsideRootError,
    atomic_write,
    check_inside,
    real_folder,
    remove,
)


def test_atomic_write_never_clobbers_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    atomic_write(path, "one")
    with pytest.raises(FileExistsError, match="already exists"):
        atomic_write(path, "two", overwrite=False)
    assert path.read_text() == "one"
    atomic_write(path, "three")
    assert path.read_text() == "three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temporary files left


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.sh"
    path.write_text("x")
    path.chmod(0o750)
    atomic_write(path, "y")
    assert path.stat().st_mode & 0o777 == 0o750


def test_atomic_write_of_parts_writes_them_in_order_with_the_umask_mode(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    umask = os.umask(0o022)
    try:
        atomic_write(path, ["stamp", "\n", "é" * 3, "", "end"])
    finally:
        os.umask(umask)
    assert path.read_text(encoding="utf-8") == "stamp\nééé" + "end"
    assert path.stat().st_mode & 0o777 == 0o644  # a new file, not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


def test_changeset_rolls_back_when_a_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.md", tmp_path / "sub" / "second.md"
    first.write_text("old")
    changes = ChangeSet()
    changes.write(first, "new")
    changes.write(second, "created")
    real_replace = os.replace

    def failing(src: str, dst: str) -> None:
        if str(dst).endswith("second.md"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        changes.commit()
    monkeypatch.setattr(os, "replace", real_replace)
    assert first.read_text() == "old"
    assert not (tmp_path / "sub").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.md"]


def test_changeset_create_only_checks_before_writing(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("mine")
    changes = ChangeSet()
    changes.write(tmp_path / "a.md", "a")
    changes.write(tmp_path / "b.md", "b", create_only=True)
    with pytest.raises(FileExistsError):
        changes.commit()
    assert not (tmp_path / "a.md").exists()
    assert (tmp_path / "b.md").read_text() == "mine"


def test_changeset_reports_only_real_changes(tmp_path: Path) -> None:
    (tmp_path / "same.md").write_text("same")
    changes = ChangeSet()
    changes.write(tmp_path / "same.md", "same")
    changes.write(tmp_path / "new.md", "new")
    assert changes.commit() == [tmp_path / "new.md"]


def test_changeset_leaves_an_unchanged_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary copy is made of a file whose bytes do not change: a full disk does not stop
    the commit, and the file keeps its inode and mtime."""
    same = tmp_path / "same.md"
    same.write_bytes("é\r\n".encode())
    before = same.stat()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    (tmp_path / "bytes.md").write_bytes(b"")
    monkeypatch.setattr(tempfile, "mkstemp", full)
    changes = ChangeSet()
    changes.write(same, "é\r\n")
    changes.write(tmp_path / "bytes.md", b"")
    assert changes.commit() == []
    after = same.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bytes.md", "same.md"]


def test_changeset_with_a_root_refuses_a_symlink_out_before_writing(tmp_path: Path) -> None:
    root, victim = tmp_path / "repo", tmp_path / "victim"
    root.mkdir()
    victim.mkdir()
    (root / "out").symlink_to(victim)
    changes = ChangeSet(root=root)
    changes.write(root / "inside.md", "a")
    changes.write(root / "out" / "rules.yml", "b")
    with pytest.raises(OutsideRootError) as caught:
        changes.commit()
    assert caught.value.filename == str(root / "out" / "rules.yml")
    assert str(victim.resolve() / "rules.yml") in caught.value.hint
    assert list(victim.iterdir()) == []
    assert not (root / "inside.md").exists()  # nothing written at all


def test_atomic_write_and_remove_refuse_a_path_that_climbs_out(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "x.yml"
    outside.write_text("keep")
    with pytest.raises(OutsideRootError):
        atomic_write(root / ".." / "x.yml", "over", root=root)
    with pytest.raises(OutsideRootError):
        remove(root / ".." / "x.yml", root=root)
    assert outside.read_text() == "keep"
    atomic_write(root / "sub" / ".." / "ok.md", "fine", root=root)
    assert remove(root / "ok.md", root=root) is True
    assert remove(root / "ok.md", root=root) is False


def test_check_inside_names_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(OSError) as caught:
        check_inside(tmp_path, tmp_path / "loop" / "a.md")
    assert caught.value.errno == errno.ELOOP


def test_changeset_writes_and_restores_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, later = tmp_path / "chart.png", tmp_path / "z.md"
    image.write_bytes(b"\x89PNG old \xff\xfe")
    changes = ChangeSet()
    changes.write(image, b"\x89PNG new \x00\xff")
    changes.write(later, "text")
    real_replace = os.replace

    def failing(src: str, dst: str) -> None:
        if str(dst).endswith("z.md"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        changes.commit()
    monkeypatch.setattr(os, "replace", real_replace)
    assert image.read_bytes() == b"\x89PNG old \xff\xfe"  # not UTF-8: restored as it was
    assert changes.commit() == [image, later]
    assert image.read_bytes() == b"\x89PNG new \x00\xff"


def test_real_folder_resolves_as_realpath_does_one_folder_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "real" / "team").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    memo: dict[str, str] = {}
    for path in ("link/team", "link/team/missing", "real/team", "loop/x", "link"):
        full = os.path.join(str(tmp_path), path)
        assert real_folder(full, memo) == os.path.realpath(full), path
    # each folder resolved once: the parents of later paths come from the memo
    assert memo[os.path.join(str(tmp_path), "link")] == str((tmp_path / "real").resolve())
