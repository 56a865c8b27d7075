// Step 7: a separate code-server session whose settings point the server at a command that does not exist
// (wfLsp.serverCommand = ["/nonexistent/wf-lsp"]): one clear error message with a way to fix it, no crash loop.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLEAN, CORPUS_FILES } from '../lib/workspace-spec.mjs';
import { ENV, Workbench, launchBrowser, norm, sleep, waitFor } from '../lib/workbench.mjs';

let browser;
let wb;

before(async () => {
  browser = await launchBrowser();
  wb = await Workbench.open(browser, ENV.brokenUrl, ENV.brokenWorkspace, 'broken');
});

after(async () => {
  await browser?.close();
});

/** The text of the extension's output channel log in the broken session's user-data dir, when run.sh says where. */
function extensionLog() {
  const logs = process.env.WF_E2E_TMP && join(process.env.WF_E2E_TMP, 'broken', 'ud', 'logs');
  if (!logs || !existsSync(logs)) return undefined;
  const found = readdirSync(logs, { recursive: true }).find((f) => String(f).endsWith('Workflow Language Server.log'));
  return found === undefined ? undefined : readFileSync(join(logs, String(found)), 'utf8');
}

/** Something a user would trip over that does not fail the step; kept in artifacts/findings.txt. */
function finding(text) {
  console.error(`  FINDING: ${text}`);
  appendFileSync(join(ENV.artifacts, 'findings.txt'), `step 7: ${text}\n`);
}

const isOurs = (n) => /wf-lsp|workflow language server/i.test(n.message);

/** Every notification the workbench holds (toasts and the notification center), opened to count them. */
async function allNotifications() {
  return wb.page.evaluate(() =>
    [...document.querySelectorAll('.notification-list-item')].map((el) => ({
      message: el.querySelector('.notification-list-item-message')?.textContent ?? '',
      buttons: [...el.querySelectorAll('.monaco-button')].map((b) => b.textContent ?? ''),
    })),
  );
}

test('7. a server command that does not exist: one clear error with a way to fix it, no crash loop', async () => {
  try {
    await wb.openFile(CLEAN);
    const toast = await waitFor('the error notification', async () => (await wb.notifications()).find(isOurs), { timeout: 60_000 });
    console.error(`  notification: ${JSON.stringify(toast)}`);
    const message = norm(toast.message);
    assert.match(message, /\/nonexistent\/wf-lsp/, 'the message names the command that failed');
    assert.match(message, /wfLsp\.serverCommand/, 'the message names the setting to change');
    const buttons = toast.buttons.map(norm);
    assert.ok(buttons.some((b) => /settings/i.test(b)), `a button leads to the settings: ${JSON.stringify(buttons)}`);
    assert.ok(buttons.some((b) => /install/i.test(b)), `a button leads to the install instructions: ${JSON.stringify(buttons)}`);
    await wb.screenshot('07a-broken-server-error');

    // No loop: open more workflow files and wait; still exactly one message from us, in toasts and the center.
    await wb.openFile(CORPUS_FILES['gameengine__packages__seed__workflows__demo_gameplay.json']);
    await wb.openFile(CORPUS_FILES['docs__N8N_VARIABLES_EXAMPLE.json']);
    const quietUntil = Date.now() + 8_000;
    while (Date.now() < quietUntil) {
      const ours = (await allNotifications()).filter(isOurs);
      assert.ok(ours.length <= 1, `more than one error message: ${JSON.stringify(ours)}`);
      await sleep(250);
    }
    await wb.runCommand('Notifications: Show Notifications');
    await wb.page.locator('.notifications-center').waitFor({ state: 'visible', timeout: 10_000 });
    const center = (await allNotifications()).filter(isOurs);
    console.error(`  notification center: ${JSON.stringify(center.map((n) => n.message))}`);
    assert.equal(center.length, 1, 'exactly one error message in the notification center');
    const status = await wb.statusItem('wf-lsp');
    console.error(`  status bar: ${JSON.stringify(status && { text: status.text, aria: status.aria })}`);
    assert.ok(status, 'the status bar item is shown');
    assert.match(status.html, /codicon-error/, 'the status bar item shows the error state');
    await wb.screenshot('07b-broken-server-one-message');

    // The way out: "Open settings" lands on the extension's settings; the user narrows them to the server command.
    const button = wb.page.locator('.notifications-center .notification-list-item .monaco-button', { hasText: /settings/i }).first();
    await button.click();
    const editor = wb.page.locator('.settings-editor');
    const searchBox = editor.locator('.search-container .monaco-editor');
    await searchBox.waitFor({ state: 'visible', timeout: 15_000 });
    const opened = await waitFor('the Settings editor filtered to the extension', async () => {
      const query = norm(await editor.locator('.search-container .view-lines').innerText().catch(() => ''));
      const count = norm(await editor.locator('.settings-count-widget').innerText().catch(() => ''));
      return /wfLsp/.test(query) && /\d+ Settings? Found/i.test(count) ? { query: query.trim(), count } : undefined;
    }, { timeout: 15_000 });
    console.error(`  settings editor: ${JSON.stringify(opened)}`);
    await wb.screenshot('07c-broken-server-open-settings');
    await searchBox.click();
    await wb.page.keyboard.press('Control+A');
    await wb.page.keyboard.type('wfLsp.serverCommand');
    const body = editor.locator('.settings-body');
    const showsSetting = async () => {
      const text = norm(await body.innerText().catch(() => ''));
      return /Server Command/.test(text) && text.includes('/nonexistent/wf-lsp');
    };
    let found = await waitFor('the search to apply', async () => {
      const text = norm(await body.innerText().catch(() => ''));
      if (/Server Command/.test(text)) return 'shown';
      if (/No Settings Found/i.test(text)) return 'absent';
      return undefined;
    }, { timeout: 15_000 });
    if (found === 'absent') {
      // wfLsp.serverCommand has scope machine-overridable: in a remote window (code-server) VS Code lists it only
      // under the "Remote" tab, not under "User", where "Open settings" lands.
      const tab = await editor.locator('.settings-tabs-widget .action-label.checked').innerText().catch(() => '?');
      finding(`"Open settings" opened the ${norm(tab).trim()} settings tab, where wfLsp.serverCommand is not listed ` +
        '(machine-overridable settings appear only under "Remote" in code-server/remote windows); the user must switch tabs.');
      await wb.screenshot('07d-broken-server-user-tab-lacks-setting');
      await editor.locator('.settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
    }
    await waitFor('the Server Command setting with the broken value', showsSetting, { timeout: 15_000 });
    await wb.screenshot('07e-broken-server-setting-to-fix');

    // The extension's own log (its output channel, as written by the extension host): one failure, no restarts.
    const log = extensionLog();
    if (log !== undefined) {
      const failures = log.split('\n').filter((l) => /\[error\] Cannot start the workflow language server/.test(l));
      const starts = log.split('\n').filter((l) => /Starting the server/.test(l));
      console.error(`  extension log: ${failures.length} failure line(s), ${starts.length} start attempt(s)`);
      assert.equal(failures.length, 1, `one failure in the extension's log:\n${log}`);
      assert.equal(starts.length, 0, `no attempt to start a command that is not there:\n${log}`);
    }
  } catch (error) {
    await wb?.screenshot('FAIL-7-broken-server').catch(() => {});
    throw error;
  }
});
