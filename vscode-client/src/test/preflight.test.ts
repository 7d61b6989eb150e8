// The pre-start checks against real processes: a real Python without the package, a missing
// interpreter, a fake interpreter that "has" it. `npm test`.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { classifyImportCheck } from "../launch";
import { findExecutable, runImportCheck } from "../preflight";

const dir = mkdtempSync(path.join(tmpdir(), "tgls-preflight-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const posix = process.platform !== "win32";

describe("runImportCheck", { skip: !posix && "POSIX shell scripts" }, () => {
  it("a missing interpreter is ENOENT -> missing-interpreter", async () => {
    const python = [path.join(dir, "no-such-python")];
    const r = await runImportCheck(python);
    assert.equal(r.spawnError, "ENOENT");
    assert.equal(classifyImportCheck(python, r)?.kind, "missing-interpreter");
  });

  it("an interpreter without the package -> missing-package", async () => {
    // Behaves like `python -c "import transformers_glossary_ls"` in an environment without it.
    const python = [
      script(
        "python-without",
        `echo "ModuleNotFoundError: No module named 'transformers_glossary_ls'" >&2; exit 1`,
      ),
    ];
    const r = await runImportCheck(python);
    assert.equal(r.exitCode, 1);
    assert.equal(classifyImportCheck(python, r)?.kind, "missing-package");
  });

  it("an interpreter with the package -> no problem, and it got the import argv", async () => {
    const seen = path.join(dir, "argv.txt");
    const python = [script("python-with", `printf '%s\\n' "$@" > '${seen}'; exit 0`), "-I"];
    const r = await runImportCheck(python);
    assert.equal(classifyImportCheck(python, r), undefined);
    assert.deepEqual(readFileSync(seen, "utf8").trim().split("\n"), ["-I", "-c", "import transformers_glossary_ls"]);
  });

  it("a real python3 without the package -> missing-package", { skip: !findExecutable("python3") && "no python3" }, async () => {
    // -I: ignore PYTHONPATH and user site-packages, so a developer's install does not leak in.
    const python = ["python3", "-I", "-S"];
    const r = await runImportCheck(python);
    assert.equal(classifyImportCheck(python, r)?.kind, "missing-package", r.stderr);
  });

  it("a hanging interpreter times out -> import-failed", async () => {
    const python = [script("python-hangs", "exec sleep 5")];
    const r = await runImportCheck(python, 200);
    assert.equal(r.timedOut, true);
    assert.equal(classifyImportCheck(python, r)?.kind, "import-failed");
  });
});

describe("findExecutable", { skip: !posix && "POSIX paths" }, () => {
  it("finds a command on PATH", () => {
    const exe = script("tgls-fake", "exit 0");
    assert.equal(findExecutable("tgls-fake", { PATH: `/nonexistent:${dir}` }), exe);
  });
  it("takes a path with a separator as is", () => {
    const exe = script("tgls-abs", "exit 0");
    assert.equal(findExecutable(exe, { PATH: "" }), exe);
  });
  it("undefined for a missing command", () => {
    assert.equal(findExecutable("surely-not-a-command-xyz", { PATH: dir }), undefined);
  });
  it("undefined for a file that is not executable", () => {
    const p = path.join(dir, "not-exec");
    writeFileSync(p, "x");
    chmodSync(p, 0o644);
    assert.equal(findExecutable(p, {}), undefined);
  });
});
