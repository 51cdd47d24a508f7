"""The one parser: front matter with positions, sections on the CommonMark tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.documents.parse import normalize_heading, parse_document, read_document, slugify
from opsdocs.errors import InputError
from opsdocs.yamlio import load_yaml, load_yaml_all


def test_front_matter_positions_are_file_lines() -> None:
    text = "---\nkind: slo\nslos:\n  - name: a\n    objective: 100.5\n---\n# T\n"
    doc = parse_document(Path("slo-x.md"), text)
    assert doc.problems == []
    assert doc.position(("slos", 0, "objective")) == (5, 5)
    assert doc.position(("kind",)) == (2, 1)
    assert doc.position(("slos", 0, "missing")) == (4, 5)  # nearest parent
    assert doc.body_line == 7
    assert doc.title == "T"


@pytest.mark.parametrize(
    ("text", "code", "line", "col"),
    [
        ("---\nkind: [a\n---\n", "front-matter-yaml", 3, 1),
        ("---\nkind: a\n  bad: b\n---\n", "front-matter-yaml", 3, 6),
        ("---\nkind: a\nnever closed\n", "front-matter-unterminated", 1, 1),
        ("---\n- a\n- b\n---\n", "front-matter-not-mapping", 2, 1),
        ("---\nplain\n---\n", "front-matter-not-mapping", 2, 1),
        ("---\nkind: a\ntitle: x\nkind: b\n---\n", "front-matter-duplicate-key", 4, 1),
        ("---\nx: !!python/object:os.system ls\n---\n", "front-matter-yaml", 2, 4),
    ],
)
def test_front_matter_problems_have_positions(text: str, code: str, line: int, col: int) -> None:
    doc = parse_document(Path("d.md"), text)
    assert [(p.code, p.line, p.col) for p in doc.problems] == [(code, line, col)]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(InputError, match="aliases expand to too many nodes"):
        load_yaml("\n".join(lines))


def test_multi_document_yaml() -> None:
    docs = list(load_yaml_all("a: 1\n---\nb: 2\n"))
    assert [d.value for d in docs] == [{"a": 1}, {"b": 2}]
    assert docs[1].positions[("b",)] == (3, 1)


def test_headings_in_code_blocks_are_not_sections() -> None:
    text = (
        "# Title\n\n## One\n\n```md\n## Not a heading\n```\n\n"
        "    ## indented code\n\n## Two & Three\n\ntext\n"
    )
    doc = parse_document(Path("d.md"), text)
    assert [s.title for s in doc.sections] == ["One", "Two & Three"]
    assert doc.sections[0].has_content
    assert doc.sections[1].anchor == "two--three"
    assert doc.section("two and three") is doc.sections[1]


def test_headings_in_quotes_and_list_items_do_not_start_sections() -> None:
    text = (
        "> # Quoted title\n\n# Title\n\n## One\n\n> ## Impact\n\n- ## Impact\n"
        "- # Also not\n\n1. ## Step\n\ntail\n\n## Two\n"
    )
    doc = parse_document(Path("d.md"), text)
    # the quoted and listed headings are content of 'One', which runs to the line before 'Two'
    assert [(s.title, s.line, s.end_line, s.has_content) for s in doc.sections] == [
        ("One", 5, 15, True),
        ("Two", 16, 17, False),
    ]
    assert doc.section("Impact") is None
    assert doc.title == "Title"
    assert doc.title_heading is not None and doc.title_heading.line == 3
    # GitHub still gives them anchors: headings and anchors keep every one
    assert [(h.text, h.top_level) for h in doc.headings] == [
        ("Quoted title", False),
        ("Title", True),
        ("One", True),
        ("Impact", False),
        ("Impact", False),
        ("Also not", False),
        ("Step", False),
        ("Two", True),
    ]
    assert {"impact", "impact-1", "quoted-title", "step"} <= doc.anchors


def test_a_quoted_heading_alone_is_not_a_section_with_content() -> None:
    doc = parse_document(Path("d.md"), "# T\n\n## A\n\n> ## B\n")
    assert [(s.title, s.has_content) for s in doc.sections] == [("A", True)]


def test_empty_section_ignores_comments() -> None:
    doc = parse_document(Path("d.md"), "## A\n\n<!-- note -->\n\n## B\nbody\n")
    assert [(s.title, s.has_content) for s in doc.sections] == [("A", False), ("B", True)]
    assert (doc.sections[0].start_line, doc.sections[0].end_line) == (2, 4)


def test_unclosed_fence_is_found() -> None:
    assert parse_document(Path("d.md"), "# T\n\n```sh\nls\n").unclosed_fence == 3
    assert parse_document(Path("d.md"), "# T\n\n```sh\nls\n```\n").unclosed_fence is None
    assert parse_document(Path("d.md"), "# T\n\n````\n```\n````\n").unclosed_fence is None


def test_fences_in_containers_are_closed_at_the_container_indentation() -> None:
    closed = [
        "1. step\n\n    ```\n    ls\n    ```\n",
        "- step\n  ```sh\n  ls\n    ```\n",
        "> ```\n> ls\n> ```\n",
        "- > ```\n  > ls\n  > ```\n",
        "1. a\n   - b\n\n     ~~~\n     ls\n     ~~~~\n",
    ]
    for text in closed:
        assert parse_document(Path("d.md"), text).unclosed_fences == [], text


def test_fences_running_to_the_end_of_their_container_are_unclosed() -> None:
    text = "- a\n\n  ```\n  ls\n\nmargin\n\n> ```\n> ls\n\n- b\n  ```\n      ```\n"
    assert parse_document(Path("d.md"), text).unclosed_fences == [3, 8, 12]


def test_links_have_file_positions() -> None:
    text = "---\nkind: x\n---\n# T\n\nSee [a](a.md#x) and\nalso [b](../b.md).\n"
    doc = parse_document(Path("d.md"), text)
    assert [(link.href, link.line, link.col) for link in doc.links] == [
        ("a.md#x", 6, 5),
        ("../b.md", 7, 6),
    ]


def test_normalize_and_slugify() -> None:
    assert normalize_heading("Dashboards & Alerts") == normalize_heading("dashboards  AND alerts")
    assert normalize_heading("SLOs / SLIs") == normalize_heading("SLOs/SLIs")
    assert slugify("DR / Backup / Restore") == "dr--backup--restore"
    assert slugify("Step-by-step Procedures") == "step-by-step-procedures"


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nkind: runbook\r\n---\r\n# T\r\n")
    doc = read_document(path)
    assert doc.front_matter == {"kind": "runbook"}
    assert doc.title == "T"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01binary", "binary file, not Markdown"),
        (b"ok\n\xff\xfe bad", "2:1: invalid UTF-8"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert message in str(info.value)


def test_folder_named_md_and_huge_file(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_document(tmp_path / "x.md")
    big = tmp_path / "big.md"
    with big.open("wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    with pytest.raises(InputError, match="too large"):
        read_document(big)


def test_heading_text_drops_comments_and_link_markup() -> None:
    doc = parse_document(
        Path("d.md"),
        "# T\n\n## Impact <!-- omit in toc -->\n\nx\n\n## See [the `api`](a.md)\n\ny\n",
    )
    assert [s.title for s in doc.sections] == ["Impact", "See the api"]
    assert [h.anchor for h in doc.headings] == ["t", "impact", "see-the-api"]


def _token_tree(tokens: list) -> list:  # type: ignore[type-arg]
    return [
        (t.type, t.tag, t.map, t.content, t.markup, t.info, t.meta, _token_tree(t.children or []))
        for t in tokens
    ]


_STRUCTURE_SAMPLE = """---
kind: runbook
---
# Api \\& *friends*

[ref]: https://example.com/ref

## [Linked][ref] heading `code`

Some [prose link](other.md#x) and an escaped \\* star.

- list item

  ## Heading in a list

> ## Quoted \\[heading]

Setext heading
--------------

## Dashboards & Alerts

### `KubePodCrashLooping`

```sh
## not a heading
```

## Impact <!-- omit in toc -->

## Unclosed
```yaml
a: 1
"""


def test_a_structure_parse_finds_what_the_full_parse_finds() -> None:
    full = parse_document(Path("runbook-api.md"), _STRUCTURE_SAMPLE)
    structure = parse_document(Path("runbook-api.md"), _STRUCTURE_SAMPLE, structure_only=True)
    assert [h.text for h in structure.headings] == [
        "Api & friends",
        "Linked heading code",
        "Heading in a list",
        "Quoted [heading]",
        "Setext heading",
        "Dashboards & Alerts",
        "KubePodCrashLooping",
        "Impact",
        "Unclosed",
    ]
    assert structure.headings == full.headings
    assert structure.sections == full.sections
    assert structure.unclosed_fences == full.unclosed_fences == [32]
    # inline content other than headings is parsed only when asked for, the same way
    paragraph = next(t for t in structure.blocks if t.content.startswith("Some [prose"))
    assert paragraph.children == []
    assert structure.links == full.links
    assert [link.href for link in structure.links] == ["https://example.com/ref", "other.md#x"]
    assert _token_tree(structure.tokens) == _token_tree(full.tokens)


def test_a_full_parse_has_its_blocks_parsed_inline_too() -> None:
    doc = parse_document(Path("d.md"), "# T\n\nSee [x](y.md).\n")
    assert doc.blocks is doc.tokens
    assert [c.type for c in doc.blocks[4].children or []][:2] == ["text", "link_open"]


_HEADING_TEXT = st.lists(
    st.sampled_from(
        [
            *["a", "Z9", " ", "  ", "\t", "-", ":", "#", "~", "'", '"', "(x)", "/", ";", ">"],
            *["]", "!", "&amp;", "&#35;", "&", "\\*", "\\", "`x`", "*e*", "_u_", "[l](u)"],
            *["![i](u)", "[", "<b>", "<http://x.y>", "<!-- c -->"],
        ]
    ),
    max_size=8,
).map("".join)


def _heading_children(tokens: list[Any]) -> list[list[tuple[str, str]]]:
    return [
        [(child.type, child.content) for child in tokens[i + 1].children or []]
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


@given(_HEADING_TEXT, _HEADING_TEXT)
@settings(max_examples=300, deadline=None)
def test_structure_parse_finds_the_headings_the_full_parse_finds(first: str, second: str) -> None:
    """A structure parse takes the inline content of a heading without inline syntax as its
    text, unparsed: its headings (inline tokens, text, anchors) are those of the full parse."""
    text = f"# {first}\n\n## {second}\n\ntext\n\n{second}\n---\n"
    full = parse_document(Path("x.md"), text)
    structure = parse_document(Path("x.md"), text, structure_only=True)
    assert _heading_children(structure.blocks) == _heading_children(full.tokens)
    assert structure.headings == full.headings
