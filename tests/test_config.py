"""Configuration: where it is found, unknown keys, bad values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.config import find_root, key_position, load_config
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
    assert [warning.format() for warning in config.warnings] == [
        f"{tmp_path / 'pyproject.toml'}:7:1: unknown key 'review_evry' (ignored) "
        "(check its spelling; see docs/configuration.md)"
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
        ('review_every = "3 months"\n', "1:1: review_every: must be a number of days"),
        ("# teams\n\n  owners = 3\n", "3:3: owners: Input should be a valid list"),
        ('docs_dir = "d"\ncheck = "yes"\n', "2:1: check: must be a table (write it as [check])"),
        (
            'max_file_size = "lots"\n',
            "1:1: max_file_size: 'lots' is not a size: write it like \"64MiB\" (B, KiB, MiB or GiB)",
        ),
        ("max_file_size = 0\n", "1:1: max_file_size: must be more than 0 bytes"),
    ],
)
def test_bad_values_name_key_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "opsdocs.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'opsdocs.toml'}:{message}")


def test_invalid_toml_has_a_position(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text('owners = ["a"\ndocs_dir = 1\n')
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: opsdocs.toml:2:1: invalid TOML")


def test_unknown_key_is_warned_on_the_cli(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "opsdocs.toml").write_text('docs_dir = "ops"\ncolour = 1\n')
    (tmp_path / "sub").mkdir()
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "warning: opsdocs.toml:2:1: unknown key 'colour' (ignored) (check its spelling"
    )
    below = cli("list", cwd=tmp_path / "sub")  # the path is shown from where the user is
    assert below.stderr.startswith(f"warning: {tmp_path / 'opsdocs.toml'}:2:1: unknown key")


PYPROJECT = """\
[project]
name = "x"

[tool.opsdocs]
docs_dir = "ops"
slo.scrape_interval = "1m"

[tool.opsdocs.check]
select = ["FM"]
  "ignore" = ["ST002"]

[tool.opsdocs.profiles.alerts]
guidance = { Meaning = "What it means." }

[tool.opsdocs.report]
"""


@pytest.mark.parametrize(
    ("keys", "position"),
    [
        (("docs_dir",), (5, 1)),
        (("slo", "scrape_interval"), (6, 1)),  # a dotted key
        (("check", "select", 0), (9, 1)),  # a list item: the list's key
        (("check", "ignore"), (10, 3)),  # a quoted, indented key
        (("check", "strict"), (8, 1)),  # not written: its table
        (("profiles", "alerts", "guidance", "Meaning"), (13, 1)),  # inside an inline table
        (("report", "prometheus_url"), (15, 1)),
        (("nothing", "here"), (None, None)),
    ],
)
def test_key_position_finds_the_line_of_a_key(
    tmp_path: Path, keys: tuple[object, ...], position: tuple[int | None, int | None]
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    assert key_position(path, keys) == position
    assert key_position(tmp_path / "missing.toml", keys) == (None, None)


def test_find_root_walks_up(tmp_path: Path) -> None:
    build_tree(tmp_path, {"opsdocs.toml": "", "a/b/c/.keep": ""})
    assert find_root(tmp_path / "a" / "b" / "c") == tmp_path.resolve()
    build_tree(tmp_path, {"a/pyproject.toml": '[project]\nname="x"\n'})
    # a pyproject without [tool.opsdocs] is not a root
    assert find_root(tmp_path / "a" / "b") == tmp_path.resolve()


def test_one_section_loader_reports_a_pydantic_error_at_the_key(tmp_path: Path) -> None:
    from pydantic import BaseModel, Field

    from opsdocs.config import validate_section

    class Section(BaseModel):
        retries: int = Field(default=1, ge=0)

    build_tree(tmp_path, {"opsdocs.toml": 'docs_dir = "ops"\n\n[report]\nretries = -1\n'})
    config = load_config(tmp_path)
    assert (
        validate_section(Section, {"retries": 2}, config.source, ("thing",), hint="h").retries == 2
    )
    with pytest.raises(ConfigError) as info:
        config.load_section("report", Section, hint="see docs/thing.md")
    assert str(info.value) == (
        f"{tmp_path / 'opsdocs.toml'}:4:1: report.retries: "
        "Input should be greater than or equal to 0 (see docs/thing.md)"
    )


@pytest.mark.usefixtures("no_max_file_size")
def test_max_file_size_lowers_and_raises_the_limit_of_a_document(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    ops = "docs/internal/operations"
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'max_file_size = "2KiB"\n',
            f"{ops}/slo-plain.md": "---\nkind: slo\n---\n\n# Plain\n\n" + "x" * 3000 + "\n",
            f"{ops}/runbook-big.md": "# Big\n\n" + "y" * (11 << 20) + "\n",
        },
    )
    assert load_config(tmp_path).max_file_size == 2048
    refused = cli("slo", "rules", cwd=tmp_path)
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"error: {ops}/slo-plain.md: file is too large to be a document (2 KB) (operations"
        " documents must be under 2 KB; max_file_size in the configuration sets the limit)\n",
    )
    small = cli("check", "--select", "IN001", "--no-cache", cwd=tmp_path)
    assert small.stdout.splitlines()[0] == (
        f"{ops}/runbook-big.md:1:1: IN001 unreadable-file: file is too large to be a document"
        " (11 MB) (operations documents must be under 2 KB; max_file_size in the configuration"
        " sets the limit)"
    )
    # 11 MB is over the default 10 MB; a raised limit admits both
    (tmp_path / "opsdocs.toml").write_text('max_file_size = "12MiB"\n')
    raised = cli("check", "--select", "IN001", "--no-cache", cwd=tmp_path)
    assert (raised.exit_code, raised.stdout) == (0, "All checks passed (2 files).\n")
