// wf-lsp: read every node description from the n8n packages installed in a node_modules folder and print one JSON
// catalogue on stdout. Runs on the user's machine against the packages the user installed; ships no n8n code or data.
// Usage: node extract.js NODE_MODULES_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const root = path.resolve(process.argv[2] || '.');
const PACKAGES = ['n8n-nodes-base', '@n8n/n8n-nodes-langchain'];

// Node files pull native or optional modules that an --ignore-scripts install cannot load; only the description is
// needed, so an unloadable bare module name becomes an inert stub.
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

// Only what checking needs (and hover shows) is kept of each parameter.
const PROP_KEYS = ['name', 'displayName', 'type', 'default', 'required', 'options', 'displayOptions', 'typeOptions',
  'description', 'value', 'values', 'noDataExpression', 'validateType', 'modes', 'isNodeSetting'];
function prop(p) {
  if (p === null || typeof p !== 'object') return p;
  if (Array.isArray(p)) return p.map(prop);
  const out = {};
  for (const k of PROP_KEYS) {
    if (!(k in p)) continue;
    const v = p[k];
    if (typeof v === 'function') continue;
    if (k === 'options' || k === 'values') out[k] = Array.isArray(v) ? v.map(prop) : v;
    else if (k === 'modes') out[k] = Array.isArray(v) ? v.map((m) => ({ name: m.name, type: m.type, validation: m.validation })) : v;
    else if (k === 'typeOptions') out[k] = plain(v);
    else out[k] = plain(v);
  }
  return out;
}
function plain(v) {
  try {
    return JSON.parse(JSON.stringify(v === undefined ? null : v));
  } catch (e) {
    return null;
  }
}
function conns(v) {
  if (typeof v === 'string') return v; // an expression n8n evaluates per node: unknown here
  if (!Array.isArray(v)) return [];
  return v.map((c) => (typeof c === 'string' ? c : c && typeof c === 'object' ? { type: c.type, required: !!c.required, maxConnections: c.maxConnections } : null));
}
function versionsOf(d) {
  return Array.isArray(d.version) ? d.version : [d.version === undefined ? 1 : d.version];
}

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

const out = { format: 1, packages: {}, descriptions: [], types: {}, failed: [] };
const seen = new Map();
function add(typeName, d, versions) {
  let index = seen.get(d);
  if (index === undefined) {
    index = out.descriptions.length;
    seen.set(d, index);
    out.descriptions.push({
      name: d.name, displayName: d.displayName, description: d.description, group: d.group, defaultVersion: d.defaultVersion,
      features: plain(d.features),
      inputs: conns(d.inputs), outputs: conns(d.outputs),
      credentials: (d.credentials || []).map((c) => ({ name: c.name, required: !!c.required, displayOptions: plain(c.displayOptions) })),
      properties: (d.properties || []).map(prop), usableAsTool: !!d.usableAsTool,
    });
  }
  const entry = (out.types[typeName] = out.types[typeName] || { versions: {} });
  for (const v of versions) entry.versions[String(v)] = index;
  if (d.usableAsTool) {
    const tool = (out.types[typeName + 'Tool'] = out.types[typeName + 'Tool'] || { versions: {}, toolOf: typeName });
    for (const v of versions) tool.versions[String(v)] = index;
  }
}

for (const pkg of PACKAGES) {
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve(pkg + '/package.json', { paths: [root] }));
  } catch (e) {
    pkgDir = path.join(root, pkg);
  }
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  } catch (e) {
    out.failed.push({ file: pkg, error: 'package not installed' });
    continue;
  }
  out.packages[pkg] = meta.version;
  for (const file of (meta.n8n && meta.n8n.nodes) || []) {
    try {
      const mod = require(path.join(pkgDir, file));
      for (const C of Object.values(mod)) {
        if (typeof C !== 'function' || !C.prototype) continue;
        let inst;
        try {
          inst = new C();
        } catch (e) {
          continue; // a helper function exported beside the node class
        }
        if (inst.nodeVersions && typeof inst.nodeVersions === 'object') {
          const base = inst.description || {};
          for (const [v, n] of Object.entries(inst.nodeVersions)) {
            applySpecial(n);
            const d = n.description;
            if (!d || !d.name) continue;
            add(pkg + '.' + d.name, { ...base, ...d, usableAsTool: d.usableAsTool ?? base.usableAsTool }, [Number(v)]);
          }
          if (base.defaultVersion !== undefined && base.name) {
            const e = out.types[pkg + '.' + base.name];
            if (e) e.defaultVersion = base.defaultVersion;
          }
        } else if (inst.description && inst.description.name) {
          applySpecial(inst);
          add(pkg + '.' + inst.description.name, inst.description, versionsOf(inst.description));
        }
      }
    } catch (e) {
      out.failed.push({ file: pkg + '/' + file, error: String(e && e.message).slice(0, 200) });
    }
  }
}
for (const pkg of ['n8n-workflow']) {
  try {
    out.packages[pkg] = JSON.parse(fs.readFileSync(require.resolve(pkg + '/package.json', { paths: [root] }), 'utf8')).version;
  } catch (e) {
    /* optional */
  }
}
process.stdout.write(JSON.stringify(out));
