"""The editor snippets of README.md, as a reader copies them: the fenced block that follows a
`<!-- snippet: NAME -->` marker."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def snippet(name: str) -> str:
    """The text of the fenced block right after `<!-- snippet: NAME -->`, fences left out."""
    text = README.read_text(encoding="utf-8")
    found = re.search(
        rf"^<!-- snippet: {re.escape(name)} -->\n```[a-z]*\n(.*?)^```$", text, re.M | re.S
    )
    assert found is not None, f"README.md has no snippet {name!r}"
    return found.group(1)
