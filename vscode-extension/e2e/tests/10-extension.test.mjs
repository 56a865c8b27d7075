// Steps 1-6: the extension, installed from its .vsix into code-server, used the way a user meets it.
// Server: the project's venv through `wfLsp.interpreter` (run.sh writes the settings).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLEAN, CORPUS_FILES, PLANTED } from '../lib/workspace-spec.mjs';
import { ENV, Workbench, launchBrowser, norm, positionOf, readWorkspaceFile, retry, waitFor } from '../lib/workbench.mjs';

const SERVER_TIMEOUT = 60_000; // first diagnostics: extension activation + Python server start
const measurements = {};

let browser;
let wb;

before(async () => {
  browser = await launchBrowser();
  wb = await Workbench.open(browser, ENV.mainUrl, ENV.mainWorkspace, 'main');
});

after(async () => {
  writeFileSync(join(ENV.artifacts, 'measurements.json'), JSON.stringify(measurements, null, 2) + '\n');
  if (wb?.consoleErrors?.length) console.error(`browser console errors (${wb.consoleErrors.length}):\n  ${wb.consoleErrors.slice(0, 10).join('\n  ')}`);
  await browser?.close();
});

/** A test whose failure leaves a screenshot of the moment (FAIL-<slug>.png). */
function step(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      await wb?.screenshot(`FAIL-${slug}`).catch(() => {});
      throw error;
    }
  });
}

/** Marker rows of the Problems panel that mention `code` (filtered to it, so the list is short). */
async function markersFor(code) {
  await wb.filterProblems(code);
  const rows = await wb.problemRows();
  return rows.filter((r) => r.kind === 'marker' && r.text.includes(code));
}

/** The CLI's verdict on a workspace file: the expected counts, independent of the editor. */
function cliCounts(rel) {
  const python = join(ENV.repo, '.venv', 'bin', 'python');
  let out;
  try {
    out = execFileSync(python, ['-m', 'wf_lsp', 'check', '--format', 'json', '--no-config', join(ENV.mainWorkspace, rel)], { encoding: 'utf8' });
  } catch (error) {
    out = error.stdout; // exit 1 = problems found
  }
  const [result] = JSON.parse(out);
  return { errors: result.errors.length, warnings: result.warnings.length, tenantId: result.summary?.tenantId ?? null };
}

/** The wf-lsp status bar item's numbers: { errors, warnings, text }, or undefined while it shows none. */
async function statusCounts() {
  const item = await wb.statusItem('wf-lsp');
  if (!item) return undefined;
  // `$(json) wf-lsp metabuilder $(error) 2 $(warning) 1`: codicons are spans; the file's dialect, then the numbers.
  const m = /wf-lsp(?:\s+([a-z][a-z0-9-]*))?\s+(\d+)\s+(\d+)/.exec(item.text.replace(/\s+/g, ' '));
  const iconOrder = [...item.html.matchAll(/codicon-(error|warning)\b/g)].map((x) => x[1]);
  return m
    ? { dialect: m[1], errors: Number(m[2]), warnings: Number(m[3]), text: item.text, aria: item.aria, icons: iconOrder }
    : { text: item.text, aria: item.aria };
}

/** Waits until the status bar item says the server is running (the tooltip: "Workflow language server: running"). */
async function waitForServerRunning() {
  return waitFor('the wf-lsp status: running', async () => {
    const item = await wb.statusItem('wf-lsp');
    return item && /server: running/.test(item.aria) ? item : undefined;
  }, { timeout: SERVER_TIMEOUT });
}

/** A close-up of the left half of the status bar, where the item sits. */
async function statusBarCloseUp(name) {
  const box = await wb.page.locator('.part.statusbar').boundingBox();
  const path = join(ENV.artifacts, `${name}.png`);
  await wb.page.screenshot({ path, clip: { x: 0, y: box.y, width: Math.min(520, box.width), height: box.height } });
}

const planted = readWorkspaceFile(ENV.mainWorkspace, PLANTED.path);
const dupName = positionOf(planted, `"name": "${PLANTED.duplicateOf}"`, 2);
const DUP = { line: dupName.line, column: dupName.column + '"name": '.length };

step(`1. planted duplicate: Problems shows DUPLICATE_NODE_NAME at line ${DUP.line}`, async () => {
  await wb.openFile(PLANTED.path);
  await wb.openProblems();
  const started = Date.now();
  const marker = await waitFor('DUPLICATE_NODE_NAME in the Problems panel', async () => (await markersFor('DUPLICATE_NODE_NAME'))[0], {
    timeout: SERVER_TIMEOUT,
  });
  measurements.firstDiagnosticMs = Date.now() - started;
  console.error(`  marker: ${marker.text}`);
  assert.match(marker.text, new RegExp(`Duplicate node name.*${PLANTED.duplicateOf}`));
  assert.match(marker.text, /wf-lsp/);
  assert.equal(marker.line, DUP.line, `marker line (the second "name": "${PLANTED.duplicateOf}")`);
  assert.equal(marker.column, DUP.column);
  // The picture: this file's problems (a glob filter), with the squiggle on the duplicate's line in view.
  await wb.filterProblems(`**/${PLANTED.path.split('/').pop()}`);
  await wb.goTo(DUP.line, DUP.column);
  await waitFor('the error squiggle', () => wb.page.locator('.editor-instance .squiggly-error').count());
  await wb.screenshot('01-duplicate-node-name-problem');
});

step(`2. Ctrl+. offers "Rename duplicate node"; choosing it edits the text and the problem goes away`, async () => {
  const title = `Rename duplicate node to '${PLANTED.renamedTo}'`;
  await retry('quick fix menu', async () => {
    await wb.escape();
    await wb.goTo(DUP.line, DUP.column + 2);
    await wb.page.keyboard.press('Control+.');
    await waitFor(`'${title}' in the quick fix menu`, async () => {
      const items = await wb.page.locator('.action-widget .monaco-list-row').allInnerTexts();
      return items.map(norm).some((t) => t.includes(title));
    }, { timeout: 10_000 });
  });
  const items = (await wb.page.locator('.action-widget .monaco-list-row').allInnerTexts()).map(norm);
  console.error(`  quick fixes: ${JSON.stringify(items)}`);
  await wb.screenshot('02a-quick-fix-menu');
  await wb.page.locator('.action-widget .monaco-list-row', { hasText: title }).first().click();
  await waitFor(`line ${DUP.line} to read "${PLANTED.renamedTo}"`, async () => {
    const text = await wb.visibleText();
    return text.split('\n').some((l) => l.includes(`"name": "${PLANTED.renamedTo}"`));
  }, { timeout: 10_000 });
  assert.equal(await wb.page.locator('.action-widget .monaco-list-row').filter({ visible: true }).count(), 0, 'the menu closed');
  await waitFor('DUPLICATE_NODE_NAME to leave the Problems panel', async () => (await markersFor('DUPLICATE_NODE_NAME')).length === 0, { timeout: 10_000 });
  await wb.filterProblems(`**/${PLANTED.path.split('/').pop()}`);
  await wb.focusEditor();
  await wb.screenshot('02b-quick-fix-applied');
  // Save, as a user would: later steps compare the workspace report with the files on disk.
  await wb.page.keyboard.press('Control+S');
  await waitFor('the file to be saved', async () => {
    const tab = wb.page.locator('.editor-group-container.active .tabs-container .tab.active');
    return !(await tab.getAttribute('class')).includes('dirty');
  }, { timeout: 10_000 });
  assert.match(readWorkspaceFile(ENV.mainWorkspace, PLANTED.path), new RegExp(`"name": "${PLANTED.renamedTo}"`));
});

/**
 * Watches, inside the page, when the Problems panel starts and stops listing `code`, and when the last key went
 * down, so latencies are measured to ~10 ms instead of to the test's polling.
 */
async function watchProblems(code, withText = '') {
  await wb.page.evaluate(([code, withText]) => {
    const state = { lastKey: 0, present: false, since: 0, keyBefore: 0, changes: [] };
    window.__wfWatch?.stop();
    const onKey = () => { state.lastKey = performance.now(); };
    window.addEventListener('keydown', onKey, true);
    const timer = setInterval(() => {
      const rows = [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => r.innerText.replace(/\u00a0/g, ' '));
      const present = rows.some((r) => r.includes(code) && r.includes(withText));
      if (present !== state.present) {
        state.present = present;
        state.since = performance.now();
        state.changes.push({ present, at: state.since, afterKeyMs: Math.round(state.since - state.lastKey) });
      }
    }, 10);
    window.__wfWatch = { state, stop: () => { clearInterval(timer); window.removeEventListener('keydown', onKey, true); } };
  }, [code, withText]);
  return {
    /** Waits until the panel lists (or no longer lists) the code; returns ms from the last key press to then. */
    until: async (present, timeout) => {
      const change = await waitFor(`the Problems panel to ${present ? 'list' : 'no longer list'} ${code}`, () =>
        wb.page.evaluate((present) => {
          const s = window.__wfWatch.state;
          return s.present === present ? s.changes[s.changes.length - 1] ?? { afterKeyMs: 0 } : undefined;
        }, present), { timeout, interval: 50 });
      return change.afterKeyMs;
    },
    stop: () => wb.page.evaluate(() => window.__wfWatch?.stop()),
  };
}

step('3. a connection target naming no node brings INVALID_CONNECTION_TARGET_NODE within a second; undo clears it', async () => {
  const code = 'INVALID_CONNECTION_TARGET_NODE';
  const text = readWorkspaceFile(ENV.mainWorkspace, CLEAN);
  const target = 'Update Scene';
  const at = positionOf(text, `"node": "${target}"`, 1);
  const valueColumn = at.column + '"node": "'.length;
  await wb.openFile(CLEAN);
  await wb.filterProblems(code);
  assert.equal((await markersFor(code)).length, 0, 'no such problem before typing');
  await wb.goTo(at.line, valueColumn);
  for (let i = 0; i < target.length; i++) await wb.page.keyboard.press('Shift+ArrowRight');
  const typed = 'Render Frames';
  // The final text's problem (the server may also flag the half-typed names on the way).
  const watch = await watchProblems(code, `"${typed}"`);
  await wb.page.keyboard.type(typed, { delay: 40 });
  const latency = await watch.until(true, 10_000);
  measurements.invalidTargetLatencyMs = latency;
  const marker = await waitFor(code, async () => (await markersFor(code))[0], { timeout: 5_000 });
  console.error(`  appeared ${latency} ms after the last keystroke: ${marker.text}`);
  await wb.screenshot('03a-invalid-connection-target');
  assert.ok(latency <= 1000, `appeared ${latency} ms after the last keystroke (expected within 1000 ms)`);
  assert.match(marker.text, new RegExp(typed));
  assert.equal(marker.line, at.line);
  const line = (await wb.visibleText()).split('\n').find((l) => l.includes(`"node": "${typed}"`));
  assert.ok(line, 'the typed text is in the editor');

  // Undo until the line reads as on disk again (Monaco may group the typing into more than one undo stop).
  await wb.focusEditor();
  let undos = 0;
  await waitFor('the original text after undo', async () => {
    const now = await wb.visibleText();
    if (now.includes(`"node": "${target}"`) && !now.includes(typed)) return true;
    await wb.page.keyboard.press('Control+Z');
    undos++;
    return false;
  }, { timeout: 10_000, interval: 150 });
  const cleared = await watch.until(false, 5_000); // no row for the typed name
  await waitFor(`no ${code} at all`, async () => (await markersFor(code)).length === 0, { timeout: 5_000 });
  await watch.stop();
  measurements.undoClearMs = cleared;
  console.error(`  ${undos} undo(s); cleared ${cleared} ms after the last one`);
  assert.ok(cleared <= 1000, `cleared ${cleared} ms after undo (expected within 1000 ms)`);
  await wb.screenshot('03b-undo-clears-it');
  await wb.filterProblems('');
});

/** Text of the rendered Markdown preview that contains `needle` (it lives in a webview iframe). */
async function previewText(needle) {
  for (const frame of wb.page.frames()) {
    if (frame === wb.page.mainFrame()) continue; // its tab titles name the report too
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    if (text.includes(needle)) return norm(text);
  }
  return undefined;
}

step('4. "Workflow: Show Tenant Diagnostics" opens a report naming the tenants with their counts', async () => {
  // Expected: every workspace file's tenant and per-tenant totals, from the CLI.
  const expected = new Map();
  for (const rel of [...Object.values(CORPUS_FILES), PLANTED.path]) {
    const c = cliCounts(rel);
    const key = c.tenantId ?? '(no tenant)';
    const e = expected.get(key) ?? { files: 0, errors: 0, warnings: 0 };
    e.files += 1;
    e.errors += c.errors;
    e.warnings += c.warnings;
    expected.set(key, e);
  }
  measurements.expectedTenants = Object.fromEntries(expected);
  await waitForServerRunning();
  await wb.escape();
  await wb.runCommand('Workflow: Show Tenant Diagnostics');
  // Several tenants: the extension asks which one; take "All tenants".
  const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'All tenants' }).first();
  await pick.waitFor({ state: 'visible', timeout: 30_000 });
  const labels = (await wb.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).map(norm);
  console.error(`  tenant pick: ${JSON.stringify(labels)}`);
  for (const tenant of expected.keys()) assert.ok(labels.some((l) => l.includes(tenant)), `the pick lists ${tenant}`);
  await wb.screenshot('04a-tenant-pick');
  await pick.click();
  const report = await waitFor('the tenant report', () => previewText('Workflow diagnostics by tenant'), { timeout: 30_000 });
  writeFileSync(join(ENV.artifacts, '04-tenant-report.txt'), report);
  const sections = report.split(/(?=Tenant: |Unresolved placeholder )/).slice(1);
  // A `${TENANT_ID}` placeholder is filled in at deployment: the report shows it as such, not as a tenant.
  const heading = (tenant) => (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$|^\{\{.*\}\}$/.test(tenant) ? `Unresolved placeholder ${tenant}` : `Tenant: ${tenant}`);
  for (const [tenant, e] of expected) {
    const head = heading(tenant);
    const section = sections.find((s) => s.startsWith(`${head}\n`) || s.startsWith(`${head} `) || s.split('\n')[0].trim() === head);
    assert.ok(section, `the report has a section for tenant ${tenant}`);
    const first = section.split('\n').slice(0, 4).join(' ');
    assert.match(first, new RegExp(`\\b${e.files} files?\\b`), `tenant ${tenant}: ${e.files} file(s) in "${first}"`);
    assert.match(first, new RegExp(`\\b${e.errors} errors?\\b`), `tenant ${tenant}: ${e.errors} error(s) in "${first}"`);
    assert.match(first, new RegExp(`\\b${e.warnings} warnings?\\b`), `tenant ${tenant}: ${e.warnings} warning(s) in "${first}"`);
  }
  // The picture: the report with room to show every tenant (the Problems panel hidden for it).
  await wb.runCommand('View: Hide Panel');
  await waitFor('the panel and the palette to hide', async () =>
    !(await wb.page.locator('.markers-panel').isVisible().catch(() => false)) && !(await wb.page.locator('.quick-input-widget').isVisible()), { timeout: 5_000 });
  await wb.screenshot('04b-tenant-report');
});

step('5. hover on a node type shows its registry entry; completion in a connection "node" offers the node names', async () => {
  const registry = JSON.parse(readFileSync(join(ENV.repo, 'wf_lsp', 'core', 'data', 'registry.json'), 'utf8'));
  const text = readWorkspaceFile(ENV.mainWorkspace, CLEAN);
  const doc = JSON.parse(text);
  const type = 'frame.physics';
  const entry = registry.types[type];
  assert.ok(entry?.description, `registry entry for ${type}`);
  await wb.openFile(CLEAN);
  const at = positionOf(text, `"type": "${type}"`, 1);
  await retry('hover', async () => {
    await wb.escape();
    await wb.goTo(at.line, at.column + '"type": "'.length + 3);
    await wb.page.keyboard.press('Control+K');
    await wb.page.keyboard.press('Control+I');
    await waitFor(`hover with "${entry.description}"`, async () => {
      const hovers = await wb.page.locator('.monaco-hover:visible').allInnerTexts();
      return hovers.map(norm).some((h) => h.includes(entry.description));
    }, { timeout: 10_000 });
  });
  const hover = (await wb.page.locator('.monaco-hover:visible').allInnerTexts()).map(norm).join('\n---\n');
  console.error(`  hover: ${JSON.stringify(hover.slice(0, 300))}`);
  assert.match(hover, new RegExp(type.replace('.', '\\.')));
  await wb.screenshot('05a-hover-node-type');
  await wb.escape();

  // Completion: empty a connection's "node" value and ask for suggestions there.
  const target = 'Update Scene';
  const conn = positionOf(text, `"node": "${target}"`, 1);
  const valueColumn = conn.column + '"node": "'.length;
  await wb.goTo(conn.line, valueColumn);
  for (let i = 0; i < target.length; i++) await wb.page.keyboard.press('Shift+ArrowRight');
  await wb.page.keyboard.press('Delete');
  const names = doc.nodes.map((n) => n.name);
  let offered = [];
  await retry('completion', async () => {
    await wb.escape();
    await wb.page.keyboard.press('Control+Space');
    offered = await waitFor('the suggest widget with node names', async () => {
      const rows = (await wb.page.locator('.editor-widget.suggest-widget .monaco-list-row .label-name').allInnerTexts()).map(norm);
      return rows.filter((r) => names.includes(r)).length >= names.length - 1 ? rows : undefined;
    }, { timeout: 10_000 });
  });
  console.error(`  completion: ${JSON.stringify(offered)}`);
  // The source node ("Step Physics" here) may be left out: a node does not connect to itself.
  const missing = names.filter((n) => !offered.includes(n) && n !== 'Step Physics');
  assert.deepEqual(missing, [], 'every other node name is offered');
  await wb.screenshot('05b-completion-node-names');
  await wb.escape();
  await waitFor('the original text after undo', async () => {
    const now = await wb.visibleText();
    if (now.includes(`"node": "${target}"`)) return true;
    await wb.page.keyboard.press('Control+Z');
    return false;
  }, { timeout: 10_000, interval: 150 });
});

step("6. the status bar shows the active file's error and warning counts", async () => {
  const noisy = CORPUS_FILES['docs__N8N_VARIABLES_EXAMPLE.json'];
  const expected = cliCounts(noisy);
  assert.ok(expected.errors + expected.warnings > 0, 'the file has problems');
  await wb.openFile(noisy);
  // The dialect is asked once the file's diagnostics arrive: the counts may show a moment before it.
  const shown = await waitFor(`status bar "wf-lsp metabuilder ${expected.errors} ${expected.warnings}"`, async () => {
    const s = await statusCounts();
    return s?.errors === expected.errors && s?.warnings === expected.warnings && s?.dialect === 'metabuilder' ? s : undefined;
  }, { timeout: 15_000 });
  console.error(`  ${noisy}: status bar ${JSON.stringify(shown)}; CLI ${JSON.stringify(expected)}`);
  assert.deepEqual(shown.icons, ['error', 'warning'], 'the error count comes first, then warnings');
  assert.equal(shown.dialect, 'metabuilder', 'the status bar names the dialect the server decided for the file');
  await wb.openProblems();
  await wb.screenshot('06a-status-bar-counts');
  await statusBarCloseUp('06c-status-bar-closeup');
  // Another file: the item follows the active editor.
  await wb.openFile(CLEAN);
  const clean = cliCounts(CLEAN);
  const shown2 = await waitFor(`status bar "wf-lsp ${clean.errors} ${clean.warnings}" for ${CLEAN}`, async () => {
    const s = await statusCounts();
    return s?.errors === clean.errors && s?.warnings === clean.warnings ? s : undefined;
  }, { timeout: 15_000 });
  console.error(`  ${CLEAN}: status bar ${JSON.stringify(shown2)}`);
  await wb.screenshot('06b-status-bar-clean-file');
});
