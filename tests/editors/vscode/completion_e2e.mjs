// Completion check: open FILE_NAME in real VS Code (code-server), type PREFIX on a new last line (inside a
// call), open the suggest widget, narrow it with FILTER, and expect the focused item to be LABEL with
// EXPECT_DETAIL in its row (labelDetails) and EXPECT_DOC in its documentation (the details pane).
//
// Env:
//   CS_URL, WS_DIR   as in hover_e2e.mjs (required)
//   FILE_NAME        default test.py
//   MARKER           text that shows the file is rendered (default "import")
//   PREFIX           typed text; the editor auto-closes "(" (default "outputs = model(input_ids=x, ")
//   FILTER           typed after the list opens, to bring LABEL to the top (default "attention")
//   LABEL            expected completion label (default "attention_mask=")
//   EXPECT_DETAIL    text expected in the focused row, "a|b" = all of them (required)
//   EXPECT_DOC       text expected in the documentation pane, "a|b" = all of them (required)
//   OUT_PNG          screenshot path (required)
//   TIMEOUT_S        default 90
import { env, launch, log, openWorkbench, quickOpen, runCommand, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const FILE_NAME = env("FILE_NAME", "test.py");
const MARKER = env("MARKER", "import");
const PREFIX = env("PREFIX", "outputs = model(input_ids=x, ");
const FILTER = env("FILTER", "attention");
const LABEL = env("LABEL", "attention_mask=");
const EXPECT_DETAIL = env("EXPECT_DETAIL").split("|");
const EXPECT_DOC = env("EXPECT_DOC").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;

const { page, close } = await launch();
let ok = false;
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, MARKER);

  // Put the caret on a fresh last line and type the start of a call.
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type(PREFIX, { delay: 30 });

  const widget = page.locator(".editor-instance .suggest-widget.visible");
  const row = page.locator(".editor-instance .suggest-widget.visible .monaco-list-row", { hasText: LABEL }).first();
  const deadline = Date.now() + TIMEOUT_MS;
  let listed = "";
  while (Date.now() < deadline) {
    try {
      // Ctrl+Space asks for completions at the caret (the server may not be up on the first try).
      if (!(await widget.isVisible())) await page.keyboard.press("Control+Space");
      await row.waitFor({ state: "visible", timeout: 4_000 });
      listed = (await widget.innerText()).trim();
      break;
    } catch {
      log("no matching completion yet; re-triggering");
      await page.keyboard.press("Escape");
    }
  }
  if (!listed) throw new Error(`completion "${LABEL}" never appeared`);
  log(`suggest list (unfiltered, first rows): ${JSON.stringify(listed)}`);

  // Narrow the list the way a user would, so our item is focused, then read its row and documentation.
  await page.keyboard.type(FILTER, { delay: 30 });
  const focused = page.locator(".editor-instance .suggest-widget.visible .monaco-list-row.focused", { hasText: LABEL });
  await focused.waitFor({ state: "visible", timeout: 10_000 });
  const details = page.locator(".editor-instance .suggest-details-container .suggest-details:visible");
  for (let i = 0; i < 3 && !(await details.isVisible()); i++) {
    // Ctrl+Space on an open list toggles its documentation pane ("Read More").
    await page.keyboard.press("Control+Space");
    await page.waitForTimeout(700);
  }
  await details.waitFor({ state: "visible", timeout: 10_000 });
  // the documentation may arrive a moment later (completionItem/resolve): wait for it
  let docText = "";
  for (let i = 0; i < 40; i++) {
    docText = (await details.innerText()).trim();
    if (EXPECT_DOC.every((e) => docText.includes(e))) break;
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(300);
  const rowText = (await focused.innerText()).trim();
  docText = (await details.innerText()).trim();
  log(`focused row: ${JSON.stringify(rowText)}`);
  log(`documentation: ${JSON.stringify(docText)}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);

  // Close the list and revert what is not saved yet. code-server auto-saves after about a second,
  // so the typed text is usually on disk already: a later check that reads this file (the
  // notification check) must not depend on its exact text.
  await page.keyboard.press("Escape");
  await runCommand(page, "File: Revert File").catch((e) => log(`revert failed: ${e}`));

  const missing = [
    ...EXPECT_DETAIL.filter((e) => !rowText.includes(e)).map((e) => `row: ${e}`),
    ...EXPECT_DOC.filter((e) => !docText.includes(e)).map((e) => `doc: ${e}`),
  ];
  if (missing.length) log(`FAIL: missing ${JSON.stringify(missing)}`);
  ok = rowText.includes(LABEL) && missing.length === 0;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
