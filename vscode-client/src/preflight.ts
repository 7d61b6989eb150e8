// Checks made before the server is started, so a missing Python or package gives one clear message
// instead of a crashing server. Node only, no `vscode` import.
import { execFile } from "child_process";
import { accessSync, constants, statSync } from "fs";
import * as path from "path";
import { ImportCheckResult, importCheckArgv } from "./launch";

/** Runs `python -c "import transformers_glossary_ls"` and reports how it went (never rejects). */
export function runImportCheck(python: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Promise<ImportCheckResult> {
  const [command, ...args] = importCheckArgv(python);
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, env, windowsHide: true }, (error, _stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null }) | null;
      if (!err) {
        resolve({ exitCode: 0, stderr: String(stderr) });
      } else if (typeof err.code === "string") {
        resolve({ spawnError: err.code, exitCode: null, stderr: String(stderr ?? "") });
      } else {
        resolve({
          exitCode: typeof err.code === "number" ? err.code : null,
          stderr: String(stderr ?? ""),
          timedOut: err.killed === true && !!err.signal,
        });
      }
    });
  });
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) {
      return false;
    }
    accessSync(p, process.platform === "win32" ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `command` the way spawn would: as a path if it has a separator, else on PATH. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string | undefined {
  const exts = platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";")] : [""];
  const candidates = command.includes("/") || (platform === "win32" && command.includes("\\"))
    ? [command]
    : (env.PATH ?? env.Path ?? "").split(path.delimiter).filter((d) => d !== "").map((d) => path.join(d, command));
  for (const c of candidates) {
    for (const ext of exts) {
      if (isExecutableFile(c + ext)) {
        return c + ext;
      }
    }
  }
  return undefined;
}
