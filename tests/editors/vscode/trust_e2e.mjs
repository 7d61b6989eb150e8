// Workspace-trust check: code-server runs WITH workspace trust, and the workspace is untrusted. Its
// .vscode/settings.json points extraGlossaryFiles at a vocabulary file (inside the workspace) whose
// phrase "zorblax causal language modeling" contains the built-in phrase "causal language modeling";
// the user's own settings point it at another file, with "quuxle masked language modeling". The server
// answers a hover with the longest phrase it knows, so a hover on "causal" or "masked" always appears,
// and which definition it shows tells which files were read:
//   untrusted: "masked" shows the user's entry (user paths go, and extra files are loaded by now);
//              "causal" shows the built-in definition, never the workspace's; the workspace's file name
//              is in no message to the server (the extension's verbose trace is searched for it);
//   then "Workspaces: Manage Workspace Trust" -> Trust: its path is sent, in workspaceGlossaryFiles.
// With REPO_MARK, the same for the repository's own .transformers-glossary.yaml (found with no setting),
// whose phrase "snorfle attention mask" contains the built-in "attention mask": while untrusted the
// extension sends repositoryVocabulary: false and the hover is the built-in one; after trust, true, and
// the hover comes from the repository's file.
//
// Env:
//   CS_URL, WS_DIR   as in hover_e2e.mjs (required)
//   LOGS_DIR         code-server's logs folder (<user-data-dir>/logs), where the "Transformers Glossary"
//                    output channel (with trace.server = verbose) is written (required)
//   VOCAB_NAME       file name of the workspace's vocabulary file; must appear in no message sent to the
//                    server while untrusted (required)
//   LEAK_MARK        text only the workspace's vocabulary has (required)
//   USER_MARK        text only the user's vocabulary has (required)
//   FILE_NAME        default notes.md
//   EXPECT_TRUSTED_HOVER=1  after trust, also require the hover to come from the workspace's file (needs
//                    a server that reads workspaceGlossaryFiles); otherwise that hover is only logged
//   OUT_PNG          screenshot path (required); after trust a "-trusted" suffix
//   TIMEOUT_S        default 90
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { env, finish, launch, log, openWorkbench, quickOpen, runCommand, wordBox } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const LOGS_DIR = env("LOGS_DIR");
const VOCAB_NAME = env("VOCAB_NAME");
const FILE_NAME = env("FILE_NAME", "notes.md");
const LEAK_MARK = env("LEAK_MARK");
const USER_MARK = env("USER_MARK");
const BUILTIN_CLM = "predicts the next token"; // the built-in definition of causal language modeling
// [word to hover, text of its line, text every hover on it contains]
const WORKSPACE_TERM = ["causal", "zorblax", "causal language modeling"];
const USER_TERM = ["masked", "quuxle", "masked language modeling"];
const REPO_TERM = ["attention", "snorfle", "attention mask"];
const REPO_MARK = env("REPO_MARK", "");
const EXPECT_TRUSTED_HOVER = env("EXPECT_TRUSTED_HOVER", "0") === "1";
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;

/** Text of this window's "Transformers Glossary" output channel (the only window of this code-server). */
function extensionLog() {
  const files = readdirSync(LOGS_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.includes("output_logging_") && f.endsWith("Transformers Glossary.log"));
  return files.map((f) => readFileSync(join(LOGS_DIR, f), "utf8")).join("\n");
}

/** Waits (bounded) until the extension's log satisfies `ok`; returns the log. */
async function waitForLog(page, what, ok) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const text = extensionLog();
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`the extension's log never showed ${what}`);
    await page.waitForTimeout(500);
  }
}

/**
 * Our options as sent to the server, from the verbose trace: initialize's initializationOptions and
 * each didChangeConfiguration's settings, in order.
 */
function sentOptions(logText) {
  const sent = [];
  for (const entry of logText.split("[Trace - ").slice(1)) {
    const kind = /^[^\]]*\] Sending (request 'initialize|notification 'workspace\/didChangeConfiguration')/.exec(entry);
    const at = entry.indexOf("\nParams: ");
    if (!kind || at < 0) continue;
    const params = JSON.parse(entry.slice(at + 9).split("\n\n")[0]);
    sent.push(kind[1].startsWith("request") ? params.initializationOptions : params.settings?.transformersGlossary);
  }
  return sent;
}

/** Hovers `word` (on the line with `lineHas`) until a hover containing `phrase` appears; returns its text. */
async function hoverText(page, [word, lineHas, phrase]) {
  const hover = page.locator(".monaco-hover:visible, .monaco-resizable-hover:visible").filter({ hasText: phrase }).first();
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const box = await wordBox(page, word, lineHas);
    if (!box) throw new Error(`"${word}" not found on a line with "${lineHas}"`);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ state: "visible", timeout: 4_000 });
      await page.waitForTimeout(300); // let the markdown finish rendering
      return (await hover.innerText()).trim();
    } catch {
      log("no matching hover yet");
    }
  }
  throw new Error(`hover containing "${phrase}" never appeared`);
}

const { page, close } = await launch();
const problems = [];
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, WORKSPACE_TERM[1]);
  try {
    await page.locator(".statusbar", { hasText: "Restricted Mode" }).waitFor({ timeout: 15_000 });
  } catch {
    throw new Error(`the window is not in Restricted Mode (status bar: ${JSON.stringify(await page.locator(".statusbar").innerText())})`);
  }

  // 1. untrusted: the user's file is read (so extra files are loaded by now) ...
  const userText = await hoverText(page, USER_TERM);
  log(`untrusted hover on the user's term: ${JSON.stringify(userText.slice(0, 120))}`);
  if (!userText.includes(USER_MARK)) problems.push(`the user's vocabulary was not read ("${USER_MARK}" missing)`);
  // ... the workspace's is not: the built-in definition answers
  const text = await hoverText(page, WORKSPACE_TERM);
  log(`untrusted hover on the workspace's term: ${JSON.stringify(text.slice(0, 120))}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  if (!text.includes(BUILTIN_CLM)) problems.push(`untrusted hover lacks the built-in "${BUILTIN_CLM}"`);
  if (text.includes(LEAK_MARK)) problems.push(`untrusted hover shows the workspace's vocabulary ("${LEAK_MARK}")`);
  if (REPO_MARK) {
    const repoText = await hoverText(page, REPO_TERM);
    log(`untrusted hover on the repository vocabulary's term: ${JSON.stringify(repoText.slice(0, 120))}`);
    if (repoText.includes(REPO_MARK)) problems.push(`untrusted hover shows .transformers-glossary.yaml ("${REPO_MARK}")`);
  }

  // 2. ... and the path was in no message to the server (initialize, didChangeConfiguration)
  const before = await waitForLog(page, "the settings sent to the server", (t) => sentOptions(t).length >= 2);
  const untrustedSent = sentOptions(before);
  log(`sent while untrusted: ${JSON.stringify(untrustedSent)}`);
  if (untrustedSent.some((o) => JSON.stringify(o?.workspaceGlossaryFiles) !== "[]")) problems.push("while untrusted, workspaceGlossaryFiles was not []");
  if (REPO_MARK && untrustedSent.some((o) => o?.repositoryVocabulary !== false)) problems.push("while untrusted, repositoryVocabulary was not false");
  if (before.includes(VOCAB_NAME)) {
    const line = before.split("\n").find((l) => l.includes(VOCAB_NAME));
    problems.push(`while untrusted, the log mentions ${VOCAB_NAME}: ${line?.trim()}`);
  }

  // 3. grant trust as a user does; the path now goes to the server, in workspaceGlossaryFiles only
  await page.keyboard.press("Escape");
  await runCommand(page, "Workspaces: Manage Workspace Trust");
  const trust = page.getByRole("button", { name: /^Trust( Folder)?$/ }).first();
  await trust.waitFor({ state: "visible", timeout: 15_000 });
  await trust.click();
  log("clicked Trust");
  const after = await waitForLog(page, `${VOCAB_NAME} sent after trust`, (t) =>
    sentOptions(t).some((o) => JSON.stringify(o?.workspaceGlossaryFiles ?? []).includes(VOCAB_NAME)),
  );
  const trustedSent = sentOptions(after).slice(untrustedSent.length);
  log(`sent after trust: ${JSON.stringify(trustedSent)}`);
  if (trustedSent.some((o) => JSON.stringify(o?.extraGlossaryFiles ?? []).includes(VOCAB_NAME))) problems.push(`${VOCAB_NAME} was sent as a user-level path`);
  if (!after.includes("workspace trusted: sending its vocabulary files")) problems.push("onDidGrantWorkspaceTrust did not push the settings");

  // close the Workspace Trust editor (a modal over notes.md: its title bar's "Close Modal Editor") and hover again
  await page.locator('[aria-label^="Close Modal Editor"], [title^="Close Modal Editor"]').first().click({ timeout: 10_000 });
  await page.getByText("You trust this folder").waitFor({ state: "hidden", timeout: 10_000 });
  const trustedText = await hoverText(page, WORKSPACE_TERM);
  log(`trusted hover on the workspace's term: ${JSON.stringify(trustedText.slice(0, 120))}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-trusted.png") });
  if (EXPECT_TRUSTED_HOVER && !trustedText.includes(LEAK_MARK)) problems.push(`after trust the hover lacks "${LEAK_MARK}"`);
  if (REPO_MARK) {
    if (!sentOptions(extensionLog()).slice(untrustedSent.length).some((o) => o?.repositoryVocabulary === true)) problems.push("after trust, repositoryVocabulary: true was never sent");
    const repoTrusted = await hoverText(page, [...REPO_TERM.slice(0, 2), REPO_MARK]);
    log(`trusted hover on the repository vocabulary's term: ${JSON.stringify(repoTrusted.slice(0, 120))}`);
  }
} catch (e) {
  problems.push(String(e.stack || e));
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
for (const p of problems) log(`FAIL: ${p}`);
finish(problems.length === 0);
