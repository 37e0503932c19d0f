"""Problems found in staff-edited files, reported as `file:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


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
