// Smoke test of the harness alone (WF_E2E_NO_EXTENSION=1): code-server serves the workbench, Chromium drives it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLEAN } from '../lib/workspace-spec.mjs';
import { ENV, Workbench, launchBrowser, norm, waitFor } from '../lib/workbench.mjs';

let browser;
let wb;

before(async () => {
  browser = await launchBrowser();
  wb = await Workbench.open(browser, ENV.mainUrl, ENV.mainWorkspace, 'harness');
});

after(async () => {
  await browser?.close();
});

test('harness: the workbench opens a corpus file and the command palette works', async () => {
  await wb.openFile(CLEAN);
  await wb.goTo(3, 5);
  const text = await wb.visibleText();
  assert.match(text, /"name": "Begin Frame"/);
  await wb.openProblems();
  await wb.screenshot('00-harness');
  await wb.runCommand('View: Toggle Word Wrap');
  await waitFor('status bar cursor', () => wb.cursorPosition());
  assert.ok(norm('a\u00a0b') === 'a b');
});
