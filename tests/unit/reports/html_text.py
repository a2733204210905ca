"""Visible text of a rendered report (no styles, no embedded images) and what to look for."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: A number in e-notation (``3e-05``, ``1.00e+00``, ``1e-3``).
E_NOTATION = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?!\w)")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for key, value in attrs:
            # Attributes a reader sees; src (data URIs of the figures) is left out.
            if key in ("alt", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees: text nodes plus alt/title attributes, without style or images."""
    p = _Text()
    p.feed(html)
    return "\n".join(p.parts)


def e_notation(html: str) -> list[str]:
    """Every e-notation number in the visible text."""
    return E_NOTATION.findall(visible_text(html))
