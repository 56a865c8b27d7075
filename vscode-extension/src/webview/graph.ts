/// <reference lib="dom" />
/** The graph webview: draws the laid-out workflow as SVG, lists problem nodes, and asks the editor to reveal a node. */

import { layout, MAX_NODES, type GraphResult, type LaidNode } from '../graphLayout';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const root = document.getElementById('graph') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const problems = document.getElementById('problems') as HTMLElement;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  parent?.appendChild(el);
  return el;
}

function reveal(index: number | null): void {
  if (index !== null) vscode.postMessage({ type: 'reveal', index });
}

function drawNode(parent: SVGGElement, node: LaidNode): void {
  const g = svg('g', { class: node.classes.join(' '), transform: `translate(${node.x - node.width / 2},${node.y - node.height / 2})`, 'data-key': node.key }, parent);
  if (node.index !== null) {
    g.setAttribute('data-index', String(node.index));
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.addEventListener('click', () => reveal(node.index));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') reveal(node.index);
    });
  }
  svg('title', {}, g).textContent = node.tooltip;
  svg('rect', { width: node.width, height: node.height, rx: node.classes.includes('trigger') ? node.height / 2 : 6 }, g);
  node.lines.forEach((line, i) => {
    const text = svg('text', { x: node.width / 2, y: 8 + 16 * i + 12, class: i === 0 ? 'name' : i === 2 || line.startsWith('✖') || line.startsWith('⚠') ? 'codes' : 'detail' }, g);
    text.textContent = line;
  });
}

/** The uri whose problem node was last scrolled into view (only the first drawing of a document scrolls). */
let scrolledFor: string | null | undefined;
let lastResult: GraphResult | undefined;

/** Top to bottom in a narrow panel (a view beside the editor usually is), else left to right. */
function direction(): 'LR' | 'TB' {
  return window.innerWidth < window.innerHeight * 0.9 ? 'TB' : 'LR';
}

function draw(result: GraphResult): void {
  lastResult = result;
  // Emptying the drawing resets its scroll position: keep the user's, and restore it after redrawing.
  const kept = { left: root.scrollLeft, top: root.scrollTop, x: window.scrollX, y: window.scrollY };
  root.replaceChildren();
  problems.replaceChildren();
  const graph = result.graph;
  if (graph === null) {
    status.textContent = result.errors[0]?.message ?? 'No graph.';
    return;
  }
  if (graph.nodes.length > MAX_NODES) {
    status.textContent = `${graph.nodes.length} nodes: too many to lay out here. Use wf-lsp graph FILE --format dot.`;
    return;
  }
  const laid = layout(graph, direction());
  const bad = graph.nodes.filter((n) => n.severity === 'error' || n.severity === 'warning');
  const errors = graph.nodes.filter((n) => n.severity === 'error').length;
  status.textContent = `${graph.nodes.length} nodes · ${graph.edges.length} edges · ${errors} with errors · ${bad.length - errors} with warnings`;
  // Shrunk to the panel's width down to 60 %, scrolled beyond that.
  const scale = Math.min(1, Math.max(0.6, (root.clientWidth || laid.width) / Math.max(1, laid.width)));
  const canvas = svg('svg', {
    width: Math.round(laid.width * scale),
    height: Math.round(laid.height * scale),
    viewBox: `0 0 ${laid.width} ${laid.height}`,
    role: 'img',
    'aria-label': 'Workflow graph',
  });
  const defs = svg('defs', {}, canvas);
  for (const kind of ['plain', 'cyclic', 'dangling']) {
    const marker = svg('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', class: `arrow ${kind}` }, defs);
    svg('path', { d: 'M0,0 L10,5 L0,10 z' }, marker);
  }
  const edges = svg('g', { class: 'edges' }, canvas);
  for (const edge of laid.edges) {
    if (edge.points.length === 0) continue;
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const kind = edge.classes.includes('dangling') ? 'dangling' : edge.classes.includes('cyclic') ? 'cyclic' : 'plain';
    svg('path', { d, class: edge.classes.join(' '), 'marker-end': `url(#arrow-${kind})` }, edges);
    if (edge.label && edge.labelAt) {
      const label = svg('text', { x: edge.labelAt.x, y: edge.labelAt.y + 4, class: 'edge-label' }, edges);
      label.textContent = edge.label;
    }
  }
  const nodes = svg('g', { class: 'nodes' }, canvas);
  for (const node of laid.nodes) drawNode(nodes, node);
  root.appendChild(canvas);
  if (scrolledFor !== result.uri) {
    // The first drawing of a document shows its worst problem node.
    scrolledFor = result.uri;
    (canvas.querySelector('g.node.error') ?? canvas.querySelector('g.node.warning'))?.scrollIntoView({ block: 'nearest', inline: 'center' });
  } else {
    root.scrollLeft = kept.left;
    root.scrollTop = kept.top;
    window.scrollTo(kept.x, kept.y);
  }
  for (const node of bad) {
    const item = document.createElement('li');
    item.className = node.severity ?? '';
    const head = document.createElement('button');
    head.type = 'button';
    head.textContent = node.name;
    head.addEventListener('click', () => reveal(node.index));
    item.appendChild(head);
    const list = document.createElement('ul');
    for (const f of node.findings) {
      const li = document.createElement('li');
      li.textContent = `${f.severity} ${f.code}: ${f.message}`;
      list.appendChild(li);
    }
    item.appendChild(list);
    problems.appendChild(item);
  }
  document.body.dataset.version = String(result.version ?? '');
}

window.addEventListener('message', (event: MessageEvent<{ type: string; result?: GraphResult }>) => {
  if (event.data.type === 'graph' && event.data.result) draw(event.data.result);
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  if (resizeTimer) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (lastResult) draw(lastResult);
  }, 150);
});
vscode.postMessage({ type: 'ready' });
