// The size bars of issue 9: no function in shell/ longer than 60 lines (a function declaration,
// function expression, arrow function, method, accessor or constructor; from its first line to its
// last, nested functions included), and each daemon's main and reconcile files at most 150 lines.
// The shell stays thin: a long function there is a decision that belongs in core/, or several
// effects that read better apart.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { ROOT, type Source, endLineOf, lineOf, nodesOf, parse, sourcesUnder } from './sources.js'

const MAX_FUNCTION_LINES = 60
const MAX_DAEMON_FILE_LINES = 150
const DAEMON_FILES = ['shell/controller/main.ts', 'shell/controller/controller.ts', 'shell/speaker/main.ts', 'shell/speaker/speaker.ts']

const isFunction = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n) ||
  ts.isConstructorDeclaration(n)

/** What a function is called where it is defined: its own name, the variable or property it is assigned to, or `(anonymous)`. */
const nameOf = (n: ts.FunctionLikeDeclaration): string => {
  if (n.name !== undefined && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) return n.name.text
  if (ts.isConstructorDeclaration(n)) return 'constructor'
  const p = n.parent
  if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) return p.name.text
  return '(anonymous)'
}

export interface LongFunction {
  readonly file: string
  readonly name: string
  readonly line: number
  readonly lines: number
}

export const longFunctions = (s: Source, max: number): LongFunction[] =>
  nodesOf(s)
    .filter(isFunction)
    .map((f) => ({ file: s.path, name: nameOf(f), line: lineOf(s, f), lines: endLineOf(s, f) - lineOf(s, f) + 1 }))
    .filter((f) => f.lines > max)

const lineCount = (path: string): number => readFileSync(join(ROOT, path), 'utf8').replace(/\n$/, '').split('\n').length

t.test('the measure', async (t) => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const x${i} = ${i}`).join('\n')
  const rows = [
    { desc: 'a declaration of 62 lines', in: `function f() {\n${body(60)}\n}`, want: ['f 62'] },
    { desc: 'one of exactly 60 passes', in: `function f() {\n${body(58)}\n}`, want: [] },
    { desc: 'an arrow, and the closure holding it', in: `const outer = () => {\n  const inner = () => {\n${body(60)}\n  }\n}`, want: ['outer 64', 'inner 62'] },
    { desc: 'a method and an object property', in: `class C {\n  m() {\n${body(61)}\n  }\n}\nconst o = { p: function () {\n${body(61)}\n} }`, want: ['m 63', 'p 63'] },
  ]
  for (const r of rows) t.same(longFunctions(parse('x.ts', r.in), MAX_FUNCTION_LINES).map((f) => `${f.name} ${f.lines}`), r.want, r.desc)
})

t.test(`no function in shell/ longer than ${MAX_FUNCTION_LINES} lines`, async (t) => {
  const found = sourcesUnder('shell').flatMap((s) => longFunctions(s, MAX_FUNCTION_LINES))
  t.same(
    found.map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`),
    [],
  )
})

t.test(`each daemon's main and reconcile file at most ${MAX_DAEMON_FILE_LINES} lines`, async (t) => {
  const found = DAEMON_FILES.map((f) => ({ f, n: lineCount(f) })).filter(({ n }) => n > MAX_DAEMON_FILE_LINES)
  t.same(found.map(({ f, n }) => `${f}: ${n} lines`), [])
})
