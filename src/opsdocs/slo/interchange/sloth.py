"""Import Sloth specs: ``prometheus/v1`` files and ``sloth.slok.dev/v1`` ``PrometheusServiceLevel``
manifests (several YAML documents in one file too).

Sloth's ``{{.window}}`` becomes ``{{window}}``; service-level labels are copied onto each SLO;
``page_alert``/``ticket_alert`` (``pageAlert``/``ticketAlert``) become ``alerting.page``/``ticket``.
Sloth has no no-data policy: its ratio is NaN in a window without traffic and the window drops
out of the alert, which is ``no_data: skip``. SLI plugins have no PromQL to import and are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from opsdocs.errors import InputError
from opsdocs.slo.interchange import ImportedService
from opsdocs.slo.spec import SloSpec
from opsdocs.yamlio import YamlData, load_yaml_all

__all__ = ["is_sloth", "read_sloth"]

_GO_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")


def is_sloth(data: Any) -> bool:
    """Whether one YAML document is a Sloth spec."""
    if not isinstance(data, dict):
        return False
    return data.get("version") == "prometheus/v1" or (
        data.get("apiVersion") == "sloth.slok.dev/v1"
        and data.get("kind") == "PrometheusServiceLevel"
    )


def _window(query: Any) -> Any:
    return _GO_WINDOW.sub("{{window}}", query) if isinstance(query, str) else query


def _get(data: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in data:
            return data[name]
    return None


def _alert(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    if data.get("disable"):
        out["enabled"] = False
    for key in ("labels", "annotations"):
        if data.get(key):
            out[key] = data[key]
    return out


def _convert(slo: dict[str, Any], service_labels: dict[str, Any]) -> dict[str, Any]:
    sli = slo.get("sli") or {}
    events = sli.get("events")
    raw = sli.get("raw")
    indicator: dict[str, Any]
    if isinstance(events, dict):
        indicator = {
            "type": "ratio",
            "errors": _window(_get(events, "error_query", "errorQuery")),
            "total": _window(_get(events, "total_query", "totalQuery")),
        }
    elif isinstance(raw, dict):
        indicator = {
            "type": "raw",
            "error_ratio": _window(_get(raw, "error_ratio_query", "errorRatioQuery")),
        }
    elif sli.get("plugin") is not None:
        raise ValueError("Sloth SLI plugins have no PromQL to import")
    else:
        raise ValueError("sli needs 'events' or 'raw'")
    alerting_in = slo.get("alerting") or {}
    alerting: dict[str, Any] = {}
    if alerting_in.get("name"):
        alerting["name"] = alerting_in["name"]
    for key in ("labels", "annotations"):
        if alerting_in.get(key):
            alerting[key] = alerting_in[key]
    page = _alert(_get(alerting_in, "page_alert", "pageAlert"))
    ticket = _alert(_get(alerting_in, "ticket_alert", "ticketAlert"))
    if page:
        alerting["page"] = page
    if ticket:
        alerting["ticket"] = ticket
    out: dict[str, Any] = {
        "name": slo.get("name"),
        "objective": slo.get("objective"),
        "indicator": indicator,
        "no_data": "skip",
    }
    if slo.get("description"):
        out["description"] = slo["description"]
    labels = {**service_labels, **(slo.get("labels") or {})}
    if labels:
        out["labels"] = {str(k): str(v) for k, v in labels.items()}
    if alerting:
        out["alerting"] = alerting
    return out


def _service(doc: YamlData, label: str) -> ImportedService:
    data = doc.value
    body = data["spec"] if "apiVersion" in data else data
    base: tuple[str | int, ...] = ("spec",) if "apiVersion" in data else ()
    if not isinstance(body, dict):
        line, col = doc.position(base) or (1, 1)
        raise InputError("Sloth spec is not a mapping", path=label, line=line, col=col)
    service = body.get("service")
    if not isinstance(service, str) or not service:
        line, col = doc.position(base) or (1, 1)
        raise InputError(
            "Sloth spec has no service", path=label, line=line, col=col, hint="add 'service:'"
        )
    result = ImportedService(service=service, sources=[label])
    labels = body.get("labels") or {}
    for index, slo in enumerate(body.get("slos") or []):
        at = (*base, "slos", index)
        line, col = doc.position(at) or (1, 1)
        try:
            if not isinstance(slo, dict):
                raise ValueError("an SLO must be a mapping")
            result.slos.append(SloSpec.model_validate(_convert(slo, labels)))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"] if p not in ("ratio", "raw"))
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InputError(
                f"cannot import SLO {slo.get('name')!r}: {key}: {message}",
                path=label,
                line=line,
                col=col,
            ) from None
        except ValueError as exc:
            name = slo.get("name") if isinstance(slo, dict) else index
            raise InputError(
                f"cannot import SLO {name!r}: {exc}", path=label, line=line, col=col
            ) from None
    return result


def read_sloth(text: str, *, path: str | Path) -> list[ImportedService]:
    """Every Sloth spec in a (multi-document) YAML text; other documents are ignored.

    Raises :class:`InputError` with the position of what cannot be imported.
    """
    label = str(path)
    return [_service(doc, label) for doc in load_yaml_all(text, path=label) if is_sloth(doc.value)]
