"""Hover Markdown built from a vocabulary is plain Markdown: links only to http(s), no images,
no raw HTML. One row a case: what a hostile vocabulary writes, and what the hover shows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.sanitize import (
    _IMAGE,
    _LABEL_END,
    _LINK,
    _OPENER,
    _escape_label_end,
    _escape_opener,
    _fences,
    _outside,
    _safe_paragraphs,
    _safe_prose,
    allowed_url,
    safe_markdown,
)

ROWS = [
    # (id, written in the vocabulary, shown in the hover)
    ("https link", "[docs](https://hf.co/docs)", "[docs](https://hf.co/docs)"),
    ("http link with title", '[a](http://x.org "t")', '[a](http://x.org "t")'),
    ("command link", "[run](command:workbench.action.terminal.new)", "run"),
    ("command link, args", "[run](command:x?%5B%22rm%22%5D)", "run"),
    ("javascript link", "[x](javascript:alert(1))", "x"),
    ("unbalanced", "[x](javascript:a(1)", "[x]\\(javascript:a(1)"),
    ("nested unparsed", "[a [b [c]]](command:x)", "[a [b [c]]]\\(command:x)"),
    ("upper-case scheme", "[x](JavaScript:alert)", "x"),
    ("vscode link", "[x](vscode://settings/foo)", "x"),
    ("data link", "[x](data:text/html,<b>hi</b>)", "x"),
    ("file link", "[x](file:///etc/passwd)", "x"),
    ("relative link", "[x](../secret)", "x"),
    ("angle destination", "[x](<command:foo>)", "x"),
    ("spaces before", "[x](   command:foo)", "x"),
    ("reference link", "[x][r]\n[r]: command:foo", "[x][r]\n[r]\\: command:foo"),
    ("definition in a list item", "[r]\n- [r]: command:z", "[r]\n- [r]\\: command:z"),
    ("reference https", "[x][r]\n[r]: https://a.org", "[x][r]\n[r]: https://a.org"),
    ("remote image", "![logo](https://evil.example/track.png)", "logo"),
    ("image in a link", "[![i](https://e.x/p.png)](https://ok.org)", "[i](https://ok.org)"),
    ("reference image", "![logo][r]", "logo"),
    ("raw html", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
    ("script", "<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("autolink command", "<command:foo>", "&lt;command:foo>"),
    ("comparison", "values <0 and >0", "values &lt;0 and >0"),
    ("code span kept", "`[x](command:foo) <b>`", "`[x](command:foo) <b>`"),
    ("fence kept", "```\n<b>[x](command:y)</b>\n```", "```\n<b>[x](command:y)</b>\n```"),
    ("after a code span", "`a` [x](command:y)", "`a` x"),
    ("plain", "**bold** *em* `code`\n- item", "**bold** *em* `code`\n- item"),
    ("code span on two lines", "`a\nb <c>`", "`a\nb <c>`"),
    (
        "fence with a blank line",
        "```\n<b>\n\n[x](command:y)\n```",
        "```\n<b>\n\n[x](command:y)\n```",
    ),
    # No code span runs across a paragraph's end: these backticks are plain characters.
    ("across a blank line", "a ` b\n\n[click](command:evil) `", "a ` b\n\nclick `"),
    ("into a list item", "a `b\n- [x](command:y) `", "a `b\n- x `"),
    # A backtick string is read whole: "``" is not closed by "`".
    ("runs read whole", "``[x](command:y)`", "``x`"),
    ("escaped backtick", "\\`[x](command:y)`", "\\`x`"),
    # An empty replacement would join "`" and "`" into "``" and pair the spans otherwise.
    ("empty link text", "`a`[](command:y)`b`", "`a`\\[\\]`b`"),
]


@pytest.mark.parametrize("written,shown", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_safe_markdown(written, shown):
    assert safe_markdown(written) == shown
    assert safe_markdown(shown) == shown  # applying it twice changes nothing


HOSTILE = """\
entries:
  - id: evil-term
    term: evil term
    kind: concept
    summary: "Click [here](command:workbench.action.terminal.new) <img src=x>"
    definition: |
      ![pixel](https://evil.example/p.png) [js](javascript:alert(1))
      [ok](https://huggingface.co)
    url: "https://x.org) [run](command:foo"
    choices: []
  - id: evil_arg
    term: evil_arg
    kind: argument
    summary: A value.
    definition: A value.
    url: https://x.org
    choices:
      - value: '"pt"'
        doc: "[run](command:foo) <b>bold</b>"
"""


def test_hover_and_completion_text_from_a_hostile_vocabulary(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    glossary = Glossary((str(path),))
    texts = [
        glossary.text("evil-term"),
        glossary.documentation("evil_arg", value='"pt"'),
        glossary.documentation("evil_arg", value="pt"),
    ]
    for text in texts:
        assert text is not None
        for bad in ("command:", "javascript:", "](https://evil", "<img", "<b>"):
            assert bad not in text, (bad, text)
    assert "[ok](https://huggingface.co)" in texts[0]
    assert "Click here" in texts[0] and "pixel" in texts[0]


_PIECES = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "]:",
        "<",
        ">",
        "`",
        "``",
        "command:x",
        "https://a.org",
        " ",
        "\n",
        "   [r]: ",
        "text",
        "é",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_prose_without_brackets_takes_the_short_way_to_the_same_text(text):
    """A piece with no "[" and no "]" skips the link patterns (none can match there) and
    comes out as the six passes make it."""
    full = _IMAGE.sub(lambda m: m.group(1) or "image", text)
    full = _LINK.sub(
        lambda m: m.group() if allowed_url(m.group(2)) else m.group(1) or "\\[\\]", full
    )
    full = full.replace("![", "!\\[")
    full = _OPENER.sub(_escape_opener, full)
    full = _LABEL_END.sub(_escape_label_end, full).replace("<", "&lt;")
    assert _safe_prose(text) == full


_NO_LINK_OR_HTML = st.sampled_from(
    ["`", "``", "```", "~~~", "\\`", "\n", "\n\n", "    ", "- ", "# ", "> ", "1. ", "|", "!"]
    + ["(", ")", ":", "command:x", "https://a.org", "&lt;", ">", "*", "_", "text", "é", " "]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_NO_LINK_OR_HTML, max_size=16).map("".join))
def test_text_without_brackets_or_angle_brackets_is_what_every_step_makes_of_it(text):
    """A text with no "[", "]" or "<" (most parts of a hover) is returned at once: that is what
    the fences, paragraphs, code spans and prose passes make of it."""
    assert safe_markdown(text) == text == _outside(text, _fences(text), _safe_paragraphs)


def _live(tokens) -> list[str]:
    """What a renderer would make live: raw HTML, images, links but to http(s)."""
    found = []
    for token in tokens:
        if token.type in ("html_inline", "html_block", "image"):
            found.append(token.type)
        if token.type == "link_open":
            href = token.attrGet("href") or ""
            if not href.lower().startswith(("http://", "https://")):
                found.append(f"link to {href}")
        found += _live(token.children or [])
    return found


_HOSTILE_PIECES = st.sampled_from(
    # Markdown's block and inline marks, and what a hostile vocabulary would hide among them.
    ["`", "``", "```", "~~~", "\\`", "x`", "\n", "\n\n", "  ", "    ", "\t", "- ", "* ", "+ "]
    + ["# ", "> ", "1. ", "2) ", "| ", "|--|", ":-|", "---", "===", "***", "a | b", "text", " "]
    + ["[x](command:y)", "[x](https://ok.org)", "![i](https://e.x/p.png)", "[](javascript:z)"]
    + ["<b>", "<div>", "<!--", "-->", "<command:foo>", "&lt;", "[r]: command:z", "[r]:", "[r]"]
    + ["*", "_", "~", "\\", "(", ")", "[", "]", ":"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_HOSTILE_PIECES, max_size=14).map("".join))
def test_no_hostile_text_renders_live(text):
    """Rendered by markdown-it (what VS Code renders hovers with; CommonMark, tables, raw HTML
    on), what `safe_markdown` makes of any text has no raw HTML, no image and no link but to
    http(s). Code spans and fences it keeps are ones the renderer sees too."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    shown = safe_markdown(text)
    assert _live(renderer.parse(shown)) == [], shown
    assert safe_markdown(shown) == shown
