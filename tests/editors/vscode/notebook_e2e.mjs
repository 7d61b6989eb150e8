// Notebook check: open FILE_NAME (.ipynb) in real VS Code (code-server's built-in Jupyter notebook
// support, no Jupyter or Python extension), hover a term in a code cell, put a Markdown cell in edit
// mode and hover a phrase there, and see a diagnostic (squiggle and hover message) in a code cell.
// The cells reach the server by LSP notebook sync; the code cell's call is on a variable bound in
// an earlier cell, so the hover also shows that the cells are read in order.
//
// Env:
//   CS_URL, WS_DIR, OUT_PNG (required)
//   FILE_NAME   notebook to open (default notebook.ipynb)
//   CODE_WORD   word hovered in a code cell; CODE_LINE a text of its line; CODE_EXPECT ("a|b": all)
//   MD_WORD     phrase hovered in the Markdown cell; MD_EXPECT
//   DIAG_WORD   word carrying a diagnostic; DIAG_EXPECT text of the diagnostic's hover
//   TIMEOUT_S   budget for each wait on the language server (default 90)
import { env, launch, log, openWorkbench, finish } from "./lib.mjs";

const CS_URL = env("CS_URL");
const WS_DIR = env("WS_DIR");
const FILE_NAME = env("FILE_NAME", "notebook.ipynb");
const CODE_WORD = env("CODE_WORD", "labels");
const CODE_LINE = env("CODE_LINE", "out = lm(");
const CODE_EXPECT = env("CODE_EXPECT", "(AutoModelForCausalLM) labels").split("|");
const MD_WORD = env("MD_WORD", "causal language modeling");
const MD_EXPECT = env("MD_EXPECT", "causal language modeling|predicts the next token").split("|");
const DIAG_WORD = env("DIAG_WORD", "use_cahce");
const DIAG_EXPECT = env("DIAG_EXPECT", "is not a keyword of AutoModelForCausalLM").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "90")) * 1000;

const CELL_LINES = ".notebook-editor .cell-editor-container .monaco-editor .view-lines .view-line";

/** Screen rectangle of `text` in a notebook cell editor line containing `lineHas` (see lib.wordBox). */
function cellWordBox(page, text, lineHas = "") {
  return page.evaluate(
    ([w, lineHas, selector]) => {
      for (const line of document.querySelectorAll(selector)) {
        const nodes = [];
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
        const full = nodes.map((n) => n.textContent.replace(/\u00a0/g, " ")).join("");
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
        if (b.width === 0) continue;
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      }
      return null;
    },
    [text, lineHas, CELL_LINES],
  );
}

/** Hover `word` until a hover containing expect[0] shows; returns its text. */
async function hoverUntil(page, word, lineHas, expect, what) {
  const hover = page
    .locator(".monaco-hover:visible, .monaco-resizable-hover:visible")
    .filter({ hasText: expect[0] })
    .first();
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const box = await cellWordBox(page, word, lineHas);
    if (!box) throw new Error(`"${word}" not found in a rendered cell`);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ state: "visible", timeout: 4_000 });
      await page.waitForTimeout(300);
      const text = (await hover.innerText()).trim();
      log(`${what} hover: ${JSON.stringify(text)}`);
      const missing = expect.filter((e) => !text.includes(e));
      if (missing.length) throw new Error(`${what} hover lacks ${JSON.stringify(missing)}`);
      return text;
    } catch (e) {
      if (String(e).includes("lacks")) throw e;
      log(`no matching ${what} hover yet`);
    }
  }
  throw new Error(`${what}: hover containing "${expect[0]}" never appeared`);
}

const { page, close } = await launch();
let ok = false;
try {
  await openWorkbench(page, CS_URL, WS_DIR);
  // Quick Open the notebook; it opens in the notebook editor.
  for (let i = 0; i < 5; i++) {
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }).catch(() => {});
    await page.keyboard.press("Control+P");
    const qi = page.locator(".quick-input-widget input");
    try {
      await qi.waitFor({ state: "visible", timeout: 5_000 });
    } catch {
      continue;
    }
    await qi.fill(FILE_NAME);
    await page.waitForSelector(".quick-input-list .monaco-list-row", { timeout: 15_000 });
    await page.keyboard.press("Enter");
    try {
      await page.locator(CELL_LINES, { hasText: CODE_LINE }).first().waitFor({ state: "visible", timeout: 15_000 });
      break;
    } catch {
      log("notebook not shown yet, retrying");
    }
  }
  log(`${FILE_NAME} open in the notebook editor`);

  // 1. a code cell: the call's receiver was bound in an earlier cell
  await hoverUntil(page, CODE_WORD, CODE_LINE, CODE_EXPECT, "code cell");
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-code.png") });

  // 2. a diagnostic in a code cell: a squiggle under the word, and its message in the hover
  const squiggle = page.locator(".notebook-editor .cell-editor-container [class*='squiggly-']").first();
  await squiggle.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  await hoverUntil(page, DIAG_WORD, "", DIAG_EXPECT, "diagnostic");
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-diagnostic.png") });

  // 3. the Markdown cell, put in edit mode: click the code cell above it, leave its editor, move down
  // to the Markdown cell and press Enter (the notebook's own keys for editing a cell)
  await page.mouse.move(5, 5);
  const first = await cellWordBox(page, "from_pretrained", "");
  await page.mouse.click(first.x + first.width / 2, first.y + first.height / 2);
  await page.keyboard.press("Escape");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.locator(CELL_LINES, { hasText: MD_WORD }).first().waitFor({ state: "visible", timeout: 15_000 });
  log("Markdown cell in edit mode");
  await hoverUntil(page, MD_WORD, "", MD_EXPECT, "Markdown cell");
  await page.screenshot({ path: OUT_PNG });
  log(`screenshots: ${OUT_PNG} (and -code, -diagnostic)`);
  ok = true;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
