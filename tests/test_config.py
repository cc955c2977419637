"""kg.config: every mistake in a configuration file names the file, line, column, key path and
what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import ConfigError, ConfigMap, Prefixes, read_config

CONFIG = """\
prefixes:
  bk: https://w3id.org/border-kg/def#
event:
  class: bx:ConflictEvent
  colums: {a: 1}
  kind: cnt
  roles: {column: actor1}
  flag: maybe
  empty:
  words: [Civilian targeting, 1, true]
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ConfigMap:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    return read_config(tmp_path / "c.yaml")


def message(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as failure:
        call()
    return str(failure.value)


def test_each_mistake_is_located_and_says_what_to_do(config: ConfigMap) -> None:
    event = config.section("event")
    prefixes = Prefixes.from_config(config.section("prefixes"))
    assert message(lambda: event.check_keys({"class", "columns", "kind", "roles", "flag", "empty", "words"})) == (
        "c.yaml:5:3: event.colums: unknown key. Did you mean 'columns'?"
    )
    assert message(lambda: event.check_keys({"class"})).startswith("c.yaml:5:3: event.colums: unknown key. The keys here are: class.")
    assert message(lambda: prefixes.expand(event, "class")) == (
        "c.yaml:4:10: event.class: 'bx:ConflictEvent' does not start with a known prefix. Use one of bk: (see prefixes:)."
    )
    assert message(lambda: event.text("label")) == "c.yaml:3:1: event: the key 'label' is missing. Add 'label:' with a single value."
    assert message(lambda: event.choice("kind", ["count", "text"])) == "c.yaml:6:9: event.kind: unknown value 'cnt'. Did you mean 'count'?"
    assert message(lambda: event.sections("roles")) == (
        "c.yaml:7:10: event.roles: this is a mapping (key: value lines), not a list ([a, b] or '- ' lines). "
        "Write a list ([a, b] or '- ' lines) here."
    )
    assert message(lambda: event.flag("flag")) == "c.yaml:8:9: event.flag: 'maybe' is not true or false. Write true or false."
    assert message(lambda: event.text("empty")) == "c.yaml:9:9: event.empty: the key has no value. Give it a single value."


def test_values_are_read_as_written(config: ConfigMap) -> None:
    event = config.section("event")
    # Numbers and booleans in a list of words stay the words that were written.
    assert event.texts("words") == ["Civilian targeting", "1", "true"]
    assert event.texts("absent") == []
    assert event.optional_text("absent") is None and event.flag("absent") is False
    assert Prefixes.from_config(config.section("prefixes")).namespaces == {"bk": "https://w3id.org/border-kg/def#"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "c.yaml:2:1: a: the key 'a' appears twice in the same mapping (first at line 1); the first is kept. Keep one of them."),
        ("a: [1, 2\n", "c.yaml:1:4: this is not valid YAML: the '[' opened here is not closed (expected ',' or ']', but got "
         "'<stream end>'). Close it with ']', and separate its items with commas."),
        ("- 1\n", "c.yaml:1:1: the file must be a mapping of keys (prefixes:, ...). Check the file's first lines."),
    ],
)
def test_a_file_that_is_not_a_clean_mapping_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert message(lambda: read_config(tmp_path / "c.yaml")) == expected
