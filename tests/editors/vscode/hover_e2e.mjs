// Hover check: open FILE_NAME in real VS Code (code-server), hover WORD, expect a hover containing EXPECT.
//
// Env:
//   CS_URL     code-server base URL, e.g. http://127.0.0.1:48277/   (required)
//   WS_DIR     workspace folder on disk                               (required)
//   FILE_NAME  file to open via Quick Open (default test.py)
//   WORD       word or phrase to hover (default attention_mask)
//   WORD_LINE  hover WORD on the first line that also contains this text (default: any line)
//   EXPECT     text the hover must contain; "a|b" means every part must be there (required)
//   OUT_PNG    screenshot path (required)
//   CHROMIUM   chromium binary (default /usr/bin/chromium)
//   TIMEOUT_S  budget for waiting for the language server's hover (default 90)
import { env, launch, log, openWorkbench, quickOpen, wordBox, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const FILE_NAME = env("FILE_NAME", "test.py");
const WORD = env("WORD", "attention_mask");
const WORD_LINE = env("WORD_LINE", "");
const EXPECT = env("EXPECT").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;

const { page, close } = await launch();
let ok = false;
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  await quickOpen(page, FILE_NAME, WORD);
  if (!(await wordBox(page, WORD, WORD_LINE))) throw new Error(`"${WORD}" not found in the rendered editor`);

  // Hover repeatedly until the language server answers (extension activation + server start take seconds).
  const hover = page
    .locator(".monaco-hover:visible, .monaco-resizable-hover:visible")
    .filter({ hasText: EXPECT[0] })
    .first();
  const deadline = Date.now() + TIMEOUT_MS;
  let text = "";
  while (Date.now() < deadline) {
    const box = await wordBox(page, WORD, WORD_LINE);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ state: "visible", timeout: 4_000 });
      await page.waitForTimeout(300); // let the markdown finish rendering
      text = (await hover.innerText()).trim();
      break;
    } catch {
      log("no matching hover yet");
    }
  }
  if (!text) throw new Error(`hover containing "${EXPECT[0]}" never appeared`);
  log(`hover text: ${JSON.stringify(text)}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  const missing = EXPECT.filter((e) => !text.includes(e));
  if (missing.length) log(`FAIL: hover lacks ${JSON.stringify(missing)}`);
  ok = missing.length === 0;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
