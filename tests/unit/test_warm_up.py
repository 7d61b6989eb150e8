"""Warm-up indexes every block ahead of hovers, and survives edits made while it runs; background
work is followed by what waits for it."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from transformers_glossary_ls.analysis import Analysis, calls
from transformers_glossary_ls.documents import BLOCK_LINES, Document
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.server import GlossaryServer

CHUNK = 'x = model(attention_mask=m)\n"""causal language modeling"""\n'


def test_warm_up_indexes_every_block():
    analysis = Analysis(Document("file:///w.py", CHUNK * (BLOCK_LINES * 3), "python"))
    steps = list(analysis.warm_up())
    doc = analysis.doc
    assert len(doc.blocks) >= 6 and len(steps) >= 2 * len(doc.blocks)  # small steps
    revisions = {block.revision for block in doc.blocks}
    assert {stamp for b in doc.blocks for stamp in b.stamps} == set(analysis._calls)  # indexed
    chunk = calls.CHUNK_LINES
    assert len(analysis._calls) == sum(-(-len(b.lines) // chunk) for b in doc.blocks)
    assert revisions <= set(analysis.python_states.runs)  # line states known
    assert len(analysis.python_states.entries) == len(doc.blocks)


def test_warm_up_keeps_going_through_edits():
    glossary = Glossary()
    analysis = Analysis(
        Document("file:///w.md", "self-attention\n\n" * (BLOCK_LINES * 2), "markdown")
    )
    doc = analysis.doc
    steps = analysis.warm_up()
    next(steps)
    assert glossary.hover(analysis, 2000, 3) is not None  # prose: the glossary term
    doc.replace(0, 0, 0, 0, "```text\n")  # a fence opened at the top while warming
    for _ in steps:
        pass
    assert glossary.hover(analysis, 2001, 3) is None  # the same line is inside the fence now
    doc.replace(0, 0, 1, 0, "")
    assert glossary.hover(analysis, 2000, 3) is not None


def test_warm_up_skips_languages_we_do_not_read():
    assert list(Analysis(Document("file:///w.txt", "padding", "plaintext")).warm_up()) == []


def test_completion_lists_are_built_a_few_names_per_idle_step():
    """A model's list has hundreds of names: built in the background a few at a time (a step
    between two requests must stay short), and the same list a request builds in one go."""
    from transformers_glossary_ls import kinds
    from transformers_glossary_ls.completion import NAMES_PER_STEP, ArgumentLists

    glossary = Glossary()
    glossary.load()
    facts = glossary.facts
    made: list[int] = []
    real_iter = facts.iter_names

    def counting(key):
        for fact in real_iter(key):
            made[-1] += 1
            yield fact

    facts.iter_names = counting
    stepwise = ArgumentLists(glossary.vocab, facts, glossary.usage)
    made.append(0)
    for _ in stepwise.build_steps(kinds.MODEL, "model"):
        made.append(0)
    facts.iter_names = real_iter
    assert sum(made) > 300 and len(made) > 300 // NAMES_PER_STEP
    assert max(made) <= NAMES_PER_STEP
    at_once = ArgumentLists(glossary.vocab, facts, glossary.usage).get(kinds.MODEL, "model")
    kept = stepwise.get(kinds.MODEL, "model")
    assert list(kept.ordered) == list(at_once.ordered)
    assert kept.fact_keys == at_once.fact_keys and kept.deprecated == at_once.deprecated
    assert list(stepwise.build_steps(kinds.MODEL, "model")) == []  # kept: nothing to do


@pytest.mark.parametrize(
    ("wanted", "fails", "followed"),
    [(True, False, True), (False, False, False), (True, True, True)],
    ids=["done", "no longer wanted", "failed"],
)
def test_background_work_is_followed_by_what_waits_for_it(wanted, fails, followed):
    """The installed classes' signatures are read in idle steps, and only then are the
    diagnostics checked again (`then`): unless a newer read or release took over."""
    server = GlossaryServer()
    told: list[str] = []

    def steps():
        yield
        if fails:
            raise ValueError("a broken step")
        yield

    async def run() -> None:
        server.in_background(steps(), lambda: wanted, "x failed", then=lambda: told.append("then"))
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert told == (["then"] if followed else [])


class Busy:
    """A connection whose client is busy (input waiting) until told otherwise."""

    def __init__(self) -> None:
        self.busy = True

    def quiet_for(self) -> float:
        return 0.0 if self.busy else 1.0


def test_not_even_the_first_step_runs_while_input_is_waiting():
    server = GlossaryServer()
    server.connection = Busy()
    ran: list[int] = []

    def steps():
        ran.append(1)
        yield
        ran.append(2)

    async def run() -> None:
        server.in_background(steps(), lambda: True, "x failed")
        for _ in range(20):
            await asyncio.sleep(0)  # messages of the busy client go first
        assert ran == []
        server.connection.busy = False
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert ran == [1, 2]


class Reading:
    """A connection that is reading a message (`long`: a long one) until told otherwise."""

    def __init__(self, long: bool = True) -> None:
        self.reading, self.long = True, long

    def input_pending(self) -> bool:
        return self.reading

    def long_input_pending(self) -> bool:
        return self.reading and self.long

    def quiet_for(self) -> float:
        return 0.0


def _lex_like(server: GlossaryServer, steps) -> None:
    """Background work as the lexing after an opening runs: no pause awaited, long slices."""
    server.in_background(steps, lambda: True, "x failed", wait_for_quiet=False, slice_seconds=3600)


@pytest.mark.parametrize("long", [True, False], ids=["long message", "request"])
def test_the_lexing_after_an_opening_lets_a_long_message_being_read_go_first(long):
    """The lexing that does not wait for a pause still waits, before its first step, while a
    message is being read; and a long message arriving (a second document opened, with the
    hover that follows it) ends its slice at the next step, however long the slice has left
    (here an hour), and is read and handled before more is lexed. A request arriving meanwhile
    waits for the slice: the lexing must get on under a stream of requests."""
    server = GlossaryServer()
    connection = server.connection = Reading(long)
    ran: list[int] = []

    def steps():
        for k in range(4):
            ran.append(k)
            if k == 1:
                connection.reading = True  # bytes arrive while the second step runs
            yield

    async def run() -> None:
        _lex_like(server, steps())
        for _ in range(20):
            await asyncio.sleep(0)
        assert ran == []  # not even the first step
        connection.reading = False
        for _ in range(20):
            await asyncio.sleep(0)
        if long:
            assert ran == [0, 1]  # the slice ends at the step that saw the message arrive
            connection.reading = False
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert ran == [0, 1, 2, 3]


def test_the_client_is_quiet_only_a_while_after_our_answer():
    """After an answer the client cannot have sent its next request yet: background work
    waits for its silence from then, not from its last request."""
    from transformers_glossary_ls.transport import Connection

    class Server:
        protocol = None

    connection = Connection(Server())
    connection.last_input -= 60  # the last request came a minute ago
    assert connection.quiet_for() > 30
    connection.wrote()  # and we have just answered it
    assert connection.quiet_for() < 30
    connection.queued = lambda: 1  # input waiting
    assert connection.quiet_for() == 0.0


class Waiting:
    """A connection with `left` messages waiting, one read between two looks."""

    def __init__(self, left: int) -> None:
        self.left, self.looks = left, 0

    def input_pending(self) -> bool:
        self.looks += 1
        self.left -= 1
        return self.left >= 0


@pytest.mark.parametrize(("waiting", "looks", "looked"), [(0, 5, 1), (3, 10, 4), (50, 4, 4)])
def test_taking_a_read_waits_for_the_waiting_input_but_not_forever(waiting, looks, looked):
    server = GlossaryServer()
    server.connection = connection = Waiting(waiting)
    asyncio.run(server.no_input_waiting(looks))
    assert connection.looks == looked


def _connection():
    """A stdio connection whose client has just sent something (not quiet)."""
    from transformers_glossary_ls.transport import Connection

    class Server:
        protocol = None

    return Connection(Server())


def test_work_in_turns_runs_right_after_an_answer_and_never_while_input_waits(monkeypatch):
    """The common catalogue files and completion lists are read in the turn after each answer
    (the client reads it before it sends more), not only once the client is quiet: a stream of
    requests with no pause would otherwise build them in the requests themselves."""
    from transformers_glossary_ls import server as server_module

    monkeypatch.setattr(server_module, "QUIET_SECONDS", 60.0)  # the client is never quiet here
    monkeypatch.setattr(server_module, "TURN_SECONDS", 60.0)  # a turn long enough for any step
    server = GlossaryServer()
    connection = server.connection = _connection()
    waiting = {"input": False}
    connection.queued = lambda: int(waiting["input"])
    ran: list[int] = []

    def steps():
        for n in range(4):
            ran.append(n)
            if n == 1:
                waiting["input"] = True  # a request arrives during the turn
            yield

    async def run() -> None:
        server.in_background(steps(), lambda: True, "x failed", turns=True)
        for _ in range(20):
            await asyncio.sleep(0)
        assert ran == []  # not before an answer: the first step waits for a turn too
        connection._turned()  # a batch of messages answered
        for _ in range(20):
            await asyncio.sleep(0)
        assert ran == [0, 1]  # then the request that came: the turn ends
        connection._turned()  # still waiting: no turn
        for _ in range(20):
            await asyncio.sleep(0)
        assert ran == [0, 1]
        waiting["input"] = False
        connection._turned()  # answered
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert ran == [0, 1, 2, 3]


def test_no_turn_while_our_answer_is_still_being_written(monkeypatch):
    from transformers_glossary_ls import server as server_module

    monkeypatch.setattr(server_module, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(server_module, "TURN_SECONDS", 60.0)
    server = GlossaryServer()
    connection = server.connection = _connection()
    writing = {"now": True}
    connection.output_pending = lambda: writing["now"]
    ran: list[int] = []

    def steps():
        ran.append(0)
        yield

    async def run() -> None:
        server.in_background(steps(), lambda: True, "x failed", turns=True)
        connection._turned()
        for _ in range(20):
            await asyncio.sleep(0)
        assert ran == []  # the writing thread needs the interpreter now
        writing["now"] = False
        connection._turned()
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert ran == [0]


def test_a_turn_gives_up_the_core_once_before_its_first_step(monkeypatch):
    """Linux wakes the client that reads our answer on our core: a turn's steps, started at
    once, would keep it waiting (measured: +0.2-0.3 ms on the benchmark's hover p99). The
    core is given up once per answered batch, before any step, not once per step."""
    from transformers_glossary_ls import server as server_module

    monkeypatch.setattr(server_module, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(server_module, "TURN_SECONDS", 60.0)
    events: list[str] = []
    monkeypatch.setattr(server_module, "yield_cpu", lambda: events.append("yield"))
    server = GlossaryServer()
    connection = server.connection = _connection()

    def steps():
        for n in range(3):
            events.append(f"step {n}")
            yield

    async def run() -> None:
        server.in_background(steps(), lambda: True, "x failed", turns=True)
        for _ in range(20):
            await asyncio.sleep(0)
        assert events == []
        connection._turned()  # a batch answered: one turn, its steps after one yield
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert events == ["yield", "step 0", "step 1", "step 2"]


def test_work_in_turns_also_runs_once_the_client_is_quiet():
    server = GlossaryServer()
    connection = server.connection = _connection()
    connection.last_input -= 60  # the client has been silent for a minute
    ran: list[int] = []

    def steps():
        ran.append(0)
        yield
        ran.append(1)

    async def run() -> None:
        server.in_background(steps(), lambda: True, "x failed", turns=True)
        await asyncio.gather(*server._warming)  # no answer needed

    asyncio.run(run())
    assert ran == [0, 1]


def test_a_documents_diagnostics_are_checked_after_its_warm_up():
    """The idle moments after an opening go to the warm-up before the diagnostics: a hover
    then finds its region indexed sooner, and the check finds it indexed too."""
    from transformers_glossary_ls.transport import Connection

    class Server:
        protocol = None

    server = GlossaryServer()
    connection = server.connection = Connection(Server())
    connection.last_input -= 60  # the client is quiet
    analysis = Analysis(Document("file:///w.py", CHUNK * (BLOCK_LINES * 2), "python"))
    uri = analysis.doc.uri
    checks: list[bool] = []

    async def check(checked) -> bool:
        checks.append(server._warming_up.get(uri) is checked)  # still warming up?
        return True

    server._check_between_messages = check
    server.publish = lambda _: None

    async def run() -> None:
        server.documents[uri] = analysis
        server.warm_up(analysis)
        server.schedule_push(uri)
        assert server._warming_up.get(uri) is analysis
        await asyncio.gather(*server._warming)

    asyncio.run(run())
    assert checks == [False]  # checked once, after the warm-up
    assert uri not in server._warming_up


def test_a_read_starts_once_the_catalogue_files_of_the_start_are_in():
    """Two background jobs at once would both slow the requests meanwhile: the read of the
    installed packages waits for `load_more` (as long as its patience lasts)."""
    server = GlossaryServer()
    events: list[str] = []

    async def preload() -> None:
        for _ in range(3):
            await asyncio.sleep(0.001)
        server.glossary.loaded_more = True
        events.append("loaded")

    async def run() -> None:
        task = asyncio.create_task(preload())
        await server.settled(patience=30)
        events.append("settled")
        await task

    asyncio.run(run())
    assert events == ["loaded", "settled"]
    server.glossary.loaded_more = False
    asyncio.run(server.settled(patience=0.05))  # never loaded: the patience ends the wait


def test_load_more_says_when_it_has_run_to_its_end():
    glossary = GlossaryServer().glossary
    steps = glossary.load_more()
    next(steps)
    assert not glossary.loaded_more
    for _ in steps:
        pass
    assert glossary.loaded_more


@pytest.mark.parametrize("markdown", [True, False], ids=["markdown", "plaintext"])
def test_load_more_renders_the_hover_texts_asked_for_most(monkeypatch, markdown):
    """After `load_more`, a hover on a term or on a common call's keyword finds its text
    rendered (a first hover's rendering is 0.1-0.3 ms), in the client's markup."""
    from transformers_glossary_ls import engine

    glossary = Glossary()
    glossary.load()
    for _ in glossary.load_more(markdown):
        pass

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered in the request")

    monkeypatch.setattr(engine, "hover_text", no_rendering)
    monkeypatch.setattr(engine, "fact_text", no_rendering)
    text = (
        "args = TrainingArguments(output_dir='o', learning_rate=2e-5)\n"
        "out = model.generate(ids, max_new_tokens=20)\n"
        "# the attention mask marks padding\n"
    )
    analysis = Analysis(Document("file:///t.py", text, "python"))
    for line, word in ((0, "learning_rate"), (1, "max_new_tokens"), (2, "attention mask")):
        answer = glossary.hover(analysis, line, text.splitlines()[line].index(word) + 2, markdown)
        assert answer is not None and word.split()[0] in answer.text, word


def test_load_more_renders_every_entry_s_text_before_it_builds_a_list():
    """A client that asks at once (a server started while another was starting) hovers on
    terms long before it completes: the entries' texts come before the completion lists."""
    glossary = Glossary()
    glossary.load()
    lists = glossary.argument_lists._lists
    steps = glossary.load_more(True)
    for _ in steps:
        if len(lists):
            break
    else:
        raise AssertionError("load_more built no list")
    missing = [e for e in glossary.vocab.entries if glossary._texts.get((e, None, True)) is None]
    assert missing == []
    for _ in steps:
        pass
    assert glossary.loaded_more


def test_a_change_that_fails_leaves_the_others_of_its_burst_applied(monkeypatch, caplog):
    """The keystrokes read in one go reach `edit` together: one that fails to apply (a fault of
    ours) is logged, and the ones after it are still applied, as one message at a time were."""
    server = GlossaryServer()
    analysis = Glossary().open("file:///burst.py", "x = 1\n", "python", 1)
    replace = Document.replace

    def failing(self, start_line, start_index, end_line, end_index, text, version=None):
        if text == "!":
            raise RuntimeError("a fault of ours")
        return replace(self, start_line, start_index, end_line, end_index, text, version)

    monkeypatch.setattr(Document, "replace", failing)

    def typed(column: int, text: str):
        at = types.Position(line=0, character=column)
        return types.TextDocumentContentChangePartial(types.Range(at, at), text)

    changes = [typed(5, "2"), typed(6, "!"), typed(6, "3")]
    with caplog.at_level("ERROR"):
        server.edit(analysis, changes, 4)
    assert analysis.doc.line(0) == "x = 123"
    assert analysis.doc.version == 4
    assert "applying a change to file:///burst.py failed" in caplog.text
