"""Builders shared by the SLO tests."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from opsdocs.slo.spec import SloSection, SloSpec

RATIO = {
    "type": "ratio",
    "errors": 'sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))',
    "total": 'sum(rate(http_requests_total{job="api"}[{{window}}]))',
}


def slo(**overrides: Any) -> SloSpec:
    data: dict[str, Any] = {"name": "availability", "objective": 99.9, "indicator": RATIO}
    data.update(overrides)
    return SloSpec.model_validate(data)


def section(*slos: dict[str, Any], service: str = "api") -> SloSection:
    return SloSection.model_validate({"service": service, "slos": list(slos)})


def slo_document(slos_yaml: str, *, service: str = "api") -> str:
    """An slo document whose front matter ends with ``slos_yaml`` (already indented)."""
    return (
        "---\n"
        "kind: slo\n"
        f"title: {service} SLOs\n"
        "owner: team-api\n"
        f"service: {service}\n"
        "last_reviewed: 2026-11-01\n"
        f"{slos_yaml}"
        "---\n\n"
        f"# {service} SLOs\n\n## Service\n\nThe API.\n"
    )


def promtool(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool, *map(str, args)], capture_output=True, text=True, timeout=600, check=False
    )


def load_yaml(text: str) -> Any:
    return yaml.safe_load(text)
