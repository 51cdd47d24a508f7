"""Configuration: where it is found, unknown keys, bad values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.config import find_root, load_config
from opsdocs.errors import ConfigError
from tests.conftest import Result, build_tree


def test_pyproject_table_and_unknown_keys(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "x"\n\n[tool.opsdocs]\ndocs_dir = "ops"\n'
                'owners = ["team-a"]\nreview_evry = "30d"\n\n[tool.opsdocs.check]\nstrict = true\n'
            )
        },
    )
    config = load_config(tmp_path)
    assert config.docs_dir == "ops"
    assert config.owners == ["team-a"]
    assert config.section("check") == {"strict": True}
    assert config.warnings == [
        f"{tmp_path / 'pyproject.toml'}: unknown key 'review_evry' (ignored)"
    ]


def test_opsdocs_toml_wins_over_pyproject(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.opsdocs]\ndocs_dir = "a"\n',
            "opsdocs.toml": 'docs_dir = "b"\n',
        },
    )
    assert load_config(tmp_path).docs_dir == "b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('review_every = "3 months"\n', "review_every: Value error, must be a number of days"),
        ("owners = 3\n", "owners: Input should be a valid list"),
        ('check = "yes"\n', "check: must be a table"),
    ],
)
def test_bad_values_name_key_and_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "opsdocs.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'opsdocs.toml'}: {message}")


def test_invalid_toml_has_a_position(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text('owners = ["a"\ndocs_dir = 1\n')
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: opsdocs.toml:2:1: invalid TOML")


def test_unknown_key_is_warned_on_the_cli(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text("colour = 1\n")
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "unknown key 'colour' (ignored)" in result.stderr


def test_find_root_walks_up(tmp_path: Path) -> None:
    build_tree(tmp_path, {"opsdocs.toml": "", "a/b/c/.keep": ""})
    assert find_root(tmp_path / "a" / "b" / "c") == tmp_path.resolve()
    build_tree(tmp_path, {"a/pyproject.toml": '[project]\nname="x"\n'})
    # a pyproject without [tool.opsdocs] is not a root
    assert find_root(tmp_path / "a" / "b") == tmp_path.resolve()
