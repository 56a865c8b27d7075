// Step 7: "Workflow: Show Graph" draws the workflow beside the editor, with a planted problem node marked;
// clicking a node reveals its JSON; typing a fix redraws the graph. Leaves graph-view.png in the artifacts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ENV, Workbench, launchBrowser, positionOf, waitFor } from '../lib/workbench.mjs';

const SOURCE = 'packages__examples__workflows__complex_approval_flow.workflow.json';
const REL = 'graph/approval_planted.workflow.json';
/** The plant: a connection whose target is misspelled, so "All Validations Passed?" has an error. */
const GOOD_TARGET = '"node": "send-for-approval"';
const BAD_TARGET = '"node": "send-for-aproval"';
const PROBLEM_NODE = 'All Validations Passed?';

let browser;
let wb;
let text;

before(async () => {
  const corpus = process.env.WF_E2E_CORPUS ?? join(ENV.repo, '..', 'shared', 'corpus', 'metabuilder');
  const original = readFileSync(join(corpus, SOURCE), 'utf8');
  assert.equal(original.split(GOOD_TARGET).length, 2, 'the plant needs exactly one connection to send-for-approval');
  text = original.replace(GOOD_TARGET, BAD_TARGET);
  const file = join(ENV.mainWorkspace, REL);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  browser = await launchBrowser();
  wb = await Workbench.open(browser, ENV.mainUrl, ENV.mainWorkspace, 'graph');
});

after(async () => {
  const csp = (wb?.consoleErrors ?? []).filter((m) => /Content.Security.Policy|Refused to/i.test(m));
  if (csp.length) console.error(`CSP violations:\n  ${csp.join('\n  ')}`);
  await browser?.close();
});

function step(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await wb?.screenshot(`FAIL-graph-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 30)}`).catch(() => {});
      throw error;
    }
  });
}

/** The webview frame that holds the drawing. */
async function graphFrame() {
  return waitFor('the graph webview', async () => {
    for (const frame of wb.page.frames()) {
      if (await frame.$('#graph svg').catch(() => null)) return frame;
    }
    return undefined;
  }, { timeout: 60_000 });
}

/** Nodes as drawn: their classes and text. */
async function drawnNodes(frame) {
  return frame.$$eval('#graph svg g.node', (els) =>
    els.map((el) => ({ classes: el.getAttribute('class'), index: el.getAttribute('data-index'), text: [...el.querySelectorAll('text')].map((t) => t.textContent).join(' | ') })),
  );
}

/** The CLI's graph of the same text: the node count the view must show. */
function cliGraph() {
  const python = join(ENV.repo, '.venv', 'bin', 'python');
  return JSON.parse(execFileSync(python, ['-m', 'wf_lsp', 'graph', '--format', 'json', '--no-config', join(ENV.mainWorkspace, REL)], { encoding: 'utf8' }));
}

step('Show Graph opens beside the editor with the planted problem node marked', async () => {
  await wb.openFile(REL);
  await wb.runCommand('Workflow: Show Graph');
  const frame = await graphFrame();
  const expected = cliGraph();
  const nodes = await waitFor('every node drawn, the problem node marked', async () => {
    const drawn = await drawnNodes(frame);
    return drawn.some((n) => /\berror\b/.test(n.classes)) && drawn.length >= expected.nodes.length ? drawn : undefined;
  }, { timeout: 60_000 });
  const real = nodes.filter((n) => n.index !== null);
  assert.equal(real.length, expected.nodes.length);
  const bad = nodes.filter((n) => /\berror\b/.test(n.classes));
  assert.equal(bad.length, 1, JSON.stringify(nodes));
  assert.match(bad[0].text, new RegExp(`${PROBLEM_NODE.replace('?', '\\?')} \\|.*✖ INVALID_CONNECTION_TARGET_NODE`));
  assert.ok(nodes.some((n) => /\bmissing\b/.test(n.classes) && n.text.includes('? send-for-aproval')), 'the misspelled target has a stand-in');
  assert.ok(nodes.some((n) => /\bunreachable\b/.test(n.classes) && n.text.includes('Create Approval Record')), 'the cut-off node is shown unreachable');
  assert.ok(nodes.some((n) => /\bwarning\b/.test(n.classes) && n.text.includes('Run Fraud Detection')), 'the warning node is marked');
  // The theme's colours: the problem node's border is the editor's error colour, not the plain node border.
  const colours = await frame.evaluate(() => {
    const stroke = (sel) => getComputedStyle(document.querySelector(sel)).stroke;
    return { error: stroke('g.node.error rect'), plain: stroke('g.node:not(.error):not(.warning):not(.missing):not(.cyclic) rect'), theme: getComputedStyle(document.documentElement).getPropertyValue('--vscode-editorError-foreground').trim() };
  });
  assert.notEqual(colours.error, colours.plain);
  assert.ok(colours.theme.length > 0, 'the webview gets the theme variables');
  // The problem list under the drawing names the node and its diagnostic.
  const problems = await frame.$eval('#problems', (el) => el.textContent);
  assert.match(problems, /All Validations Passed\?.*error INVALID_CONNECTION_TARGET_NODE: Target node "send-for-aproval" not found/s);
  // Both visible at once: the editor and the view beside it.
  const groups = await wb.page.locator('.editor-group-container').count();
  assert.ok(groups >= 2, `expected the graph beside the editor, found ${groups} editor group(s)`);
  // The problem node is in view without scrolling by hand (the first drawing scrolls to it).
  await waitFor('the problem node inside the visible part of the view', () =>
    frame.evaluate(() => {
      const r = document.querySelector('g.node.error').getBoundingClientRect();
      return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
    }), { timeout: 10_000 });
  await wb.page.waitForTimeout(500);
  await wb.screenshot('graph-view');
});

step('clicking a node reveals its JSON in the editor', async () => {
  const frame = await graphFrame();
  await frame.click('#graph svg g.node.error');
  const want = positionOf(text, `"name": "${PROBLEM_NODE}"`);
  await waitFor(`the cursor on the line of "${PROBLEM_NODE}"`, async () => (await wb.cursorPosition())?.line === want.line, { timeout: 15_000 });
});

step('typing the fix redraws the graph without the problem', async () => {
  const at = positionOf(text, BAD_TARGET);
  await wb.goTo(at.line, at.column + '"node": "send-for-a'.length);
  await wb.page.keyboard.type('p', { delay: 40 });
  const frame = await graphFrame();
  await waitFor('the graph redrawn without an error node', async () => {
    const drawn = await drawnNodes(frame);
    return drawn.length > 0 && !drawn.some((n) => /\b(error|missing|unreachable)\b/.test(n.classes));
  }, { timeout: 30_000 });
  await wb.screenshot('graph-view-fixed');
  const csp = wb.consoleErrors.filter((m) => /Content.Security.Policy|Refused to/i.test(m));
  assert.deepEqual(csp, []);
});
