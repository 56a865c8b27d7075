// Differential oracle: n8n's own parameter issues (NodeHelpers.getNodeParameters + getNodeParametersIssues) for every
// node of the workflow files named on stdin (one path a line). Usage: node oracle.js NODE_MODULES_DIR < list
// Prints {file: {nodeIndex: {resolved: bool, issues: {param: [messages]}, crashed?: message}}}; unparseable files map
// to null.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const root = path.resolve(process.argv[2]);
const realLoad = Module._load;
const stub = new Proxy(function () {}, {
  get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : key === '__esModule' ? false : stub),
  apply: () => stub,
  construct: () => stub,
});
Module._load = function (request, parent, isMain) {
  try {
    return realLoad.call(this, request, parent, isMain);
  } catch (err) {
    if (!request.startsWith('.') && !path.isAbsolute(request)) return stub;
    throw err;
  }
};
const { NodeHelpers } = require(require.resolve('n8n-workflow', { paths: [root] }));

// n8n's loader adds parameters when it loads a node (polling times, CORS, declarative request options): use the
// installed n8n-core's own loader step when it is there, once per property list.
let special = null;
try {
  const core = require(require.resolve('n8n-core', { paths: [root] }));
  if (core.DirectoryLoader && core.DirectoryLoader.prototype.applySpecialNodeParameters) special = core.DirectoryLoader.prototype.applySpecialNodeParameters;
} catch (e) {
  special = null;
}
const applied = new WeakSet();
function applySpecial(nodeType) {
  const props = nodeType && nodeType.description && nodeType.description.properties;
  if (!special || !Array.isArray(props) || applied.has(props)) return;
  applied.add(props);
  try {
    special.call(null, nodeType);
  } catch (e) {
    /* a node the loader step cannot handle keeps its own parameters */
  }
}

const types = new Map(); // "type@version" -> description
function add(name, d, versions) {
  for (const v of versions) types.set(`${name}@${Number(v)}`, d);
  if (d.usableAsTool) for (const v of versions) types.set(`${name}Tool@${Number(v)}`, { ...d, name: d.name + 'Tool' });
}
for (const pkg of ['n8n-nodes-base', '@n8n/n8n-nodes-langchain']) {
  const dir = path.dirname(require.resolve(pkg + '/package.json', { paths: [root] }));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const file of meta.n8n.nodes) {
    let mod;
    try {
      mod = require(path.join(dir, file));
    } catch (e) {
      continue;
    }
    for (const C of Object.values(mod)) {
      if (typeof C !== 'function' || !C.prototype) continue;
      let inst;
      try {
        inst = new C();
      } catch (e) {
        continue;
      }
      if (inst.nodeVersions) {
        const base = inst.description || {};
        for (const [v, n] of Object.entries(inst.nodeVersions)) {
          applySpecial(n);
          const d = n.description;
          if (d && d.name) add(pkg + '.' + d.name, { ...base, ...d, usableAsTool: d.usableAsTool ?? base.usableAsTool }, [v]);
        }
      } else if (inst.description && inst.description.name) {
        applySpecial(inst);
        const d = inst.description;
        add(pkg + '.' + d.name, d, Array.isArray(d.version) ? d.version : [d.version ?? 1]);
      }
    }
  }
}

const out = {};
const files = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const file of files) {
  let wf;
  try {
    wf = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    out[file] = null;
    continue;
  }
  const perNode = {};
  (wf.nodes || []).forEach((node, i) => {
    const d = node && types.get(`${node.type}@${Number(node.typeVersion ?? 1)}`);
    if (!d) {
      perNode[i] = { resolved: false, issues: {} };
      return;
    }
    try {
      const params = NodeHelpers.getNodeParameters(d.properties, node.parameters || {}, true, false, node, d);
      const issues = NodeHelpers.getNodeParametersIssues(d.properties, { ...node, parameters: params }, d);
      perNode[i] = { resolved: true, issues: (issues && issues.parameters) || {} };
    } catch (e) {
      perNode[i] = { resolved: true, issues: {}, crashed: String(e && e.message) }; // n8n itself throws on this node
    }
  });
  out[file] = perNode;
}
process.stdout.write(JSON.stringify(out));
