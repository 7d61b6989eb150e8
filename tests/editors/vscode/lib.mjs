// Shared helpers: drive a real VS Code workbench (code-server) in headless Debian Chromium via playwright-core.
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const t0 = Date.now();
export const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

export const env = (name, dflt) => {
  const v = process.env[name] ?? dflt;
  if (v === undefined) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return v;
};

/** Launch Debian's chromium with a fresh profile; returns {context, page, close}. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "pw-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => log(`pageerror: ${e.message}`));
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open code-server on a folder and wait for the workbench. */
export async function openWorkbench(page, csUrl, folder) {
  const url = new URL(csUrl);
  url.searchParams.set("folder", folder);
  log(`goto ${url}`);
  await page.goto(url.toString(), { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  await page.waitForSelector(".statusbar", { timeout: 60_000 });
  log("workbench loaded");
}

/** Open a workspace file via Quick Open (Ctrl+P); waits until a line containing `marker` is rendered. */
export async function quickOpen(page, fileName, marker) {
  const editorLine = page.locator(".editor-instance .monaco-editor .view-lines .view-line", { hasText: marker }).first();
  for (let i = 0; i < 5; i++) {
    // the first key press can land before the keybinding service is ready, so retry
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }).catch(() => {});
    await page.keyboard.press("Control+P");
    const qi = page.locator(".quick-input-widget input");
    try {
      await qi.waitFor({ state: "visible", timeout: 5_000 });
    } catch {
      log("quick open did not appear, retrying");
      continue;
    }
    await qi.fill(fileName);
    await page.waitForSelector(".quick-input-list .monaco-list-row", { timeout: 15_000 });
    await page.keyboard.press("Enter");
    try {
      await editorLine.waitFor({ state: "visible", timeout: 10_000 });
      log(`${fileName} open in editor`);
      return;
    } catch {
      log("file not shown yet, retrying");
    }
  }
  throw new Error(`could not open ${fileName}`);
}

/**
 * Screen rectangle of the first occurrence of `text` in the rendered lines of the main editor. Monaco
 * merges same-coloured tokens into one <span>, so the characters are measured with a DOM Range;
 * a phrase that spans several tokens is found by joining the line's text nodes. With `lineHas`, only
 * lines containing that text are searched.
 */
export function wordBox(page, text, lineHas = "") {
  return page.evaluate(([w, lineHas]) => {
    for (const line of document.querySelectorAll(".editor-instance .monaco-editor .view-lines .view-line")) {
      const nodes = [];
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
      const full = nodes.map((n) => n.textContent.replace(/\u00a0/g, " ")).join("");
      if (!full.includes(lineHas)) continue;
      const i = full.indexOf(w);
      if (i < 0) continue;
      // map [i, i + w.length) back to (node, offset) pairs
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
  }, [text, lineHas]);
}

/**
 * Change User settings the way a user does: "Preferences: Open User Settings (JSON)", replace the text,
 * save, close. (code-server does not notice edits made to settings.json behind its back.) `mutate`
 * gets the settings object parsed from `settingsFile` and changes it in place.
 */
export async function editUserSettings(page, settingsFile, mutate) {
  const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
  mutate(settings);
  const text = JSON.stringify(settings, null, 2) + "\n";
  await runCommand(page, "Preferences: Open User Settings (JSON)");
  const firstKey = Object.keys(settings)[0];
  await page.locator(".monaco-editor .view-line", { hasText: firstKey }).last().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  // paste rather than type: typing JSON would fight the editor's auto-closing and auto-indent
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+V");
  await page.keyboard.press("Control+S");
  for (let i = 0; i < 20 && readFileSync(settingsFile, "utf8") !== text; i++) await page.waitForTimeout(250);
  if (readFileSync(settingsFile, "utf8") !== text) throw new Error("settings.json was not saved as intended");
  await page.keyboard.press("Control+W");
  log(`settings saved: ${JSON.stringify(settings)}`);
}

/** Run a command from the Command Palette by its title. */
export async function runCommand(page, title) {
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("F1");
    const qi = page.locator(".quick-input-widget input");
    try {
      await qi.waitFor({ state: "visible", timeout: 5_000 });
    } catch {
      log("command palette did not appear, retrying");
      await page.keyboard.press("Escape");
      continue;
    }
    await qi.fill(`>${title}`);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press("Enter");
    return;
  }
  throw new Error(`could not run "${title}"`);
}

/** Texts of the notification toasts currently shown. */
export async function toastTexts(page) {
  return page.locator(".notifications-toasts .notification-toast").allInnerTexts();
}

/** Waits for a notification toast containing `text`; returns its locator. */
export async function waitForToast(page, text, timeoutMs) {
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
  await toast.waitFor({ state: "visible", timeout: timeoutMs });
  return toast;
}

/** Report this check (run_e2e.sh prints the counted summary) and exit. */
export function finish(ok) {
  log(ok ? "check OK" : "check FAILED");
  process.exit(ok ? 0 : 1);
}
