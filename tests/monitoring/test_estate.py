"""A rule set of 150 alerts and its runbook folder: every dangling link and every orphan named
once, nothing else."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.errors import InputError
from opsdocs.monitoring.estate import read_catalogue
from opsdocs.workspace import Workspace
from tests.conftest import Result, build_tree

SITE = "https://runbooks.example.com/runbooks/"


def _alert(name: str, url: str | None, indent: str) -> str:
    lines = [
        f"{indent}- alert: {name}",
        f'{indent}  expr: up{{job="{name.lower()}"}} == 0',
        f"{indent}  for: 5m",
        f"{indent}  labels:",
        f"{indent}    severity: critical",
        f"{indent}  annotations:",
        f"{indent}    summary: {name} is down",
    ]
    if url is not None:
        lines.append(f"{indent}    runbook_url: {url}")
    return "\n".join(lines)


def build_estate(root: Path, seed: int = 7) -> tuple[set[tuple[str, int]], set[str]]:
    """150 alerts in a plain file and two PrometheusRule documents; returns the expected
    (rule file, line) of each dangling runbook_url and the expected orphan runbooks."""
    rng = random.Random(seed)
    names = [f"Service{i:03d}Down" for i in range(150)]
    dangling_file = set(rng.sample(range(150), 6))
    dangling_anchor = set(rng.sample(sorted(set(range(150)) - dangling_file), 5))
    files: dict[str, str] = {}
    urls: dict[int, str] = {}
    for i, name in enumerate(names):
        slug = name.lower()
        if i in dangling_file:
            urls[i] = f"{SITE}team/{slug}-renamed"
        elif i in dangling_anchor:
            urls[i] = f"{SITE}team/{slug}#no-such-section"
        elif i % 3 == 0:
            urls[i] = f"{SITE}team/{slug}#mitigation"
        elif i % 3 == 1:
            urls[i] = f"{SITE}team/{slug}.html"
        else:
            urls[i] = f"{SITE}team/{slug}/"  # a folder page: its README.md
        if i % 3 == 2 and i not in dangling_file and i not in dangling_anchor:
            files[f"runbooks/team/{slug}/README.md"] = f"# {name}\n\n## Mitigation\n"
        else:
            files[f"runbooks/team/{slug}.md"] = f"# {name}\n\n## Mitigation\n"
    orphans = {f"runbooks/team/retired-{n}.md" for n in range(8)}
    for orphan in orphans:
        files[orphan] = "# Retired alert\n"
    files["runbooks/team/README.md"] = "# Team runbooks (index page, never an orphan)\n"
    # the runbooks of the renamed links stay under their old names: orphans as well
    plain = ["groups:", "  - name: plain", "    rules:"]
    plain += [_alert(names[i], urls[i], "      ") for i in range(0, 100)]
    files["rules/plain.yaml"] = "\n".join(plain) + "\n"
    docs = []
    for part, (lo, hi) in enumerate(((100, 125), (125, 150))):
        body = [
            "apiVersion: monitoring.coreos.com/v1",
            "kind: PrometheusRule",
            f"metadata:\n  name: part-{part}",
            "spec:",
            "  groups:",
            f"    - name: operator-{part}",
            "      rules:",
        ]
        body += [_alert(names[i], urls[i], "        ") for i in range(lo, hi)]
        docs.append("\n".join(body))
    files["rules/operator.yaml"] = "\n---\n".join(docs) + "\n"
    build_tree(root, files)
    expected_dangling: set[tuple[str, int]] = set()
    for rel in ("rules/plain.yaml", "rules/operator.yaml"):
        for number, line in enumerate((root / rel).read_text().splitlines(), start=1):
            if "runbook_url:" in line and ("-renamed" in line or "#no-such-section" in line):
                expected_dangling.add((rel, number))
    expected_orphans = set(orphans)
    expected_orphans.update(f"runbooks/team/{names[i].lower()}.md" for i in dangling_file)
    return expected_dangling, expected_orphans


def _workspace(
    root: Path, cli: Callable[..., Result], folder: str
) -> tuple[set[tuple[str, int]], set[str]]:
    """A workspace whose runbook site maps to ``folder``, with the estate of
    :func:`build_estate` (its runbooks under ``runbooks/``)."""
    build_tree(
        root,
        {
            "opsdocs.toml": (
                'owners = ["team-sre"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n'
                f'runbook_urls = {{"{SITE}" = "{folder}"}}\npromtool = false\n'
            )
        },
    )
    assert cli("init", cwd=root).exit_code == 0
    return build_estate(root)


def test_every_dangling_link_and_orphan_once_and_nothing_else(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    dangling, orphans = _workspace(tmp_path, cli, "runbooks/")
    assert len(dangling) == 11 and len(orphans) == 14
    result = cli("alerts", "check", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert sorted({f["code"] for f in findings}) == ["AL003", "AL004"]
    got_dangling = [(f["path"], f["line"]) for f in findings if f["code"] == "AL003"]
    got_orphans = [f["path"] for f in findings if f["code"] == "AL004"]
    assert len(got_dangling) == len(set(got_dangling))
    assert set(got_dangling) == dangling
    assert len(got_orphans) == len(set(got_orphans))
    assert set(got_orphans) == orphans
    listed = json.loads(cli("alerts", "list", "--format", "json", cwd=tmp_path).stdout)
    assert len(listed) == 150
    assert sum(1 for a in listed if a["runbook"]["status"] == "ok") == 150 - len(dangling)


def test_read_catalogue_returns_the_alerts_or_raises_the_first_error(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "opsdocs.toml": 'owners = ["team-api"]\n\n[monitoring]\nrule_files = ["rules/*.yaml"]\n',
            "rules/a.yaml": "groups:\n  - name: a\n    rules:\n"
            + _alert("ApiDown", None, "      "),
        },
    )
    workspace = Workspace.discover(root=tmp_path)
    analysis = read_catalogue(workspace)
    assert [e.alert.name for e in analysis.entries] == ["ApiDown"]
    (tmp_path / "rules/b.yaml").write_bytes(b"groups: \xff\n")
    with pytest.raises(InputError) as raised:
        read_catalogue(workspace)
    assert raised.value.format() == "rules/b.yaml: not UTF-8 text (save it as UTF-8)"


def test_a_runbook_folder_behind_a_symlink_is_parsed_once_at_its_real_path(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """The runbook folder is mapped through a symlinked folder: its files are named as mapped
    (orphans are reported there), and the check engine is given their real paths from the
    estate's own walk (each runbook parsed once, its anchors found)."""
    from opsdocs.monitoring.estate import open_estate

    dangling, orphans = _workspace(tmp_path, cli, "linked/")
    (tmp_path / "linked").symlink_to(tmp_path / "runbooks", target_is_directory=True)
    estate = open_estate(Workspace.discover(tmp_path), promtool=False)
    assert len(estate.folder_files) == len(estate.real_folder_files()) == 150 + 8 + 1
    assert all(p.startswith(str(tmp_path / "linked") + "/") for p in estate.folder_files)
    assert estate.real_folder_files() == [
        str(tmp_path / "runbooks" / Path(p).relative_to(tmp_path / "linked"))
        for p in estate.folder_files
    ]
    result = cli("alerts", "check", "--format", "json", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["line"]) for f in findings if f["code"] == "AL003"} == dangling
    assert {f["path"] for f in findings if f["code"] == "AL004"} == {
        p.replace("runbooks/", "linked/", 1) for p in orphans
    }
