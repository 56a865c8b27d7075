// Driving the VS Code workbench served by code-server, as a user would, through headless Chromium.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const ENV = {
  mainUrl: process.env.WF_E2E_MAIN_URL,
  mainWorkspace: process.env.WF_E2E_MAIN_WORKSPACE,
  brokenUrl: process.env.WF_E2E_BROKEN_URL,
  brokenWorkspace: process.env.WF_E2E_BROKEN_WORKSPACE,
  repo: process.env.WF_E2E_REPO,
  artifacts: process.env.WF_E2E_ARTIFACTS ?? 'artifacts',
  chromium: process.env.WF_E2E_CHROMIUM ?? '/usr/bin/chromium',
};

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Monaco renders spaces as U+00A0; compare text with this. */
export function norm(text) {
  return (text ?? '').replace(/\u00a0/g, ' ').replace(/[\u200b-\u200d\ufeff]/g, '');
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a truthy value; throws with `what` (and the last value/error) on timeout. */
export async function waitFor(what, fn, { timeout = 30_000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > end) {
      const detail = lastError ? `; last error: ${lastError.message}` : last !== undefined ? `; last value: ${JSON.stringify(last)}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

/** Retries an action (which throws on failure) a few times; for UI steps that a late render can spoil. */
export async function retry(what, action, { attempts = 3, onRetry } = {}) {
  let lastError;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await action(i);
    } catch (error) {
      lastError = error;
      if (i < attempts) {
        console.error(`  retrying ${what} (attempt ${i} failed: ${error.message.split('\n')[0]})`);
        if (onRetry) await onRetry(i);
      }
    }
  }
  throw lastError;
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: ENV.chromium, headless: true, args: CHROMIUM_ARGS });
}

export class Workbench {
  constructor(page, name) {
    this.page = page;
    this.name = name;
    this.shots = [];
  }

  /** Opens the workbench on a folder and waits until it is usable. */
  static async open(browser, url, folder, name) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const wb = new Workbench(page, name);
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/vsda|gallery|marketplace|Failed to load resource/i.test(msg.text())) {
        wb.consoleErrors.push(msg.text());
      }
    });
    wb.consoleErrors = [];
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.part.sidebar .explorer-folders-view, .part.activitybar', { timeout: 60_000 });
    // The explorer shows the workspace once the remote file system is connected.
    await waitFor('the Explorer to list the workspace', async () => (await page.locator('.explorer-folders-view .monaco-list-row').count()) > 0, {
      timeout: 60_000,
    });
    return wb;
  }

  async screenshot(name) {
    mkdirSync(ENV.artifacts, { recursive: true });
    const path = join(ENV.artifacts, `${name}.png`);
    await this.page.screenshot({ path });
    this.shots.push(path);
    return path;
  }

  /** Runs a command from the command palette (F1), picking the entry whose label is exactly `title`. */
  async runCommand(title) {
    await retry(`command palette: ${title}`, async () => {
      await this.escape();
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await waitFor(`palette entry '${title}' focused`, async () => {
        const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused');
        return (await focused.count()) > 0 && norm(await focused.first().innerText()).includes(title);
      }, { timeout: 5_000 });
      await this.page.keyboard.press('Enter');
    });
  }

  async escape() {
    await this.focusWorkbench();
    await this.page.keyboard.press('Escape');
  }

  /** Takes keyboard focus out of a webview (e.g. a Markdown preview): its iframe would swallow our shortcuts. */
  async focusWorkbench() {
    await this.page.evaluate(() => {
      const active = document.activeElement;
      if (active && (active.tagName === 'IFRAME' || active.closest('.webview, .webview-container'))) active.blur();
    });
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor to be active. */
  async openFile(relPath) {
    const base = relPath.split('/').pop();
    await retry(`open ${relPath}`, async () => {
      await this.focusWorkbench();
      await this.escape();
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(relPath);
      // Enter only once the filter applied and the file's row has the focus (before that, Enter opens the
      // previously focused entry of the history list).
      await waitFor(`quick open to focus ${relPath}`, async () => {
        const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused');
        if ((await focused.count()) === 0) return false;
        const text = norm(await focused.first().innerText()).replace(/\s+/g, '');
        return text.includes(base) && text.includes(relPath.split('/').slice(0, -1).join('/'));
      }, { timeout: 10_000 });
      await this.page.keyboard.press('Enter');
      await waitFor(`editor for ${base}`, async () => {
        // The active group's active tab (a preview may have opened a second group); the tab renders the name and
        // its extension in separate elements.
        const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active');
        return (await tab.count()) > 0 && norm(await tab.first().innerText()).replace(/\s+/g, '').includes(base);
      }, { timeout: 10_000 });
      await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 10_000 });
    }, { onRetry: () => this.debugState() });
    await this.focusEditor();
  }

  /** Prints what has focus and which tabs are open, for a failed UI step. */
  async debugState() {
    const state = await this.page.evaluate(() => ({
      active: `${document.activeElement?.tagName} ${document.activeElement?.className}`,
      quickInput: !!document.querySelector('.quick-input-widget:not([style*="display: none"])'),
      groups: [...document.querySelectorAll('.editor-group-container')].map(
        (g) => `${g.className}: ${[...g.querySelectorAll('.tab')].map((t) => `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label')}`).join(' | ')}`,
      ),
    }));
    console.error(`  state: ${JSON.stringify(state)}`);
  }

  async focusEditor() {
    await this.page.keyboard.press('Control+1');
    await waitFor('editor focus', () => this.page.evaluate(() => !!document.activeElement?.closest('.monaco-editor')), { timeout: 5_000 });
  }

  /** Moves the cursor with Go to Line (Ctrl+G) to a 1-based line and column. */
  async goTo(line, column = 1) {
    await retry(`go to ${line}:${column}`, async () => {
      await this.focusEditor();
      await this.page.keyboard.press('Control+G');
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`:${line}:${column}`);
      await this.page.keyboard.press('Enter');
      await waitFor(`cursor at ${line}:${column}`, async () => {
        const pos = await this.cursorPosition();
        return pos && pos.line === line && pos.column === column;
      }, { timeout: 5_000 });
    });
  }

  /** The cursor position from the status bar ("Ln 12, Col 5"). */
  async cursorPosition() {
    const text = norm(await this.page.locator('.statusbar-item[id="status.editor.selection"]').first().innerText().catch(() => ''));
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
  }

  /** The text of the active editor as the model has it (reads the visible lines; small files fit). */
  async visibleText() {
    const lines = await this.page.locator('.editor-instance .monaco-editor .view-lines .view-line').evaluateAll((els) =>
      els.map((el) => ({ top: parseFloat(el.style.top || '0'), text: el.textContent ?? '' })),
    );
    return lines.sort((a, b) => a.top - b.top).map((l) => norm(l.text)).join('\n');
  }

  // --- Problems panel ----------------------------------------------------------------------------

  async openProblems() {
    await retry('open the Problems panel', async () => {
      if (!(await this.page.locator('.markers-panel').isVisible().catch(() => false))) {
        await this.page.keyboard.press('Control+Shift+M');
      }
      await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 10_000 });
    });
  }

  /** Types into the Problems panel's filter box (empty string clears it). */
  async filterProblems(text) {
    await this.openProblems();
    const box = this.page.locator('.viewpane-filter input[aria-label="Filter Problems"], .markers-panel-action-filter input').first();
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    if ((await box.inputValue()) !== text) await box.fill(text);
  }

  /**
   * The rows of the Problems panel as text: file rows and marker rows, e.g.
   * { kind: 'marker', text: "Duplicate node name ... wf-lsp(DUPLICATE_NODE_NAME) [Ln 95, Col 7]", line: 95, column: 7 }.
   */
  async problemRows() {
    const rows = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({
        text: el.innerText,
        aria: el.getAttribute('aria-label') ?? '',
        marker: !!el.querySelector('.marker-message-details, .marker-icon'),
      })),
    );
    return rows.map((r) => {
      const text = norm(r.text).replace(/\s+/g, ' ').trim();
      const pos = /\[Ln (\d+), Col (\d+)\]/.exec(text);
      return {
        kind: r.marker ? 'marker' : 'file',
        text,
        aria: norm(r.aria),
        line: pos ? Number(pos[1]) : undefined,
        column: pos ? Number(pos[2]) : undefined,
      };
    });
  }

  // --- status bar and notifications -----------------------------------------------------------------

  /** The text (and aria label) of the status bar item whose text contains `needle`. */
  async statusItem(needle) {
    const items = await this.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els.map((el) => ({ id: el.id, text: el.innerText, aria: el.getAttribute('aria-label') ?? '', html: el.innerHTML })),
    );
    return items.map((i) => ({ ...i, text: norm(i.text).trim(), aria: norm(i.aria) })).find((i) => i.text.includes(needle) || i.aria.includes(needle) || i.id.includes(needle));
  }

  /** Notification toasts currently shown: their message and button labels. */
  async notifications() {
    return this.page.locator('.notification-toast-container .notification-list-item').evaluateAll((els) =>
      els.map((el) => ({
        message: el.querySelector('.notification-list-item-message')?.textContent ?? '',
        buttons: [...el.querySelectorAll('.monaco-button, .notification-list-item-buttons-container a')].map((b) => b.textContent ?? ''),
        source: el.querySelector('.notification-list-item-source')?.textContent ?? '',
      })),
    );
  }
}

export function readWorkspaceFile(workspace, rel) {
  return readFileSync(join(workspace, rel), 'utf8');
}

/** 1-based line and column of the `occurrence`-th (1-based) match of `needle` in `text`. */
export function positionOf(text, needle, occurrence = 1) {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return { line, column, index };
}
