// Workspace symbols and reload on save. In FILE_NAME, wait for the server (hover WORD until it shows
// EXPECT, the team entry's summary); then "Go to Symbol in Workspace" (Quick Open with "#"), type WORD
// and expect a row for our entry; choosing it opens TARGET (the workspace's .transformers-glossary.yaml)
// with the cursor on EXPECT_LINE. There, append MARKER to the entry's summary line, save with Ctrl+S,
// and hover WORD in FILE_NAME again until the hover shows MARKER (the server reloads the vocabulary on
// save). Finally undo and save, and expect TARGET on disk exactly as before (later checks use it).
//
// Env:
//   CS_URL, WS_DIR, OUT_PNG (required); FILE_NAME (default notes.md); WORD (default "golden set");
//   TARGET (default .transformers-glossary.yaml); EXPECT (default E2E-TEAM-VOCABULARY);
//   EXPECT_LINE (default 2); MARKER (default E2E-RELOADED); TIMEOUT_S (default 90)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { env, launch, log, openWorkbench, quickOpen, wordBox, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const FILE_NAME = env("FILE_NAME", "notes.md");
const WORD = env("WORD", "golden set");
const TARGET = env("TARGET", ".transformers-glossary.yaml");
const EXPECT = env("EXPECT", "E2E-TEAM-VOCABULARY");
const EXPECT_LINE = env("EXPECT_LINE", "2");
const MARKER = env("MARKER", "E2E-RELOADED");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;
const targetPath = join(WS_DIR, TARGET);
const original = readFileSync(targetPath, "utf8");

/** Hover WORD in the active editor until a hover containing `want` shows; returns its text or "". */
async function hoverUntil(page, want, timeoutMs) {
  const hover = page.locator(".monaco-hover:visible, .monaco-resizable-hover:visible").filter({ hasText: want }).first();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const box = await wordBox(page, WORD);
    if (!box) throw new Error(`"${WORD}" not found in the rendered editor`);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ state: "visible", timeout: 4_000 });
      await page.waitForTimeout(300);
      return (await hover.innerText()).trim();
    } catch {
      log(`no hover with ${JSON.stringify(want)} yet`);
    }
  }
  return "";
}

const cursorAt = async (page) =>
  (await page.locator(".statusbar-item", { hasText: /^Ln \d+, Col \d+/ }).first().innerText().catch(() => "")).trim();

const { page, close } = await launch();
let ok = false;
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, WORD);
  const before = await hoverUntil(page, EXPECT, TIMEOUT_MS);
  if (!before) throw new Error(`hover on "${WORD}" never showed ${EXPECT}`);
  log(`hover before: ${JSON.stringify(before)}`);
  await page.mouse.move(5, 5);
  await page.keyboard.press("Escape");

  // 1. Go to Symbol in Workspace: Quick Open with the "#" prefix (what Ctrl+T opens)
  let row = null;
  for (let i = 0; i < 5 && !row; i++) {
    await page.keyboard.press("Control+P");
    const qi = page.locator(".quick-input-widget input");
    await qi.waitFor({ state: "visible", timeout: 5_000 });
    await qi.fill(`#${WORD}`);
    const candidate = page.locator(".quick-input-list .monaco-list-row", { hasText: WORD }).first();
    try {
      await candidate.waitFor({ state: "visible", timeout: 8_000 });
      row = candidate;
    } catch {
      log(`no symbol row yet (rows: ${JSON.stringify(await page.locator(".quick-input-list .monaco-list-row").allInnerTexts())})`);
      await page.keyboard.press("Escape");
    }
  }
  if (!row) throw new Error(`Go to Symbol in Workspace never listed "${WORD}"`);
  const rows = await page.locator(".quick-input-list .monaco-list-row").allInnerTexts();
  log(`symbol rows: ${JSON.stringify(rows)}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-list.png") });
  const fromTarget = (await row.innerText()).includes(TARGET);
  if (!fromTarget) log(`FAIL: the "${WORD}" row does not name ${TARGET}`);
  await row.click();
  await page.locator(".tabs-container .tab.active", { hasText: TARGET }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  const where = await cursorAt(page);
  log(`after choosing the symbol: ${TARGET} at ${JSON.stringify(where)}`);
  const onLine = where.startsWith(`Ln ${EXPECT_LINE},`);
  if (!onLine) log(`FAIL: expected the cursor on line ${EXPECT_LINE}`);

  // 2. Reload on save: append MARKER to the summary line, Ctrl+S
  const summaryBox = await wordBox(page, EXPECT);
  if (!summaryBox) throw new Error(`"${EXPECT}" not found in ${TARGET}`);
  await page.mouse.click(summaryBox.x + 3, summaryBox.y + summaryBox.height / 2);
  await page.keyboard.press("End");
  await page.keyboard.type(` ${MARKER}`);
  await page.keyboard.press("Control+S");
  let saved = false;
  for (let i = 0; i < 40 && !saved; i++) {
    saved = readFileSync(targetPath, "utf8").includes(MARKER);
    if (!saved) await page.waitForTimeout(250);
  }
  if (!saved) throw new Error(`${TARGET} on disk never got ${MARKER}`);
  log(`${TARGET} saved with ${MARKER}`);
  await page.locator(".tabs-container .tab", { hasText: FILE_NAME }).first().click();
  await page.locator(".editor-instance .monaco-editor .view-lines .view-line", { hasText: WORD }).first().waitFor({ timeout: 10_000 });
  const after = await hoverUntil(page, MARKER, TIMEOUT_MS);
  if (after) log(`hover after save: ${JSON.stringify(after)}`);
  else log(`FAIL: the hover on "${WORD}" never showed ${MARKER}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  await page.mouse.move(5, 5);
  await page.keyboard.press("Escape");

  // 3. Put the file back: undo and save, in the editor
  await page.locator(".tabs-container .tab", { hasText: TARGET }).first().click();
  await page.locator(".editor-instance .monaco-editor .view-lines .view-line", { hasText: EXPECT }).first().waitFor({ timeout: 10_000 });
  const markerBox = await wordBox(page, MARKER);
  if (markerBox) await page.mouse.click(markerBox.x + 3, markerBox.y + markerBox.height / 2);
  let restored = false;
  for (let i = 0; i < 20 && !restored; i++) {
    await page.keyboard.press("Control+Z");
    await page.keyboard.press("Control+S");
    for (let j = 0; j < 8 && !restored; j++) {
      await page.waitForTimeout(250);
      restored = readFileSync(targetPath, "utf8") === original;
    }
  }
  if (restored) log(`${TARGET} restored on disk`);
  else log(`FAIL: ${TARGET} on disk differs from the original after undo + save`);
  ok = fromTarget && onLine && Boolean(after) && restored;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
