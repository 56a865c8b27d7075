import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartPolicy } from '../src/restartPolicy';
import { statusView } from '../src/statusText';

describe('statusView', () => {
  it('shows counts only while running', () => {
    assert.equal(statusView('running', { errors: 2, warnings: 1 }).text, '$(json) wf-lsp $(error) 2 $(warning) 1');
    assert.equal(statusView('starting', { errors: 2, warnings: 1 }).text, '$(sync~spin) wf-lsp');
    const failed = statusView('error', undefined, 'not found');
    assert.equal(failed.alarm, true);
    assert.match(failed.tooltip, /error \(not found\)/);
  });

  it('names the active file\'s dialect', () => {
    const view = statusView('running', { errors: 0, warnings: 1 }, undefined, 'n8n');
    assert.equal(view.text, '$(json) wf-lsp n8n $(error) 0 $(warning) 1');
    assert.match(view.tooltip, /Dialect: n8n/);
    assert.equal(statusView('starting', undefined, undefined, 'n8n').text, '$(sync~spin) wf-lsp');
  });
});

describe('RestartPolicy', () => {
  it('never restarts a server that did not come up', () => {
    assert.equal(new RestartPolicy().shouldRestart(0), false);
  });

  it('restarts up to the limit inside the window, then again after it', () => {
    const policy = new RestartPolicy({ maxRestarts: 2, windowMs: 1000 });
    policy.markRunning();
    assert.deepEqual([policy.shouldRestart(0), policy.shouldRestart(10), policy.shouldRestart(20)], [true, true, false]);
    assert.equal(policy.shouldRestart(5000), true);
  });
});
