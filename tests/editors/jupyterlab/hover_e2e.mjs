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

const LAB_URL = env("LAB_URL");
const CELL_TYPE = env("CELL_TYPE");
const WORD = env("WORD");
const WORD_LINE = env("WORD_LINE", "");
const EXPECT = env("EXPECT").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "120")) * 1000;
const CELL = CELL_TYPE === "markdown" ? ".jp-MarkdownCell" : ".jp-CodeCell";

/** Screen box of `text` in the CodeMirror lines of cells matching `cellSel` (a DOM Range, since
 * CodeMirror splits a line into one span per token). */
function wordBox(page, text, lineHas) {
  return page.evaluate(([cellSel, w, lineHas]) => {
    for (const line of document.querySelectorAll(`${cellSel} .cm-content .cm-line`)) {
      const nodes = [];
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
      const full = nodes.map((n) => n.textContent).join("");
      if (!full.includes(lineHas)) continue;
      const i = full.indexOf(w);
      if (i < 0) continue;
      const locate = (pos) => {
        for (const n of nodes) {
          if (pos <= n.textContent.length) return [n, pos];
          pos -= n.textContent.length;
        }
        return [nodes[nodes.length - 1], nodes[nodes.length - 1].textContent.length];
      };
      const r = document.createRange();
      r.setStart(...locate(i));
      r.setEnd(...locate(i + w.length));
      const b = r.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    }
    return null;
  }, [CELL, text, lineHas]);
}

const { page, close } = await launch();
// the browser's own complaints about LSP, for the log of a failed run
page.on("console", (m) => {
  if ((m.type() === "error" || m.type() === "warning") && /lsp|language server|connection/i.test(m.text()))
    log(`console ${m.type()}: ${m.text().slice(0, 300)}`);
});
let ok = false;
try {
  log(`goto ${LAB_URL.replace(/token=\w+/, "token=…")}`);
  await page.goto(LAB_URL, { waitUntil: "domcontentloaded" });
  await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 90_000 });
  log("notebook rendered");
  // the adapter connects once the kernel is up
  await page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Toolbar-kernelStatus")
    .first().waitFor({ timeout: 60_000 }).catch(() => log("no kernel status indicator seen"));

  // jupyterlab-lsp's status item says so once every document of the notebook has its server
  await page.locator("#jp-main-statusbar", { hasText: "Fully initialized" })
    .waitFor({ timeout: 90_000 }).then(() => log("LSP fully initialized"))
    .catch(() => log("the LSP status never said 'Fully initialized'"));
  if (CELL_TYPE === "markdown") {
    // rendered Markdown has no editor: double-click the cell holding the phrase to edit it
    const rendered = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown", { hasText: WORD.split(" ")[0] }).first();
    await rendered.dblclick();
    await page.locator(".jp-MarkdownCell .cm-content .cm-line", { hasText: WORD }).first().waitFor({ timeout: 15_000 });
    log("markdown cell in edit mode");
  }
  // cells get their editors a moment after the notebook shows
  for (let i = 0; i < 60 && !(await wordBox(page, WORD, WORD_LINE)); i++) await page.waitForTimeout(500);
  if (!(await wordBox(page, WORD, WORD_LINE))) throw new Error(`"${WORD}" not found in a ${CELL_TYPE} cell`);

  const hover = page.locator(".lsp-tooltip.lsp-hover").filter({ hasText: EXPECT[0] }).first();
  const deadline = Date.now() + TIMEOUT_MS;
  let text = "";
  while (Date.now() < deadline) {
    const box = await wordBox(page, WORD, WORD_LINE);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    await page.mouse.move(box.x + Math.min(box.width / 2, 30), box.y + box.height / 2, { steps: 5 });
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
