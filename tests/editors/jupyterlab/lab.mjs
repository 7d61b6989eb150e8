// What the JupyterLab checks share: open the notebook and wait for jupyterlab-lsp, and find a word
// in the CodeMirror editors of the cells.
import { log } from "../vscode/lib.mjs";

/** Open the notebook at `url` (token included) and wait for its kernel and for jupyterlab-lsp's
 * status item to say every document of the notebook has its server. */
export async function openNotebook(page, url) {
  // the browser's own complaints about LSP, for the log of a failed run
  page.on("console", (m) => {
    if ((m.type() === "error" || m.type() === "warning") && /lsp|language server|connection/i.test(m.text()))
      log(`console ${m.type()}: ${m.text().slice(0, 300)}`);
  });
  log(`goto ${url.replace(/token=\w+/, "token=…")}`);
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 90_000 });
  log("notebook rendered");
  // the adapter connects once the kernel is up
  await page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Toolbar-kernelStatus")
    .first().waitFor({ timeout: 60_000 }).catch(() => log("no kernel status indicator seen"));
  await page.locator("#jp-main-statusbar", { hasText: "Fully initialized" })
    .waitFor({ timeout: 90_000 }).then(() => log("LSP fully initialized"))
    .catch(() => log("the LSP status never said 'Fully initialized'"));
}

/** Screen box of `text` in the CodeMirror lines of cells matching `cellSel`, on the first line that
 * also contains `lineHas` (a DOM Range, since CodeMirror splits a line into one span per token). */
export function wordBox(page, cellSel, text, lineHas = "") {
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
  }, [cellSel, text, lineHas]);
}

/** Wait (up to 30 s) for the cells to have their editors and `text` to be in one of them. */
export async function waitForWord(page, cellSel, text, lineHas = "") {
  for (let i = 0; i < 60 && !(await wordBox(page, cellSel, text, lineHas)); i++) await page.waitForTimeout(500);
  const box = await wordBox(page, cellSel, text, lineHas);
  if (!box) throw new Error(`"${text}" not found in ${cellSel}`);
  return box;
}
