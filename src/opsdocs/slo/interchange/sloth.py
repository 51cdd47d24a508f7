"""Import Sloth specs: ``prometheus/v1`` files and ``sloth.slok.dev/v1`` ``PrometheusServiceLevel``
manifests (several YAML documents in one file too).

Sloth's ``{{.window}}`` becomes ``{{window}}``; service-level labels are copied onto each SLO;
``page_alert``/``ticket_alert`` (``pageAlert``/``ticketAlert``) become ``alerting.page``/``ticket``.
Sloth has no no-data policy (its ratio is NaN in a window without traffic and the window drops
out of the alert, which is opsdocs' default ``no_data: skip``) and no period per SLO, so neither
is defined by an import: a document's own ``no_data`` and ``period`` stay. SLI plugins have no
PromQL to import and are refused. Every value is checked for its type at its key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.slo.interchange import (
    ImportedService,
    ImportedSlo,
    KeyPath,
    Source,
    defined,
    validate_entry,
)
from opsdocs.yamlio import load_yaml_all

if TYPE_CHECKING:
    from opsdocs.slo.settings import SloSettings

__all__ = ["CRD_API", "is_sloth", "read_sloth"]

CRD_API = "sloth.slok.dev/v1"
_ALERTS = (("page", "page_alert", "pageAlert"), ("ticket", "ticket_alert", "ticketAlert"))
_GO_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")


def is_sloth(data: Any) -> bool:
    """Whether one YAML document is a Sloth spec."""
    if not isinstance(data, dict):
        return False
    return data.get("version") == "prometheus/v1" or (
        data.get("apiVersion") == CRD_API and data.get("kind") == "PrometheusServiceLevel"
    )


def _window(query: str) -> str:
    return _GO_WINDOW.sub("{{window}}", query)


def _either(data: dict[str, Any], *names: str) -> str:
    """The first of ``names`` (Sloth's snake_case, the manifest's camelCase) present in data."""
    return next((n for n in names if n in data), names[0])


def _alert(src: Source, alerting: dict[str, Any], at: KeyPath, names: tuple[str, str]) -> Any:
    key = _either(alerting, *names)
    data = src.get(alerting, at, key, dict)
    if data is None:
        return None
    here = (*at, key)
    disable = src.get(data, here, "disable", bool)
    return {
        "enabled": False if disable else None,
        "labels": src.texts(data, here, "labels", "label", numbers=True) or None,
        "annotations": src.texts(data, here, "annotations", "annotation"),
    }


def _indicator(
    src: Source, sli: dict[str, Any], at: KeyPath, where: dict[KeyPath, Any]
) -> dict[str, Any]:
    if "plugin" in sli:
        raise src.error((*at, "plugin"), "Sloth SLI plugins have no PromQL to import")
    if "events" in sli:
        events = src.get(sli, at, "events", dict, required=True)
        here = (*at, "events")
        out: dict[str, Any] = {"type": "ratio"}
        for mine, names in (
            ("errors", ("error_query", "errorQuery")),
            ("total", ("total_query", "totalQuery")),
        ):
            key = _either(events, *names)
            out[mine] = _window(src.get(events, here, key, str, required=True))
            where[("indicator", mine)] = src.position((*here, key))
        return out
    if "raw" in sli:
        raw = src.get(sli, at, "raw", dict, required=True)
        here = (*at, "raw")
        key = _either(raw, "error_ratio_query", "errorRatioQuery")
        where[("indicator", "error_ratio")] = src.position((*here, key))
        return {"type": "raw", "error_ratio": _window(src.get(raw, here, key, str, required=True))}
    raise src.error(at, "sli needs 'events' or 'raw'")


def _slo(
    src: Source, slo: Any, at: KeyPath, service_labels: dict[str, str], settings: Any
) -> tuple[ImportedSlo, Any]:
    if not isinstance(slo, dict):
        raise src.error(at, f"an SLO must be a mapping, not {slo!r}")
    name = src.get(slo, at, "name", str, required=True)
    where: dict[KeyPath, Any] = {(): src.position(at)}
    for key in ("name", "objective", "description", "labels", "sli", "alerting"):
        if key in slo:
            where[("indicator",) if key == "sli" else (key,)] = src.position((*at, key))
    objective = src.get(slo, at, "objective", float, required=True)
    data: dict[str, Any] = {"name": name, "objective": objective}
    description = src.get(slo, at, "description", str)
    if description:
        data["description"] = description
    sli = src.get(slo, at, "sli", dict, required=True)
    data["indicator"] = _indicator(src, sli, (*at, "sli"), where)
    labels = {**service_labels, **(src.texts(slo, at, "labels", "label", numbers=True) or {})}
    if labels:
        data["labels"] = labels
    alerting_in = src.get(slo, at, "alerting", dict)
    if alerting_in is not None:
        here = (*at, "alerting")
        alerting: dict[str, Any] = {
            "name": src.get(alerting_in, here, "name", str),
            "labels": src.texts(alerting_in, here, "labels", "label", numbers=True) or None,
            "annotations": src.texts(alerting_in, here, "annotations", "annotation"),
            **{m: _alert(src, alerting_in, here, (f, s)) for m, f, s in _ALERTS},
        }
        for mine, first, second in _ALERTS:
            key = _either(alerting_in, first, second)
            if key in alerting_in:
                where[("alerting", mine)] = src.position((*here, key))
        data["alerting"] = {k: v for k, v in alerting.items() if v is not None}
    imported = ImportedSlo(name=name, data=data, positions=where)
    spec, _ = validate_entry(defined(data), imported.error, settings)
    return imported, spec


def _check_manifest(src: Source, data: dict[str, Any]) -> None:
    from pydantic import ValidationError

    from opsdocs.slo.spec import SlothManifest

    try:
        SlothManifest.model_validate(defined(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        raise src.error(
            ("metadata", key),
            f"metadata.{key} {first.get('input')!r} cannot name the rules in Kubernetes",
            "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
        ) from None


def _service(src: Source, settings: SloSettings | None) -> ImportedService:
    data = src.doc.value
    manifest = "apiVersion" in data
    base: KeyPath = ("spec",) if manifest else ()
    body = src.get(data, (), "spec", dict, required=True) if manifest else data
    service = src.get(body, base, "service", str, required=True, hint="add 'service:'")
    if not service:
        raise src.error((*base, "service"), "Sloth spec has an empty service")
    result = ImportedService(service=service, sources=[src.label])
    if manifest:
        meta = src.get(data, (), "metadata", dict) or {}
        result.document["sloth"] = {
            "spec": CRD_API,
            "name": src.get(meta, ("metadata",), "name", str),
            "namespace": src.get(meta, ("metadata",), "namespace", str),
            "labels": src.texts(meta, ("metadata",), "labels", "label", numbers=True) or None,
        }
        _check_manifest(src, result.document["sloth"])
    labels = src.texts(body, base, "labels", "label", numbers=True) or {}
    for index, slo in enumerate(src.get(body, base, "slos", list) or []):
        imported, spec = _slo(src, slo, (*base, "slos", index), labels, settings)
        result.imported.append(imported)
        result.slos.append(spec)
    return result


def read_sloth(
    text: str, *, path: str | Path, settings: SloSettings | None = None
) -> list[ImportedService]:
    """Every Sloth spec in a (multi-document) YAML text; other documents are ignored.

    Each SLO is validated as ``check`` validates a document (with ``settings``). Raises
    :class:`InputError` with the position of what cannot be imported.
    """
    label = str(path)
    docs = load_yaml_all(text, path=label)
    return [_service(Source(doc, label), settings) for doc in docs if is_sloth(doc.value)]
