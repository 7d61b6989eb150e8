// Definition check: in FILE_NAME, put the cursor on WORD (a term of the workspace's own
// .transformers-glossary.yaml) and press F12; expect the vocabulary file to open with the cursor on
// the entry's line (EXPECT_LINE); then type a stray character there and expect the server's
// diagnostics for the vocabulary file itself (an error squiggle): the extension attaches to that YAML file.
// (code-server auto-saves after about a second, so the broken entry reaches the disk too: the checks
// after this one are written for that.)
//
// Env:
//   CS_URL, WS_DIR, OUT_PNG (required); FILE_NAME (default notes.md); WORD (default "golden set");
//   TARGET (default .transformers-glossary.yaml); EXPECT_LINE (default 2); TIMEOUT_S (default 90)
import { env, launch, log, openWorkbench, quickOpen, wordBox, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const FILE_NAME = env("FILE_NAME", "notes.md");
const WORD = env("WORD", "golden set");
const TARGET = env("TARGET", ".transformers-glossary.yaml");
const EXPECT_LINE = env("EXPECT_LINE", "2");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;

const { page, close } = await launch();
let ok = false;
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, WORD);
  const activeTab = page.locator(".tabs-container .tab.active");
  const deadline = Date.now() + TIMEOUT_MS;
  let jumped = false;
  while (Date.now() < deadline && !jumped) {
    const box = await wordBox(page, WORD);
    if (!box) throw new Error(`"${WORD}" not found in the rendered editor`);
    await page.mouse.click(box.x + 3, box.y + box.height / 2);
    await page.keyboard.press("F12");
    try {
      await page.locator(".tabs-container .tab.active", { hasText: TARGET }).waitFor({ timeout: 4_000 });
      jumped = true;
    } catch {
      log(`no jump yet (active tab: ${JSON.stringify(await activeTab.innerText().catch(() => ""))})`);
      await page.keyboard.press("Escape");
    }
  }
  if (!jumped) throw new Error(`F12 on "${WORD}" never opened ${TARGET}`);
  const position = page.locator(".statusbar-item", { hasText: /^Ln \d+, Col \d+/ }).first();
  await page.waitForTimeout(500);
  const where = (await position.innerText().catch(() => "")).trim();
  log(`after F12: ${TARGET} at ${JSON.stringify(where)}`);
  const onLine = where.startsWith(`Ln ${EXPECT_LINE},`);
  if (!onLine) log(`FAIL: expected the cursor on line ${EXPECT_LINE}`);
  // The server's diagnostics in the vocabulary file (pulled by VS Code): break the entry.
  await page.keyboard.type("x");
  let squiggle = false;
  try {
    await page.locator(".editor-instance .monaco-editor .squiggly-error").first().waitFor({ timeout: 30_000 });
    squiggle = true;
  } catch {
    log("FAIL: no error squiggle in the vocabulary file");
  }
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  ok = onLine && squiggle;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
