// How the server is launched, decided from plain data: no `vscode` import here, so all of it is
// unit-tested with `node --test`. extension.ts reads the settings and hands them in.

/** The Python module that runs the server (`python -m transformers_glossary_ls`). */
export const SERVER_MODULE = "transformers_glossary_ls";
/** The distribution name on PyPI, for the install hint. */
export const SERVER_PACKAGE = "transformers-glossary-ls";
/** The configuration section; also the client id, so vscode-languageclient reads `<id>.trace.server`. */
export const SECTION = "transformersGlossary";
/** The interpreter tried last: `python3`, or `python` on Windows (where `python3` is usually a Store stub). */
export function defaultPython(platform: string = process.platform): string {
  return platform === "win32" ? "python" : "python3";
}
export const DEFAULT_LANGUAGES: readonly string[] = ["python", "markdown"];
export const LOG_LEVELS = ["error", "warning", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings whose change needs a new server process (the rest reach it via didChangeConfiguration). */
export const RESTART_SETTINGS: readonly string[] = [
  `${SECTION}.server.interpreter`,
  `${SECTION}.server.path`,
  `${SECTION}.enabledLanguages`,
];

export interface Settings {
  server: {
    /** Interpreter argv (a path, or a command and its arguments); empty: not set. */
    interpreter: string[];
    /** Full server argv; empty: not set. Wins over the interpreter. */
    path: string[];
  };
  enabledLanguages: string[];
  logLevel: LogLevel;
  /** Vocabulary files from the user's own settings: the server may read them anywhere. */
  extraGlossaryFiles: string[];
  /** Vocabulary files from workspace settings (empty until the workspace is trusted). */
  workspaceGlossaryFiles: string[];
  completion: { prose: boolean };
  /** The project's interpreter or environment folder, whose transformers answers are for (read, never run by the server). */
  python: string;
  /** Answer for this transformers release whatever is installed; empty: the installed one. */
  transformersVersion: string;
  /** The interpreter selected in the Python extension (filled in by extension.ts); empty: none. */
  selectedInterpreter: string;
  /** The same per workspace folder (folder path -> interpreter), where a folder has its own. */
  selectedInterpreters: Record<string, string>;
  /** Whether the server reads the repository's `.transformers-glossary.yaml`: the workspace's trust. */
  repositoryVocabulary: boolean;
  /** Definitions from built-in argument names in code, and built-in arguments in symbol search. */
  navigation: { arguments: boolean };
  diagnostics: DiagnosticsSettings;
}

/** Which findings the server reports (codes or prefixes such as "TG003", "TG00"). */
export interface DiagnosticsSettings {
  enabled: boolean;
  /** Only codes starting with one of these; empty: all. */
  select: string[];
  /** Never codes starting with one of these. */
  ignore: string[];
}

/**
 * What the server receives as `initializationOptions` and in `didChangeConfiguration` (camelCase,
 * as on the wire). The server cannot tell where a merged value came from, so vocabulary paths
 * arrive split by level: `workspaceGlossaryFiles` come from a repository's settings, and the
 * server keeps them inside the workspace folders.
 */
export interface InitializationOptions {
  logLevel: LogLevel;
  extraGlossaryFiles: string[];
  workspaceGlossaryFiles: string[];
  completion: { prose: boolean };
  python?: string;
  transformersVersion?: string;
  selectedInterpreter?: string;
  selectedInterpreters?: Record<string, string>;
  repositoryVocabulary: boolean;
  navigation: { arguments: boolean };
  diagnostics: DiagnosticsSettings;
}

/** One setting's value at each level, as `WorkspaceConfiguration.inspect()` gives it. */
export interface SettingLevels {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Vocabulary paths by the level that set them. */
export interface GlossaryFiles {
  user: string[];
  workspace: string[];
}

/** Reads a value from the `transformersGlossary` section, e.g. `get("server.interpreter")`. */
export type SettingsGetter = (key: string) => unknown;

function stringList(value: unknown): string[] {
  if (typeof value === "string") {
    return value.trim() === "" ? [] : [value.trim()];
  }
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === "string" && v.trim() !== "");
  }
  return [];
}

/**
 * Splits `extraGlossaryFiles` by where it was set. `levels` holds one `inspect()` per place asked
 * (the window, and each workspace folder, whose own `.vscode/settings.json` shows up as its
 * `workspaceFolderValue`). User-level paths always go; workspace-level ones (a `.code-workspace`
 * file or a folder's settings, i.e. the repository's) only once the workspace is trusted, since
 * opening a cloned repository must not make the server read files of the repository's choosing.
 * (VS Code itself hides a restricted setting's workspace values in an untrusted workspace; this does
 * not rely on it.)
 */
export function glossaryFiles(levels: readonly SettingLevels[], trusted: boolean): GlossaryFiles {
  const unique = (paths: string[]) => [...new Set(paths)];
  const user = unique(levels.flatMap((l) => stringList(l.globalValue)));
  const workspace = unique(levels.flatMap((l) => [...stringList(l.workspaceValue), ...stringList(l.workspaceFolderValue)]));
  return { user, workspace: trusted ? workspace : [] };
}

const NO_FILES: GlossaryFiles = { user: [], workspace: [] };

/**
 * Builds typed settings from raw configuration values; a missing or bad value takes its default.
 * Vocabulary paths come from `files` (see `glossaryFiles`), never from the merged value.
 */
export function readSettings(
  get: SettingsGetter,
  files: GlossaryFiles = NO_FILES,
  selectedInterpreter = "",
  trusted = true,
  selectedInterpreters: Record<string, string> = {},
): Settings {
  const navigationArguments = get("navigation.arguments");
  const languages = get("enabledLanguages");
  const level = get("logLevel");
  const prose = get("completion.prose");
  const diagnosticsEnabled = get("diagnostics.enabled");
  const text = (key: string) => {
    const value = get(key);
    return typeof value === "string" ? value.trim() : "";
  };
  return {
    server: {
      interpreter: stringList(get("server.interpreter")),
      path: stringList(get("server.path")),
    },
    enabledLanguages: Array.isArray(languages) ? stringList(languages) : [...DEFAULT_LANGUAGES],
    logLevel: LOG_LEVELS.includes(level as LogLevel) ? (level as LogLevel) : "warning",
    extraGlossaryFiles: [...files.user],
    workspaceGlossaryFiles: [...files.workspace],
    completion: { prose: typeof prose === "boolean" ? prose : true },
    python: text("python"),
    transformersVersion: text("transformersVersion"),
    selectedInterpreter,
    selectedInterpreters: { ...selectedInterpreters },
    // A repository's own vocabulary is repository content: read only in a trusted workspace.
    repositoryVocabulary: trusted,
    navigation: { arguments: navigationArguments === true },
    diagnostics: {
      enabled: typeof diagnosticsEnabled === "boolean" ? diagnosticsEnabled : true,
      // Passed as written (trimmed): the server checks the codes and tells the user once.
      select: stringList(get("diagnostics.select")).map((c) => c.trim()),
      ignore: stringList(get("diagnostics.ignore")).map((c) => c.trim()),
    },
  };
}

export function initializationOptions(settings: Settings): InitializationOptions {
  const options: InitializationOptions = {
    logLevel: settings.logLevel,
    extraGlossaryFiles: [...settings.extraGlossaryFiles],
    workspaceGlossaryFiles: [...settings.workspaceGlossaryFiles],
    completion: { prose: settings.completion.prose },
    repositoryVocabulary: settings.repositoryVocabulary,
    navigation: { arguments: settings.navigation.arguments },
    // Always sent: a change back to the defaults must reach the server too.
    diagnostics: {
      enabled: settings.diagnostics.enabled,
      select: [...settings.diagnostics.select],
      ignore: [...settings.diagnostics.ignore],
    },
  };
  // Sent only when set: an empty string would read as "no environment" rather than "not said".
  if (settings.python) options.python = settings.python;
  if (settings.transformersVersion) options.transformersVersion = settings.transformersVersion;
  if (settings.selectedInterpreter) options.selectedInterpreter = settings.selectedInterpreter;
  if (Object.keys(settings.selectedInterpreters).length > 0) options.selectedInterpreters = { ...settings.selectedInterpreters };
  return options;
}

/** The `settings` of a `workspace/didChangeConfiguration`: our options under our section. */
export function configurationPayload(settings: Settings): { [SECTION]: InitializationOptions } {
  return { [SECTION]: initializationOptions(settings) };
}

/** A document filter as vscode-languageclient takes it (a cell filter names its notebook type). */
export type DocumentFilter =
  | { scheme: string; language: string }
  | { scheme: string; pattern: string }
  | { notebook: string; language: string };

/** Languages whose Jupyter notebook cells the server reads (by LSP notebook sync). */
export const NOTEBOOK_CELL_LANGUAGES: readonly string[] = ["python", "markdown"];

/** The repository vocabulary files, which the server checks, by name (no other YAML file). */
export const VOCABULARY_PATTERNS: readonly string[] = ["**/.transformers-glossary.yaml", "**/.transformers-glossary/*.yaml"];

/**
 * Documents the client hands to the server: saved files and untitled buffers of each language; the
 * Python and Markdown cells of Jupyter notebooks (the server advertises notebook sync for them, so
 * the client sends them as notebooks, not as text documents); `.mdx` files by their name, since
 * VS Code knows no MDX language (the server reads them as Markdown); and the repository's
 * vocabulary files, whatever their language.
 */
export function documentSelector(languages: readonly string[]): DocumentFilter[] {
  const out: DocumentFilter[] = languages.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]);
  for (const language of languages) {
    if (NOTEBOOK_CELL_LANGUAGES.includes(language)) out.push({ notebook: "jupyter-notebook", language });
  }
  if (languages.includes("markdown")) out.push({ scheme: "file", pattern: "**/*.mdx" });
  for (const pattern of VOCABULARY_PATTERNS) out.push({ scheme: "file", pattern });
  return out;
}

/** True when a configuration change touches a setting that needs a new server process. */
export function needsRestart(affectsConfiguration: (section: string) => boolean): boolean {
  return RESTART_SETTINGS.some((s) => affectsConfiguration(s));
}

export interface ExpandContext {
  home?: string;
  workspaceFolder?: string;
  env?: Record<string, string | undefined>;
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` as VS Code users expect. */
export function expandVariables(value: string, ctx: ExpandContext): string {
  let out = value.replace(/\$\{(userHome|workspaceFolder|env:([^}]+))\}/g, (whole, name: string, envName?: string) => {
    if (envName !== undefined) {
      return ctx.env?.[envName] ?? "";
    }
    const v = name === "userHome" ? ctx.home : ctx.workspaceFolder;
    return v ?? whole;
  });
  if (ctx.home && (out === "~" || out.startsWith("~/") || out.startsWith("~\\"))) {
    out = ctx.home + out.slice(1);
  }
  return out;
}

export type LaunchSource = "server.path" | "server.interpreter" | "python extension" | "default";

export interface LaunchPlan {
  command: string;
  args: string[];
  /** The interpreter argv when the server runs as `python -m`; undefined for `server.path`. */
  python?: string[];
  source: LaunchSource;
}

/**
 * Decides the server command line. Order: `server.path`, then `server.interpreter`, then the
 * interpreter selected in the Python extension (`pythonExtension`, if any), then `python3`
 * (`python` on Windows).
 */
export function planLaunch(
  settings: Settings,
  pythonExtension: string[] | undefined,
  ctx: ExpandContext = {},
  platform: string = process.platform,
): LaunchPlan {
  const expand = (argv: string[]) => argv.map((a) => expandVariables(a, ctx));
  if (settings.server.path.length > 0) {
    const [command, ...args] = expand(settings.server.path);
    return { command, args, source: "server.path" };
  }
  let python: string[];
  let source: LaunchSource;
  if (settings.server.interpreter.length > 0) {
    python = expand(settings.server.interpreter);
    source = "server.interpreter";
  } else if (pythonExtension && pythonExtension.length > 0 && pythonExtension[0] !== "") {
    python = [...pythonExtension];
    source = "python extension";
  } else {
    python = [defaultPython(platform)];
    source = "default";
  }
  const [command, ...rest] = python;
  return { command, args: [...rest, "-m", SERVER_MODULE], python, source };
}

/** The argv that checks whether the server package is importable by `python`. */
export function importCheckArgv(python: string[]): string[] {
  return [...python, "-c", `import ${SERVER_MODULE}`];
}

/** Quotes one argument for a POSIX shell (or cmd.exe on Windows) only when it needs it. */
export function shellQuote(arg: string, platform: string = process.platform): string {
  if (arg !== "" && /^[\w@%+=:,./\\-]+$/.test(arg)) {
    return arg;
  }
  if (platform === "win32") {
    return `"${arg.replace(/"/g, '""')}"`;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: string[], platform: string = process.platform): string {
  return argv.map((a) => shellQuote(a, platform)).join(" ");
}

/** The exact command that installs the server into `python`. */
export function pipInstallCommand(python: string[], platform: string = process.platform): string {
  return `${commandLine(python, platform)} -m pip install ${SERVER_PACKAGE}`;
}

/** Why the server could not be started, as found before or while starting it. */
export type StartProblem =
  | { kind: "missing-package"; python: string[] }
  | { kind: "missing-interpreter"; python: string[] }
  | { kind: "import-failed"; python: string[]; detail: string }
  | { kind: "missing-command"; command: string }
  | { kind: "start-failed"; command: string; detail: string }
  | { kind: "crashed"; times: number; command: string };

export interface Notice {
  message: string;
  /** A command line worth copying, if any (offered as "Copy Command"). */
  copy?: string;
}

/** The one notification shown for a start problem: what is wrong and what to do. */
export function describeProblem(p: StartProblem, platform: string = process.platform): Notice {
  switch (p.kind) {
    case "missing-package": {
      const cmd = pipInstallCommand(p.python, platform);
      return {
        message: `Transformers Glossary: the language server is not installed for ${commandLine(p.python, platform)}. Install it with: ${cmd}`,
        copy: cmd,
      };
    }
    case "missing-interpreter":
      return {
        message: `Transformers Glossary: Python interpreter "${commandLine(p.python, platform)}" was not found. Install Python 3, select an interpreter in the Python extension, or set "${SECTION}.server.interpreter".`,
      };
    case "import-failed": {
      const cmd = pipInstallCommand(p.python, platform);
      return {
        message: `Transformers Glossary: "${commandLine(p.python, platform)}" could not import ${SERVER_MODULE} (${p.detail}). Reinstall it with: ${cmd}`,
        copy: cmd,
      };
    }
    case "missing-command":
      return {
        message: `Transformers Glossary: server command "${p.command}" (setting "${SECTION}.server.path") was not found.`,
      };
    case "start-failed":
      return {
        message: `Transformers Glossary: the language server (${p.command}) failed to start: ${p.detail}. Its error output is in the log.`,
      };
    case "crashed":
      return {
        message: `Transformers Glossary: the language server stopped ${p.times} times in a row and will not be restarted. See the log, then run "Transformers Glossary: Restart Server".`,
      };
  }
}

/** Output of `python -c "import transformers_glossary_ls"`. */
export interface ImportCheckResult {
  /** Error code of a failed spawn, e.g. "ENOENT" or "EACCES". */
  spawnError?: string;
  exitCode: number | null;
  stderr: string;
  timedOut?: boolean;
}

/** Turns the import check's outcome into a start problem, or undefined when the server can start. */
export function classifyImportCheck(python: string[], r: ImportCheckResult): StartProblem | undefined {
  if (r.spawnError === "ENOENT" || r.spawnError === "EACCES" || r.spawnError === "ENOTDIR") {
    return { kind: "missing-interpreter", python };
  }
  if (r.timedOut) {
    return { kind: "import-failed", python, detail: "the import check timed out" };
  }
  if (r.spawnError) {
    return { kind: "import-failed", python, detail: r.spawnError };
  }
  if (r.exitCode === 0) {
    return undefined;
  }
  const missing = new RegExp(`No module named '?${SERVER_MODULE}'?(\\s|$)`);
  if (missing.test(r.stderr)) {
    return { kind: "missing-package", python };
  }
  // A shell wrapper (conda run, a missing venv behind a shim) reports a missing program this way.
  if (r.exitCode === 127) {
    return { kind: "missing-interpreter", python };
  }
  const lines = r.stderr.trim().split(/\r?\n/).filter((l) => l.trim() !== "");
  const detail = lines.length > 0 ? lines[lines.length - 1].trim() : `exit code ${r.exitCode}`;
  return { kind: "import-failed", python, detail };
}

/**
 * Decides whether a server that went away is started again: yes, unless it already went away
 * `maxRestarts` times within `windowMs` (a server that dies at start must not loop).
 */
export class RestartPolicy {
  private closes: number[] = [];

  constructor(
    readonly maxRestarts = 3,
    readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Records one close at `now` (ms); true when the server should be restarted. */
  onClose(now: number): boolean {
    this.closes = this.closes.filter((t) => now - t < this.windowMs);
    this.closes.push(now);
    return this.closes.length <= this.maxRestarts;
  }

  get recentCloses(): number {
    return this.closes.length;
  }

  reset(): void {
    this.closes = [];
  }
}

/**
 * Per workspace folder, the interpreter the Python extension selected for it, kept only where it
 * differs from the window's (`selected`): what the server needs to answer each folder for its own
 * environment. `folders` are (folder path, its interpreter or "" when none).
 */
export function folderInterpreters(folders: readonly [string, string][], selected: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [folder, interpreter] of folders) {
    if (interpreter && interpreter !== selected) out[folder] = interpreter;
  }
  return out;
}
