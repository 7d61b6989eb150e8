"""Jupyter notebooks over stdio by LSP 3.17 notebook sync: each cell is a document of its own
(`vscode-notebook-cell:` URIs, as VS Code sends them), Python cells read in cell order (a
variable bound in one cell tells a later one what is called), Markdown cells read as Markdown;
cells added, removed, moved, edited and turned into Markdown; bad input answered empty."""

from __future__ import annotations

import pytest

from tests.lspclient import LspClient

NB = "file:///tmp/notebooks-e2e/train.ipynb"
PULL = {"textDocument": {"diagnostic": {}}, "notebookDocument": {"synchronization": {}}}
PUSH = {"textDocument": {"publishDiagnostics": {}}, "notebookDocument": {"synchronization": {}}}

LOAD = (
    "from transformers import AutoModelForCausalLM\n"
    "lm = AutoModelForCausalLM.from_pretrained('gpt2')\n"
)
NOTES = "Pass `attention_mask` when you batch for causal language modeling.\n"
CALL = "out = lm(input_ids=x, labels=y, use_cahce=True)\n"


def cell(n: int) -> str:
    return f"vscode-notebook-cell:/tmp/notebooks-e2e/train.ipynb#W{n}sZmlsZQ%3D%3D"


def item(n: int, text: str, language: str = "python", version: int = 1) -> dict:
    return {"uri": cell(n), "languageId": language, "version": version, "text": text}


def kind(language: str) -> int:
    return 1 if language == "markdown" else 2  # NotebookCellKind: Markup = 1, Code = 2


def open_notebook(server: LspClient, cells: list[tuple[int, str, str]]) -> None:
    server.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": NB,
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": kind(lang), "document": cell(n)} for n, _, lang in cells],
            },
            "cellTextDocuments": [item(n, text, lang) for n, text, lang in cells],
        },
    )


def change(server: LspClient, version: int, cells: dict) -> None:
    server.notify(
        "notebookDocument/didChange",
        {"notebookDocument": {"uri": NB, "version": version}, "change": {"cells": cells}},
    )


def hover_text(server: LspClient, n: int, line: int, character: int) -> str | None:
    answer = server.call(
        "textDocument/hover",
        {"textDocument": {"uri": cell(n)}, "position": {"line": line, "character": character}},
    )
    assert "result" in answer, answer
    return answer["result"]["contents"]["value"] if answer["result"] else None


def pull(server: LspClient, n: int) -> list[tuple[str, int]]:
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": cell(n)}})
    return [(d["code"], d["range"]["start"]["character"]) for d in answer["result"]["items"]]


def pushed(server: LspClient, n: int, since: int = 0) -> list[tuple[str, int]]:
    """The findings of the last push for a cell among the messages from index `since` on,
    once one has come."""

    def mine() -> list[dict] | None:
        found = [
            m
            for m in server.messages[since:]
            if m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == cell(n)
        ]
        return found or None

    last = server._wait(mine, f"no push for cell {n}", 10.0)[-1]
    return [(d["code"], d["range"]["start"]["character"]) for d in last["params"]["diagnostics"]]


@pytest.fixture
def server(request):
    client = LspClient.spawn(["-v"], on_request=lambda message: None)
    result = client.initialize(
        getattr(request, "param", PULL), initializationOptions={"transformersVersion": "5.25"}
    )
    client.capabilities = result["result"]["capabilities"]
    yield client
    assert client.shutdown() == 0
    client.stop()


def test_advertises_notebook_sync_for_jupyter(server):
    sync = server.capabilities["notebookDocumentSync"]
    assert sync["notebookSelector"] == [
        {
            "notebook": "jupyter-notebook",
            "cells": [{"language": "python"}, {"language": "markdown"}],
        }
    ]


def test_code_and_markdown_cells_answer(server):
    open_notebook(server, [(0, LOAD, "python"), (1, NOTES, "markdown"), (2, CALL, "python")])
    # The model class comes from the first cell's binding.
    labels = hover_text(server, 2, 0, 24)
    assert labels is not None and "(AutoModelForCausalLM) labels" in labels
    assert "attention_mask" in (hover_text(server, 1, 0, 8) or "")
    assert "causal language modeling" in (hover_text(server, 1, 0, 50) or "")
    # Completion and signature help in a code cell, for the same call.
    text = "lm(input_ids=x, "
    change(
        server,
        2,
        {
            "textContent": [
                {
                    "document": {"uri": cell(2), "version": 2},
                    "changes": [
                        {
                            "range": {
                                "start": {"line": 1, "character": 0},
                                "end": {"line": 1, "character": 0},
                            },
                            "text": text,
                        }
                    ],
                }
            ]
        },
    )
    position = {"line": 1, "character": len(text)}
    answer = server.call(
        "textDocument/completion", {"textDocument": {"uri": cell(2)}, "position": position}
    )
    labels_offered = {i["label"].rstrip("=") for i in answer["result"]["items"]}
    assert {"attention_mask", "labels", "use_cache"} <= labels_offered
    assert "input_ids" not in labels_offered  # already passed
    answer = server.call(
        "textDocument/signatureHelp", {"textDocument": {"uri": cell(2)}, "position": position}
    )
    signature = answer["result"]["signatures"][0]["label"]
    assert signature.startswith("AutoModelForCausalLM(")  # the class from the first cell


def test_cell_diagnostics_are_pushed_even_to_a_client_that_pulls(server):
    # vscode-languageclient 9 pulls for no notebook cell: cells' findings are pushed, and a pull
    # for a cell answers empty (a client that pulls them too shows each finding once).
    open_notebook(server, [(0, LOAD, "python"), (1, NOTES, "markdown"), (2, CALL, "python")])
    assert pushed(server, 2) == [("TG003", 32)]
    assert pull(server, 2) == []
    # A text document is still pulled, never pushed.
    server.open("file:///tmp/notebooks-e2e/plain.py", LOAD + CALL)
    answer = server.call(
        "textDocument/diagnostic", {"textDocument": {"uri": "file:///tmp/notebooks-e2e/plain.py"}}
    )
    assert [d["code"] for d in answer["result"]["items"]] == ["TG003"]
    assert not [
        m
        for m in server.messages
        if m.get("method") == "textDocument/publishDiagnostics"
        and m["params"]["uri"].endswith("plain.py")
    ]


@pytest.mark.parametrize("server", [PUSH], indirect=True)
def test_diagnostics_pushed_per_cell(server):
    open_notebook(server, [(0, LOAD, "python"), (2, CALL, "python")])
    pushed = server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == cell(2)
            and m["params"]["diagnostics"]
        )
    )
    assert [d["code"] for d in pushed["params"]["diagnostics"]] == ["TG003"]
    # Removing the cell that bound `lm` leaves `lm(...)` unknown: the warning is withdrawn.
    change(
        server,
        2,
        {
            "structure": {
                "array": {"start": 0, "deleteCount": 1, "cells": []},
                "didClose": [{"uri": cell(0)}],
            }
        },
    )
    server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == cell(2)
            and m["params"]["diagnostics"] == []
        )
    )
    # And the closed cell's own diagnostics were cleared.
    server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == cell(0)
            and m["params"]["diagnostics"] == []
        )
    )


def test_cells_added_removed_moved_and_edited(server):
    open_notebook(server, [(0, LOAD, "python"), (1, NOTES, "markdown")])
    # A cell added at the end reads the first cell's variable.
    mark = len(server.messages)
    change(
        server,
        2,
        {
            "structure": {
                "array": {
                    "start": 2,
                    "deleteCount": 0,
                    "cells": [{"kind": 2, "document": cell(2)}],
                },
                "didOpen": [item(2, CALL)],
            }
        },
    )
    assert "(AutoModelForCausalLM) labels" in (hover_text(server, 2, 0, 24) or "")
    assert pushed(server, 2, mark) == [("TG003", 32)]
    # Moved above the cell that binds `lm` (VS Code sends a move as a delete and an insert of
    # the same cell, neither closed nor opened): the class is no longer known there.
    change(server, 3, {"structure": {"array": {"start": 2, "deleteCount": 1, "cells": []}}})
    mark = len(server.messages)
    change(
        server,
        4,
        {
            "structure": {
                "array": {"start": 0, "deleteCount": 0, "cells": [{"kind": 2, "document": cell(2)}]}
            }
        },
    )
    assert "(AutoModelForCausalLM)" not in (hover_text(server, 2, 0, 24) or "")
    assert pushed(server, 2, mark) == []
    # Moved back below it: known again.
    change(server, 5, {"structure": {"array": {"start": 0, "deleteCount": 1, "cells": []}}})
    mark = len(server.messages)
    change(
        server,
        6,
        {
            "structure": {
                "array": {"start": 2, "deleteCount": 0, "cells": [{"kind": 2, "document": cell(2)}]}
            }
        },
    )
    assert pushed(server, 2, mark) == [("TG003", 32)]
    # An edit of the first cell binds `lm` to a tokenizer: the later cell reads it so.
    mark = len(server.messages)
    change(
        server,
        7,
        {
            "textContent": [
                {
                    "document": {"uri": cell(0), "version": 2},
                    "changes": [{"text": "lm = AutoTokenizer.from_pretrained('gpt2')\n"}],
                }
            ]
        },
    )
    assert pushed(server, 2, mark) == []
    padding = hover_text(server, 2, 0, 24)
    assert padding is None or "(AutoModelForCausalLM)" not in padding
    # The Markdown cell removed: its document is gone, hovers there answer nothing.
    mark = len(server.messages)
    change(
        server,
        8,
        {
            "structure": {
                "array": {"start": 1, "deleteCount": 1, "cells": []},
                "didClose": [{"uri": cell(1)}],
            }
        },
    )
    assert hover_text(server, 1, 0, 8) is None
    assert pushed(server, 2, mark) == []  # the cells below were checked again
    # A code cell turned into Markdown (as the notebook says) is read as prose.
    change(server, 9, {"data": [{"kind": 2, "document": cell(0)}]})  # no change of kind
    mark = len(server.messages)
    change(
        server,
        10,
        {
            "textContent": [
                {"document": {"uri": cell(0), "version": 3}, "changes": [{"text": LOAD}]}
            ]
        },
    )
    assert pushed(server, 2, mark) == [("TG003", 32)]
    mark = len(server.messages)
    change(server, 11, {"data": [{"kind": 1, "document": cell(2)}]})
    assert pushed(server, 2, mark) == []
    prose = hover_text(server, 2, 0, 24) or ""  # `labels` in prose: the glossary's term
    assert "*glossary*" in prose and "(AutoModelForCausalLM)" not in prose


def test_closing_the_notebook_closes_its_cells(server):
    open_notebook(server, [(0, LOAD, "python"), (2, CALL, "python")])
    assert hover_text(server, 2, 0, 24)
    server.notify(
        "notebookDocument/didClose",
        {
            "notebookDocument": {"uri": NB},
            "cellTextDocuments": [{"uri": cell(0)}, {"uri": cell(2)}],
        },
    )
    assert hover_text(server, 2, 0, 24) is None
    # Opened again, it answers again.
    open_notebook(server, [(0, LOAD, "python"), (2, CALL, "python")])
    assert "(AutoModelForCausalLM) labels" in (hover_text(server, 2, 0, 24) or "")


def test_bad_notebook_input_answers_empty_and_logs(server):
    open_notebook(server, [(0, LOAD, "python"), (2, CALL, "python")])
    # A cell URI nobody opened.
    assert hover_text(server, 7, 0, 3) is None
    server.wait_stderr(lambda text: "not open" in text and "W7s" in text)
    # A change to a notebook that is not open, to a cell the notebook does not hold, and a
    # structure change that does not fit.
    server.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": "file:///tmp/other.ipynb", "version": 2},
            "change": {"cells": {"data": []}},
        },
    )
    server.wait_stderr(lambda text: "notebook that is not open: file:///tmp/other.ipynb" in text)
    change(
        server,
        2,
        {
            "textContent": [
                {"document": {"uri": cell(9), "version": 2}, "changes": [{"text": "x = 1\n"}]}
            ]
        },
    )
    server.wait_stderr(lambda text: "change to a cell it does not hold" in text)
    change(server, 3, {"structure": {"array": {"start": 40, "deleteCount": 1, "cells": []}}})
    server.wait_stderr(lambda text: "does not fit its 2 cells" in text)
    # Malformed params: logged and dropped, the server carries on.
    server.notify(
        "notebookDocument/didChange",
        {"notebookDocument": {"uri": NB, "version": 4}, "change": {"cells": 5}},
    )
    server.notify("notebookDocument/didOpen", {"notebookDocument": {"uri": NB}})
    server.notify(
        "notebookDocument/didClose",
        {"notebookDocument": {"uri": "file:///nope"}, "cellTextDocuments": []},
    )
    server.wait_stderr(
        lambda text: "invalid params for notification notebookDocument/didOpen" in text
    )
    server.wait_stderr(lambda text: "close of a notebook that is not open" in text)
    server.notify("notebookDocument/didSave", {"notebookDocument": {"uri": NB}})
    server.notify("notebookDocument/didSave", {"notebookDocument": {"uri": "file:///nope"}})
    # The notebook is as it was: its cells still answer.
    assert "(AutoModelForCausalLM) labels" in (hover_text(server, 2, 0, 24) or "")
    server.check_alive()
