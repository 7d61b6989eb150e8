// The VS Code side: read settings, find Python, start `python -m transformers_glossary_ls` over
// stdio, and get out of the way. Every decision that needs no `vscode` lives in launch.ts.
import * as os from "os";
import * as vscode from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";
import {
  RestartPolicy,
  SECTION,
  Settings,
  StartProblem,
  GlossaryFiles,
  SettingLevels,
  classifyImportCheck,
  commandLine,
  configurationPayload,
  describeProblem,
  documentSelector,
  folderInterpreters,
  glossaryFiles,
  initializationOptions,
  needsRestart,
  planLaunch,
  readSettings,
} from "./launch";
import { findExecutable, runImportCheck } from "./preflight";

const NAME = "Transformers Glossary";
const SHOW_LOG = "Show Log";
const COPY_COMMAND = "Copy Command";

let output: vscode.OutputChannel;
let client: GlossaryClient | undefined;
/** Serializes start/stop so that quick setting changes cannot start two servers. */
let queue: Promise<void> = Promise.resolve();
/** Only the first notification per start attempt is shown, so a failing server cannot spam. */
let lastNotified = false;
/** Set as soon as a restart is due, so the old client does not push settings to a server being replaced. */
let restartPending = false;

/** The client reports its own start/close failures with generic notifications; we show our own instead. */
class GlossaryClient extends LanguageClient {
  override error(message: string, data?: unknown, showNotification: boolean | "force" = true): void {
    const ours = /couldn't create connection to server|Connection to server got closed|Restarting server failed|Server initialization failed/.test(message);
    super.error(message, data, ours ? false : showNotification);
  }
}

function log(message: string): void {
  output.appendLine(`[${new Date().toISOString()}] ${message}`);
}

/** Shows the one notification for a start problem, with "Show Log" and, where useful, "Copy Command". */
async function notify(problem: StartProblem): Promise<void> {
  const notice = describeProblem(problem);
  log(notice.message);
  const buttons = notice.copy ? [SHOW_LOG, COPY_COMMAND] : [SHOW_LOG];
  const choice = await vscode.window.showErrorMessage(notice.message, ...buttons);
  if (choice === SHOW_LOG) {
    output.show(true);
  } else if (choice === COPY_COMMAND && notice.copy) {
    await vscode.env.clipboard.writeText(notice.copy);
  }
}

/** `extraGlossaryFiles` by level: the window's view, and each folder's own settings (multi-root). */
function currentGlossaryFiles(): GlossaryFiles {
  const key = "extraGlossaryFiles";
  const folders = vscode.workspace.workspaceFolders ?? [];
  const levels: SettingLevels[] = [
    vscode.workspace.getConfiguration(SECTION).inspect(key),
    ...folders.map((f) => vscode.workspace.getConfiguration(SECTION, f.uri).inspect(key)),
  ].flatMap((l) => (l ? [l] : []));
  return glossaryFiles(levels, vscode.workspace.isTrusted);
}

function currentSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return readSettings((key) => cfg.get(key), currentGlossaryFiles(), selectedInterpreter, vscode.workspace.isTrusted, selectedInterpreters);
}

/** Sends our options (never the merged section, which mixes in untrusted workspace values). */
function pushSettings(c: LanguageClient): Promise<void> {
  return c.sendNotification(DidChangeConfigurationNotification.type, { settings: configurationPayload(currentSettings()) });
}

/** The interpreter the Python extension selected, as last asked; "" when none. */
let selectedInterpreter = "";
/** Per workspace folder, where it differs from `selectedInterpreter` (see folderInterpreters). */
let selectedInterpreters: Record<string, string> = {};

// The parts of the Python extension's API we use (ms-python.python, `environments`); all optional.
interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
  resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

async function pythonEnvironments(): Promise<PythonEnvironmentsApi | undefined> {
  try {
    const ext = vscode.extensions.getExtension<{ environments?: PythonEnvironmentsApi }>("ms-python.python");
    if (!ext) {
      return undefined;
    }
    const api = ext.isActive ? ext.exports : await ext.activate();
    const envs = api?.environments;
    return envs && typeof envs.getActiveEnvironmentPath === "function" && typeof envs.resolveEnvironment === "function" ? envs : undefined;
  } catch (e) {
    log(`Python extension API not usable: ${String(e)}`);
    return undefined;
  }
}

/** The interpreter selected in the Python extension for each workspace folder: [folder path, interpreter or ""]. */
async function pythonExtensionFolderInterpreters(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    out.push([folder.uri.fsPath, (await pythonExtensionInterpreter(folder.uri))?.[0] ?? ""]);
  }
  return out;
}

/** The interpreter selected in the Python extension (for a folder: the first one's by default), if it is installed and has one. */
async function pythonExtensionInterpreter(resource = vscode.workspace.workspaceFolders?.[0]?.uri): Promise<string[] | undefined> {
  const envs = await pythonEnvironments();
  if (!envs) {
    return undefined;
  }
  try {
    const active = envs.getActiveEnvironmentPath(resource);
    if (!active) {
      return undefined;
    }
    const resolved = await envs.resolveEnvironment(active);
    const exe = resolved?.executable?.uri?.fsPath;
    return exe ? [exe] : undefined;
  } catch (e) {
    log(`could not ask the Python extension for its interpreter: ${String(e)}`);
    return undefined;
  }
}

/** Restarts a server that dies after it was up, a few times; one that never came up is not restarted. */
function errorHandler(policy: RestartPolicy, command: string, isUp: () => boolean, onEarlyClose: () => void): ErrorHandler {
  return {
    error(): ErrorHandlerResult {
      return { action: ErrorAction.Continue, handled: true };
    },
    closed(): CloseHandlerResult {
      if (!isUp()) {
        onEarlyClose();
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      if (policy.onClose(Date.now())) {
        log(`server exited; restarting (${policy.recentCloses}/${policy.maxRestarts})`);
        return { action: CloseAction.Restart, handled: true };
      }
      notifyOnce({ kind: "crashed", times: policy.recentCloses, command });
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}

async function startServer(): Promise<void> {
  // The project's interpreter, passed to the server as a path to read (it never runs it); also the
  // default interpreter for the server itself unless a setting names one.
  selectedInterpreter = (await pythonExtensionInterpreter())?.[0] ?? "";
  selectedInterpreters = folderInterpreters(await pythonExtensionFolderInterpreters(), selectedInterpreter);
  const settings = currentSettings();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const ctx = { home: os.homedir(), workspaceFolder: folder, env: process.env };
  const fromPythonExt = settings.server.path.length === 0 && settings.server.interpreter.length === 0 && selectedInterpreter
    ? [selectedInterpreter]
    : undefined;
  const plan = planLaunch(settings, fromPythonExt, ctx);
  log(`server command (from ${plan.source}): ${commandLine([plan.command, ...plan.args])}`);

  if (plan.python) {
    const result = await runImportCheck(plan.python);
    const problem = classifyImportCheck(plan.python, result);
    if (problem) {
      if (result.stderr.trim()) {
        log(`import check stderr:\n${result.stderr.trimEnd()}`);
      }
      notifyOnce(problem);
      return;
    }
  } else if (!findExecutable(plan.command)) {
    notifyOnce({ kind: "missing-command", command: plan.command });
    return;
  }

  // No `transport` on purpose: with TransportKind.stdio the client appends `--stdio` to the command
  // line; left out, it still talks over stdio and runs exactly the planned command.
  const serverOptions: ServerOptions = {
    command: plan.command,
    args: plan.args,
    options: folder ? { cwd: folder } : undefined,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(settings.enabledLanguages),
    initializationOptions: initializationOptions(settings),
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // Our own payload instead of the client's (the merged section): see pushSettings.
        didChangeConfiguration: () => (restartPending ? Promise.resolve() : pushSettings(c)),
      },
    },
    outputChannel: output,
    errorHandler: errorHandler(new RestartPolicy(), plan.command, () => up, () => (failure = "the server process exited")),
    // No retry prompt and no generic notification of the client's own: we say it once, below.
    initializationFailedHandler: (error) => {
      failure ??= error instanceof Error ? error.message : String(error);
      return false;
    },
  };
  let up = false;
  let failure: string | undefined;
  const c = new GlossaryClient(SECTION, NAME, serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
  } catch (e) {
    failure ??= e instanceof Error ? e.message : String(e);
  }
  // start() can resolve although the process died during initialize, so ask the client's state too.
  if (c.isRunning()) {
    up = true;
    log(`server started for ${settings.enabledLanguages.join(", ")}`);
    return;
  }
  const detail = (failure ?? "it did not initialize").split("\n")[0];
  log(`server failed to start: ${detail}`);
  await stopServer();
  notifyOnce({ kind: "start-failed", command: commandLine([plan.command, ...plan.args]), detail });
}

function notifyOnce(problem: StartProblem): void {
  if (lastNotified) {
    log(describeProblem(problem).message);
    return;
  }
  lastNotified = true;
  void notify(problem);
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) {
    return;
  }
  try {
    if (c.isRunning()) {
      await c.stop(5_000);
    }
  } catch (e) {
    log(`stopping the server failed: ${String(e)}`);
  }
  try {
    await c.dispose(1_000);
  } catch {
    // already stopped
  }
}

function restart(reason: string): Promise<void> {
  restartPending = true;
  queue = queue.then(async () => {
    log(`restarting the server: ${reason}`);
    lastNotified = false;
    await stopServer();
    restartPending = false;
    await startServer();
  }).catch((e) => log(`restart failed: ${String(e)}`));
  return queue;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(NAME);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(`${SECTION}.restart`, () => restart("command")),
    vscode.commands.registerCommand(`${SECTION}.showLog`, () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        void restart("settings changed");
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const c = client;
      if (c?.isRunning() && !restartPending) {
        log("workspace trusted: sending its vocabulary files to the server, and reading .transformers-glossary.yaml");
        pushSettings(c).catch((e) => log(`sending settings failed: ${String(e)}`));
      }
    }),
  );
  log(`${NAME} ${String(context.extension.packageJSON.version)} activating`);

  const envs = await pythonEnvironments();
  const changed = envs?.onDidChangeActiveEnvironmentPath;
  if (changed) {
    context.subscriptions.push(
      changed(async () => {
        const s = currentSettings();
        if (s.server.path.length === 0 && s.server.interpreter.length === 0) {
          void restart("Python extension interpreter changed");
          return;
        }
        // The server runs elsewhere: tell it which environments to read now.
        selectedInterpreter = (await pythonExtensionInterpreter())?.[0] ?? "";
        selectedInterpreters = folderInterpreters(await pythonExtensionFolderInterpreters(), selectedInterpreter);
        const c = client;
        if (c?.isRunning() && !restartPending) {
          pushSettings(c).catch((e) => log(`sending settings failed: ${String(e)}`));
        }
      }),
    );
  }

  queue = queue.then(startServer).catch((e) => log(`start failed: ${String(e)}`));
  await queue;
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
