/** Lays out the server's workflow graph (`wf.graph`) with dagre: node boxes, edge routes, labels and style classes. */

/** The part of dagre's API this module uses (dagre is an ES module with a CommonJS build; the extension is CommonJS). */
interface DagreGraph {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(fn: () => Record<string, unknown>): void;
  setNode(name: string, label: { width: number; height: number }): void;
  setEdge(v: string, w: string, label: Record<string, unknown>, name: string): void;
  node(name: string): { x: number; y: number } | undefined;
  edge(v: string, w: string, name: string): { points?: { x: number; y: number }[]; x?: number; y?: number } | undefined;
  graph(): { width?: number; height?: number };
}
interface Dagre {
  graphlib: { Graph: new (options: { multigraph: boolean }) => DagreGraph };
  layout(graph: DagreGraph): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dagre = require('@dagrejs/dagre') as Dagre;

/** A finding on a node, as `wf.graph` reports it. */
export interface GraphFinding {
  code: string;
  severity: string;
  message: string;
}

/** A node of the server's graph model. */
export interface ModelNode {
  index: number;
  name: string;
  id: string | null;
  type: string | null;
  step: number | null;
  trigger: boolean;
  unreachable: boolean;
  cyclic: boolean;
  severity: string | null;
  findings: GraphFinding[];
  range?: unknown;
  nameRange?: unknown;
}

/** An edge of the server's graph model (`source`/`target` are node indices, or null when the reference names no node). */
export interface ModelEdge {
  source: number | null;
  target: number | null;
  sourceRef: string;
  targetRef: string;
  type: string;
  output: number | string;
  cyclic: boolean;
}

/** What `wf.graph` returns. */
export interface GraphResult {
  uri: string | null;
  version?: number | null;
  valid?: boolean;
  graph: { nodes: ModelNode[]; edges: ModelEdge[]; workflowFindings?: GraphFinding[] } | null;
  mermaid: string | null;
  errors: { code: string; message: string }[];
}

/** A node box ready to draw: centre, size, text lines and style classes. */
export interface LaidNode {
  key: string;
  index: number | null;
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
  classes: string[];
  tooltip: string;
  findings: GraphFinding[];
}

/** An edge route ready to draw. */
export interface LaidEdge {
  points: { x: number; y: number }[];
  label: string;
  labelAt: { x: number; y: number } | null;
  classes: string[];
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

export const FONT_PX = 12;
const LINE_PX = 16;
const PAD_X = 12;
const PAD_Y = 8;
const MAX_CHARS = 40;
/** Above this many nodes the layout is skipped (dagre is superlinear); the view says so instead. */
export const MAX_NODES = 1500;

/** One printable line: controls and line breaks become spaces; long text is cut with an ellipsis. */
export function clean(text: string, limit = MAX_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const one = text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  const chars = Array.from(one);
  return chars.length <= limit ? one : chars.slice(0, limit - 1).join('').trimEnd() + '…';
}

/** Approximate width of a line in pixels (wide characters count double). */
export function textWidth(line: string): number {
  let units = 0;
  for (const ch of line) {
    const code = ch.codePointAt(0) ?? 0;
    units += code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || code >= 0x1f300) ? 2 : 1;
  }
  return units * FONT_PX * 0.62;
}

/** The style classes of a node: its worst problem first, then its state. */
export function nodeClasses(node: ModelNode): string[] {
  const out = ['node'];
  if (node.severity === 'error') out.push('error');
  else if (node.severity === 'warning') out.push('warning');
  if (node.cyclic) out.push('cyclic');
  if (node.unreachable) out.push('unreachable');
  if (node.trigger) out.push('trigger');
  return out;
}

/** The lines a node box shows: name, type and plan step, then its problem codes. */
export function nodeLines(node: ModelNode): string[] {
  const detail = [node.type ? clean(node.type, 30) : '', node.step !== null ? `step ${node.step}` : node.cyclic ? 'on a cycle' : node.unreachable ? 'unreachable' : '']
    .filter((s) => s !== '')
    .join(' · ');
  const lines = [clean(node.name) || `nodes[${node.index}]`];
  if (detail) lines.push(detail);
  const codes = [...new Set(node.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => f.code))];
  if (codes.length > 0) {
    const mark = node.severity === 'error' ? '✖' : '⚠';
    lines.push(`${mark} ${codes.slice(0, 2).join(', ')}${codes.length > 2 ? ` +${codes.length - 2}` : ''}`);
  }
  return lines;
}

function edgeLabel(edge: ModelEdge): string {
  if (edge.type === 'main' && edge.output === 0) return '';
  const kind = clean(edge.type, 24);
  return edge.output === 0 ? kind : `${kind} ${clean(String(edge.output), 12)}`;
}

/** Lays the graph out left to right (or top to bottom); references to missing nodes get dashed stand-ins. */
export function layout(graph: NonNullable<GraphResult['graph']>, direction: 'LR' | 'TB' = 'LR'): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: 24, ranksep: direction === 'LR' ? 56 : 40, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const laid = new Map<string, LaidNode>();
  const add = (key: string, n: Omit<LaidNode, 'x' | 'y' | 'width' | 'height' | 'key'>): void => {
    const width = Math.ceil(Math.max(...n.lines.map(textWidth), 60) + 2 * PAD_X);
    const height = n.lines.length * LINE_PX + 2 * PAD_Y;
    laid.set(key, { key, x: 0, y: 0, width, height, ...n });
    g.setNode(key, { width, height });
  };
  for (const node of graph.nodes) {
    const full = [node.name, node.type ?? '', ...node.findings.map((f) => `${f.severity} ${f.code}: ${f.message}`)].filter((s) => s !== '');
    add(`n${node.index}`, { index: node.index, lines: nodeLines(node), classes: nodeClasses(node), tooltip: full.join('\n'), findings: node.findings });
  }
  const end = (index: number | null, ref: string): string => {
    if (index !== null && laid.has(`n${index}`)) return `n${index}`;
    const key = `missing:${ref}`;
    if (!laid.has(key)) add(key, { index: null, lines: [`? ${clean(ref)}`], classes: ['node', 'missing'], tooltip: `No node is called ${ref}`, findings: [] });
    return key;
  };
  const edges: { v: string; w: string; name: string; model: ModelEdge }[] = [];
  graph.edges.forEach((edge, i) => {
    const v = end(edge.source, edge.sourceRef);
    const w = end(edge.target, edge.targetRef);
    const label = edgeLabel(edge);
    g.setEdge(v, w, label ? { label, width: textWidth(label) + 6, height: LINE_PX, labelpos: 'c' } : {}, String(i));
    edges.push({ v, w, name: String(i), model: edge });
  });
  dagre.layout(g);
  for (const [key, node] of laid) {
    const placed = g.node(key);
    if (placed) {
      node.x = placed.x;
      node.y = placed.y;
    }
  }
  const info = g.graph();
  return {
    width: Math.ceil(info.width ?? 0),
    height: Math.ceil(info.height ?? 0),
    nodes: [...laid.values()],
    edges: edges.map(({ v, w, name, model }) => {
      const placed = g.edge(v, w, name);
      const label = edgeLabel(model);
      const classes = ['edge'];
      if (model.source === null || model.target === null) classes.push('dangling');
      else if (model.cyclic) classes.push('cyclic');
      return {
        points: placed?.points ?? [],
        label,
        labelAt: label && placed?.x !== undefined && placed.y !== undefined ? { x: placed.x, y: placed.y } : null,
        classes,
      };
    }),
  };
}
