"""The language server: the only module with @server.feature. Each handler is glue."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from transformers_glossary_ls import __version__, render, transport
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.capabilities import Client
from transformers_glossary_ls.completion import fuzzy_scorers
from transformers_glossary_ls.diagnostics import Finding, Part, fix_all, select
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.environment import Environment, choose_versions, folder_holding
from transformers_glossary_ls.installed_docs import DocsWorker
from transformers_glossary_ls.notebooks import Notebook
from transformers_glossary_ls.positions import to_index
from transformers_glossary_ls.protocol import GlossaryProtocol, Json, strict_converter
from transformers_glossary_ls.settings import LOG_LEVELS, Settings, parse_settings
from transformers_glossary_ls.vocabulary.paths import (
    WATCHED,
    is_repository_vocabulary,
    repository_paths,
    repository_stamp,
    vocabulary_paths,
)

log = logging.getLogger(__name__)
# Client silence after which background work goes on. Not less: a stream of requests with gaps
# of a few ms (another server's answer, a slow client) then met background steps (hover p99
# 4-10 ms in the benchmark at 20,000+ lines; ~1 ms with 10).
QUIET_SECONDS = 0.010
# How long background work runs between two looks at the client's input: a request that arrives
# meanwhile waits for the rest of it.
SLICE_SECONDS = 0.0005
LEX_SLICE_SECONDS = 0.025  # the lexing right after an opening, which does not wait for a pause
# ...but lets a long message that arrives (another document opened) be read and handled first,
# ending its slice at once and waiting (at most this many looks ~0.1 ms apart) until it is: a
# didOpen of 7 MB was otherwise read a chunk between two slices of the lexing of the document
# opened before it, and its first hover waited for all of that lexing (~70 ms at 200,000 lines
# in the benchmark). Requests (a few hundred bytes) wait for a slice at most, as before: cut
# short by each of a stream of requests, the lexing made no progress, and requests deep in the
# document lexed the blocks above them themselves (a hover p99 of 30 ms at 200,000 lines).
LEX_INPUT_WAITS = 2000
# Work that requests would otherwise do on their first touch (the common catalogue files and
# completion lists) also goes in turns right after each batch of messages is answered: the
# client reads the answer before it sends more (an editor renders it; the benchmark asks the
# other server). A turn is shared by the jobs that take turns; a step starts only within it.
TURN_SECONDS = 0.00015
# Give up the core once (a turn's start), where the platform can say so.
yield_cpu = getattr(os, "sched_yield", lambda: None)
# Objects the young generation may hold after a turn before they are frozen: a collection of
# what background work built (~1 ms for 10,000 objects) must not fall into the next request.
TURN_YOUNG_OBJECTS = 1000
MAX_CLASSES = 64  # model classes whose installed forward is read (names come from user text)
CLASS_LINES = 256  # lines looked through for model class names in one background step (~0.3 ms)
# How long a read of the installed packages waits for the client to pause and for the
# documents opened meanwhile to be looked through for model class names: an editor opens its
# documents right after `initialized`, and one read then takes their classes too.
READ_PATIENCE = 0.3
HAND_OVER_WAITS = 1000  # looks (~0.1 ms apart) for a pause in the input before taking a read
_TOKENS = itertools.count(1)
_DONE = object()
_RESULT_IDS = itertools.count(1)  # resultIds of diagnostics reports
# Jupyter notebooks' Python and Markdown cells come by LSP notebook sync (3.17).
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="jupyter-notebook",
            cells=[types.NotebookCellLanguage("python"), types.NotebookCellLanguage("markdown")],
        )
    ],
    save=True,
)
STAMP_SECONDS = 1.0  # without file watching, the repository vocabulary is stat'ed this often
WATCH_REGISTRATION = "transformers-glossary-vocabulary"


@dataclass(eq=False, slots=True)
class Checked:
    """A document's findings as checked for one version and releases (`key`): in the parts the
    checker keeps them in, and flat once something asks for them so (code actions)."""

    key: tuple
    parts: list[Part]
    flat: list[Finding] | None = None

    @property
    def findings(self) -> list[Finding]:
        if self.flat is None:
            self.flat = [f for part in self.parts for f in part.findings]
        return self.flat


@dataclass(frozen=True, slots=True)
class Report:
    """A document's diagnostics as last reported (pulled or pushed): their JSON, its resultId
    (kept while the JSON is the same), and what they were made for (`key`)."""

    key: tuple
    items: str
    result_id: str


@dataclass(eq=False)
class Place:
    """A workspace folder, the environment found for it, and the engine answering for it."""

    root: str | None  # the folder's path; None without any workspace folder
    glossary: Glossary
    environment: Environment | None = None
    stamp: tuple = ()  # what its packages looked like when chosen
    classes: frozenset[str] = frozenset()  # model classes the last read was asked for
    reading: bool = False  # a child process is reading its installed packages
    said: str = ""  # where its releases came from (the environment chosen), for the log


class Progress:
    """One `$/progress` run shown by the client: created, begun once the client has agreed,
    and ended once (also when the work ends before the client answers)."""

    def __init__(self, server: LanguageServer, title: str) -> None:
        self.server, self.title = server, title
        self.token = f"transformers-glossary-{next(_TOKENS)}"
        self.state = "creating"
        self.message = ""
        server.window_work_done_progress_create(
            types.WorkDoneProgressCreateParams(token=self.token), callback=self._created
        )

    def _created(self, _result) -> None:
        ended = self.state == "ended"
        self.state = "begun"
        self.server.progress(
            types.ProgressParams(self.token, types.WorkDoneProgressBegin(title=self.title))
        )
        if ended:
            self.end(self.message)

    def end(self, message: str = "") -> None:
        if self.state == "begun":
            value = types.WorkDoneProgressEnd(message=message or None)
            self.server.progress(types.ProgressParams(self.token, value))
            self.state = "done"
        elif self.state == "creating":
            self.state, self.message = "ended", message


class GlossaryServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "transformers-glossary-ls",
            __version__,
            protocol_cls=GlossaryProtocol,
            converter_factory=strict_converter,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        self.documents: dict[str, Analysis] = {}  # open text documents and notebook cells
        self.notebooks: dict[str, Notebook] = {}
        self._cell_notebook: dict[str, Notebook] = {}  # a cell's URI -> its notebook
        self.settings = Settings()
        self.glossary = Glossary()
        self.client = Client()
        self._told_load_errors = False
        self._told_errors: frozenset[str] = frozenset()  # vocabulary defects already told
        self._vocabulary_labels: dict[str, str] = {}  # file -> how a hover names it
        self._repository_stamp: tuple = ()  # the repository vocabularies on disk, when read
        self._stamp_checked = 0.0  # time.monotonic() of the last look at them
        self._watching = False  # the client watches them for us
        self._releases_key: tuple | None = None
        self.places: list[Place] = []  # one per workspace folder, the first first
        self._told_releases: dict[str | None, str] = {}  # folder -> what the log was told
        self._classes: dict[str, str] = {}  # model class named in the documents -> its folder
        self._looking: Counter[str] = Counter()  # documents being looked through for classes
        self.docs_worker = DocsWorker()  # reads the installed packages; started at the first read
        self._completed: Glossary | None = None  # answered the last completion (for resolve)
        self._vocabulary_files: tuple[str, ...] = ()  # what the settings ask for
        self._loading: Glossary | None = None  # being read off the request path
        self._told_settings: frozenset[str] = frozenset()
        self._initialized = False
        self._warming: set[asyncio.Task] = set()
        self._pushing: set[str] = set()  # documents with a push of diagnostics pending
        # uri -> its analysis while the warm-up after its opening runs: the idle moments go to
        # it before its diagnostics (the regions a hover reads are indexed sooner; the check,
        # which reads them too, then finds them indexed).
        self._warming_up: dict[str, Analysis] = {}
        # uri -> its findings for (document version, facts in force): a code action after a
        # pull or a push of the same text reuses them.
        self._findings: dict[str, Checked] = {}
        self._json: dict[str, render.DiagnosticsJson] = {}  # uri -> its findings' JSON
        self._completion_json: render.CompletionJson | None = None  # for `self.client`
        self._turn = (0, 0.0)  # (the connection's batch count, the end of its turn)
        self._reports: dict[str, Report] = {}  # uri -> what was last reported
        self._generation = 0  # bumped when the releases or the vocabulary change
        self.command_line_log_level = logging.WARNING
        self.connection: transport.Connection | None = None

    # -- transport: ours, not pygls's reader (see transport.py) ------------------------------
    # No feature runs in pygls's thread pool, so there is none to shut down at exit.
    def start_io(self, stdin=None, stdout=None) -> int:  # type: ignore[override]
        """Serve over stdio until the client is done; return the process exit code."""
        return transport.serve_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)

    def start_tcp(self, host: str, port: int) -> int:  # type: ignore[override]
        """Serve one client over TCP (others are refused meanwhile); return the exit code."""
        return transport.serve_tcp(self, host, port)

    # -- glue helpers ------------------------------------------------------------------------
    def document(self, uri: str) -> Analysis | None:
        analysis = self.documents.get(uri)
        if analysis is None:
            log.info("request for a document that is not open: %s", uri)
        return analysis

    def add_document(self, analysis: Analysis) -> None:
        """Keep a newly opened document (or notebook cell) and start its background work."""
        uri = analysis.doc.uri
        old = self.documents.get(uri)
        if old is not None and old is not analysis:
            old.close()
        self.documents[uri] = analysis
        # Right after the requests that came with the opening (answered first), without
        # waiting for a pause: the lexer states of the whole document (~0.1 ms a block, 20-45 ms
        # at 200,000 lines), so that no later request pays for lexing the blocks above its own.
        # In slices of up to LEX_SLICE_SECONDS: what arrives meanwhile waits for one at most.
        self.in_background(
            analysis.lex_ahead(),
            lambda: self.documents.get(uri) is analysis,
            f"lexing {uri} failed; requests will lex as they go",
            wait_for_quiet=False,
            slice_seconds=LEX_SLICE_SECONDS,
        )
        self.warm_up(analysis)
        self.look_for_classes(analysis)
        self.schedule_push(uri)

    def pushes(self, uri: str) -> bool:
        """Whether a document's diagnostics are pushed: when the client does not pull them, and
        always for notebook cells (vscode-languageclient 9 pulls for no cell; a pull for a cell
        is answered empty, so that a client that also pulls shows each finding once)."""
        return not self.client.pull_diagnostics or uri in self._cell_notebook

    def remove_document(self, uri: str, pushed: bool | None = None) -> None:
        pushed = self.pushes(uri) if pushed is None else pushed
        analysis = self.documents.pop(uri, None)
        self._warming_up.pop(uri, None)
        self._findings.pop(uri, None)
        self._json.pop(uri, None)
        self._reports.pop(uri, None)
        if analysis is not None:
            analysis.close()
            if pushed:  # what was pushed stays shown until cleared
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
                )

    def edit(self, analysis: Analysis, changes, version: int) -> None:
        """Apply a client's content changes to a document. A change that fails is logged and
        the others are still applied: the keystrokes of a burst, read in one go and handed
        over together (`GlossaryProtocol._typing`), fare as one message at a time would."""
        doc = analysis.doc
        for change in changes:
            try:
                self._apply(doc, change)
            except Exception:  # noqa: BLE001 - one change; the document may now differ
                log.exception("applying a change to %s failed; the next ones are applied", doc.uri)
        doc.version = version

    def _apply(self, doc, change) -> None:
        if isinstance(change, types.TextDocumentContentChangePartial):
            encoding = self.client.encoding
            start, end = change.range.start, change.range.end
            text, line = change.text, doc.line(start.line)
            doc.replace(
                start.line,
                to_index(line, start.character, encoding),
                end.line,
                to_index(
                    line if end.line == start.line else doc.line(end.line),
                    end.character,
                    encoding,
                ),
                text,
            )
            # A class name is typed a letter at a time: read the lines the edit left.
            last = min(start.line + text.count("\n"), doc.line_count - 1)
            self.want_classes("\n".join(doc.line(n) for n in range(start.line, last + 1)))
        else:
            doc.replace_all(change.text)
            self.want_classes(change.text)

    def open_cell(
        self, notebook: Notebook, item: types.TextDocumentItem, kind: types.NotebookCellKind | None
    ) -> None:
        if notebook.position(item.uri) is None:
            log.info("notebook %s: text for a cell it does not list: %s", notebook.uri, item.uri)
            return
        markup = kind == types.NotebookCellKind.Markup if kind else item.language_id == "markdown"
        analysis = notebook.open_cell(item.uri, item.text, markup, item.language_id, item.version)
        self._cell_notebook[item.uri] = notebook
        self.add_document(analysis)

    def close_cell(self, notebook: Notebook, uri: str) -> None:
        if notebook.close_cell(uri) is None:
            log.info("notebook %s: close of a cell it does not hold: %s", notebook.uri, uri)
            return
        if self._cell_notebook.get(uri) is notebook:
            del self._cell_notebook[uri]
            self.remove_document(uri, pushed=True)

    def close_notebook(self, uri: str) -> None:
        notebook = self.notebooks.pop(uri)
        for cell in notebook.close():
            if self._cell_notebook.get(cell) is notebook:
                del self._cell_notebook[cell]
                self.remove_document(cell, pushed=True)

    def vocabulary_files(self, settings: Settings) -> tuple[tuple[str, ...], list[str]]:
        """Every vocabulary file to read, in layer order: the user's, those the workspace
        settings name, then each folder's `.transformers-glossary.yaml` (unless turned off);
        and the problems with their paths."""
        root, folders = self.workspace_folders()
        files, problems = vocabulary_paths(
            settings.extra_glossary_files, settings.workspace_glossary_files, root, folders
        )
        labels: dict[str, str] = {}
        if settings.repository_vocabulary:
            found, labels, more = repository_paths(folders)
            files = tuple(dict.fromkeys(files + found))
            problems += more
            self._repository_stamp = repository_stamp(folders)
        self._vocabulary_labels = labels
        return files, problems

    def apply_settings(self, raw) -> None:
        settings, problems = parse_settings(raw)
        files, path_problems = self.vocabulary_files(settings)
        problems += path_problems
        # Editors send every setting on any change: a problem already told is not told again.
        for problem in problems:
            if problem not in self._told_settings:
                self.tell_user(
                    f"Transformers Glossary settings: {problem}", types.MessageType.Warning
                )
        self._told_settings = frozenset(problems)
        # The command line's -v is a floor: a setting can ask for more detail, never for less.
        level = min(LOG_LEVELS[settings.log_level], self.command_line_log_level)
        logging.getLogger("transformers_glossary_ls").setLevel(level)
        changed = settings.diagnostics != self.settings.diagnostics
        self.settings = settings
        if changed and self._initialized:
            self.diagnostics_changed()
        if files != self._vocabulary_files or self._vocabulary_labels != self.glossary.labels:
            self._vocabulary_files = files
            if self._initialized:
                self.load_vocabulary()

    def notice_vocabulary_edits(self, force: bool = False) -> None:
        """A repository vocabulary added, edited or deleted: read the vocabulary again, off the
        request path. `force` when the client said so (file watching); otherwise a few stat
        calls, at most once a second, on open, change, save and hover."""
        if not self._initialized:
            return
        if not force:
            if self._watching or not self.settings.repository_vocabulary:
                return
            now = time.monotonic()
            if now - self._stamp_checked < STAMP_SECONDS:
                return
            self._stamp_checked = now
            if repository_stamp(self.workspace_folders()[1]) == self._repository_stamp:
                return
        log.info("the repository vocabulary changed; reading the vocabulary again")
        files, problems = self.vocabulary_files(self.settings)
        for problem in problems:
            if problem not in self._told_settings:
                self.tell_user(
                    f"Transformers Glossary settings: {problem}", types.MessageType.Warning
                )
        self._told_settings = self._told_settings | frozenset(problems)
        self._vocabulary_files = files
        self.load_vocabulary(force=True)

    def watch_vocabulary_later(self) -> None:
        """`watch_vocabulary` once the client has paused: the registration (and the client's
        answer to it) are not in the way of the requests that come right after `initialized`.
        Meanwhile edits to a repository vocabulary are noticed by their mtime."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not serving (in-process use): no pause to wait for
            self.watch_vocabulary()
            return

        def steps():
            yield  # not before the client has paused
            self.watch_vocabulary()

        self.in_background(steps(), lambda: True, "asking the client to watch files failed")

    def watch_vocabulary(self) -> None:
        """Ask the client to tell us of changes to repository vocabularies, where it can."""
        if not self.client.watched_files_dynamic:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCHED]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registration = types.Registration(
            id=WATCH_REGISTRATION,
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )

        def answered(future) -> None:
            # Refused (or failed): the stat check goes on instead.
            if future.cancelled() or future.exception() is not None:
                log.info("the client did not take our file watching; checking mtimes instead")
                return
            self._watching = True

        sent = self.client_register_capability(
            types.RegistrationParams(registrations=[registration])
        )
        sent.add_done_callback(answered)

    def workspace_folders(self) -> tuple[str | None, list[str]]:
        """The workspace root and every workspace folder, as paths (none before `initialize`)."""
        try:
            workspace = self.workspace
        except RuntimeError:
            return None, []
        root = workspace.root_path
        folders = [to_fs_path(folder.uri) for folder in workspace.folders.values()]
        return root, [f for f in (*folders, root) if f]

    def load_vocabulary(self, force: bool = False) -> None:
        """Read and validate the vocabulary the settings ask for on a thread of its own (a large
        user file takes seconds); requests are answered from the one in use until the new one
        is ready, and it takes over on the loop. `force`: the files' content changed."""
        files, labels = self._vocabulary_files, self._vocabulary_labels
        if not force and files == self.glossary.extra_files and labels == self.glossary.labels:
            self._loading = None  # back to what is in use: a load under way is not wanted
            return
        glossary = self._loading = Glossary(files, labels=labels)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving (in-process use)
            self._take_over(glossary)
            return

        def read() -> None:
            try:
                _ = glossary.vocab  # reads and logs the defects; touches nothing shared
            except Exception:
                log.exception("reading the vocabulary failed; the one in use stays")
                return
            with contextlib.suppress(RuntimeError):  # the loop has closed: we are exiting
                loop.call_soon_threadsafe(self._take_over, glossary)

        # A daemon thread: a read that never ends cannot keep the process from exiting.
        threading.Thread(target=read, name="vocabulary", daemon=True).start()

    def _take_over(self, glossary: Glossary) -> None:
        if self._loading is not glossary:
            return  # the settings changed again meanwhile
        self._loading = None
        self.glossary = glossary
        self._told_load_errors = False
        self._completed = None
        glossary.load()  # the vocabulary is read: only the catalogue index is left (shared)
        self.in_background(
            glossary.load_more(self.client.hover_markdown),
            lambda: self.glossary is glossary,
            "reading the catalogue failed; requests will read what they need",
        )
        log.info("vocabulary ready: %d entries", len(glossary.vocab.entries))
        self.check_vocabulary()
        self.choose_releases()  # the new engine answers for the same releases

    def choose_releases(self) -> None:
        """Answer for the user's transformers, trl and peft, per workspace folder: found by
        reading each folder's environment's files (never running anything), said once in the
        log."""
        settings = self.settings
        roots = list(dict.fromkeys(Path(p) for p in self.workspace_folders()[1]))
        wanted = (settings.python, settings.selected_interpreter, settings.transformers_version)
        per_folder = settings.selected_interpreters
        key = (wanted, per_folder, tuple(roots), id(self.glossary))
        if key == self._releases_key:
            return
        self._releases_key = key
        self._completed = None
        places = []
        for k, root in enumerate(roots or [None]):
            glossary = self.glossary if k == 0 else self.glossary.sibling()
            python, selected, version = wanted
            if root is not None and per_folder:  # the editor's interpreter for this folder
                found = folder_holding(str(root), [folder for folder, _ in per_folder])
                selected = per_folder[found][1] if found is not None else selected
            choice = choose_versions([root] if root is not None else [], python, selected, version)
            environment = choice.environment
            place = Place(
                str(root) if root is not None else None,
                glossary,
                environment,
                environment.stamp() if environment is not None else (),
                said=choice.message,
            )
            notes = glossary.use_versions(choice.versions)
            glossary.use_installed_docs(None)
            in_force = ", ".join(f"{p} {f.release}" for p, f in glossary.in_force.items())
            where = f" in {root}" if len(roots) > 1 else ""
            message = (
                f"Transformers Glossary: answers for {in_force or 'the newest releases'}{where}"
                f" ({choice.message})"
            )
            if notes:
                message += "; " + "; ".join(notes)
            log.info("%s", message)
            if message != self._told_releases.get(place.root):  # the editor's log, no pop-up
                self._told_releases[place.root] = message
                self.window_log_message(
                    types.LogMessageParams(type=types.MessageType.Info, message=message[:500])
                )
            places.append(place)
        self.places = places
        for place in places:
            self.read_installed_docs(place)
        self.diagnostics_changed()

    def log_start(self) -> None:
        """One line (`-v`) saying what runs: version, vocabulary size, the environment chosen
        and the workspace root."""
        root, _ = self.workspace_folders()
        first = self.places[0] if self.places else None
        in_force = ", ".join(f"{p} {f.release}" for p, f in self.glossary.in_force.items())
        log.info(
            "transformers-glossary-ls %s started: %d vocabulary entries; answers for %s (%s);"
            " workspace root %s",
            __version__,
            len(self.glossary.vocab.entries),
            in_force or "the newest releases",
            first.said if first is not None else "no environment chosen",
            root or "none",
        )

    @property
    def completion_json(self) -> render.CompletionJson:
        """Completion lists written as JSON for the client (items' JSON kept across requests)."""
        written = self._completion_json
        if written is None or written.client is not self.client:
            written = self._completion_json = render.CompletionJson(self.client)
        return written

    def glossary_for(self, uri: str) -> Glossary:
        """The engine for a document: that of the workspace folder holding it (the longest
        such folder), else the first folder's."""
        places = self.places
        if len(places) <= 1:
            return self.glossary
        notebook = self._cell_notebook.get(uri)
        path = to_fs_path(notebook.uri if notebook is not None else uri) or ""
        found = folder_holding(path, [place.root for place in places])
        best = places[found if found is not None else 0]
        return best.glossary

    def want_classes(self, text: str) -> None:
        """Model classes a document names whose installed forward is not read yet: have each
        place read them (once per new class, in the child, never in a request)."""
        catalogue = self.glossary.catalogue
        new = False
        for name in self.glossary.wants_classes(text):
            folder = catalogue.model_dir(name)
            if name not in self._classes and folder and len(self._classes) < MAX_CLASSES:
                self._classes[name] = folder
                new = True
        if new:
            for place in self.places:
                self.read_installed_docs(place)

    def look_for_classes(self, analysis: Analysis) -> None:
        """The model classes a newly opened document names, looked for a chunk of lines at a
        time between messages (a large file costs a regex pass of tens of ms)."""
        doc = analysis.doc
        looking = self._looking
        looking[doc.uri] += 1  # from now: a read about to start waits for it

        def steps():
            try:
                yield  # not before the client has paused
                start = 0
                while start < doc.line_count:
                    end = min(start + CLASS_LINES, doc.line_count)
                    self.want_classes("\n".join(doc.lines(start, end)))
                    start = end
                    yield
            finally:  # done, failed, or no longer wanted (closed)
                looking[doc.uri] -= 1
                if looking[doc.uri] <= 0:
                    del looking[doc.uri]

        self.in_background(
            steps(),
            lambda: self.documents.get(doc.uri) is analysis,
            f"looking for model classes in {doc.uri} failed",
        )

    def read_installed_docs(self, place: Place) -> None:
        """Read what a place's installed packages document, and the forward of each model
        class the documents name (~0.1 s of parsing), in a worker process (kept between reads)
        waited for on a thread, one read at a time; answers come without it meanwhile. The
        read starts once the client has paused and the documents it opened have been looked
        through for class names (at most `READ_PATIENCE` later), so that one read takes those
        classes too. `$/progress` shows it where the client can."""
        environment = place.environment
        if environment is None or not environment.installed or place.reading:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        versions = {name: found.version for name, found in environment.installed.items()}
        place.reading = True
        progress: Progress | None = None

        def hand_over(docs) -> None:
            place.reading = False
            if progress is not None:
                said = f"{len(docs.texts)} argument docs" if docs is not None else "failed"
                progress.end(said)
            if place not in self.places:
                return  # the releases were chosen again meanwhile
            if docs is not None:
                glossary = place.glossary
                glossary.use_installed_docs(docs)
                facts = glossary.facts
                # The classes' signatures and lists are made a step at a time before the
                # diagnostics are checked again: made by a request, they cost it several ms.
                self.in_background(
                    glossary.installed_steps(),
                    lambda: glossary.facts is facts,
                    "reading the installed classes' signatures failed",
                    then=self.diagnostics_changed,
                )
            if set(self._classes) - place.classes:  # met while this read went on
                self.read_installed_docs(place)

        def read(classes: dict[str, str]) -> None:
            docs = None
            try:
                docs = self.docs_worker.read(environment.site_packages, versions, classes)
                if docs is not None:
                    log.info(
                        "read %d argument docs and %d model classes from %s",
                        len(docs.texts),
                        len(docs.classes),
                        environment.prefix,
                    )
            finally:
                with contextlib.suppress(RuntimeError):  # the loop has closed: we are exiting
                    asyncio.run_coroutine_threadsafe(hand_over_when_free(docs), loop)

        async def hand_over_when_free(docs) -> None:
            await self.no_input_waiting()  # a request that came meanwhile goes first (~0.5 ms)
            try:
                hand_over(docs)
            except Exception:
                log.exception("taking the installed docs failed")

        async def start() -> None:
            nonlocal progress
            await self.settled(READ_PATIENCE)
            if place not in self.places:
                place.reading = False  # the releases were chosen again meanwhile
                return
            classes = dict(self._classes)  # with those of the documents opened meanwhile
            place.classes = frozenset(classes)
            if self.client.work_done_progress:
                shown = ", ".join(f"{name} {version}" for name, version in versions.items())
                progress = Progress(self, f"Transformers Glossary: reading {shown}")
            thread = threading.Thread(target=read, args=(classes,), name="installed-docs")
            thread.daemon = True
            thread.start()

        task = loop.create_task(start())
        self._warming.add(task)
        task.add_done_callback(self._warming.discard)

    def notice_reinstall(self) -> None:
        """`pip install -U transformers` while the editor is open: a few stat calls on open and
        save tell it (no file watching needed), and the releases are chosen again."""
        if not self._initialized:
            return
        for place in self.places:
            if place.environment is not None and place.environment.stamp() != place.stamp:
                log.info(
                    "the packages in %s changed; choosing the releases again",
                    place.environment.prefix,
                )
                self._releases_key = None
                self.choose_releases()
                return

    def position_of(self, params) -> tuple[Analysis, int, int] | None:
        """The open document a request's text position is in, its line and string index (the
        client's units converted); None for a document we do not have."""
        analysis = self.document(params.text_document.uri)
        if analysis is None:
            return None
        line = params.position.line
        text = analysis.doc.line(line)
        return analysis, line, to_index(text, params.position.character, self.client.encoding)

    # -- diagnostics -------------------------------------------------------------------------
    def vocabulary_path(self, uri: str) -> str | None:
        """The path of a vocabulary file open in the editor: a repository's, or one the
        settings name. The server answers in no other YAML file."""
        if not uri.endswith((".yaml", ".yml")) and not any(c in uri for c in "%?#"):
            return None  # its path cannot end so either: spared parsing it on every request
        path = to_fs_path(uri)
        if not path or not path.endswith((".yaml", ".yml")):
            return None
        real = os.path.realpath(path)
        if is_repository_vocabulary(path) or real in self._vocabulary_files:
            return real
        return None

    def findings(self, analysis: Analysis) -> list[Finding]:
        """A document's findings as the settings want them shown (code actions)."""
        wanted = self.settings.diagnostics
        if not wanted.enabled:
            return []
        found = self.checked(analysis).findings
        if not (wanted.select or wanted.ignore):
            return found
        return select(found, wanted.select, wanted.ignore)

    def checked(self, analysis: Analysis) -> Checked:
        """A document's findings, checked once per version and releases."""
        path = self.vocabulary_path(analysis.doc.uri)
        if path is not None:  # its own defects, whatever codes are selected
            found = tuple(self.glossary.vocabulary_findings(path, analysis))
            return Checked((), [Part(found)] if found else [])
        uri, key = analysis.doc.uri, self._findings_key(analysis)
        cached = self._findings.get(uri)
        if cached is None or cached.key != key:
            parts = self.glossary_for(uri).diagnostic_parts(analysis)
            cached = self._findings[uri] = Checked(key, parts)
        return cached

    def report(self, analysis: Analysis) -> Report:
        """A document's diagnostics as the settings want them shown, as JSON (pull and push).
        Each finding's JSON is kept with it: a report after an edit renders the findings of
        the blocks the edit touched, and joins the rest (see `render.DiagnosticsJson`)."""
        uri, wanted = analysis.doc.uri, self.settings.diagnostics
        key = (self._findings_key(analysis), self._generation, wanted, self.client)
        last = self._reports.get(uri)
        if last is not None and last.key == key:
            return last
        items = "[]"
        if wanted.enabled:
            written = self._json.get(uri)
            if written is None or written.client is not self.client:
                written = self._json[uri] = render.DiagnosticsJson(
                    self.client, self.protocol.converter
                )
            parts = self.checked(analysis).parts
            items = written.items(parts, analysis.doc, wanted.select, wanted.ignore)
        # The same diagnostics keep their resultId: a client that has them is told `unchanged`.
        same = last is not None and last.items == items
        result_id = last.result_id if same else str(next(_RESULT_IDS))
        report = self._reports[uri] = Report(key, items, result_id)
        return report

    def schedule_push(self, uri: str) -> None:
        """Publish a document's diagnostics once the client has paused (clients that do not
        pull them): a burst of edits costs one check, off the request path."""
        if uri in self._pushing or not self.pushes(uri):  # pending already: a keystroke's case
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not serving (in-process use)
        self._pushing.add(uri)

        async def run() -> None:
            try:
                while (analysis := self.documents.get(uri)) is not None:
                    await self.idle()
                    if self._warming_up.get(uri) is analysis:
                        continue  # its warm-up first: requests wait for what it indexes
                    if await self._check_between_messages(analysis):
                        self.publish(analysis)
                        return
            except Exception:
                log.exception("checking %s failed", uri)
            finally:
                self._pushing.discard(uri)

        task = loop.create_task(run())
        self._warming.add(task)
        task.add_done_callback(self._warming.discard)

    async def _check_between_messages(self, analysis: Analysis) -> bool:
        """Check a document a few calls at a time while the client is quiet; False when the
        document or the releases changed meanwhile (checked again then)."""
        if not self.settings.diagnostics.enabled:
            return True  # publishes nothing, clearing what was shown
        if self.vocabulary_path(analysis.doc.uri) is not None:
            return True
        key, glossary = self._findings_key(analysis), self.glossary_for(analysis.doc.uri)
        slice_end = time.perf_counter() + SLICE_SECONDS
        for _ in glossary.checker.update(analysis):
            if time.perf_counter() >= slice_end:  # a call's check is ~0.05-0.5 ms
                await self.idle()
                slice_end = time.perf_counter() + SLICE_SECONDS
                if (
                    self._findings_key(analysis) != key
                    or self.documents.get(analysis.doc.uri) is not analysis
                ):
                    return False
        return True  # what is left of the check (`checked`) is walking kept findings

    def _findings_key(self, analysis: Analysis) -> tuple:
        uri = analysis.doc.uri
        notebook = self._cell_notebook.get(uri)  # a cell's findings depend on the cells above
        revision = notebook.revision if notebook is not None else 0
        return (analysis.doc.version, id(self.glossary_for(uri).facts), revision)

    def publish(self, analysis: Analysis) -> None:
        doc = analysis.doc
        items = self.report(analysis).items
        self.text_document_publish_diagnostics(render.published(doc.uri, items, doc.version))

    def diagnostics_changed(self) -> None:
        """The release or the vocabulary changed: every open document's findings may too."""
        self._findings.clear()
        self._generation += 1
        if not self.documents:
            return
        if self.client.pull_diagnostics:
            if self.client.diagnostic_refresh:
                self.workspace_diagnostic_refresh(None)
        for uri in list(self.documents):
            self.schedule_push(uri)  # only where pushed

    def tell_user(self, message: str, kind=types.MessageType.Error) -> None:
        log.warning("%s", message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def check_vocabulary(self) -> None:
        """Tell the user once if the vocabulary had defects (every valid entry is still served)."""
        if self._told_load_errors:
            return
        self._told_load_errors = True
        errors = self.glossary.errors
        # The vocabulary lives as long as the process: keep it out of every future collection.
        gc.freeze()
        told, self._told_errors = self._told_errors, frozenset(str(e) for e in errors)
        if errors and not self._told_errors <= told:  # each save of a file: no repeated pop-up
            shown = "; ".join(str(e) for e in errors[:3])
            more = f" (and {len(errors) - 3} more; see the log)" if len(errors) > 3 else ""
            self.tell_user(f"Transformers Glossary: vocabulary problems: {shown}{more}")

    def warm_up(self, analysis: Analysis) -> None:
        """Index a newly opened document in the background, a block between messages."""
        uri = analysis.doc.uri
        self._warming_up[uri] = analysis

        def done() -> None:
            if self._warming_up.get(uri) is analysis:
                del self._warming_up[uri]

        self.in_background(
            analysis.warm_up(),
            lambda: self.documents.get(uri) is analysis,  # not closed or reopened meanwhile
            f"indexing {uri} failed; hovers will index as they go",
            then=done,
        )

    def in_background(
        self,
        steps,
        still_wanted,
        failure: str,
        then=None,
        wait_for_quiet: bool = True,
        slice_seconds: float = SLICE_SECONDS,
        turns: bool = False,
    ) -> None:
        """Run `steps` (a generator) in slices of steps of up to `slice_seconds`, only while no
        message is waiting and (`wait_for_quiet`) the client has paused, else letting the messages
        that arrive be read and handled between slices (a long message at once: see
        LEX_SLICE_SECONDS); with `turns`, also in the turn after each answer (see `turn`); then
        `then()` (also after a failure), unless the work stopped being wanted."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if then is not None:
                then()
            return  # not serving (in-process use): requests do the work as they need it

        async def run() -> None:
            try:
                if turns:
                    if not await self._take_turns(steps, still_wanted):
                        return
                else:
                    if wait_for_quiet:
                        await self.idle()  # the first step too: not while a message is waiting
                    else:
                        await self.no_input_waiting(LEX_INPUT_WAITS)  # the first step too
                    slice_end = time.perf_counter() + slice_seconds
                    for _ in steps:
                        if not still_wanted():
                            return
                        if time.perf_counter() < slice_end and (
                            wait_for_quiet or not self._long_input_pending()  # ~1 us a step
                        ):
                            continue
                        if wait_for_quiet:
                            await self.idle()
                        else:
                            await asyncio.sleep(0)  # let the messages already read be handled
                            await self.no_input_waiting(LEX_INPUT_WAITS)
                        slice_end = time.perf_counter() + slice_seconds
            except Exception:
                log.exception("%s", failure)
            else:
                # What was built lives as long as its document or the process: keep it out of
                # the collector's full passes (hundreds of ms at 200,000 lines). Refcounting
                # still frees it when the document closes.
                gc.freeze()
            if then is not None and still_wanted():
                then()

        task = loop.create_task(run())
        self._warming.add(task)  # keep a reference until it is done
        task.add_done_callback(self._warming.discard)

    async def _take_turns(self, steps, still_wanted) -> bool:
        """Run `steps` in the turns `turn` gives, the first one too; False if the work stopped
        being wanted."""
        end = 0.0
        steps = iter(steps)
        while True:
            if time.perf_counter() >= end or self._input_pending():
                if gc.get_count()[0] > TURN_YOUNG_OBJECTS:
                    gc.freeze()  # what the steps built: no collection of it in a request
                end = await self.turn()
            if not still_wanted():
                return False
            if next(steps, _DONE) is _DONE:
                return True

    def _input_pending(self) -> bool:
        connection = self.connection
        return connection is not None and connection.input_pending()

    def _long_input_pending(self) -> bool:
        connection = self.connection
        return connection is not None and connection.long_input_pending()

    async def turn(self) -> float:
        """Wait for a moment background work may use; return the time (`perf_counter`) by
        which its steps must have started. Right after a batch of messages is answered, with
        no input waiting and our answers written: a turn of TURN_SECONDS, shared by the jobs
        that take turns. Once the client is quiet: a slice."""
        await asyncio.sleep(0)  # let the callbacks of messages already read run
        connection = self.connection
        if connection is None:
            return time.perf_counter() + SLICE_SECONDS
        while True:
            quiet = connection.quiet_for()
            if quiet >= QUIET_SECONDS:
                return time.perf_counter() + SLICE_SECONDS
            if not await connection.turn(QUIET_SECONDS - quiet):
                continue
            if connection.input_pending() or connection.output_pending():
                continue  # more to answer, or the answer is still being written: not now
            if connection.turns != self._turn[0]:
                # Linux wakes a task on the core of the one that woke it: the client reading
                # our answer may wait on this core while its steps run. Let it read first.
                yield_cpu()
                self._turn = (connection.turns, time.perf_counter() + TURN_SECONDS)
            if time.perf_counter() < self._turn[1]:
                return self._turn[1]

    async def settled(self, patience: float) -> None:
        """Return once the client is quiet, no open document is still being looked through
        for model class names and the catalogue files read at start are in (two jobs at once
        would both slow the requests meanwhile), or after `patience` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while (left := deadline - loop.time()) > 0:
            try:
                await asyncio.wait_for(self.idle(), left)
            except TimeoutError:
                return
            if not self._looking and self.glossary.loaded_more:
                return
            await asyncio.sleep(QUIET_SECONDS)  # the look-through takes its steps meanwhile

    async def no_input_waiting(self, looks: int = HAND_OVER_WAITS) -> None:
        """Return once no message is waiting to be read, or after `looks` looks ~0.1 ms apart:
        a client that sends half a message and stops holds nothing up for long."""
        for _ in range(looks):
            if self.connection is None or not self.connection.input_pending():
                return
            await asyncio.sleep(0.0001)

    async def idle(self) -> None:
        """Return once the client has been quiet for a moment: background work goes in the
        pauses between bursts of requests (typing, moving the mouse), never in their way."""
        await asyncio.sleep(0)  # let the callbacks of messages already read run
        connection = self.connection
        while connection is not None:
            quiet = connection.quiet_for()
            if quiet >= QUIET_SECONDS:
                return
            await asyncio.sleep(QUIET_SECONDS - quiet)

    def report_server_error(self, error, source) -> None:
        # Our own faults go to the log, never into a message box on every request.
        if source is FeatureRequestError:
            return  # pygls has logged it with its stack, and answered the request with it
        stack = getattr(error, "data", None)
        stack = "".join(stack.get("traceback", [])) if isinstance(stack, dict) else ""
        log.error(
            "server error (%s): %s%s",
            getattr(source, "__name__", source),
            error,
            f"\n{stack}" if stack else "",
        )


server = GlossaryServer()


@server.feature(types.INITIALIZE)
def initialize(ls: GlossaryServer, params: types.InitializeParams) -> None:
    encoding = ls.workspace.position_encoding
    ls.client = Client.from_initialize(params.capabilities, getattr(encoding, "value", encoding))
    if ls.connection is not None:
        ls.connection.watch_editor(params.process_id)
    ls.apply_settings(params.initialization_options)
    # The shipped vocabulary (~8 ms), before the answer: the first hover needs it, and comes
    # right after `initialized`, which would otherwise make it wait for this.
    ls.glossary.load()


@server.feature(types.INITIALIZED)
def initialized(ls: GlossaryServer, params: types.InitializedParams) -> None:
    ls._initialized = True
    ls.glossary.load()  # loaded at `initialize` already, unless the engine changed since
    glossary = ls.glossary
    ls.in_background(
        glossary.load_more(ls.client.hover_markdown),
        lambda: ls.glossary is glossary,
        "reading the catalogue failed; requests will read what they need",
        turns=True,
    )
    ls.in_background(
        _import_fuzzy_scorers(),
        lambda: True,
        "importing rapidfuzz failed; completion imports it when it first ranks by likeness",
    )
    ls.check_vocabulary()
    ls.load_vocabulary()  # the user's files, if any, off the request path
    ls.watch_vocabulary_later()
    ls.choose_releases()
    ls.log_start()


def _import_fuzzy_scorers():
    """One step, once the client has paused: completion's fuzzy scorers (~9 ms), imported
    before the first completion that ranks by likeness would."""
    fuzzy_scorers()
    yield


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(
    ls: GlossaryServer, params: types.DidChangeConfigurationParams
) -> None:
    ls.apply_settings(params.settings)
    ls.check_vocabulary()
    if ls._initialized:
        ls.choose_releases()


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_workspace_folders(
    ls: GlossaryServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    if ls._initialized:  # pygls has updated its folders: each new one gets its own release
        ls.notice_vocabulary_edits(force=True)  # and maybe a vocabulary
        ls.choose_releases()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: GlossaryServer, params: types.DidChangeWatchedFilesParams):
    files = set(ls._vocabulary_files)
    for change in params.changes:
        path = to_fs_path(change.uri) or ""
        if is_repository_vocabulary(path) or path in files:
            ls.notice_vocabulary_edits(force=True)
            return


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GlossaryServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.add_document(Glossary.open(item.uri, item.text, item.language_id, item.version))
    ls.notice_reinstall()
    ls.notice_vocabulary_edits()


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: GlossaryServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.notice_reinstall()
    ls.notice_vocabulary_edits()


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GlossaryServer, params: types.DidChangeTextDocumentParams) -> None:
    analysis = ls.document(params.text_document.uri)
    if analysis is None:
        return
    ls.edit(analysis, params.content_changes, params.text_document.version)
    ls.schedule_push(analysis.doc.uri)
    ls.notice_vocabulary_edits()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GlossaryServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.remove_document(params.text_document.uri)


# -- notebooks (LSP 3.17): each cell is a document of ours, its notebook keeps their order -------
@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def notebook_did_open(ls: GlossaryServer, params: types.DidOpenNotebookDocumentParams) -> None:
    opened = params.notebook_document
    if opened.uri in ls.notebooks:
        ls.close_notebook(opened.uri)
    notebook = ls.notebooks[opened.uri] = Notebook(opened.uri)
    notebook.order = [cell.document for cell in opened.cells]
    kinds = {cell.document: cell.kind for cell in opened.cells}
    for item in params.cell_text_documents:
        ls.open_cell(notebook, item, kinds.get(item.uri))
    ls.notice_reinstall()


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def notebook_did_change(ls: GlossaryServer, params: types.DidChangeNotebookDocumentParams) -> None:
    notebook = ls.notebooks.get(params.notebook_document.uri)
    cells = params.change.cells
    if notebook is None:
        log.info("change to a notebook that is not open: %s", params.notebook_document.uri)
        return
    if cells is None:
        return  # only the notebook's metadata changed
    first: str | None = None  # the first cell in order whose text or place changed
    changed: list[str] = []
    if cells.structure is not None:
        structure = cells.structure
        array = structure.array
        for closed in structure.did_close or ():
            ls.close_cell(notebook, closed.uri)
        added = [cell.document for cell in array.cells or ()]
        if not notebook.splice(array.start, array.delete_count, added):
            log.info(
                "notebook %s: cell change at %d (%d deleted) does not fit its %d cells; ignored",
                notebook.uri,
                array.start,
                array.delete_count,
                len(notebook.order),
            )
        kinds = {cell.document: cell.kind for cell in array.cells or ()}
        for item in structure.did_open or ():
            ls.open_cell(notebook, item, kinds.get(item.uri))
        changed += added
        if array.start < len(notebook.order):
            first = notebook.order[array.start]
    for cell in cells.data or ():
        analysis = notebook.cells.get(cell.document)
        markup = cell.kind == types.NotebookCellKind.Markup
        if analysis is not None and markup != (analysis.language == "markdown"):
            doc = analysis.doc  # a cell turned from code to Markdown or back: read it anew
            item = types.TextDocumentItem(doc.uri, doc.language_id, doc.version, doc.text)
            ls.open_cell(notebook, item, cell.kind)
            changed.append(cell.document)
    for content in cells.text_content or ():
        uri = content.document.uri
        analysis = notebook.cells.get(uri)
        if analysis is None:
            log.info("notebook %s: change to a cell it does not hold: %s", notebook.uri, uri)
            continue
        ls.edit(analysis, content.changes, content.document.version)
        changed.append(uri)
    notebook.revision += 1
    # The cells below an edit may read a variable it changed: check them again too.
    positions = [p for u in changed if (p := notebook.position(u)) is not None]
    if first is None and positions:
        first = notebook.order[min(positions)]
    for uri in notebook.from_cell(first) if first is not None else ():
        ls.schedule_push(uri)
    for uri in changed:
        ls.schedule_push(uri)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def notebook_did_save(ls: GlossaryServer, params: types.DidSaveNotebookDocumentParams) -> None:
    ls.notice_reinstall()


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def notebook_did_close(ls: GlossaryServer, params: types.DidCloseNotebookDocumentParams) -> None:
    if params.notebook_document.uri not in ls.notebooks:
        log.info("close of a notebook that is not open: %s", params.notebook_document.uri)
        return
    ls.close_notebook(params.notebook_document.uri)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: GlossaryServer, params: types.HoverParams) -> types.Hover | Json | None:
    ls.notice_vocabulary_edits()
    at = ls.position_of(params)
    if at is None:
        return None
    analysis, line, index = at
    path = ls.vocabulary_path(analysis.doc.uri)
    if path is not None:
        label = ls._vocabulary_labels.get(path, "")  # the glossary in use may predate it
        markdown = ls.client.hover_markdown
        text = ls.glossary.vocabulary_hover(path, analysis, line, markdown, label)
        return types.Hover(render.markup(text, ls.client.hover_markdown)) if text else None
    glossary = ls.glossary_for(analysis.doc.uri)
    answer = glossary.hover(analysis, line, index, ls.client.hover_markdown)
    return render.hover(answer, analysis.doc, ls.client) if answer else None


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(
        trigger_characters=["(", ",", '"', "'", "=", "`"], resolve_provider=True
    ),
)
def completion(ls: GlossaryServer, params: types.CompletionParams) -> dict | Json:
    at = ls.position_of(params)
    if at is None:
        return {"isIncomplete": False, "items": []}
    analysis, line, index = at
    path = ls.vocabulary_path(analysis.doc.uri)
    if path is not None:
        found = ls.glossary.vocabulary_completion(path, analysis, line, index)
        if found is None:
            return {"isIncomplete": False, "items": []}
        return render.vocabulary_completion(found, analysis.doc, line, index, ls.client)
    glossary = ls._completed = ls.glossary_for(analysis.doc.uri)
    result = glossary.complete(analysis, line, index, ls.settings.completion_prose)
    markdown = ls.client.completion_markdown
    return ls.completion_json.write(
        result, analysis.doc, line, lambda c: glossary.candidate_documentation(c, markdown)
    )


@server.feature(types.COMPLETION_ITEM_RESOLVE)
def completion_resolve(ls: GlossaryServer, item: types.CompletionItem) -> types.CompletionItem:
    key = render.resolve_key(item.data)  # only what we sent: a client's data is not trusted
    if key is None:
        return item
    entry_id, head, value, call = key
    markdown = ls.client.completion_markdown
    # An item is resolved after the completion that listed it: answer for the same folder.
    glossary = ls._completed or ls.glossary
    docs = glossary.documentation(entry_id, head, markdown, value, call)
    if docs:
        item.documentation = render.markup(docs, markdown)
    return item


@server.feature(
    types.TEXT_DOCUMENT_SIGNATURE_HELP,
    types.SignatureHelpOptions(trigger_characters=["(", ","], retrigger_characters=["="]),
)
def signature_help(ls: GlossaryServer, params: types.SignatureHelpParams):
    at = ls.position_of(params)
    if at is None:
        return None
    analysis, line, index = at
    glossary = ls.glossary_for(analysis.doc.uri)
    found = glossary.signature(analysis, line, index, ls.client.signature_markdown)
    return render.signature_help(found, ls.client) if found else None


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        inter_file_dependencies=False, workspace_diagnostics=False, identifier=render.SOURCE
    ),
)
def diagnostic(ls: GlossaryServer, params: types.DocumentDiagnosticParams):
    analysis = ls.document(params.text_document.uri)
    if analysis is None or analysis.doc.uri in ls._cell_notebook:
        return types.RelatedFullDocumentDiagnosticReport(items=[])  # a cell's are pushed
    report = ls.report(analysis)
    if params.previous_result_id == report.result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=report.result_id)
    return render.full_report(report.items, report.result_id)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
    ),
)
def code_action(ls: GlossaryServer, params: types.CodeActionParams):
    analysis = ls.document(params.text_document.uri)
    if analysis is None:
        return None
    doc, found, only = analysis.doc, ls.findings(analysis), params.context.only
    start, end = params.range.start, params.range.end
    first = (start.line, to_index(doc.line(start.line), start.character, ls.client.encoding))
    last = (end.line, to_index(doc.line(end.line), end.character, ls.client.encoding))
    actions = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for f in found:
            if (f.line, f.end) >= first and (f.line, f.start) <= last:
                alone = len(f.fixes) == 1
                actions += [render.quick_fix(x, f, alone, doc, ls.client) for x in f.fixes]
    # Fix-all only when asked for by kind (on save, or from a menu), not in every light bulb.
    edits = fix_all(found) if only else []
    if edits and _wanted(types.CodeActionKind.SourceFixAll, only):
        actions.append(render.fix_all(edits, doc, ls.client))
    return actions or None


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: GlossaryServer, params: types.DefinitionParams):
    at = ls.position_of(params)
    if at is None:
        return None
    analysis, line, index = at
    path = ls.vocabulary_path(analysis.doc.uri)
    if path is not None:
        label = ls._vocabulary_labels.get(path, "")
        place = ls.glossary.vocabulary_definition(path, analysis, line, index, label)
        return render.location(place) if place is not None else None
    glossary = ls.glossary_for(analysis.doc.uri)
    place = glossary.definition(analysis, line, index, ls.settings.navigation_arguments)
    return render.location(place) if place is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: GlossaryServer, params: types.ReferenceParams):
    at = ls.position_of(params)
    if at is None:
        return None
    analysis, line, index = at
    glossary = ls.glossary_for(analysis.doc.uri)
    found = glossary.references(analysis, line, index, list(ls.documents.values()))
    return [render.reference(a.doc, spot, ls.client) for a, spot in found] or None


@server.feature(types.WORKSPACE_SYMBOL)
def workspace_symbol(ls: GlossaryServer, params: types.WorkspaceSymbolParams):
    found = ls.glossary.symbols(params.query, ls.settings.navigation_arguments)
    return [render.symbol(entry, place) for entry, place in found]


def _wanted(kind: types.CodeActionKind, only) -> bool:
    """Whether the client asked for this kind (`only` names kinds or their parents)."""
    names = [getattr(o, "value", o) for o in only or ()]  # kinds outside the enum stay strings
    return not names or any(kind.value == n or kind.value.startswith(f"{n}.") for n in names)
