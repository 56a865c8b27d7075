import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { levelOf, logLine } from '../src/serverLog';

describe('server stderr levels', () => {
  it('gives routine pygls messages their own level', () => {
    assert.equal(levelOf('2026-12-03 09:00:00,000 pygls.protocol.json_rpc WARNING: Cancel notification for unknown message id "7"'), 'debug');
    assert.equal(levelOf('pygls.protocol.json_rpc: Ignoring notification for unknown method \'$/setTrace\''), 'info');
  });

  it('reads Python logging level words, and keeps anything else an error', () => {
    assert.equal(levelOf('2026-12-03 09:00:00,000 pygls.server WARNING: slow'), 'warn');
    assert.equal(levelOf('x INFO: started'), 'info');
    assert.equal(levelOf('x DEBUG: detail'), 'debug');
    assert.equal(levelOf('x ERROR: broken'), 'error');
    assert.equal(levelOf('Traceback (most recent call last):'), 'error');
    assert.equal(levelOf("ModuleNotFoundError: No module named 'wf_lsp'"), 'error');
  });

  it('writes each line to the matching method', () => {
    const seen: string[] = [];
    const log = {
      error: (l: string) => seen.push(`error ${l}`),
      warn: (l: string) => seen.push(`warn ${l}`),
      info: (l: string) => seen.push(`info ${l}`),
      debug: (l: string) => seen.push(`debug ${l}`),
    };
    logLine(log, 'Cancel notification for unknown message id "1"');
    logLine(log, 'boom');
    assert.deepEqual(seen, ['debug Cancel notification for unknown message id "1"', 'error boom']);
  });
});
