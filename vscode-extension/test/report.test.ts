import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTenantDiagnostics, renderExecutionPlan, summarizeCacheClear, summarizeValidation, tenantLabel } from '../src/report';

const sample = {
  tenants: [
    {
      tenantId: 'acme',
      files: 3,
      counts: { nodes: 12, connections: 1, errors: 4, warnings: 1, invalidFiles: 2 },
      errorsByCode: { INVALID_CONNECTION_TARGET_NODE: 1, DUPLICATE_NODE_NAME: 3 },
      warningsByCode: { UNREACHABLE_NODE: 1 },
      worstFiles: [
        { uri: 'file:///ws/workflows/a%20b%28x%29.json', path: '/ws/workflows/a b(x).json', errors: 3, warnings: 0 },
        { path: 'wf/c|d.json', counts: { errors: 1, warnings: 1 } },
      ],
    },
    { tenantId: null, files: ['x.json'], counts: { errors: 0, warnings: 0 }, errorsByCode: {}, warningsByCode: {}, worstFiles: [] },
  ],
  cache: { hits: 5, misses: 2, hitRate: 0.7142857, shared: { enabled: false } },
};

describe('tenant report', () => {
  it('parses the result and labels tenants', () => {
    const parsed = parseTenantDiagnostics(sample);
    assert.ok(parsed);
    assert.deepEqual(parsed.tenants.map(tenantLabel), ['acme', '(no tenant)']);
    assert.equal(parseTenantDiagnostics({ nope: 1 }), undefined);
    assert.equal(parseTenantDiagnostics(null), undefined);
  });

  it('keeps a placeholder tenant as such, the problem and the report the server wrote', () => {
    const parsed = parseTenantDiagnostics({
      tenants: [{ tenantId: '${TENANT_ID}', placeholder: true, files: 2 }],
      problem: "unknown tenant 'zz'",
      document: 'file:///tmp/wf-lsp-x/tenant-diagnostics.md',
    });
    assert.deepEqual(parsed, {
      tenants: [{ tenantId: '${TENANT_ID}', placeholder: true }],
      problem: "unknown tenant 'zz'",
      document: 'file:///tmp/wf-lsp-x/tenant-diagnostics.md',
    });
    assert.equal(parseTenantDiagnostics({ tenants: [], document: 7 })?.document, undefined);
  });
});

describe('execution plan', () => {
  it('renders levels as steps', () => {
    const md = renderExecutionPlan({ levels: [['Load Config'], ['A', { name: 'B|C' }]] }, 'boot.json');
    assert.match(md, /^# Execution plan: boot\.json/);
    assert.match(md, /\| 1 \| Load Config \|/);
    assert.match(md, /\| 2 \| A, B\\\|C \|/);
  });

  it('lists unreachable and cyclic nodes after the steps', () => {
    const md = renderExecutionPlan({ valid: true, levels: [['A']], unreachable: ['Z'], cyclic: [] }, 'x.json');
    assert.match(md, /\*\*Never reached from a trigger:\*\* Z/);
    assert.doesNotMatch(md, /cycle/);
  });

  it('renders the problems that prevent a plan', () => {
    const md = renderExecutionPlan({ valid: false, errors: [{ code: 'CYCLE_DETECTED', message: 'A -> B -> A', line: 4 }, 'plain'] }, 'x.json');
    assert.match(md, /No plan/);
    assert.match(md, /- `CYCLE_DETECTED` A -> B -> A \(line 4\)/);
    assert.match(md, /- plain/);
    assert.match(renderExecutionPlan([{ message: 'bad' }], 'x'), /- bad/);
    assert.match(renderExecutionPlan({ levels: [] }, 'x'), /no nodes/);
  });
});

describe('summarizeValidation', () => {
  it('summarises counts when the result has them', () => {
    assert.equal(summarizeValidation({ files: 12, errors: 1, warnings: 2 }), 'Validated 12 workflow files: 1 error, 2 warnings.');
    assert.equal(summarizeValidation({ files: [1], counts: { errorCount: 0 } }), 'Validated 1 workflow file: 0 errors.');
    assert.equal(summarizeValidation(null), 'Workspace validated.');
    assert.equal(summarizeValidation({}), 'Workspace validated.');
    assert.equal(
      summarizeValidation({ files: 2, counts: { errors: 0, warnings: 0 }, invalidFiles: 0, cancelled: true, durationMs: 3 }),
      'Validated 2 workflow files: 0 errors, 0 warnings (cancelled before the end).',
    );
    assert.equal(summarizeCacheClear({ cleared: 1 }), 'Workflow validation cache cleared (1 entry).');
    assert.equal(summarizeCacheClear(null), 'Workflow validation cache cleared.');
  });
});
