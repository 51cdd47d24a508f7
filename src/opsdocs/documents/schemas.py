"""Front-matter models, one per document kind (pydantic v2).

Common keys live on :class:`FrontMatter`. Unknown keys are kept (``extra="allow"``) so that a
document written for a newer opsdocs still loads; ``check`` reports them as warnings. Features
that own a kind's extra keys (the SLO spec, the severity ladder) subclass these models in their
own package; the kind registry names the model by import path.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from opsdocs.durations import checked, review_interval
from opsdocs.validators import NAME, Strict

__all__ = [
    "ActionItem",
    "Duration",
    "FrontMatter",
    "RunbookFrontMatter",
    "ServiceFrontMatter",
    "as_date",
    "review_due",
]


def review_due(last_reviewed: dt.date, every: str) -> dt.date | None:
    """The day a review falls due, or None when ``every`` is no duration or the day would be
    past the calendar's end (``last_reviewed: 9999-12-31``)."""
    try:
        return last_reviewed + review_interval(every)
    except (ValueError, OverflowError):
        return None


def as_date(value: object) -> dt.date | None:
    """A front-matter date (YAML date or ISO string), or None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


Duration = Annotated[str, AfterValidator(checked(review_interval))]


class FrontMatter(BaseModel):
    """Keys every operations document carries."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    kind: str = Field(description="Document kind, e.g. 'runbook'.")
    title: str = Field(min_length=1, description="Human title; the H1 heading repeats it.")
    owner: str = Field(min_length=1, pattern=NAME, description="Owning team, e.g. 'team-platform'.")
    last_reviewed: dt.date = Field(description="Date of the last review (YYYY-MM-DD).")
    review_every: Duration = Field(
        default="90d", description="How often the document must be reviewed: 'Nd' or 'Nw'."
    )
    template: str | None = Field(
        default=None, description="Template (and version) that created the document."
    )

    @classmethod
    def known_keys(cls) -> set[str]:
        keys = set(cls.model_fields)
        keys.update(f.alias for f in cls.model_fields.values() if f.alias)
        return keys


class ServiceFrontMatter(FrontMatter):
    """A document about one service (runbook, SLO, monitoring, capacity)."""

    service: str = Field(min_length=1, pattern=NAME, description="Service name, e.g. 'api-server'.")
    tier: int | None = Field(
        default=None, ge=0, le=4, description="Service tier: 0 (most critical) to 4."
    )


class RunbookFrontMatter(ServiceFrontMatter):
    """A runbook: one service, and optionally the alerts it is the runbook for."""

    alerts: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Alerts this runbook answers (their 'alert:' names in the rule files).",
    )


class OptionalServiceFrontMatter(FrontMatter):
    """A document that may be about one service or about a team or area (cost, on-call)."""

    service: str | None = Field(default=None, pattern=NAME)
    tier: int | None = Field(default=None, ge=0, le=4)


def model_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


class ActionItem(Strict):
    """One follow-up, the same shape wherever it is written (postmortems, DR drills). Owner and
    due date may be missing here; ``check`` reports that."""

    what: str = Field(min_length=1, description="What will be done.")
    owner: str | None = Field(default=None, description="Person or team who does it.")
    due: dt.date | None = Field(default=None, description="Due date (YYYY-MM-DD).")
    tracker: str | None = Field(default=None, description="Link to the ticket.")
    status: Literal["open", "done"] = Field(default="open", description="open or done.")
