"""yamlio: which strings may be written unquoted for the safe (YAML 1.1) loader."""

from __future__ import annotations

import pytest
import yaml

from opsdocs.yamlio import plain_reads_as_string

MISREAD = ["yes", "No", "ON", "off", "1:30", "010", "0x1f", "1_000", "12.5", ".inf"]
MISREAD += ["2026-11-26", "2026-11-26T14:02:00Z", "~", "null", "true", "", "=", "<<"]
FINE = ["In Review", "team-api", "P1", "1e3", "0o17", "hello world", "api-server", "v1.2.3"]


@pytest.mark.parametrize("text", MISREAD + FINE)
def test_plain_reads_as_string_agrees_with_the_safe_loader(text: str) -> None:
    try:
        read = yaml.safe_load(f"key: {text}")["key"]
    except yaml.YAMLError:  # '=' is a value tag PyYAML cannot construct
        read = None
    assert plain_reads_as_string(text) == (read == text and isinstance(read, str))
    assert plain_reads_as_string(text) == (text in FINE)


@pytest.mark.parametrize("text", ["y", "Y", "n", "N"])
def test_yaml_1_1_spec_bools_are_quoted_though_pyyaml_reads_strings(text: str) -> None:
    assert yaml.safe_load(f"key: {text}") == {"key": text}
    assert not plain_reads_as_string(text)
