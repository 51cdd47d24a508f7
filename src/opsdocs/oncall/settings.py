"""``[tool.opsdocs.oncall]``: the gap horizon, the owners' people, holidays, night hours, and
how Alertmanager is configured."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from opsdocs.durations import checked
from opsdocs.oncall.spec import parse_hours
from opsdocs.validators import Frozen

if TYPE_CHECKING:
    from opsdocs.config import Config

__all__ = ["AlertmanagerSettings", "OnCallSettings", "load_settings", "read_holidays"]

#: Placeholder receivers post here (nothing listens: discard port), until configured.
PLACEHOLDER_URL = "http://127.0.0.1:9/opsdocs/{receiver}"


def _url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"must be an http:// or https:// URL (got {value!r})")
    return value


Url = Annotated[str, AfterValidator(_url)]


class AlertmanagerSettings(Frozen):
    """How ``oncall alertmanager`` writes receivers, and which hand-written file ``check``
    reads."""

    config: str | None = Field(
        default=None, description="A hand-written alertmanager.yml that 'check' proves (OC006)."
    )
    webhook_url: Url = Field(
        default=PLACEHOLDER_URL,
        description="Webhook of placeholder receivers; '{receiver}' is replaced by the name.",
    )
    receivers: dict[str, Url] = Field(
        default_factory=dict, description="Receiver name -> its webhook URL."
    )
    severity_label: str = "severity"
    team_label: str = "team"
    service_label: str = "service"
    group_by: list[str] = Field(
        default_factory=lambda: ["alertname", "severity", "team", "service"]
    )

    def url(self, receiver: str) -> str:
        return self.receivers.get(receiver) or self.webhook_url.replace("{receiver}", receiver)


class OnCallSettings(Frozen):
    gap_days: int = Field(default=14, ge=1, le=366, description="OC004 looks this many days ahead.")
    people: dict[str, list[str]] = Field(
        default_factory=dict, description="Owner team -> its people (OC005)."
    )
    holidays: list[dt.date] = Field(default_factory=list, description="For 'oncall report'.")
    night: Annotated[str, AfterValidator(checked(parse_hours))] = Field(
        default="22:00-06:00", description="Night hours for 'oncall report', local time."
    )
    alertmanager: AlertmanagerSettings = Field(default_factory=AlertmanagerSettings)


def load_settings(config: Config) -> OnCallSettings:
    """The ``oncall`` section validated; ConfigError at the key."""
    return config.load_section("oncall", OnCallSettings, hint="see docs/oncall.md")


def read_holidays(path: Path) -> list[dt.date]:
    """The dates of a holiday file: one YYYY-MM-DD a line (``#`` comments and a leading ``- ``
    allowed); InputError at the first line that is not a date."""
    from opsdocs.errors import InputError

    days = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip().removeprefix("- ").strip()
        if not text:
            continue
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            raise InputError(
                f"not a date: {text!r}", path=path, line=number, hint="one YYYY-MM-DD a line"
            ) from None
    return days
