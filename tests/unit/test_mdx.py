"""MDX and Markdown as the Hugging Face docs are written: `.mdx` and the `mdx` language id read
as Markdown; JSX/HTML tags (one line or several), HTML comments, `[[autodoc]]` lines, `[[anchor]]`
ids, MDX `import`/`export` lines and a YAML frontmatter are not prose; the text inside a `<Tip>`
is, and python fences inside MDX blocks keep their hovers and diagnostics. Real pages: a course
chapter (.mdx) and a PEFT reference page (MDX syntax in .md)."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.analysis import language_of
from transformers_glossary_ls.engine import Glossary

from .conftest import UPSTREAM

COURSE = UPSTREAM / "notebooks" / "course_chapter2_6.mdx"
PEFT = UPSTREAM / "notebooks" / "peft_ia3.md"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    engine = Glossary()
    engine.use_versions({"transformers": "4.46", "peft": engine.catalogue.newest("peft")})
    return engine


def _spots(glossary: Glossary, text: str, uri: str = "file:///docs/page.mdx"):
    analysis = Glossary.open(uri, text, "")
    return [(s.start_line, s.entry.term) for s in glossary.explain(analysis)]


def test_mdx_reads_as_markdown():
    assert language_of("mdx") == "markdown"
    assert language_of("", "file:///docs/source/en/quicktour.MDX") == "markdown"
    assert language_of("", "file:///docs/page.mdx?x=1") == "markdown"


def test_course_chapter_jsx_is_not_prose(glossary):
    text = COURSE.read_text(encoding="utf-8")
    lines = text.split("\n")
    spots = _spots(glossary, text)
    # Lines 1-10: `<FrameworkSwitchCourse {fw} />`, the heading's `[[anchor]]`, and a JSX tag
    # over six lines whose `{label: ...}` entries once read as the term "labels".
    assert lines[4].startswith("<CourseFloatingBanner") and "label:" in lines[7]
    assert [s for s in spots if s[0] < 10] == []
    # The prose right after it is read, and so are the python fences.
    assert {(11, "padding"), (11, "truncation"), (11, "attention mask")} <= set(spots)
    assert lines[48].startswith("model_inputs = tokenizer(sequences, padding=")
    assert (48, "padding") in spots


def test_peft_page_comment_and_autodoc_are_not_prose(glossary):
    text = PEFT.read_text(encoding="utf-8")
    lines = text.split("\n")
    spots = _spots(glossary, text, "file:///docs/source/package_reference/ia3.md")
    comment_end = next(k for k, line in enumerate(lines) if line.startswith("-->"))
    assert comment_end > 5 and "License" in "\n".join(lines[:comment_end])
    assert [s for s in spots if s[0] <= comment_end] == []
    autodoc = [k for k, line in enumerate(lines) if line.startswith("[[autodoc]]")]
    assert autodoc and not [s for s in spots if s[0] in autodoc]
    # The fence's IA3Config call answers with its arguments.
    fence_call = next(k for k, line in enumerate(lines) if "task_type=TaskType" in line)
    assert (fence_call, "task_type") in spots


def test_tip_content_is_prose_and_its_fence_is_checked(glossary):
    text = (
        "import Tip from '@site/components/Tip'\n"  # 0
        'export const meta = {title: "labels"}\n'  # 1
        "\n"
        "<Tip warning={true}>\n"  # 3
        "\n"
        "Pass the attention mask with padded batches.\n"  # 5
        "\n"
        "```py\n"
        "from transformers import TrainingArguments\n"
        "args = TrainingArguments('o', evaluation_strategy='epoch')\n"  # 9
        "```\n"
        "\n"
        "</Tip>\n"
    )
    spots = _spots(glossary, text)
    assert [s for s in spots if s[0] < 5] == []
    assert (5, "attention mask") in spots and (9, "evaluation_strategy") in spots
    analysis = Glossary.open("file:///docs/page.mdx", text, "mdx")
    glossary.use_versions({"transformers": "5.0"})
    try:
        found = glossary.diagnostics(analysis)
    finally:
        glossary.use_versions({"transformers": "4.46"})
    assert [(f.code, f.line, f.start) for f in found] == [("TG001", 9, 30)]


def test_frontmatter_is_not_prose(glossary):
    body = "Padding fills short sequences.\n"
    text = "---\ntitle: Padding and truncation\ntags:\n- tokenizer\n---\n\n" + body
    spots = _spots(glossary, text)
    assert spots and {line for line, _ in spots} == {6}
    # A thematic break further down is not a frontmatter, nor is an unclosed one.
    assert (0, "padding") in _spots(glossary, body + "\n---\n\n" + body)
    assert _spots(glossary, "---\n" + body)[0][0] == 1


def test_tags_over_lines_end_at_the_tag_or_the_next_tag(glossary):
    text = (
        '<Youtube id="x"\n'  # 0: a tag over two lines
        '  caption="padding and truncation" />\n'  # 1
        "Padding fills short sequences.\n"  # 2
        "<b this is a stray bracket in prose about padding\n"  # 3: no tag (no attribute)
        '<img src="a.png"\n'  # 4: a tag left unclosed: what follows is not read...
        "\n"
        "Truncation cuts long ones.\n"  # 6
        "<!-- a comment\n"  # 7: ...until the next tag or comment
        "about padding -->\n"
        "Padding again.\n"  # 9
        "<div\n"  # 10
        "```py\n"  # 11: a fence ends an unclosed tag too
        "tokenizer(x, padding=True)\n"  # 12
        "```\n"
    )
    spots = {line for line, _ in _spots(glossary, text)}
    assert spots == {2, 3, 9, 12}
