"""YAML, parsed by libyaml's C parser when PyYAML was built with it (it is, in the lock).

Staff content is a few hundred YAML documents; the pure-Python parser spent about six
seconds of every content load on them. Same safe loader, same results, same errors.
"""

from __future__ import annotations

from typing import Any

import yaml
from frontmatter import YAMLHandler

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader


def compose(text: str) -> yaml.Node | None:
    """The node tree, for line numbers in messages to staff."""
    return yaml.compose(text, Loader=Loader)


class FrontMatter(YAMLHandler):
    """python-frontmatter's YAML handler, with the same loader."""

    def load(self, fm: str, **kwargs: Any) -> Any:
        return yaml.load(fm, Loader=Loader)
