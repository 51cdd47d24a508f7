"""Round-trip front-matter edits (documents/frontmatter.py): only what changed is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.documents.frontmatter import edit_front_matter
from opsdocs.documents.parse import parse_document
from opsdocs.errors import DocumentError

DOC = """---
# written by hand: keep me
title:   "Checkout 5xx"    # odd spacing, kept
status: triage  # opsdocs moves this
services: [api, web]   # flow style
custom_key: 1:30  # a key opsdocs does not know (YAML 1.1 reads 90)
milestones:
  # when things happened
  started: 2026-11-26T14:00:00Z
  detected: '2026-11-26T14:02:00Z'  # paged
  acknowledged: null
kind: incident
---
# Body

Text with trailing spaces\x20\x20
"""


def front(text: str) -> dict[str, Any]:
    """The front matter as the document parser (PyYAML, YAML 1.1) reads it."""
    fm = parse_document(Path("x.md"), text).front_matter
    assert fm is not None
    return fm


def front_lines(text: str) -> list[str]:
    lines = text.split("\n")
    return lines[1 : lines.index("---", 1)]


def test_nothing_to_change_returns_the_text_itself() -> None:
    assert edit_front_matter(DOC, front(DOC)) == DOC


def test_only_the_changed_keys_are_written_anew() -> None:
    values = front(DOC)
    values["status"] = "active"
    milestones = dict(values["milestones"])
    milestones["acknowledged"] = "2026-11-26T14:05:00Z"
    values["milestones"] = milestones
    new = edit_front_matter(DOC, values)
    old_lines, new_lines = front_lines(DOC), front_lines(new)
    # Every line but the two values that changed is as it was, in the same order.
    changed = {
        "status: triage  # opsdocs moves this": "status: active  # opsdocs moves this",
        "  acknowledged: null": "  acknowledged: '2026-11-26T14:05:00Z'",
    }
    assert new_lines == [changed.get(line, line) for line in old_lines]
    assert new.endswith("---\n# Body\n\nText with trailing spaces  \n")
    assert front(new) == {**front(DOC), **values}


def test_new_keys_follow_their_predecessor_and_removed_keys_go() -> None:
    values = front(DOC)
    del values["custom_key"]
    values = {
        **{k: v for k, v in values.items() if k != "kind"},
        "postmortem_due": dt.date(2026, 11, 29),
        "kind": "incident",
    }
    new = edit_front_matter(DOC, values)
    assert list(front(new)) == [
        "title",
        "status",
        "services",
        "milestones",
        "postmortem_due",
        "kind",
    ]
    assert "custom_key" not in new
    assert "postmortem_due: '2026-11-29'" in front_lines(new)
    assert front(new)["postmortem_due"] == "2026-11-29"  # a string, as incidents write it


def test_times_are_written_as_utc_z_strings() -> None:
    values = front(DOC)
    values["milestones"] = {
        **values["milestones"],
        "acknowledged": dt.datetime(2026, 11, 26, 16, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    }
    new = edit_front_matter(DOC, values)
    assert "  acknowledged: '2026-11-26T14:05:00Z'" in front_lines(new)
    # the time written unquoted by hand is the same time: left as it was
    assert "  started: 2026-11-26T14:00:00Z" in front_lines(new)


AMBIGUOUS = ["yes", "No", "on", "OFF", "y", "1:30", "010", "0x1F", "1_000", "2026-11-26", "~"]
AMBIGUOUS += ["null", "true", "12.5", ".inf", "2026-11-26T14:02:00Z", "", " lead", "a: b", "#x"]


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_strings_yaml_1_1_would_misread_are_quoted(value: str) -> None:
    new = edit_front_matter(DOC, {**front(DOC), "status": value, "extra": [value]})
    assert front(new)["status"] == value
    assert front(new)["extra"] == [value]


def test_floats_keep_their_type_under_yaml_1_1() -> None:
    values = {**front(DOC), "share": 1e-05, "big": 1e16, "small": 0.0123, "none": None}
    new = edit_front_matter(DOC, values)
    read = front(new)
    assert (read["share"], read["big"], read["small"], read["none"]) == (1e-05, 1e16, 0.0123, None)
    assert "none: null" in front_lines(new)


def test_multi_line_strings_read_back_the_same() -> None:
    values = {**front(DOC), "a": "one\ntwo", "b": "one\ntwo\n", "c": "x\n\ty\n\n"}
    new = edit_front_matter(DOC, values)
    assert {k: front(new)[k] for k in "abc"} == {
        "a": "one\ntwo",
        "b": "one\ntwo\n",
        "c": "x\n\ty\n\n",
    }


def test_an_edit_that_would_not_read_back_is_refused() -> None:
    # b is an alias of a: changing a through the round-trip tree would change b too.
    text = "---\na: &shared {k: 1}\nb: *shared\n---\nbody\n"
    with pytest.raises(DocumentError) as info:
        edit_front_matter(text, {"a": {"k": 2}, "b": {"k": 1}}, path="x.md")
    assert str(info.value) == (
        "x.md:2:1: the edited front matter would not read back as intended "
        "(b.k: 2 instead of 1) (nothing was written; make that change by hand)"
    )


def test_duplicate_keys_are_rewritten_whole() -> None:
    text = "---\n# c\na: 1\na: 2\nb: x\n---\nbody\n"
    new = edit_front_matter(text, {"a": 3, "b": "x"})
    assert front(new) == {"a": 3, "b": "x"}
    assert new.endswith("---\nbody\n")


def test_indentation_of_the_file_is_kept() -> None:
    text = "---\nservices:\n- api\nroles:\n    lead: a\n---\n"
    new = edit_front_matter(text, {"services": ["api", "web"], "roles": {"lead": "b"}})
    assert front_lines(new) == ["services:", "- api", "- web", "roles:", "    lead: b"]


@pytest.mark.parametrize("item", ["?0", ":a b", "??", ":0"])
def test_a_flow_list_item_starting_with_an_indicator_reads_back(item: str) -> None:
    head = DOC.split("---\n# Body")[0] + "---\n"
    wanted = {**front(DOC), "services": ["api", item]}
    new = edit_front_matter(head, wanted)
    assert front(new) == wanted


def test_no_front_matter_is_an_error() -> None:
    with pytest.raises(DocumentError, match="no front matter to edit"):
        edit_front_matter("# Title\n", {"a": 1}, path="x.md")


scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
keys = st.sampled_from(["title", "status", "services", "milestones", "kind", "new", "yes", "x"])
values = st.dictionaries(
    keys, st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(keys, scalars))
)
bodies = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"))


@settings(max_examples=150, deadline=None)
@given(edit=values, body=bodies)
def test_edits_read_back_and_keep_the_body_byte_for_byte(edit: dict[str, Any], body: str) -> None:
    head = DOC.split("---\n# Body")[0] + "---\n"
    wanted = {**front(DOC), **edit}
    new = edit_front_matter(head + body, wanted)
    assert new.endswith("\n---\n" + body)
    assert front(new) == wanted
    for key in set(front(DOC)) - set(edit):  # keys not edited keep their lines
        assert [line for line in front_lines(DOC) if line.startswith(f"{key}:")] == [
            line for line in front_lines(new) if line.startswith(f"{key}:")
        ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\n---\nbody\n", "---\na: 2\nnew: 'yes'\n---\nbody\n"),
        (
            "---\n# only a comment\n---\nbody\n",
            "---\n# only a comment\na: 2\nnew: 'yes'\n---\nbody\n",
        ),
        ("---\n{a: 1}  # flow\n---\n", "---\n{a: 2, new: 'yes'} # flow\n---\n"),
        ("---\na: 1\n...\nbody", "---\na: 2\nnew: 'yes'\n...\nbody"),
    ],
)
def test_empty_comment_only_and_flow_front_matter(text: str, expected: str) -> None:
    assert edit_front_matter(text, {"a": 2, "new": "yes"}) == expected
