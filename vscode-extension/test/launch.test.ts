import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeLaunch, resolveServerCommand, serverProcess, type Launch, type LaunchProbes } from '../src/launch';

interface Fake {
  path?: Record<string, string>;
  files?: string[];
  python?: string[];
  withWfLsp?: string[];
}

function probes(fake: Fake = {}): LaunchProbes & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    workspaceFolder: '/ws',
    home: '/home/u',
    env: { VENV: '/opt/venv' },
    which: (name) => fake.path?.[name],
    exists: (file) => (fake.files ?? []).includes(file),
    pythonExtensionInterpreter: () => {
      asked.push('python-extension');
      return Promise.resolve(fake.python);
    },
    hasWfLsp: (python) => {
      asked.push(`import ${python.join(' ')}`);
      return Promise.resolve((fake.withWfLsp ?? []).includes(python.join(' ')));
    },
  };
}

function ok(launch: Launch): [string, string[], string] {
  assert.ok(launch.ok, launch.ok ? '' : launch.reason);
  return [launch.command, launch.args, launch.source];
}

describe('resolveServerCommand', () => {
  it('uses wfLsp.serverCommand first, expanding variables and looking the program up on PATH', async () => {
    const p = probes({ path: { 'wf-lsp': '/usr/bin/wf-lsp' }, python: ['/py'] });
    const launch = await resolveServerCommand({ serverCommand: ['wf-lsp', 'serve', '--log', '${workspaceFolder}/l'], interpreter: '/other' }, p);
    assert.deepEqual(ok(launch), ['/usr/bin/wf-lsp', ['serve', '--log', '/ws/l'], 'serverCommand']);
    assert.deepEqual(p.asked, [], 'the Python extension is not consulted');
  });

  it('resolves a relative serverCommand program against the workspace folder', async () => {
    const launch = await resolveServerCommand({ serverCommand: ['${env:VENV}/bin/wf-lsp'] }, probes({ files: ['/opt/venv/bin/wf-lsp'] }));
    assert.deepEqual(ok(launch), ['/opt/venv/bin/wf-lsp', [], 'serverCommand']);
    const relative = await resolveServerCommand({ serverCommand: ['./bin/wf', 'serve'] }, probes({ files: ['/ws/bin/wf'] }));
    assert.deepEqual(ok(relative), ['/ws/bin/wf', ['serve'], 'serverCommand']);
  });

  it('reports a serverCommand that does not exist instead of trying something else', async () => {
    const launch = await resolveServerCommand({ serverCommand: ['/nope/wf-lsp'] }, probes({ path: { 'wf-lsp': '/usr/bin/wf-lsp' } }));
    assert.equal(launch.ok, false);
    assert.match(launch.ok ? '' : launch.reason, /wfLsp\.serverCommand: '\/nope\/wf-lsp' was not found/);
  });

  it('ignores an empty serverCommand and uses wfLsp.interpreter with -m wf_lsp serve', async () => {
    const launch = await resolveServerCommand({ serverCommand: ['', ' '], interpreter: '~/venv/bin/python' }, probes({ files: ['/home/u/venv/bin/python'] }));
    assert.deepEqual(ok(launch), ['/home/u/venv/bin/python', ['-m', 'wf_lsp', 'serve'], 'interpreter']);
  });

  it('finds a bare interpreter name on PATH and reports a missing one', async () => {
    const found = await resolveServerCommand({ interpreter: 'python3' }, probes({ path: { python3: '/usr/bin/python3' } }));
    assert.deepEqual(ok(found), ['/usr/bin/python3', ['-m', 'wf_lsp', 'serve'], 'interpreter']);
    const missing = await resolveServerCommand({ interpreter: '.venv/bin/python' }, probes());
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.reason, /wfLsp\.interpreter: '\.venv\/bin\/python' was not found/);
  });

  it('uses the Python extension interpreter when it has wf_lsp', async () => {
    const p = probes({ python: ['/env/bin/python'], withWfLsp: ['/env/bin/python'], path: { 'wf-lsp': '/usr/bin/wf-lsp' } });
    const launch = await resolveServerCommand({ serverCommand: [], interpreter: '' }, p);
    assert.deepEqual(ok(launch), ['/env/bin/python', ['-m', 'wf_lsp', 'serve'], 'pythonExtension']);
    assert.deepEqual(p.asked, ['python-extension', 'import /env/bin/python']);
  });

  it('keeps a multi-part Python extension command (conda run ...)', async () => {
    const conda = ['conda', 'run', '-n', 'wf', 'python'];
    const launch = await resolveServerCommand({}, probes({ python: conda, withWfLsp: [conda.join(' ')] }));
    assert.deepEqual(ok(launch), ['conda', ['run', '-n', 'wf', 'python', '-m', 'wf_lsp', 'serve'], 'pythonExtension']);
  });

  it('falls back to wf-lsp on PATH when the Python extension interpreter lacks wf_lsp', async () => {
    const launch = await resolveServerCommand({}, probes({ python: ['/sys/python'], path: { 'wf-lsp': '/usr/local/bin/wf-lsp' } }));
    assert.deepEqual(ok(launch), ['/usr/local/bin/wf-lsp', ['serve'], 'path']);
    assert.ok(launch.ok && launch.tried.some((t) => t.includes('wf_lsp is not installed')));
  });

  it('falls back to wf-lsp on PATH when the Python extension is absent', async () => {
    const launch = await resolveServerCommand({ serverCommand: null, interpreter: null }, probes({ path: { 'wf-lsp': '/bin/wf-lsp' } }));
    assert.deepEqual(ok(launch), ['/bin/wf-lsp', ['serve'], 'path']);
  });

  it('fails with everything it tried when nothing works', async () => {
    const launch = await resolveServerCommand({}, probes({ python: ['/sys/python'] }));
    assert.equal(launch.ok, false);
    if (launch.ok) return;
    assert.equal(launch.reason, 'the wf-lsp language server was not found');
    assert.equal(launch.tried.length, 2);
  });
});

describe('describeLaunch', () => {
  it('quotes parts with spaces', () => {
    const text = describeLaunch({ ok: true, command: '/a b/python', args: ['-m', 'wf_lsp', 'serve'], source: 'interpreter', tried: [] });
    assert.equal(text, '"/a b/python" -m wf_lsp serve');
  });
});

describe('serverProcess', () => {
  it('spawns the plan in the workspace folder with unbuffered Python output and no transport flag', () => {
    const spec = serverProcess({ ok: true, command: '/py', args: ['-m', 'wf_lsp', 'serve'], source: 'interpreter', tried: [] }, '/ws', { PATH: '/bin' });
    assert.deepEqual(spec, {
      command: '/py',
      args: ['-m', 'wf_lsp', 'serve'],
      options: { cwd: '/ws', env: { PATH: '/bin', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' } },
    });
    assert.ok(!('transport' in spec), 'a transport would make vscode-languageclient append --stdio');
  });
});
