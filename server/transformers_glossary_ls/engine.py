"""The engine's front door: the vocabulary and the questions asked of it about a document.

Nothing here knows LSP; `server.py` translates. The CLI's `explain` uses the same calls. Every
question takes the document's `Analysis` (made by `open`), which hover, completion and spotting
read side by side.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.bounded import BoundedCache
from transformers_glossary_ls.catalogue import Catalogue, default_catalogue
from transformers_glossary_ls.completion import ArgumentLists, Candidate, Completer, Completion
from transformers_glossary_ls.diagnostics import ERROR, VOCABULARY_ERROR, Checker, Finding, Part
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.facts import Fact, Facts
from transformers_glossary_ls.hovertext import fact_text, hover_text
from transformers_glossary_ls.installed_docs import InstalledDocs
from transformers_glossary_ls.navigation import Place, navigable, references, symbols, written_at
from transformers_glossary_ls.sanitize import safe_markdown
from transformers_glossary_ls.signature import Signature, signature_at
from transformers_glossary_ls.spotting import Spot, Spotter, spot, spot_all
from transformers_glossary_ls.versions import InForce, releases_in_force
from transformers_glossary_ls.vocabulary import Entry, LoadError, Vocabulary, load_default
from transformers_glossary_ls.vocabulary.editing import (
    Checked,
    check_text,
    completions,
    reference_at,
)
from transformers_glossary_ls.vocabulary.loader import data_files, default_data_dir, shown_path
from transformers_glossary_ls.vocabulary.usage import Usage

log = logging.getLogger(__name__)
_CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Model|For[A-Z][A-Za-z0-9]*|Backbone)\b")
MAX_CACHED_TEXTS = 4096
MAX_CACHED_TEXT_BYTES = 16 * 1024 * 1024
COMMON_CALLABLES = (
    "model",
    "model:ForCausalLM",
    "model:Model",
    "model:ForSequenceClassification",
    "model:ForConditionalGeneration",
    "model:ForTokenClassification",
    "model:ForQuestionAnswering",
    "model:ForMaskedLM",
    "generate",
    "generation_config",
    "tokenizer",
    "processor",
    "training_args",
    "from_pretrained",
    "from_pretrained:model",
    "from_pretrained:tokenizer",
    "from_pretrained:processor",
    "from_pretrained:config",
    "from_pretrained:AutoModel",
    "from_pretrained:AutoTokenizer",
    "model_output",
    "config",
    "trainer",
    "pipeline",
    "pipeline_task",
    "SFTConfig",
    "LoraConfig",
)
# (call kind, catalogue callable) of the calls completion is asked about most.
RENDERED_PER_CALL = 40  # names of each common call whose hover text is rendered ahead
COMMON_CALLS = (
    (kinds.MODEL, "model:ForCausalLM"),
    (kinds.MODEL, "model:Model"),
    (kinds.MODEL, "model:ForSequenceClassification"),
    (kinds.MODEL, "model"),
    (kinds.GENERATE, "generate"),
    (kinds.TRAINING_ARGS, "training_args"),
    (kinds.TOKENIZER, "tokenizer"),
    (kinds.PROCESSOR, "processor"),
    (kinds.FROM_PRETRAINED, "from_pretrained:AutoModel"),
    (kinds.FROM_PRETRAINED, "from_pretrained:AutoTokenizer"),
    (None, "trainer"),
    (None, "SFTConfig"),
    (None, "LoraConfig"),
)


@dataclass(frozen=True)
class HoverAnswer:
    spot: Spot
    text: str


class Glossary:
    """The vocabulary and the engine calls over it."""

    def __init__(
        self,
        extra_files: tuple[str, ...] = (),
        catalogue: Catalogue | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.extra_files = extra_files  # absolute paths (settings resolved them), in layer order
        self.labels = dict(labels or {})  # extra file -> how a hover names it
        self.catalogue = catalogue or default_catalogue()
        self.facts = Facts(self.catalogue)
        self.usage = Usage()
        self._vocab: Vocabulary | None = None
        self._errors: list[LoadError] = []
        self._lock = threading.Lock()
        # Heads and names come from user text and from completionItem/resolve: bounded in bytes.
        self._texts: BoundedCache[tuple[str, str | None, bool], str] = BoundedCache(
            MAX_CACHED_TEXTS, MAX_CACHED_TEXT_BYTES
        )
        self._fact_texts: BoundedCache[tuple, str] = BoundedCache(
            MAX_CACHED_TEXTS, MAX_CACHED_TEXT_BYTES
        )
        self._argument_lists: ArgumentLists | None = None
        self._checker: Checker | None = None
        self._edited: tuple[tuple[str, str, str], Checked] | None = None  # the last file checked
        self.in_force: dict[str, InForce] = {}  # package -> the user's release, where known
        self.installed_docs: InstalledDocs | None = None  # read from the user's packages
        self.loaded_more = False  # `load_more` has run to its end

    def sibling(self) -> Glossary:
        """Another engine over the same vocabulary and catalogue for another environment (a
        workspace folder of its own): only the releases and the installed docs differ."""
        other = Glossary(self.extra_files, self.catalogue, self.labels)
        other.usage = self.usage
        other._vocab, other._errors = self.vocab, self._errors
        other._texts = self._texts  # an entry's text does not depend on the release
        return other

    def use_installed_docs(self, docs: InstalledDocs | None) -> None:
        """Show what the user's installed packages say below our words, and take the model
        classes' names from their installed signatures, from now on."""
        self.installed_docs = docs
        lists, before = self._argument_lists, set(self.facts.installed)
        self._use_facts(self.facts.releases, self.facts.yours)
        if lists is not None:  # the same releases: only the installed classes' lists differ
            self._argument_lists = lists.rebound(self.facts, before | set(self.facts.installed))

    def installed_steps(self) -> Iterator[None]:
        """After new installed docs, for idle moments: the installed classes' signatures, then
        their completion lists, a step at a time (a request would build them in one go)."""
        facts = self.facts
        yield from facts.warm_steps()
        for cls in list(facts.installed):
            yield from self.argument_lists.build_steps(kinds.MODEL, cls)
            yield

    def _use_facts(self, releases: Mapping[str, str], yours: frozenset[str]) -> None:
        docs, classes = self.installed_docs, {}
        installed = self.in_force.get("transformers")
        # Signatures only for the installed release itself (not one `transformersVersion` asks).
        if docs is not None and installed is not None:
            if docs.versions.get("transformers") == installed.version:
                classes = docs.classes
        self.facts = Facts(self.catalogue, releases, yours, classes)
        self._fact_texts.clear()
        self._argument_lists = None
        self._checker = None

    def wants_classes(self, text: str) -> set[str]:
        """Concrete model classes a text names (`LlamaForCausalLM`): those whose installed
        forward is worth reading."""
        if "Model" not in text and "For" not in text and "Backbone" not in text:
            return set()  # every name the pattern finds holds one of these (a keystroke's line)
        return {
            name
            for name in set(_CLASS_NAME.findall(text))
            if not name.startswith("Auto") and self.catalogue.is_model_class(name)
        }

    def use_versions(self, versions: Mapping[str, str]) -> list[str]:
        """Answer for the user's releases from now on: installed versions (`5.17.0`) or pinned
        requirements (`==4.41.2`, `>=4.40,<4.42`), per package. Returns what to tell the user
        (a version the catalogue lacks, a requirement it cannot meet). Packages not given are
        answered for the newest release the catalogue knows."""
        in_force, notes = releases_in_force(
            versions, self.catalogue.releases, self.catalogue.wheel_version
        )
        self.in_force = in_force
        self._use_facts({p: f.release for p, f in in_force.items()}, frozenset(in_force))
        return notes

    @staticmethod
    def open(uri: str, text: str, language_id: str = "", version: int = 0) -> Analysis:
        """A document and its analysis, which follows the document's edits."""
        return Analysis(Document(uri, text, language_id, version))

    def load(self) -> None:
        """Load the vocabulary and the catalogue's index now (the server does at `initialize`),
        not in a request."""
        _ = self.vocab
        self.catalogue.preload()
        self.usage.load()

    def load_more(self, markdown: bool = True) -> Iterator[None]:
        """What requests ask for most, a piece per step, for idle moments: the catalogue files
        (a request then finds them read; one it gets to first reads its own file, a few kB);
        the hover texts of every entry (a hover's first text of a term is 0.1-0.3 ms of
        rendering); then each common call's completion list, each followed by the texts of
        its names passed most often. Entries' texts before lists: a client that asks at once
        (a server started while another was) hovers on terms long before it completes.
        `loaded_more` says when all of it is done. `markdown` or plain, as the client shows."""
        yield from self.catalogue.preload_steps(COMMON_CALLABLES)
        for entry_id in list(self.vocab.entries):
            self.text(entry_id, None, markdown)
            yield
        for kind, key in COMMON_CALLS:
            yield from self.argument_lists.build_steps(kind, key)
            yield
            listed = self.argument_lists.get(kind, key)
            ranked = [name for name in listed.ordered if name in listed.fact_keys]
            for name in ranked[:RENDERED_PER_CALL]:  # the names passed most often first
                fact = self.facts.lookup(listed.fact_keys[name], name)
                if fact is not None:
                    self.fact_text(fact, None, markdown)
                    yield
        self.loaded_more = True

    @property
    def vocab(self) -> Vocabulary:
        """The vocabulary; loaded here on first use only where nobody called `load` first."""
        if self._vocab is None:
            with self._lock:
                if self._vocab is None:
                    vocab, errors = load_default([Path(p) for p in self.extra_files], self.labels)
                    for error in errors:
                        log.error("vocabulary: %s", error)
                    self._errors = errors
                    self._vocab = vocab
        return self._vocab

    @property
    def argument_lists(self) -> ArgumentLists:
        """Completion's ranked names per kind of call, kept across requests."""
        if self._argument_lists is None:
            self._argument_lists = ArgumentLists(self.vocab, self.facts, self.usage)
        return self._argument_lists

    @property
    def errors(self) -> list[LoadError]:
        _ = self.vocab
        return self._errors

    def hover(self, analysis: Analysis, line: int, index: int, markdown: bool = True):
        if analysis.language is None:
            return None
        spotter = Spotter(analysis, self.vocab, self.facts)
        found = spotter.at(line, index)
        if found is None:
            return None
        head = spotter.head_class(found) if found.entry.variants else None
        if found.fact is not None:
            return HoverAnswer(found, self.fact_text(found.fact, head, markdown))
        return HoverAnswer(found, self.text(found.entry.id, head, markdown))

    def fact_text(self, fact: Fact, head: str | None = None, markdown: bool = True) -> str:
        """Hover text of a catalogue name (with our words where we wrote an entry), built once."""
        if head is not None:
            entry = self._entry_for(fact)
            if entry is None or entry.variant_for(head) is None:
                head = None  # the text does not depend on it: the one rendered ahead serves
        key = (fact.key, fact.shown, fact.param.name, fact.release, head, markdown)
        text = self._fact_texts.get(key)
        if text is None:
            entry = self._entry_for(fact)
            installed = self._installed(fact)
            # The entry's own text, kept: several calls' keywords share an entry.
            own = self.text(entry.id, head, markdown) if entry is not None else None
            text = self._fact_texts.put(
                key, fact_text(fact, entry, self.vocab, markdown, head, installed, own)
            )
        return text

    def _entry_for(self, fact: Fact) -> Entry | None:
        """Our entry for a catalogue name, where it was written for that kind of call."""
        entry = self.vocab.arguments.get(fact.param.name)
        if entry is not None and not self.facts.speaks_for(entry, fact):
            return None  # written for another kind of call: the catalogue's facts alone
        return entry

    def _installed(self, fact: Fact) -> tuple[str, str] | None:
        """(which package and version, its own description) of a name, when installed."""
        docs = self.installed_docs
        if docs is None:
            return None
        said = docs.get(fact.key, fact.param.name)
        version = docs.versions.get(fact.param.package)
        if said is None or version is None:
            return None
        return f"{fact.param.package} {version} (installed)", said

    def text(self, entry_id: str, head: str | None = None, markdown: bool = True) -> str | None:
        """Hover text of an entry, built once per (entry, head, format): the vocabulary is fixed."""
        entry = self.vocab.get(entry_id)
        if entry is None:
            return None
        if head is not None and entry.variant_for(head) is None:
            head = None  # the text does not depend on it: one cache entry for all such heads
        key = (entry_id, head, markdown)
        text = self._texts.get(key)
        if text is None:
            text = self._texts.put(key, hover_text(entry, self.vocab, markdown, head))
        return text

    def complete(
        self, analysis: Analysis, line: int, index: int, prose: bool = True
    ) -> Completion | None:
        if analysis.language is None:
            return None
        return Completer(analysis, self.vocab, prose, self.facts, self.argument_lists).at(
            line, index
        )

    def signature(
        self, analysis: Analysis, line: int, index: int, markdown: bool = True
    ) -> Signature | None:
        """The call around a cursor: the names it passes and the one the cursor is on, each
        documented as its hover is."""
        if analysis.language is None:
            return None
        return signature_at(
            analysis,
            self.facts,
            line,
            index,
            lambda fact, head: self.fact_text(fact, head, markdown),
        )

    def documentation(
        self,
        entry_id: str,
        head: str | None = None,
        markdown: bool = True,
        value: str | None = None,
        fact_key: str | None = None,
    ) -> str | None:
        """Completion documentation for an entry, led by the offered value if there is one.
        With `fact_key` the name is documented as that catalogue callable's."""
        if fact_key is not None:
            name = entry_id.rpartition(":")[2] if entry_id.startswith(fact_key + ":") else entry_id
            fact = self.facts.lookup(fact_key, name, head)
            return self.fact_text(fact, head, markdown) if fact is not None else None
        text = self.text(entry_id, head, markdown)
        if text is None or value is None:
            return text
        entry = self.vocab.entries[entry_id]
        doc = next((c.doc for c in entry.choices if value in (c.value, c.value[1:-1])), "")
        if not doc:
            return text
        if not markdown:
            return f"{value}: {doc}\n\n{text}"
        return f"{safe_markdown(f'`{value}`: {doc}')}\n\n{text}"  # text is safe already

    def candidate_documentation(self, candidate: Candidate, markdown: bool = True) -> str | None:
        return self.documentation(
            candidate.entry_id, candidate.head, markdown, candidate.value, candidate.fact_key
        )

    def diagnostics(self, analysis: Analysis) -> list[Finding]:
        """Findings on the calls of a document, for the releases in force."""
        return self.checker.check(analysis)

    def diagnostic_parts(self, analysis: Analysis) -> list[Part]:
        """The same findings, in the parts the checker keeps them in: a part is the same
        object while its block is reused (see `diagnostics.Part`)."""
        return self.checker.parts(analysis)

    @property
    def checker(self) -> Checker:
        if self._checker is None or self._checker.facts is not self.facts:
            self._checker = Checker(self.facts)
        return self._checker

    def explain(self, analysis: Analysis) -> Iterator[Spot]:
        return spot_all(analysis, self.vocab, self.facts)

    # -- a vocabulary file open in the editor -------------------------------------------------
    def vocabulary_file(self, path: str, text: str, label: str | None = None) -> Checked:
        """A vocabulary file's text checked over the layers below it: the built-in files, and
        the extra files read before it (all of them when it is not one of them). `label`: how
        hovers name the file (by default as the loaded vocabulary does)."""
        label = label or self.labels.get(path) or shown_path(Path(path))
        key = (path, text, label)
        if self._edited is not None and self._edited[0] == key:
            return self._edited[1]
        extra = list(self.extra_files)
        below = extra[: extra.index(path)] if path in extra else extra
        checked = check_text(
            path, text, data_files(default_data_dir()) + [Path(p) for p in below], label
        )
        self._edited = (key, checked)
        return checked

    def vocabulary_findings(self, path: str, analysis: Analysis) -> list[Finding]:
        """The file's defects, each on the line of the entry (or field) at fault."""
        doc = analysis.doc
        checked = self.vocabulary_file(path, doc.text)
        found = []
        for error in checked.errors:
            line = min(max(error.line - 1, 0), doc.line_count - 1)
            text = doc.line(line)
            start = len(text) - len(text.lstrip())
            found.append(
                Finding(VOCABULARY_ERROR, ERROR, error.message, line, start, max(len(text), start))
            )
        return found

    def vocabulary_hover(
        self, path: str, analysis: Analysis, line: int, markdown: bool = True, label: str = ""
    ) -> str | None:
        """How the entry under the cursor renders on hover."""
        checked = self.vocabulary_file(path, analysis.doc.text, label)
        entry = checked.entry_at(line)
        return hover_text(entry, checked.vocab, markdown) if entry is not None else None

    def vocabulary_definition(
        self, path: str, analysis: Analysis, line: int, index: int, label: str = ""
    ) -> Place | None:
        """Where the entry a `see_also` or `concept` id names is written."""
        entry_id = reference_at(analysis.doc.line(line), index)
        if entry_id is None:
            return None
        entry = self.vocabulary_file(path, analysis.doc.text, label).vocab.get(entry_id)
        return written_at(entry) if entry is not None else None

    def vocabulary_completion(
        self, path: str, analysis: Analysis, line: int, index: int
    ) -> tuple[int, list[str], bool] | None:
        """The schema's keys, or the ids a `see_also`/`concept`/`overrides`/`extends` may name."""
        doc = analysis.doc
        # Without the line being typed: half a line (`see_also: [hol`) is a YAML error.
        lines = [doc.line(n) for n in range(doc.line_count)]
        lines[line] = ""
        ids = sorted(self.vocabulary_file(path, "\n".join(lines)).vocab.entries)
        above = [doc.line(n) for n in range(max(0, line - 50), line)]
        return completions(doc.line(line)[:index], ids, above)

    # -- navigation (defaults in navigation.py) --------------------------------------------------
    def definition(
        self, analysis: Analysis, line: int, index: int, arguments: bool = False
    ) -> Place | None:
        """Where the entry of the term at a position is written, when it may be opened."""
        found = spot(analysis, self.vocab, line, index, self.facts)
        if found is None or not navigable(found, arguments):
            return None
        return written_at(found.entry)

    def references(
        self, analysis: Analysis, line: int, index: int, documents: list[Analysis]
    ) -> list[tuple[Analysis, Spot]]:
        """Every place the term at a position is used in the documents given."""
        found = spot(analysis, self.vocab, line, index, self.facts)
        if found is None:
            return []
        return references(found.entry.id, ((a, self.explain(a)) for a in documents))

    def symbols(self, query: str, arguments: bool = False) -> list[tuple[Entry, Place]]:
        return symbols(self.vocab, query, arguments)
