// Hover check in a real JupyterLab 4 notebook with jupyterlab-lsp: open LAB_URL, find WORD in the
// first cell of CELL_TYPE that has it (a Markdown cell is put in edit mode first), hover it, and
// expect jupyterlab-lsp's hover tooltip to contain EXPECT.
//
// Env:
//   LAB_URL    the notebook's URL, token included                       (required)
//   CELL_TYPE  code | markdown                                           (required)
//   WORD       word or phrase to hover                                   (required)
//   WORD_LINE  hover WORD on the first line that also contains this text (default: any line)
//   EXPECT     text the hover must contain; "a|b" means every part must be there (required)
//   OUT_PNG    screenshot path (required)
//   TIMEOUT_S  budget for waiting for the language server's hover (default 120)
import { env, launch, log, finish } from "../vscode/lib.mjs";
import { openNotebook, wordBox, waitForWord } from "./lab.mjs";

const LAB_URL = env("LAB_URL");
const CELL_TYPE = env("CELL_TYPE");
const WORD = env("WORD");
const WORD_LINE = env("WORD_LINE", "");
const EXPECT = env("EXPECT").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "120")) * 1000;
const CELL = CELL_TYPE === "markdown" ? ".jp-MarkdownCell" : ".jp-CodeCell";

const { page, close } = await launch();
let ok = false;
try {
  await openNotebook(page, LAB_URL);
  if (CELL_TYPE === "markdown") {
    // rendered Markdown has no editor: double-click the cell holding the phrase to edit it
    const rendered = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown", { hasText: WORD.split(" ")[0] }).first();
    await rendered.dblclick();
    await page.locator(".jp-MarkdownCell .cm-content .cm-line", { hasText: WORD }).first().waitFor({ timeout: 15_000 });
    log("markdown cell in edit mode");
  }
  // cells get their editors a moment after the notebook shows
  await waitForWord(page, CELL, WORD, WORD_LINE);

  const hover = page.locator(".lsp-tooltip.lsp-hover").filter({ hasText: EXPECT[0] }).first();
  const deadline = Date.now() + TIMEOUT_MS;
  let text = "";
  // jupyterlab-lsp asks again only when the mouse is over another character than last time (an
  // empty answer, e.g. before the server has the document, is not forgotten on leaving): so each
  // try hovers the next of the first few characters of WORD
  const charWidth = (box) => box.width / WORD.length;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const box = await wordBox(page, CELL, WORD, WORD_LINE);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    const at = Math.min(1 + (attempt % 4), WORD.length - 1) + 0.5;
    await page.mouse.move(box.x + at * charWidth(box), box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ state: "visible", timeout: 4_000 });
      await page.waitForTimeout(300); // let the Markdown finish rendering
      text = (await hover.innerText()).trim();
      break;
    } catch {
      const other = await page.locator(".lsp-tooltip").allInnerTexts();
      log(`no matching hover yet${other.length ? `; tooltips: ${JSON.stringify(other).slice(0, 200)}` : ""}`);
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
