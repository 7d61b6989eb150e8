// Completion check in a real JupyterLab 4 notebook with jupyterlab-lsp: open LAB_URL, put the
// cursor right after CALL in the code cell that has it, type TYPED, press Tab (JupyterLab's own
// key for the completer), and expect the completer to list LABEL with a detail containing EXPECT:
// the detail is what tells our item from one the kernel could offer (a kernel item has no `=` in
// its label and a type such as "param" or "instance" where ours has the shape and the meaning).
// Then choose it with a click and expect the typed text replaced by LABEL.
//
// Env:
//   LAB_URL    the notebook's URL, token included                              (required)
//   CALL       text that ends where typing starts, e.g. "lm(" (its first occurrence in a code cell)
//   TYPED      what to type there, e.g. "atten"                                (required)
//   LABEL      the completion item's label, e.g. "attention_mask="              (required)
//   EXPECT     text its detail must contain; "a|b" means every part must be there (required)
//   OUT_PNG    screenshot path (required)
//   TIMEOUT_S  budget for waiting for the language server's items (default 120)
import { env, launch, log, finish } from "../vscode/lib.mjs";
import { openNotebook, wordBox, waitForWord } from "./lab.mjs";

const LAB_URL = env("LAB_URL");
const CALL = env("CALL");
const TYPED = env("TYPED");
const LABEL = env("LABEL");
const EXPECT = env("EXPECT").split("|");
const OUT_PNG = env("OUT_PNG");
const TIMEOUT_MS = Number(env("TIMEOUT_S", "120")) * 1000;
const CELL = ".jp-CodeCell";

/** The items the completer shows: label, kind (its icon, or the kernel's type letter) and the
 * extra text beside it (the item's detail). */
function completerItems(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".jp-Completer .jp-Completer-item")].map((li) => ({
      label: li.querySelector(".jp-Completer-match")?.textContent ?? "",
      icon: li.querySelector(".jp-Completer-type [data-icon]")?.getAttribute("data-icon") ||
        li.querySelector(".jp-Completer-type")?.textContent || "",
      extra: li.querySelector(".jp-Completer-typeExtended")?.textContent ?? "",
    })));
}

/** The text of the line holding CALL, as the editor has it now. */
function lineText(page) {
  return page.evaluate(([cellSel, call]) => {
    for (const line of document.querySelectorAll(`${cellSel} .cm-content .cm-line`))
      if (line.textContent.includes(call)) return line.textContent;
    return null;
  }, [CELL, CALL]);
}

const { page, close } = await launch();
let ok = false;
try {
  await openNotebook(page, LAB_URL);
  // JupyterLab renders only the cells near the view: bring the last ones in
  await page.locator(".jp-Notebook .jp-Cell").last().scrollIntoViewIfNeeded();
  const box = await waitForWord(page, CELL, CALL);
  // a click on the right half of the last character puts the cursor just after it
  await page.mouse.click(box.x + box.width - 1, box.y + box.height / 2);
  await page.keyboard.type(TYPED, { delay: 60 });
  const typedLine = await lineText(page);
  log(`line now: ${JSON.stringify(typedLine)}`);
  if (!typedLine?.includes(CALL + TYPED)) throw new Error(`typing did not land after "${CALL}"`);

  const deadline = Date.now() + TIMEOUT_MS;
  let ours = null, items = [];
  while (Date.now() < deadline) {
    await page.keyboard.press("Tab");
    try {
      await page.locator(".jp-Completer .jp-Completer-item .jp-Completer-match", { hasText: LABEL })
        .first().waitFor({ state: "visible", timeout: 6_000 });
      await page.waitForTimeout(300); // the extra text is filled in as the item is shown
      items = await completerItems(page);
      ours = items.find((i) => i.label === LABEL);
      if (ours) break;
    } catch {
      items = await completerItems(page);
      log(`no "${LABEL}" yet; completer: ${JSON.stringify(items).slice(0, 300)}`);
    }
    await page.keyboard.press("Escape");
    await page.waitForTimeout(1_000);
    if ((await lineText(page)) !== typedLine) throw new Error("the line changed without a choice being made");
  }
  if (!ours) throw new Error(`the completer never listed "${LABEL}"`);
  log(`completer (${items.length} items), first 8: ${JSON.stringify(items.slice(0, 8))}`);
  log(`"${LABEL}" is item ${items.indexOf(ours) + 1}: ${JSON.stringify(ours)}`);
  await page.screenshot({ path: OUT_PNG });
  log(`screenshot: ${OUT_PNG}`);
  const missing = EXPECT.filter((e) => !ours.extra.includes(e));
  if (missing.length) log(`FAIL: its detail lacks ${JSON.stringify(missing)}`);
  // choosing it (a click) replaces the typed text with the label, as our item's text edit says
  await page.locator(".jp-Completer .jp-Completer-item", {
    has: page.locator(".jp-Completer-match", { hasText: LABEL }),
  }).first().click();
  await page.waitForTimeout(500);
  const chosen = await lineText(page);
  const wanted = typedLine.replace(CALL + TYPED, CALL + LABEL);
  log(`after choosing it: ${JSON.stringify(chosen)}`);
  if (chosen !== wanted) log(`FAIL: expected the line ${JSON.stringify(wanted)}`);
  ok = missing.length === 0 && chosen === wanted;
} catch (e) {
  log(`FAIL: ${e.stack || e}`);
  await page.screenshot({ path: OUT_PNG.replace(/\.png$/, "-fail.png") }).catch(() => {});
} finally {
  await close();
}
finish(ok);
