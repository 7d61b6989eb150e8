// Unit tests for the launch logic (no VS Code needed): `npm test`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_LANGUAGES,
  GlossaryFiles,
  RESTART_SETTINGS,
  RestartPolicy,
  SECTION,
  SettingLevels,
  Settings,
  classifyImportCheck,
  commandLine,
  configurationPayload,
  describeProblem,
  documentSelector,
  expandVariables,
  folderInterpreters,
  glossaryFiles,
  importCheckArgv,
  initializationOptions,
  needsRestart,
  pipInstallCommand,
  planLaunch,
  readSettings,
  shellQuote,
} from "../launch";

/** Settings as VS Code would hand them over, from a flat {"server.interpreter": ...} map. */
function settings(values: Record<string, unknown> = {}, files?: GlossaryFiles): Settings {
  return readSettings((key) => values[key], files);
}

describe("readSettings", () => {
  it("uses the package.json defaults when nothing is set", () => {
    assert.deepEqual(settings(), {
      server: { interpreter: [], path: [] },
      enabledLanguages: ["python", "markdown"],
      logLevel: "warning",
      extraGlossaryFiles: [],
      workspaceGlossaryFiles: [],
      completion: { prose: true },
      python: "",
      transformersVersion: "",
      selectedInterpreter: "",
      selectedInterpreters: {},
      repositoryVocabulary: true,
      navigation: { arguments: false },
      diagnostics: { enabled: true, select: [], ignore: [] },
    });
  });

  it("never takes vocabulary paths from the merged value, which mixes in workspace settings", () => {
    const s = settings({ extraGlossaryFiles: ["/repo/.vscode/../../etc/passwd"] });
    assert.deepEqual([s.extraGlossaryFiles, s.workspaceGlossaryFiles], [[], []]);
  });

  const rows: [string, Record<string, unknown>, (s: Settings) => unknown, unknown][] = [
    ["interpreter as a string", { "server.interpreter": "/venv/bin/python" }, (s) => s.server.interpreter, ["/venv/bin/python"]],
    ["interpreter as an array", { "server.interpreter": ["uv", "run", "python"] }, (s) => s.server.interpreter, ["uv", "run", "python"]],
    ["blank interpreter string is unset", { "server.interpreter": "  " }, (s) => s.server.interpreter, []],
    ["non-strings dropped from arrays", { "server.path": ["tgls", 3, null, ""] }, (s) => s.server.path, ["tgls"]],
    ["server.path as a string", { "server.path": "/opt/tgls" }, (s) => s.server.path, ["/opt/tgls"]],
    ["known log level kept", { logLevel: "debug" }, (s) => s.logLevel, "debug"],
    ["unknown log level falls back", { logLevel: "loud" }, (s) => s.logLevel, "warning"],
    ["prose false kept", { "completion.prose": false }, (s) => s.completion.prose, false],
    ["prose non-boolean falls back", { "completion.prose": "no" }, (s) => s.completion.prose, true],
    ["languages kept", { enabledLanguages: ["python"] }, (s) => s.enabledLanguages, ["python"]],
    ["languages empty list kept", { enabledLanguages: [] }, (s) => s.enabledLanguages, []],
    ["languages bad type falls back", { enabledLanguages: "python" }, (s) => s.enabledLanguages, [...DEFAULT_LANGUAGES]],
    ["diagnostics off kept", { "diagnostics.enabled": false }, (s) => s.diagnostics.enabled, false],
    ["diagnostics.enabled non-boolean falls back", { "diagnostics.enabled": "no" }, (s) => s.diagnostics.enabled, true],
    ["diagnostics.select kept, trimmed", { "diagnostics.select": [" TG001", "TG00"] }, (s) => s.diagnostics.select, ["TG001", "TG00"]],
    ["diagnostics.ignore as one string", { "diagnostics.ignore": "TG003" }, (s) => s.diagnostics.ignore, ["TG003"]],
    ["diagnostics lists drop non-strings and blanks", { "diagnostics.ignore": ["TG004", 3, null, " "] }, (s) => s.diagnostics.ignore, ["TG004"]],
    ["diagnostics.select bad type is empty", { "diagnostics.select": { TG001: true } }, (s) => s.diagnostics.select, []],
  ];
  for (const [name, values, pick, expected] of rows) {
    it(name, () => assert.deepEqual(pick(settings(values)), expected));
  }
});

describe("glossaryFiles: vocabulary paths by the level that set them", () => {
  const user = "~/my-vocab.yaml";
  const repo = "/etc/passwd"; // what a cloned repository's .vscode/settings.json might name
  type Row = [string, SettingLevels[], boolean, GlossaryFiles];
  const rows: Row[] = [
    ["nothing set", [{}], true, { user: [], workspace: [] }],
    ["no inspection at all", [], true, { user: [], workspace: [] }],
    ["user paths go in an untrusted workspace", [{ globalValue: [user] }], false, { user: [user], workspace: [] }],
    ["user paths go in a trusted workspace", [{ globalValue: [user] }], true, { user: [user], workspace: [] }],
    ["workspace paths are not sent while untrusted", [{ globalValue: [user], workspaceValue: [repo] }], false, { user: [user], workspace: [] }],
    ["workspace paths go once trusted, apart from the user's", [{ globalValue: [user], workspaceValue: [repo] }], true, { user: [user], workspace: [repo] }],
    ["a folder's own settings are workspace level", [{ workspaceFolderValue: ["vocab.yaml"] }], false, { user: [], workspace: [] }],
    ["a folder's own settings once trusted", [{ workspaceFolderValue: ["vocab.yaml"] }], true, { user: [], workspace: ["vocab.yaml"] }],
    [
      "a workspace value that merely repeats a user path is still workspace level",
      [{ globalValue: [user], workspaceValue: [user] }],
      false,
      { user: [user], workspace: [] },
    ],
    [
      "several folders: each folder's paths, once, after the window's",
      [
        { globalValue: [user], workspaceValue: ["/ws/a.yaml"] },
        { globalValue: [user], workspaceValue: ["/ws/a.yaml"], workspaceFolderValue: ["/f1/b.yaml"] },
        { globalValue: [user], workspaceValue: ["/ws/a.yaml"], workspaceFolderValue: ["/f2/c.yaml"] },
      ],
      true,
      { user: [user], workspace: ["/ws/a.yaml", "/f1/b.yaml", "/f2/c.yaml"] },
    ],
    [
      "several folders while untrusted: none sent",
      [{ workspaceValue: ["/ws/a.yaml"] }, { workspaceValue: ["/ws/a.yaml"], workspaceFolderValue: ["/f1/b.yaml"] }],
      false,
      { user: [], workspace: [] },
    ],
    ["a string is one path; non-strings and blanks dropped", [{ globalValue: "  /u.yaml ", workspaceValue: [3, "", "/w.yaml"] }], true, { user: ["/u.yaml"], workspace: ["/w.yaml"] }],
    ["a bad workspace value is no path", [{ workspaceValue: { path: "/etc/passwd" } }], false, { user: [], workspace: [] }],
  ];
  for (const [name, levels, trusted, expected] of rows) {
    it(name, () => assert.deepEqual(glossaryFiles(levels, trusted), expected));
  }
});

describe("initializationOptions", () => {
  it("is camelCase with exactly the server's options", () => {
    const s = settings(
      {
        logLevel: "info",
        extraGlossaryFiles: ["/merged.yaml"],
        "completion.prose": false,
        "server.interpreter": "/x/python",
      },
      { user: ["/a.yaml", "/b.yaml"], workspace: ["vocab/team.yaml"] },
    );
    assert.deepEqual(initializationOptions(s), {
      logLevel: "info",
      extraGlossaryFiles: ["/a.yaml", "/b.yaml"],
      workspaceGlossaryFiles: ["vocab/team.yaml"],
      completion: { prose: false },
      repositoryVocabulary: true,
      navigation: { arguments: false },
      diagnostics: { enabled: true, select: [], ignore: [] },
    });
  });

  it("sends the project's interpreter, the selected one and a release only when set", () => {
    const s = readSettings(
      (key) => ({ python: " /proj/.venv ", transformersVersion: "4.45.2" })[key],
      undefined,
      "/proj/.venv/bin/python",
    );
    assert.deepEqual(initializationOptions(s), {
      logLevel: "warning",
      extraGlossaryFiles: [],
      workspaceGlossaryFiles: [],
      completion: { prose: true },
      repositoryVocabulary: true,
      navigation: { arguments: false },
      diagnostics: { enabled: true, select: [], ignore: [] },
      python: "/proj/.venv",
      transformersVersion: "4.45.2",
      selectedInterpreter: "/proj/.venv/bin/python",
    });
  });

  it("defaults", () => {
    assert.deepEqual(initializationOptions(settings()), {
      logLevel: "warning",
      extraGlossaryFiles: [],
      workspaceGlossaryFiles: [],
      completion: { prose: true },
      repositoryVocabulary: true,
      navigation: { arguments: false },
      diagnostics: { enabled: true, select: [], ignore: [] },
    });
  });

  it("passes the diagnostics setting as the server reads it ({enabled, select, ignore})", () => {
    const s = settings({ "diagnostics.enabled": false, "diagnostics.select": ["TG00"], "diagnostics.ignore": ["TG003"] });
    assert.deepEqual(initializationOptions(s).diagnostics, { enabled: false, select: ["TG00"], ignore: ["TG003"] });
  });

  it("an untrusted workspace's paths reach neither key", () => {
    const levels = [{ globalValue: ["/u.yaml"], workspaceValue: ["/proc/self/environ"], workspaceFolderValue: ["../../x.yaml"] }];
    const sent = JSON.stringify(initializationOptions(settings({}, glossaryFiles(levels, false))));
    assert.ok(sent.includes("/u.yaml"), sent);
    assert.ok(!sent.includes("environ") && !sent.includes("x.yaml"), sent);
  });
});

describe("repository vocabulary and navigation", () => {
  const rows: [string, boolean, Record<string, unknown>, { repositoryVocabulary: boolean; navigation: { arguments: boolean } }][] = [
    ["read in a trusted workspace", true, {}, { repositoryVocabulary: true, navigation: { arguments: false } }],
    ["not read while untrusted", false, {}, { repositoryVocabulary: false, navigation: { arguments: false } }],
    ["argument navigation when asked", true, { "navigation.arguments": true }, { repositoryVocabulary: true, navigation: { arguments: true } }],
    ["a bad value is the default", true, { "navigation.arguments": "yes" }, { repositoryVocabulary: true, navigation: { arguments: false } }],
  ];
  for (const [name, trusted, values, expected] of rows) {
    it(name, () => {
      const options = initializationOptions(readSettings((key) => values[key], undefined, "", trusted));
      assert.deepEqual({ repositoryVocabulary: options.repositoryVocabulary, navigation: options.navigation }, expected);
    });
  }
});

describe("configurationPayload", () => {
  it("is the same options under our section, for didChangeConfiguration", () => {
    const s = settings({ logLevel: "debug" }, { user: ["/u.yaml"], workspace: ["/w.yaml"] });
    assert.deepEqual(configurationPayload(s), { [SECTION]: initializationOptions(s) });
    assert.deepEqual(Object.keys(configurationPayload(s)), ["transformersGlossary"]);
  });
});

describe("planLaunch: interpreter fallback order", () => {
  const rows: [string, Record<string, unknown>, string[] | undefined, { command: string; args: string[]; python?: string[]; source: string }][] = [
    [
      "server.path wins over everything",
      { "server.path": ["/opt/tgls/bin/tgls", "--log-file", "/tmp/x"], "server.interpreter": "/venv/bin/python" },
      ["/ext/python"],
      { command: "/opt/tgls/bin/tgls", args: ["--log-file", "/tmp/x"], source: "server.path" },
    ],
    [
      "interpreter setting wins over the Python extension",
      { "server.interpreter": "/venv/bin/python" },
      ["/ext/python"],
      { command: "/venv/bin/python", args: ["-m", "transformers_glossary_ls"], python: ["/venv/bin/python"], source: "server.interpreter" },
    ],
    [
      "interpreter as a command with arguments",
      { "server.interpreter": ["uv", "run", "python"] },
      undefined,
      { command: "uv", args: ["run", "python", "-m", "transformers_glossary_ls"], python: ["uv", "run", "python"], source: "server.interpreter" },
    ],
    [
      "the Python extension's interpreter when no setting",
      {},
      ["/home/u/.venv/bin/python"],
      { command: "/home/u/.venv/bin/python", args: ["-m", "transformers_glossary_ls"], python: ["/home/u/.venv/bin/python"], source: "python extension" },
    ],
    [
      "python3 when nothing else",
      {},
      undefined,
      { command: "python3", args: ["-m", "transformers_glossary_ls"], python: ["python3"], source: "default" },
    ],
    [
      "python3 when the Python extension gives an empty path",
      {},
      [""],
      { command: "python3", args: ["-m", "transformers_glossary_ls"], python: ["python3"], source: "default" },
    ],
  ];
  for (const [name, values, ext, expected] of rows) {
    it(name, () => assert.deepEqual(planLaunch(settings(values), ext, {}, "linux"), expected));
  }

  it("python on Windows when nothing else", () => {
    assert.equal(planLaunch(settings(), undefined, {}, "win32").command, "python");
  });

  it("expands ~ and ${workspaceFolder} in the interpreter", () => {
    const plan = planLaunch(settings({ "server.interpreter": "${workspaceFolder}/.venv/bin/python" }), undefined, {
      workspaceFolder: "/proj",
    });
    assert.equal(plan.command, "/proj/.venv/bin/python");
    const home = planLaunch(settings({ "server.path": ["~/bin/tgls", "${userHome}/log"] }), undefined, { home: "/home/u" });
    assert.deepEqual([home.command, ...home.args], ["/home/u/bin/tgls", "/home/u/log"]);
  });
});

describe("expandVariables", () => {
  const ctx = { home: "/home/u", workspaceFolder: "/ws", env: { VENV: "/v" } };
  const rows: [string, string][] = [
    ["~", "/home/u"],
    ["~/x", "/home/u/x"],
    ["a~b", "a~b"],
    ["${userHome}/y", "/home/u/y"],
    ["${workspaceFolder}/.venv/bin/python", "/ws/.venv/bin/python"],
    ["${env:VENV}/bin/python", "/v/bin/python"],
    ["${env:NOPE}x", "x"],
    ["plain", "plain"],
  ];
  for (const [input, expected] of rows) {
    it(`${input} -> ${expected}`, () => assert.equal(expandVariables(input, ctx), expected));
  }
  it("leaves ${workspaceFolder} when there is no folder", () => {
    assert.equal(expandVariables("${workspaceFolder}/p", {}), "${workspaceFolder}/p");
  });
});

describe("documentSelector", () => {
  it("covers file and untitled documents of each language, notebook cells and .mdx files", () => {
    assert.deepEqual(documentSelector(["python", "markdown"]), [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
      { notebook: "jupyter-notebook", language: "python" },
      { notebook: "jupyter-notebook", language: "markdown" },
      { scheme: "file", pattern: "**/*.mdx" },
      { scheme: "file", pattern: "**/.transformers-glossary.yaml" },
      { scheme: "file", pattern: "**/.transformers-glossary/*.yaml" },
    ]);
  });
  it("leaves out the cells and .mdx of languages not enabled", () => {
    assert.deepEqual(documentSelector(["python"]), [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      { notebook: "jupyter-notebook", language: "python" },
      { scheme: "file", pattern: "**/.transformers-glossary.yaml" },
      { scheme: "file", pattern: "**/.transformers-glossary/*.yaml" },
    ]);
    assert.deepEqual(documentSelector(["rust"]), [
      { scheme: "file", language: "rust" },
      { scheme: "untitled", language: "rust" },
      { scheme: "file", pattern: "**/.transformers-glossary.yaml" },
      { scheme: "file", pattern: "**/.transformers-glossary/*.yaml" },
    ]);
  });
});

describe("needsRestart", () => {
  const rows: [string, boolean][] = [
    ["transformersGlossary.server.interpreter", true],
    ["transformersGlossary.server.path", true],
    ["transformersGlossary.enabledLanguages", true],
    ["transformersGlossary.logLevel", false],
    ["transformersGlossary.completion.prose", false],
    ["transformersGlossary.trace.server", false],
    ["editor.fontSize", false],
  ];
  for (const [changed, expected] of rows) {
    it(`${changed} -> ${expected}`, () => {
      // affectsConfiguration(s) is true for the changed key and its parent sections
      assert.equal(needsRestart((s) => changed === s || changed.startsWith(s + ".")), expected);
    });
  }
  it("lists the three restart settings", () => assert.equal(RESTART_SETTINGS.length, 3));
});

describe("command lines", () => {
  it("import check argv", () => {
    assert.deepEqual(importCheckArgv(["/v/bin/python"]), ["/v/bin/python", "-c", "import transformers_glossary_ls"]);
  });
  const quoteRows: [string, string, string][] = [
    ["/usr/bin/python3", "linux", "/usr/bin/python3"],
    ["/home/me/my env/bin/python", "linux", "'/home/me/my env/bin/python'"],
    ["it's", "linux", "'it'\\''s'"],
    ["", "linux", "''"],
    ["C:\\Program Files\\Python\\python.exe", "win32", '"C:\\Program Files\\Python\\python.exe"'],
  ];
  for (const [arg, platform, expected] of quoteRows) {
    it(`quotes ${JSON.stringify(arg)} on ${platform}`, () => assert.equal(shellQuote(arg, platform), expected));
  }
  it("pip install command for a plain interpreter", () => {
    assert.equal(pipInstallCommand(["/v/bin/python"], "linux"), "/v/bin/python -m pip install transformers-glossary-ls");
  });
  it("pip install command for an interpreter with spaces and arguments", () => {
    assert.equal(
      pipInstallCommand(["conda", "run", "-n", "my env", "python"], "linux"),
      "conda run -n 'my env' python -m pip install transformers-glossary-ls",
    );
  });
  it("commandLine joins quoted args", () => assert.equal(commandLine(["a", "b c"], "linux"), "a 'b c'"));
});

describe("classifyImportCheck", () => {
  const py = ["/v/bin/python"];
  const notFound =
    'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\nModuleNotFoundError: No module named \'transformers_glossary_ls\'\n';
  const rows: [string, Parameters<typeof classifyImportCheck>[1], string | undefined][] = [
    ["ok", { exitCode: 0, stderr: "" }, undefined],
    ["package missing", { exitCode: 1, stderr: notFound }, "missing-package"],
    ["interpreter missing", { spawnError: "ENOENT", exitCode: null, stderr: "" }, "missing-interpreter"],
    ["interpreter not executable", { spawnError: "EACCES", exitCode: null, stderr: "" }, "missing-interpreter"],
    ["wrapper reports missing program", { exitCode: 127, stderr: "env: python: No such file" }, "missing-interpreter"],
    ["a dependency is missing", { exitCode: 1, stderr: "ModuleNotFoundError: No module named 'pygls'\n" }, "import-failed"],
    ["a submodule of ours is missing is not 'not installed'", { exitCode: 1, stderr: "No module named 'transformers_glossary_ls.x'" }, "import-failed"],
    ["timed out", { exitCode: null, stderr: "", timedOut: true }, "import-failed"],
  ];
  for (const [name, result, kind] of rows) {
    it(name, () => assert.equal(classifyImportCheck(py, result)?.kind, kind));
  }
  it("import-failed carries the last stderr line", () => {
    const p = classifyImportCheck(py, { exitCode: 1, stderr: "Traceback...\nImportError: cannot import name 'X'\n" });
    assert.deepEqual(p, { kind: "import-failed", python: py, detail: "ImportError: cannot import name 'X'" });
  });
});

describe("describeProblem", () => {
  it("missing package: names the exact pip command and offers to copy it", () => {
    const n = describeProblem({ kind: "missing-package", python: ["/v/bin/python"] }, "linux");
    assert.match(n.message, /not installed/);
    assert.ok(n.message.includes("/v/bin/python -m pip install transformers-glossary-ls"), n.message);
    assert.equal(n.copy, "/v/bin/python -m pip install transformers-glossary-ls");
  });
  it("missing interpreter: says Python was not found and names the setting", () => {
    const n = describeProblem({ kind: "missing-interpreter", python: ["python3"] }, "linux");
    assert.match(n.message, /"python3" was not found/);
    assert.match(n.message, /transformersGlossary\.server\.interpreter/);
    assert.equal(n.copy, undefined);
  });
  it("missing server command names server.path", () => {
    const n = describeProblem({ kind: "missing-command", command: "/nope/tgls" }, "linux");
    assert.match(n.message, /\/nope\/tgls.*transformersGlossary\.server\.path/);
  });
  it("start failure names the command and points to the log", () => {
    const n = describeProblem({ kind: "start-failed", command: "/v/bin/python -m transformers_glossary_ls", detail: "the server process exited" });
    assert.match(n.message, /\/v\/bin\/python -m transformers_glossary_ls\) failed to start: the server process exited\. .*log/);
  });
  it("crash says it will not restart", () => {
    assert.match(describeProblem({ kind: "crashed", times: 4, command: "x" }).message, /stopped 4 times.*not be restarted/);
  });
});

describe("RestartPolicy", () => {
  it("restarts up to max times in the window, then stops", () => {
    const p = new RestartPolicy(3, 1000);
    assert.deepEqual([0, 10, 20, 30].map((t) => p.onClose(t)), [true, true, true, false]);
  });
  it("forgets closes older than the window", () => {
    const p = new RestartPolicy(2, 1000);
    assert.equal(p.onClose(0), true);
    assert.equal(p.onClose(100), true);
    assert.equal(p.onClose(5000), true);
    assert.equal(p.recentCloses, 1);
  });
  it("reset clears the history", () => {
    const p = new RestartPolicy(1, 1000);
    p.onClose(0);
    p.reset();
    assert.equal(p.onClose(1), true);
  });
});

describe("package.json", () => {
  // Read from the source tree: out/test/ is two levels below the package root.
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));

  it("restricts in untrusted workspaces every setting that names a path the server reads", () => {
    const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const key of ["python", "extraGlossaryFiles", "server.interpreter", "server.path"]) {
      assert.ok(restricted.includes(`${SECTION}.${key}`), key);
    }
  });

  it("declares the settings the server reads", () => {
    const props = manifest.contributes.configuration.properties;
    for (const key of [
      "python",
      "transformersVersion",
      "extraGlossaryFiles",
      "logLevel",
      "diagnostics.enabled",
      "diagnostics.select",
      "diagnostics.ignore",
    ]) {
      assert.ok(`${SECTION}.${key}` in props, key);
    }
  });
});

describe("folderInterpreters", () => {
  it("keeps each folder's own interpreter where it differs from the window's", () => {
    const folders: [string, string][] = [
      ["/w/a", "/w/a/.venv/bin/python"],
      ["/w/b", "/envs/b/bin/python"],
      ["/w/c", ""],
    ];
    assert.deepEqual(folderInterpreters(folders, "/w/a/.venv/bin/python"), { "/w/b": "/envs/b/bin/python" });
  });
  it("sends them to the server, and nothing when there are none", () => {
    const s = readSettings(() => undefined, undefined, "/w/a/python", true, { "/w/b": "/envs/b/python" });
    assert.deepEqual(initializationOptions(s).selectedInterpreters, { "/w/b": "/envs/b/python" });
    assert.equal("selectedInterpreters" in initializationOptions(readSettings(() => undefined)), false);
  });
});
