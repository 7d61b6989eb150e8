// Missing-server check: with an interpreter that lacks the package, the extension must show ONE error
// notification with the exact pip command and a "Show Log" button that opens the log; then, after the
// setting is changed to an interpreter that does not exist, the server restarts by itself and says so;
// and a `server.path` command that dies at start is reported once, without a restart loop.
//
// Env:
//   CS_URL, WS_DIR   as in hover_e2e.mjs (required)
//   SETTINGS_FILE    the User settings.json of the code-server profile (required)
//   INTERPRETER      interpreter without the package, set before the window opens (required)
//   EXPECT           text the first notification must contain, "a|b" = all (required)
//   INTERPRETER2     interpreter that does not exist, set while the window is open (required)
//   EXPECT2          text the second notification must contain, "a|b" = all (required)
//   CRASH_COMMAND    optional: a server command (JSON array) that exits at once, set as server.path last
//   EXPECT3          text its notification must contain (default "failed to start")
//   FILE_NAME        default test.py
//   OUT_PNG          screenshot path (required); the second one gets a "-2" suffix
//   TIMEOUT_S        default 60
import { readFileSync, writeFileSync } from "node:fs";
import { editUserSettings, env, launch, log, openWorkbench, quickOpen, toastTexts, waitForToast, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const SETTINGS_FILE = env("SETTINGS_FILE");
const INTERPRETER = env("INTERPRETER");
const EXPECT = env("EXPECT").split("|");
const INTERPRETER2 = env("INTERPRETER2");
const EXPECT2 = env("EXPECT2").split("|");
const CRASH_COMMAND = env("CRASH_COMMAND", "");
const EXPECT3 = env("EXPECT3", "failed to start").split("|");
const FILE_NAME = env("FILE_NAME", "test.py");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "60")) * 1000;

const KEY = "transformersGlossary.server.interpreter";
/** Before the window opens, the settings file can simply be written. */
function setInterpreter(value) {
  const settings = JSON.parse(readFileSync(SETTINGS_FILE, "utf8"));
  settings[KEY] = value;
  writeFileSync(SETTINGS_FILE, JSON.stringify(settings, null, 2) + "\n");
  log(`settings file: ${KEY} = ${JSON.stringify(value)}`);
}

const lacking = (text, parts) => parts.filter((p) => !text.includes(p));
const original = readFileSync(SETTINGS_FILE, "utf8");
setInterpreter(INTERPRETER);

const { page, close } = await launch();
const problems = [];
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, "import"); // opening a Python file activates the extension

  // 1. one notification naming the pip command, with a Show Log button
  const toast = await waitForToast(page, EXPECT[0], TIMEOUT_MS);
  const text = (await toast.innerText()).trim();
  log(`notification: ${JSON.stringify(text)}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  for (const m of lacking(text, [...EXPECT, "Show Log"])) problems.push(`notification lacks "${m}"`);

  await page.waitForTimeout(5_000); // a restart loop would show more notifications by now
  const ours = (await toastTexts(page)).filter((t) => t.includes("Transformers Glossary"));
  log(`notifications from us after 5 s: ${ours.length}`);
  if (ours.length !== 1) problems.push(`expected 1 notification, saw ${ours.length}: ${JSON.stringify(ours)}`);

  await toast.getByRole("button", { name: "Show Log" }).click();
  const logView = page.locator(".part.panel .monaco-editor .view-lines", { hasText: "pip install" }).first();
  try {
    await logView.waitFor({ state: "visible", timeout: 15_000 });
    log(`log shows: ${JSON.stringify((await logView.innerText()).trim().slice(-400))}`);
  } catch {
    problems.push(`"Show Log" did not open a log containing "pip install"`);
  }

  // 2. a changed interpreter restarts the server by itself; a missing interpreter is named as such
  await editUserSettings(page, SETTINGS_FILE, (s) => {
    s[KEY] = INTERPRETER2;
  });
  try {
    const toast2 = await waitForToast(page, EXPECT2[0], TIMEOUT_MS);
    const text2 = (await toast2.innerText()).trim();
    log(`notification after the change: ${JSON.stringify(text2)}`);
    for (const m of lacking(text2, EXPECT2)) problems.push(`second notification lacks "${m}"`);
    await page.waitForTimeout(3_000);
    const ours2 = (await toastTexts(page)).filter((t) => t.includes("Transformers Glossary"));
    if (ours2.length !== 1) problems.push(`expected 1 notification after the change, saw ${JSON.stringify(ours2)}`);
  } catch {
    problems.push(`no notification containing "${EXPECT2[0]}" after the interpreter changed`);
  }
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-2.png") });

  // 3. server.path wins over the interpreter; a server that dies at start is reported once, not looped
  if (CRASH_COMMAND) {
    await editUserSettings(page, SETTINGS_FILE, (s) => {
      s["transformersGlossary.server.path"] = JSON.parse(CRASH_COMMAND);
    });
    try {
      const toast3 = await waitForToast(page, EXPECT3[0], TIMEOUT_MS);
      const text3 = (await toast3.innerText()).trim();
      log(`notification for a server that dies at start: ${JSON.stringify(text3)}`);
      for (const m of lacking(text3, EXPECT3)) problems.push(`third notification lacks "${m}"`);
      await page.waitForTimeout(5_000);
      const ours3 = (await toastTexts(page)).filter((t) => t.includes(EXPECT3[0]));
      if (ours3.length !== 1) problems.push(`expected 1 notification for the dying server, saw ${JSON.stringify(ours3)}`);
    } catch {
      problems.push(`no notification containing "${EXPECT3[0]}" for a server that dies at start`);
    }
    await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-3.png") });
  }
} catch (e) {
  problems.push(String(e.stack || e));
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
  writeFileSync(SETTINGS_FILE, original);
}
for (const p of problems) log(`FAIL: ${p}`);
finish(problems.length === 0);
