"""The two Prometheus API calls the catalogue needs (loaded rules, metric names)."""

from __future__ import annotations

from typing import Any

from opsdocs.errors import InputError

__all__ = ["get_json"]

MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def get_json(url: str, *, timeout: float) -> Any:
    """GET ``url`` and return its JSON ``{"status": "success", ...}`` body.

    Raises :class:`InputError` (one line, naming the URL) for network errors, HTTP errors,
    bodies over the size cap and bodies that are not a successful API response.
    """
    import httpx

    try:
        with httpx.Client(timeout=timeout) as client, client.stream("GET", url) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise InputError(
                        f"response larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB",
                        path=url,
                        hint="query a smaller Prometheus or use rule_files",
                    )
                chunks.append(chunk)
            status = response.status_code
    except httpx.HTTPError as exc:
        raise InputError(
            f"cannot reach Prometheus: {exc}", path=url, hint="check [monitoring] prometheus_url"
        ) from None
    import json

    try:
        payload = json.loads(b"".join(chunks))
    except ValueError:
        raise InputError(
            f"HTTP {status}: the response is not JSON",
            path=url,
            hint="point prometheus_url at a Prometheus-compatible API",
        ) from None
    if status >= 400 or not isinstance(payload, dict) or payload.get("status") != "success":
        error = payload.get("error") if isinstance(payload, dict) else None
        raise InputError(
            f"HTTP {status}: {error or 'the API did not answer success'}",
            path=url,
            hint="check [monitoring] prometheus_url",
        )
    return payload
