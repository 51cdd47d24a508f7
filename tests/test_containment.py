"""opsdocs writes and deletes only inside the workspace: symlinks out and '..' are refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, build_tree, snapshot
from tests.slo.helpers import slo_document

OPS = "docs/internal/operations"
SLOS = (
    "slos:\n"
    "  - name: availability\n"
    "    objective: 99.9\n"
    "    indicator:\n"
    "      type: ratio\n"
    '      errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))\n'
    '      total: sum(rate(http_requests_total{job="api"}[{{window}}]))\n'
)


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    build_tree(
        victim,
        {"check-0123.json": "precious", "slo-rules-0123.json": "precious", "keep.txt": "x"},
    )
    return victim


def _workspace(tmp_path: Path, cli: Callable[..., Result], toml: str = "") -> Path:
    root = tmp_path / "repo"
    build_tree(root, {"opsdocs.toml": f'owners = ["team-api"]\n{toml}'})
    assert cli("init", cwd=root).exit_code == 0
    build_tree(root, {f"{OPS}/slo-api.md": slo_document(SLOS)})
    return root


def test_a_cache_folder_that_is_a_symlink_out_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    victim = _victim(tmp_path)
    root = _workspace(tmp_path, cli)
    (root / ".opsdocs").mkdir(exist_ok=True)
    (root / ".opsdocs/cache").symlink_to(victim)
    before = snapshot(victim)
    for command in (("check",), ("slo", "rules")):
        result = cli(*command, cwd=root)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith(
            "error: .opsdocs/cache: refusing to write outside the workspace "
            f"(it resolves to {victim.resolve()}; opsdocs writes only inside {root.resolve()}: "
        ), result.stderr
        assert snapshot(victim) == before
    assert not (root / "rules").exists()  # nothing written before the refusal


def test_a_cache_folder_that_is_a_symlink_inside_is_refused_too(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path, cli)
    (root / "elsewhere").mkdir()
    (root / "elsewhere/check-0123.json").write_text("mine")
    (root / ".opsdocs").mkdir(exist_ok=True)
    (root / ".opsdocs/cache").symlink_to(root / "elsewhere")
    result = cli("check", cwd=root)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(
        "error: .opsdocs/cache: refusing a state folder that is a symlink "
    ), result.stderr
    assert (root / "elsewhere/check-0123.json").read_text() == "mine"


def test_an_absolute_check_cache_dir_outside_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    victim = _victim(tmp_path)
    root = _workspace(tmp_path, cli, f'[check]\ncache_dir = "{victim}"\n')
    before = snapshot(victim)
    result = cli("check", cwd=root)
    assert result.exit_code == 2, result.stderr
    assert "refusing to write outside the workspace" in result.stderr
    assert snapshot(victim) == before


def test_slo_output_dir_that_climbs_out_is_refused(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = _workspace(tmp_path, cli, '[slo]\noutput_dir = "../x"\n')
    result = cli("slo", "rules", "--no-cache", cwd=root)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        f"error: {root.resolve()}/../x/slo-api.yaml: refusing to write outside the workspace "
        f"(it resolves to {(tmp_path / 'x').resolve()}/slo-api.yaml; opsdocs writes only inside "
        f"{root.resolve()}: remove the symlink or choose a folder inside the workspace)\n"
    )
    assert not (tmp_path / "x").exists()
    # a folder typed on the command line is the user's own choice
    out = tmp_path / "chosen"
    assert cli("slo", "rules", "--no-cache", "--out", str(out), cwd=root).exit_code == 0
    assert any(out.iterdir())


def test_an_incidents_folder_symlinked_out_receives_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    victim = tmp_path / "victim-incidents"
    victim.mkdir()
    root = _workspace(tmp_path, cli)
    (root / OPS / "incidents").symlink_to(victim)
    result = cli(
        "incident", "open", "-s", "P2", "--service", "api", "API down",
        "--at", "2026-01-01T10:00:00Z", cwd=root,
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "refusing to write outside the workspace" in result.stderr
    assert f"it resolves to {victim.resolve()}/2026-01-01-api-down.md" in result.stderr
    assert list(victim.iterdir()) == []
