// Evaluates JavaScript expressions for the differential tests: reads {"fn": name, "inputs": [...]} batches as a JSON
// array on stdin and prints a JSON array of result arrays. Numbers come back as their IEEE-754 bits ("NaN" for NaN),
// so -0, 2^53 + 1 and every rounding difference are visible.
"use strict";

const bits = (x) => {
  if (Number.isNaN(x)) return "NaN";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString();
};

const FUNCTIONS = {
  dateParse: (s) => bits(Date.parse(s)),
  number: (s) => bits(Number(s)),
  parseInt10: (s) => bits(parseInt(s, 10)),
  // `${x}` for any JSON value (arrays join with commas, objects give [object Object]).
  template: (v) => `${v}`,
  // A JSON number text as JSON.parse reads it, printed by Number::toString.
  numberText: (text) => String(JSON.parse(text)),
  trim: (s) => s.trim(),
  length: (s) => s.length,
  // The relational comparisons the validator makes on a node timeout: [v < 1000, v > 3600000].
  timeout: (v) => [v < 1000, v > 3600000],
  truthy: (v) => !!v,
  // The validator's ReDoS score (spec 2.1 V6): length + 50 per stacked quantifier + 10 per "|" + 30 per lookahead.
  regexScore: (p) =>
    p.length +
    50 * (p.match(/(\+|\*|\{.*?\})\s*(\+|\*|\{.*?\})/g) || []).length +
    10 * (p.match(/\|/g) || []).length +
    30 * (p.match(/\(\?[=!]/g) || []).length,
};

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ fn, inputs }) => inputs.map(FUNCTIONS[fn]));
  process.stdout.write(JSON.stringify(out));
});
