#!/usr/bin/env bash
# End to end in a REAL JupyterLab 4 with jupyterlab-lsp: this checkout pip-installed with its
# `[jupyter]` extra into a venv (so jupyter-lsp finds our `jupyter_lsp_spec_v1` entry point; no
# config file), JupyterLab started on 127.0.0.1 with a token, a temporary notebook folder and no
# browser, and a notebook opened in Debian's headless Chromium driven by playwright-core (the
# VS Code test's node_modules and lib.mjs).
#
# Checks, in a notebook whose first cell holds `%pip` and `!pip` lines, with python-lsp-server
# (pylsp) installed as most jupyterlab-lsp users have it:
#  1. as installed (no setting): jupyter-lsp lists our spec for Markdown only (GET /lsp/status); a
#     Markdown cell put in edit mode shows our hover for a glossary phrase; pylsp and ours both run;
#  2. Python opted in (TRANSFORMERS_GLOSSARY_JUPYTER_LANGUAGES=markdown,python, and priority 60 over
#     pylsp's 50 in jupyterlab-lsp's settings; a second JupyterLab): the spec lists
#     Python too, a code cell shows our hover for `attention_mask=` in a call of a model that an
#     earlier cell loaded, `eval_strategy=` is "Not in your 4.40" (transformersVersion sent from
#     jupyterlab-lsp's serverSettings); in a cell below one doing
#     `lm = AutoModelForCausalLM.from_pretrained("gpt2")`, `atten` typed in `lm()` and Tab pressed,
#     the completer lists our `attention_mask=` with its shape and meaning beside it (text no
#     kernel item carries) and choosing it makes the line `logits = lm(attention_mask=)`; and
#     pylsp, outranked, is never started.
#
# Usage: bash tests/editors/jupyterlab/run_e2e.sh   (heavy installs cached in $E2E_CACHE)
# Env:   E2E_CACHE  the venv (default /tmp/jupyterlab-e2e-cache); pip's own cache keeps downloads
#        E2E_OUT    screenshots and the JupyterLab log (default /tmp/jupyterlab-e2e-out)
#        KEEP_RUN=1 keep the per-run temp dir (notebook folder, settings) for debugging
#        E2E_UPDATE_DOCS=0  do not copy the Markdown-cell screenshot to docs/images/ (never done in CI)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PW_DIR="$ROOT/tests/editors/vscode"   # playwright-core and lib.mjs live there
CACHE="${E2E_CACHE:-/tmp/jupyterlab-e2e-cache}"
OUT="${E2E_OUT:-/tmp/jupyterlab-e2e-out}"
HOST_PYTHON="${PYTHON:-python3}"
RUN="$(mktemp -d /tmp/jupyterlab-e2e-run.XXXXXX)"
JL_PID=""
T_START=$(date +%s)

log() { echo "== [$(date +%T)] $*"; }
timed() { # timed LABEL cmd...
  local label="$1"; shift
  local s rc=0; s=$(date +%s)
  "$@" || rc=$?
  log "$label: $(( $(date +%s) - s ))s$([ $rc -eq 0 ] || echo " (exit $rc)")"
  return $rc
}
cleanup() {
  declare -F stop_jl >/dev/null && stop_jl  # started with setsid: its PID is its process group (kernels and language servers too)
  if [ "${KEEP_RUN:-0}" != 1 ]; then rm -rf "$RUN"; else log "kept $RUN"; fi
}
trap cleanup EXIT
mkdir -p "$OUT" "$CACHE"
rm -f "$OUT"/*.png

# ---------------------------------------------------------------- 1. chromium (Debian)
apt_step() {
  if ! dpkg -s chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  fi
  chromium --version 2>/dev/null
}
timed "apt (chromium)" apt_step

# ---------------------------------------------------------------- 2. playwright-core (no browser download)
pw_step() {
  local stamp="$PW_DIR/node_modules/.e2e-lock.sha256" sum
  sum=$(sha256sum "$PW_DIR/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    (cd "$PW_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
}
timed "playwright-core" pw_step

# ---------------------------------------------------------------- 3. python: JupyterLab + our server
VENV="$CACHE/venv-jupyter"
venv_step() {
  [ -x "$VENV/bin/python" ] || "$HOST_PYTHON" -m venv "$VENV"
  # JupyterLab and the dependencies once (kept in the venv), our package rebuilt every run
  "$VENV/bin/pip" install -q --disable-pip-version-check "$ROOT[jupyter]"
  # the Python server most jupyterlab-lsp users run: ours must leave it in charge of code cells
  "$VENV/bin/pip" install -q --disable-pip-version-check python-lsp-server
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall "$ROOT"
  "$VENV/bin/jupyter" lab --version
  "$VENV/bin/pip" show -q jupyterlab-lsp jupyter-lsp 2>/dev/null | grep -E '^(Name|Version)' | paste - - || true
}
timed "python venv with pip install $ROOT[jupyter]" venv_step

# ---------------------------------------------------------------- 4. a notebook folder and a fresh JupyterLab profile
NB="$RUN/notebooks"
mkdir -p "$NB" "$RUN/settings/@jupyter-lsp/jupyterlab-lsp" "$RUN/config" "$RUN/data" "$RUN/runtime" "$RUN/ws"
# jupyterlab-lsp shows hovers while Ctrl is held unless told to show them on their own
cat > "$RUN/settings/@jupyter-lsp/jupyterlab-lsp/hover.jupyterlab-settings" <<'JSON'
{ "autoActivate": true, "delay": 100 }
JSON
mkdir -p "$RUN/settings/@jupyterlab/apputils-extension"   # no news feed, no update check
cat > "$RUN/settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings" <<'JSON'
{ "fetchNews": "false", "checkForUpdates": false }
JSON
"$HOST_PYTHON" - "$NB/train.ipynb" <<'PY'
import json, sys
def cell(kind, text):
    c = {"cell_type": kind, "id": f"c{cell.n}", "metadata": {}, "source": text}
    cell.n += 1
    if kind == "code":
        c.update(execution_count=None, outputs=[])
    return c
cell.n = 0
nb = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"},
    },
    "cells": [
        cell("code", "%pip install -q transformers\n!pip list | grep torch"),
        cell("markdown", "# Pretraining\n\nGPT-2 was pretrained with causal language modeling: "
                         "each token only sees the tokens before it."),
        cell("code", "import torch\nfrom transformers import AutoModel, AutoTokenizer\n\n"
                     "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")\n"
                     "model = AutoModel.from_pretrained(\"bert-base-uncased\")"),
        cell("code", "batch = tokenizer([\"Hello world\", \"Hi\"], padding=True, return_tensors=\"pt\")\n"
                     "x = batch[\"input_ids\"]\nmask = batch[\"attention_mask\"]\n"
                     "out = model(input_ids=x, attention_mask=mask)"),
        cell("code", "from transformers import TrainingArguments\n\n"
                     "args = TrainingArguments(output_dir=\"out\", eval_strategy=\"steps\")"),
        cell("code", "from transformers import AutoModelForCausalLM\n\n"
                     "lm = AutoModelForCausalLM.from_pretrained(\"gpt2\")"),
        cell("code", "logits = lm()"),  # the completion check types inside this call
    ],
}
json.dump(nb, open(sys.argv[1], "w"), indent=1)
PY

# ---------------------------------------------------------------- 5. JupyterLab on a free loopback port
free_port() { "$HOST_PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
TOKEN=$("$HOST_PYTHON" -c 'import secrets;print(secrets.token_hex(16))')
ROOT_FLAG=()
[ "$(id -u)" = 0 ] && ROOT_FLAG=(--allow-root)
start_jl() { # start_jl LOG [VAR=value...]: the environment JupyterLab (and so our spec) sees
  local jl_log="$1"; shift
  PORT=$(free_port)
  setsid env JUPYTER_CONFIG_DIR="$RUN/config" JUPYTER_DATA_DIR="$RUN/data" JUPYTER_RUNTIME_DIR="$RUN/runtime" \
    JUPYTERLAB_SETTINGS_DIR="$RUN/settings" JUPYTERLAB_WORKSPACES_DIR="$RUN/ws" IPYTHONDIR="$RUN/ipython" "$@" \
    "$VENV/bin/jupyter" lab --no-browser --ip 127.0.0.1 --port "$PORT" --ServerApp.port_retries=0 \
    --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$NB" "${ROOT_FLAG[@]}" \
    --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
    > "$jl_log" 2>&1 &
  JL_PID=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null 2>&1 && return 0
    kill -0 "$JL_PID" 2>/dev/null || break
    sleep 0.5
  done
  tail -30 "$jl_log"; return 1
}
stop_jl() { # ends JupyterLab's process group: its kernels and language servers too
  [ -n "$JL_PID" ] || return 0
  kill -TERM -- "-$JL_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 -- "-$JL_PID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$JL_PID" 2>/dev/null || true
  JL_PID=""
}

PASS=0; FAIL=0
count() { if "$@"; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); fi; }
session_check() { # session_check KEY STATUS: a language server's session as jupyter-lsp reports it
  curl -fs "http://127.0.0.1:$PORT/lsp/status?token=$TOKEN" > "$RUN/status.json" || return 1
  "$HOST_PYTHON" - "$RUN/status.json" "$1" "$2" <<'PY'
import json, sys
session = json.load(open(sys.argv[1]))["sessions"].get(sys.argv[2]) or {}
print(f"{sys.argv[2]}: {session.get('status')} (expected {sys.argv[3]})")
sys.exit(0 if session.get("status") == sys.argv[3] else 1)
PY
}
spec_check() { # spec_check LANGUAGE...: jupyter-lsp found our spec (entry point) for exactly these
  curl -fs "http://127.0.0.1:$PORT/lsp/status?token=$TOKEN" > "$RUN/status.json" || return 1
  "$HOST_PYTHON" - "$RUN/status.json" "$@" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
spec = status["specs"].get("transformers-glossary-ls")  # argv is blanked in this answer
print("spec:", json.dumps(spec and {k: spec[k] for k in ("languages", "display_name")}))
sys.exit(0 if spec and set(spec["languages"]) == set(sys.argv[2:]) else 1)
PY
}
hover_check() { # hover_check LABEL VAR=value...
  local label="$1"; shift
  log "check: $label"
  count timed "$label" timeout 240 env LAB_URL="http://127.0.0.1:$PORT/lab/tree/train.ipynb?token=$TOKEN" \
    "$@" node "$HERE/hover_e2e.mjs"
}

# 1. as installed: Markdown only
timed "JupyterLab up (no setting)" start_jl "$OUT/jupyterlab.log" TRANSFORMERS_GLOSSARY_JUPYTER_LANGUAGES=
log "JupyterLab on 127.0.0.1:$PORT, pid/pgid $JL_PID"
count timed "GET /lsp/status: our spec, Markdown only" spec_check markdown ipythongfm gfm
hover_check "hover 'causal language modeling' in a Markdown cell" CELL_TYPE=markdown \
  WORD="causal language modeling" EXPECT="causal language modeling|predicts the next token" \
  OUT_PNG="$OUT/hover-markdown-cell.png"
# (once the page is closed jupyter-lsp stops the servers it started: "stopped" means it ran)
count timed "both servers ran: ours (Markdown) and pylsp (Python)" \
  session_check transformers-glossary-ls stopped
count timed "pylsp ran for the code cells" session_check pylsp stopped
stop_jl

# 2. Python opted in, and ranked above pylsp (JupyterLab uses the highest-ranked server only)
# (jupyterlab-lsp's own setting, `priority`, becomes JupyterLab's `rank`; it overrides the latter)
cat > "$RUN/settings/@jupyter-lsp/jupyterlab-lsp/plugin.jupyterlab-settings" <<'JSON'
{ "language_servers": { "transformers-glossary-ls": {
    "priority": 60,
    "serverSettings": { "transformersGlossary": { "transformersVersion": "4.40" } } } } }
JSON
timed "JupyterLab up (markdown,python)" start_jl "$OUT/jupyterlab-python.log" \
  TRANSFORMERS_GLOSSARY_JUPYTER_LANGUAGES=markdown,python
log "JupyterLab on 127.0.0.1:$PORT, pid/pgid $JL_PID"
count timed "GET /lsp/status: our spec, Markdown and Python" spec_check markdown ipythongfm gfm python
hover_check "hover attention_mask in a code cell" CELL_TYPE=code WORD=attention_mask WORD_LINE="out = model(" \
  EXPECT="(AutoModel) attention_mask|Mask of 1s and 0s|(batch_size, sequence_length)" \
  OUT_PNG="$OUT/hover-code-cell.png"
hover_check "hover eval_strategy with transformersVersion 4.40 from serverSettings" CELL_TYPE=code \
  WORD=eval_strategy WORD_LINE="args = TrainingArguments(" EXPECT="Not in your 4.40|new in 4.41" \
  OUT_PNG="$OUT/hover-release-setting.png"
log "check: complete 'atten' typed in lm() of a code cell"
count timed "completion attention_mask= in lm(...) of a code cell" timeout 240 env \
  LAB_URL="http://127.0.0.1:$PORT/lab/tree/train.ipynb?token=$TOKEN" CALL="logits = lm(" TYPED=atten \
  LABEL="attention_mask=" EXPECT="(batch_size, sequence_length)|Mask of 1s and 0s" \
  OUT_PNG="$OUT/completion-code-cell.png" node "$HERE/completion_e2e.mjs"
count timed "pylsp, outranked, was not started" session_check pylsp not_started
stop_jl

if [ "$FAIL" -gt 0 ]; then
  for f in "$OUT"/jupyterlab*.log; do log "--- $f (last 20 lines)"; tail -20 "$f"; done
fi
if [ -f "$OUT/hover-markdown-cell.png" ] && [ "${CI:-}" != true ] && [ "${E2E_UPDATE_DOCS:-1}" != 0 ]; then
  mkdir -p "$ROOT/docs/images" && cp "$OUT/hover-markdown-cell.png" "$ROOT/docs/images/jupyterlab-hover.png"
  log "copied the Markdown-cell hover screenshot to docs/images/jupyterlab-hover.png"
fi
log "screenshots and the JupyterLab logs in $OUT; total $(( $(date +%s) - T_START ))s"
echo "jupyterlab e2e: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
