import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, graphHtml } from '../src/graphHtml';
import { clean, layout, nodeClasses, nodeLines, type ModelNode } from '../src/graphLayout';

function node(index: number, name: string, extra: Partial<ModelNode> = {}): ModelNode {
  return { index, name, id: `n${index}`, type: 'metabuilder.transform', step: index + 1, trigger: false, unreachable: false, cyclic: false, severity: null, findings: [], ...extra };
}

const edge = (source: number | null, target: number | null, extra: Record<string, unknown> = {}) => ({
  source, target, sourceRef: `n${source}`, targetRef: target === null ? 'Nowhere' : `n${target}`, type: 'main', output: 0 as number | string, cyclic: false, ...extra,
});

describe('graph layout', () => {
  it('places every node left to right in plan order, with routes for every edge', () => {
    const out = layout({ nodes: [node(0, 'Start', { trigger: true }), node(1, 'Middle'), node(2, 'End')], edges: [edge(0, 1), edge(1, 2)] });
    const x = (i: number) => out.nodes.find((n) => n.index === i)?.x ?? NaN;
    assert.ok(x(0) < x(1) && x(1) < x(2));
    assert.equal(out.edges.length, 2);
    assert.ok(out.edges.every((e) => e.points.length >= 2));
    assert.ok(out.width > 0 && out.height > 0);
    assert.deepEqual(out.nodes[0]?.classes, ['node', 'trigger']);
  });

  it('lays a narrow panel out top to bottom', () => {
    const out = layout({ nodes: [node(0, 'Start'), node(1, 'Middle'), node(2, 'End')], edges: [edge(0, 1), edge(1, 2)] }, 'TB');
    const y = (i: number) => out.nodes.find((n) => n.index === i)?.y ?? NaN;
    assert.ok(y(0) < y(1) && y(1) < y(2));
  });

  it('marks problem nodes and shows their codes, and draws missing targets as stand-ins', () => {
    const bad = node(1, 'Broken', { severity: 'error', findings: [{ code: 'INVALID_CONNECTION_TARGET_NODE', severity: 'error', message: 'Target node "Nowhere" not found' }] });
    const out = layout({ nodes: [node(0, 'Start'), bad], edges: [edge(0, 1), edge(1, null)] });
    const drawn = out.nodes.find((n) => n.index === 1);
    assert.deepEqual(drawn?.classes, ['node', 'error']);
    assert.equal(drawn?.lines.at(-1), '✖ INVALID_CONNECTION_TARGET_NODE');
    assert.match(drawn?.tooltip ?? '', /error INVALID_CONNECTION_TARGET_NODE: Target node "Nowhere" not found/);
    const ghost = out.nodes.find((n) => n.index === null);
    assert.deepEqual(ghost?.classes, ['node', 'missing']);
    assert.equal(ghost?.lines[0], '? Nowhere');
    assert.deepEqual(out.edges[1]?.classes, ['edge', 'dangling']);
  });

  it('shows cycles, unreachable nodes and connection types', () => {
    const a = node(0, 'A', { cyclic: true, step: null });
    const b = node(1, 'B', { unreachable: true, step: null });
    assert.deepEqual(nodeClasses(a), ['node', 'cyclic']);
    assert.equal(nodeLines(a)[1], 'metabuilder.transform · on a cycle');
    assert.equal(nodeLines(b)[1], 'metabuilder.transform · unreachable');
    const out = layout({ nodes: [a, b], edges: [edge(0, 0, { cyclic: true }), edge(1, 0, { type: 'ai_languageModel' }), edge(1, 0, { output: 1 })] });
    assert.deepEqual(out.edges.map((e) => [e.classes, e.label]), [[['edge', 'cyclic'], ''], [['edge'], 'ai_languageModel'], [['edge'], 'main 1']]);
  });

  it('keeps hostile names on one line and short', () => {
    assert.equal(clean('a\nb\t\u0000c'), 'a b c');
    const long = clean('x'.repeat(100));
    assert.equal(Array.from(long).length, 40);
    assert.ok(long.endsWith('…'));
    assert.equal(clean('🚀'.repeat(50)).length, 39 * 2 + 1);
  });
});

describe('graph view HTML', () => {
  it('allows only its own stylesheet and its nonce-tagged script', () => {
    const csp = contentSecurityPolicy('vscode-resource:', 'abc');
    assert.equal(csp, "default-src 'none'; style-src vscode-resource:; script-src 'nonce-abc'; img-src vscode-resource:; font-src vscode-resource:");
    assert.doesNotMatch(csp, /unsafe|\*/);
    const html = graphHtml('vscode-resource:', 'abc', 'https://x/graph.js', 'https://x/graph.css');
    assert.match(html, /<script nonce="abc" src="https:\/\/x\/graph.js"><\/script>/);
    assert.doesNotMatch(html, /\sstyle="|<style|\son\w+="/);
  });

  it('the webview script and stylesheet use no inline styles or eval', () => {
    const script = readFileSync('src/webview/graph.ts', 'utf8');
    assert.doesNotMatch(script, /\.style\b|setAttribute\('style'|innerHTML|eval\(|new Function/);
    assert.doesNotMatch(readFileSync('node_modules/@dagrejs/dagre/dist/dagre.cjs', 'utf8'), /\beval\(|new Function\(/);
  });
});
