// The graph webview's page on its own in Chromium, under the same strict CSP as in VS Code: the first drawing shows
// the problem node, redrawing keeps the user's scroll position, a click asks to reveal the node. Needs the built
// extension (vscode-extension/dist/webview); no code-server, so it also runs alone:
//   node --test vscode-extension/e2e/tests/31-graph-webview.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { launchBrowser, waitFor } from '../lib/workbench.mjs';

const REPO = process.env.WF_E2E_REPO ?? fileURLToPath(new URL('../../..', import.meta.url));
const ARTIFACTS = process.env.WF_E2E_ARTIFACTS ?? join(REPO, 'vscode-extension', 'e2e', 'artifacts');
const MEDIA = join(REPO, 'vscode-extension', 'dist', 'webview');
const CORPUS = process.env.WF_E2E_CORPUS ?? join(REPO, '..', 'shared', 'corpus', 'metabuilder');
const ORIGIN = 'https://webview.test';
const NONCE = 'n0nce';
// A few of VS Code's Dark Modern theme variables, as the workbench sets them on a webview.
const THEME = `html { --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc;
  --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #313131; --vscode-descriptionForeground: #9d9d9d;
  --vscode-editorError-foreground: #f85149; --vscode-editorWarning-foreground: #cca700; --vscode-charts-orange: #d18616;
  --vscode-focusBorder: #0078d4; --vscode-textLink-foreground: #4daafc; --vscode-font-family: sans-serif; }`;

let browser;
let page;
const violations = [];

function graphResult() {
  const text = readFileSync(join(CORPUS, 'packages__examples__workflows__complex_approval_flow.workflow.json'), 'utf8').replace(
    '"node": "send-for-approval"',
    '"node": "send-for-aproval"',
  );
  const file = join(tmpdir(), `wf-graph-webview-${process.pid}.json`);
  writeFileSync(file, text);
  const graph = JSON.parse(execFileSync(join(REPO, '.venv', 'bin', 'python'), ['-m', 'wf_lsp', 'graph', '--format', 'json', '--no-config', file], { encoding: 'utf8' }));
  return { uri: `file://${file}`, version: 1, valid: false, graph, mermaid: null, errors: [] };
}

before(async () => {
  assert.ok(existsSync(join(MEDIA, 'graph.js')), `build the extension first (cd vscode-extension && npm run build): ${MEDIA}/graph.js is missing`);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 520, height: 780 } });
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  const csp = `default-src 'none'; style-src ${ORIGIN}; script-src 'nonce-${NONCE}'; img-src ${ORIGIN}; font-src ${ORIGIN}`;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${ORIGIN}/theme.css"><link rel="stylesheet" href="${ORIGIN}/graph.css"></head>
<body><div id="status"></div><div id="graph"></div><ul id="problems"></ul>
<script nonce="${NONCE}" src="${ORIGIN}/api.js"></script><script nonce="${NONCE}" src="${ORIGIN}/graph.js"></script></body></html>`;
  const api = 'window.sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m) });';
  const files = {
    '/index.html': ['text/html', html],
    '/api.js': ['text/javascript', api],
    '/theme.css': ['text/css', THEME],
    '/graph.css': ['text/css', readFileSync(join(MEDIA, 'graph.css'), 'utf8')],
    '/graph.js': ['text/javascript', readFileSync(join(MEDIA, 'graph.js'), 'utf8')],
  };
  await page.route(`${ORIGIN}/**`, (route) => {
    const hit = files[new URL(route.request().url()).pathname];
    return hit ? route.fulfill({ status: 200, contentType: hit[0], body: hit[1] }) : route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await waitFor('the view to say it is ready', () => page.evaluate(() => window.sent?.some((m) => m.type === 'ready')));
});

after(async () => {
  await browser?.close();
});

const visible = (selector) =>
  page.evaluate((sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return !!r && r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
  }, selector);

test('the first drawing shows the problem node; a redraw keeps the scroll position; a click asks to reveal', async () => {
  const result = graphResult();
  // The extension posts the graph twice when the view opens (on "ready", and when the command's request returns).
  await page.evaluate((r) => {
    window.postMessage({ type: 'graph', result: r }, '*');
    window.postMessage({ type: 'graph', result: r }, '*');
  }, result);
  await waitFor('the drawing', () => page.$('#graph svg g.node.error'));
  assert.equal(await page.$$eval('#graph svg g.node[data-index]', (els) => els.length), result.graph.nodes.length);
  await waitFor('the problem node in view', () => visible('g.node.error'), { timeout: 5_000 });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'graph-webview.png') });
  // A redraw (as after a keystroke) keeps where the user scrolled to.
  const before = await page.evaluate(() => {
    const g = document.getElementById('graph');
    g.scrollLeft = Math.floor((g.scrollWidth - g.clientWidth) / 3);
    window.scrollTo(0, Math.floor((document.documentElement.scrollHeight - window.innerHeight) / 2));
    return { left: g.scrollLeft, y: window.scrollY };
  });
  assert.ok(before.left > 0, `the drawing must scroll sideways in this viewport: ${JSON.stringify(before)}`);
  await page.evaluate((r) => window.postMessage({ type: 'graph', result: { ...r, version: 2 } }, '*'), result);
  await waitFor('the redraw', () => page.evaluate(() => document.body.dataset.version === '2'));
  const afterRedraw = await page.evaluate(() => ({ left: document.getElementById('graph').scrollLeft, y: window.scrollY }));
  assert.deepEqual(afterRedraw, before);
  await page.click('#graph svg g.node.error');
  const sent = await page.evaluate(() => window.sent);
  const problem = result.graph.nodes.find((n) => n.severity === 'error');
  assert.deepEqual(sent.at(-1), { type: 'reveal', index: problem.index });
  assert.deepEqual(violations, []);
});
