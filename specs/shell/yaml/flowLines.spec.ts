// The line lexer says a document runs a quoted scalar or a flow collection over lines, has a flow
// collection as a flow mapping's key, or that it cannot tell, and stays quiet on the plain documents manifests are made of (each row is read the
// same by js-yaml and the yaml package, or not read fast at all; fastDocument.spec holds that).
import t from 'tap'
import { flowNeedsSlowPath } from '../../../shell/yaml/flowLines.js'

const rows: ReadonlyArray<{ readonly desc: string; readonly in: string; readonly want: boolean }> = [
  { desc: 'plain mapping', in: 'apiVersion: v1\nkind: Service\n', want: false },
  { desc: 'quoted scalars closed on their line', in: "a: 'x'\nb: \"y\" # c\n", want: false },
  { desc: "'' and \\\" inside quotes", in: "a: 'it''s'\nb: \"say \\\"hi\\\"\"\n", want: false },
  { desc: 'an apostrophe in a plain word is a letter', in: "a: it's\nb: x - 'y\n", want: false },
  { desc: 'quotes and brackets in a comment', in: "a: 1 # it's [\n", want: false },
  { desc: 'a flow collection closed on its line', in: "a: [x, 'y', {b: \"c\"}]\n", want: false },
  { desc: 'a quote after a flow indicator with no space', in: "a: ['x',\"y\"]\n", want: false },
  { desc: 'a JSON-like key with its value adjacent', in: "{\"a\":'b'}\n", want: false },
  { desc: 'CRLF line ends', in: "a: 'x'\r\nb: [1]\r\n", want: false },
  { desc: 'collections nested as values and entries', in: 'a: {b: [c, {d: e}], f: {g: h}}\nc: [[a], [b]]\n', want: false },
  { desc: 'a flow sequence of mappings', in: 'ports: [{port: 80}, {port: 443}]\n', want: false },
  { desc: 'a single-quoted scalar runs on', in: "a: 'x\n  y'\n", want: true },
  { desc: 'a double-quoted scalar runs on', in: 'a: "x\n  y"\n', want: true },
  { desc: 'an escaped line break in double quotes', in: 'a: "x\\\n  y"\n', want: true },
  { desc: 'the fuzz find: the key\'s apostrophe evened the count', in: "k0': '\nk1'it''s': 0o17\n", want: true },
  { desc: 'a plain key with a quote, then an open value', in: "x 'y: '\n  z''\n", want: true },
  { desc: 'a quote after `- ` inside a plain key, then an open value', in: "x - 'y: ':\nb''\n", want: true },
  { desc: 'a flow collection runs on', in: 'a: [x,\n  y]\n', want: true },
  { desc: 'a quote that a lone carriage return breaks', in: "a: 'x\rb'\n", want: true },
  { desc: 'the fuzz find: a flow collection as a flow mapping\'s key', in: '{[]}\n', want: true },
  { desc: 'a mapping as a later key', in: 'a: {b: 1, {c: d}}\n', want: true },
  { desc: 'a sequence as a key after an entry that held a mapping', in: 'a: {b: [{c}], [d]}\n', want: true },
  { desc: 'unsure: a bracket in a block plain scalar', in: 'a: x[1]\n', want: true },
  { desc: 'unsure: text straight after a closing quote', in: "a: 'x'y\n", want: true },
  { desc: 'unsure: a closing bracket with none open', in: 'a: ]\n', want: true },
]

t.test('spans lines, or cannot tell', async (t) => {
  for (const row of rows) t.equal(flowNeedsSlowPath(row.in), row.want, row.desc)
})
