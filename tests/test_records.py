import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from opsdocs.records import dicts, json_dict, json_form, json_method, text_or_none


@dataclass(frozen=True)
class Part:
    name: str
    cost: Decimal

    as_dict = json_method("name", ("cost", str))


@dataclass(frozen=True)
class Record:
    key: str
    at: dt.datetime
    total: Decimal
    limit: Decimal | None
    chain: tuple[str, ...]
    parts: list[Part] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)

    @property
    def doubled(self) -> Decimal:
        return self.total * 2

    as_dict = json_method(
        ("resource", "key"),
        ("at", lambda when: when.isoformat().replace("+00:00", "Z")),
        ("total", str),
        "doubled",
        ("limit_percent", "limit", text_or_none),
        ("chain", list),
        ("parts", dicts),
        "tags",
    )


def _record(**changes: object) -> Record:
    values: dict[str, object] = {
        "key": "disk",
        "at": dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC),
        "total": Decimal("10.50"),
        "limit": Decimal("80"),
        "chain": ("a", "b"),
        "parts": [Part("x", Decimal("1.10")), Part("y", Decimal("0"))],
        "tags": {"team": ["api"]},
    }
    values.update(changes)
    return Record(**values)  # type: ignore[arg-type]


def test_keys_come_in_the_declared_order_with_renames_and_conversions() -> None:
    data = _record().as_dict()
    keys = ["resource", "at", "total", "doubled", "limit_percent", "chain", "parts", "tags"]
    assert list(data) == keys
    assert data == {
        "resource": "disk",
        "at": "2026-05-01T12:30:00Z",
        "total": "10.50",
        "doubled": Decimal("21.00"),
        "limit_percent": "80",
        "chain": ["a", "b"],
        "parts": [{"name": "x", "cost": "1.10"}, {"name": "y", "cost": "0"}],
        "tags": {"team": ["api"]},
    }
    assert json.dumps(data, default=str).startswith('{"resource": "disk", "at": ')


def test_none_stays_none_through_text_or_none() -> None:
    assert _record(limit=None).as_dict()["limit_percent"] is None
    assert text_or_none(Decimal("0.10")) == "0.10"


def test_values_are_not_copied() -> None:
    record = _record()
    assert record.as_dict()["tags"] is record.tags


def test_a_form_renames_converts_or_both() -> None:
    form = json_form(("title", "name"), ("name", str.upper), ("price", "cost", str))
    assert json_dict(Part("abc", Decimal("2.50")), form) == {
        "title": "abc",
        "name": "ABC",
        "price": "2.50",
    }
    assert [key for key, _ in form] == ["title", "name", "price"]
