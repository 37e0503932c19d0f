"""Problems found in staff-edited files, reported as `file:line: message`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core import yamlfile


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    severity: str  # "error" or "warning"
    message: str

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            try:
                path = self.path.relative_to(root)
            except ValueError:
                pass
        return f"{path}:{self.line}: {self.severity}: {self.message}"


def yaml_line_of(mapping: yaml.Node, key: str) -> int:
    """The 1-based line of `key` in a composed YAML mapping, so a message points where staff must look."""
    if isinstance(mapping, yaml.MappingNode):
        for key_node, _ in mapping.value:
            if key_node.value == key:
                return key_node.start_mark.line + 1
    return mapping.start_mark.line + 1


def yaml_value_of(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    """The composed node under `key` in a YAML mapping, to find the lines of what it holds."""
    if isinstance(mapping, yaml.MappingNode):
        for key_node, value in mapping.value:
            if key_node.value == key:
                return value
    return None


def invalid_yaml(path: Path, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error as a problem at the line the parser stopped on."""
    mark = getattr(exc, "problem_mark", None)
    return Problem(path, mark.line + 1 if mark else 1, "error", f"not valid YAML: {exc}")


class ProblemError(Exception):
    """A staff file too broken to use, with the Problem that says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


class YamlListError(ProblemError):
    """A YAML list file (topics, contacts) that is not valid YAML or not a list."""


def yaml_list(path: Path, shape: str) -> Iterator[tuple[Any, yaml.Node, int]]:
    """Each item of a staff-edited YAML list with its node and line, so problems can point at it.

    Raises YamlListError when the file is not valid YAML or not a list; `shape` says what
    an item looks like, for the message ("- id: ...").
    """
    text = path.read_text(encoding="utf-8")
    try:
        items = yamlfile.load(text) or []
        root = yamlfile.compose(text)
    except yaml.YAMLError as exc:
        raise YamlListError(invalid_yaml(path, exc)) from None
    if not isinstance(items, list):
        raise YamlListError(Problem(path, 1, "error", f"must be a list, each item starting with '{shape}'"))
    if root is None:  # an empty file: no items
        return
    for item, node in zip(items, root.value):
        yield item, node, node.start_mark.line + 1
