// A fast path for the plain YAML that Kubernetes manifests are made of. The `yaml` package, which
// reads every document for its exact errors, line numbers and alias bounds, costs about 0.45 ms a
// small document here (a 50 MB file of 191,000 Services: two minutes of CPU); js-yaml reads the same
// in a twentieth of that. So a document whose text cannot hold an alias, an anchor, a tag, a
// directive or a null key, and that js-yaml reads without complaint, is taken from js-yaml under a
// schema that resolves scalars exactly as the `yaml` package's YAML 1.2 core schema does
// (specs/shell/yaml/fastDocument.spec.ts holds the two to the same values). Everything else, and
// every error js-yaml sees, goes the slow way, where it is said with file and line as before. The
// spec's fuzz properties hold it to this: whatever js-yaml reads here, the `yaml` package reads too,
// to the same value.
import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml'
import { flowNeedsSlowPath } from './flowLines.js'

const OCTAL = /^0o[0-7]+$/
const DECIMAL = /^[-+]?[0-9]+$/
const HEX = /^0x[0-9a-fA-F]+$/
const INFINITY_OR_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const EXPONENT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/
const FIXED = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/

// One type per tag: js-yaml keeps only the last of several types that share a tag.
const CORE_AS_YAML_PACKAGE = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (s: string | null) => /^(?:~|[Nn]ull|NULL)?$/.test(s ?? ''), construct: () => null }),
    new Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
    }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && (OCTAL.test(s) || DECIMAL.test(s) || HEX.test(s)),
      construct: (s: string) => (OCTAL.test(s) ? parseInt(s.substring(2), 8) : HEX.test(s) ? parseInt(s.substring(2), 16) : parseInt(s, 10)),
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && (INFINITY_OR_NAN.test(s) || EXPONENT.test(s) || FIXED.test(s)),
      construct: (s: string) => (INFINITY_OR_NAN.test(s) ? (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity) : parseFloat(s)),
    }),
  ],
})

// Anchors, aliases and tags (the `yaml` package bounds alias expansion and resolves tags its own
// way), directives, anything that could be a null or empty key (js-yaml names it "null", the
// `yaml` package ""), and where the two read the grammar differently (tabs, `?` keys, a flow
// collection as a key, block scalar indentation indicators, a block scalar that starts a line, a comment straight after a quote or a bracket, `---a` at a line's start, which js-yaml
// takes for a document marker; found by the fuzz properties in the spec). Over-eager on purpose: a false match only costs the slow path.
const NEEDS_SLOW_PATH = /[&*!\t]|^%|(?:^|[\s,{[?])(?:~|[Nn]ull|NULL)?\s*:(?=[\s,}\]]|$)|(?:^|[\s,{[])\?(?=[\s,}\]]|$)|[\]}]\s*:(?=[\s,}\]]|$)|[|>][-+]?[0-9]|^(?:---|\.\.\.)|^ *[|>]|[\]}'"]#|[{,]\s*(?:~|[Nn]ull|NULL)?\s*(?=[,}])/m

/**
 * An empty block sequence entry (a `-` with nothing but spaces or a comment after it) that is not at
 * column 0, so it can sit in a nested or indented sequence: after such an entry js-yaml takes the
 * next `-` into the same sequence even at a lesser indent ("- - \n- " is [[null, null]] there and
 * [[null], null] in the `yaml` package; "a:\n  - \n- " is read there and refused by the other).
 * Found by the fuzz property. A `-` at column 0 has no lesser indent after it, so it stays fast.
 */
const EMPTY_INDENTED_ENTRY = /^[ -]* -[ ]*(?:#.*)?$/m

/** A carriage return without a line feed: a line break to js-yaml, a letter to the `yaml` package ("a: x\r" is "x" there, "x\r" here). Found by hand beside the fuzz's finds. */
const LONE_CR = /\r(?!\n)/

/** A document whose first line is indented: js-yaml then takes entries at a lesser indent that the `yaml` package refuses. */
const startsIndented = (body: string): boolean => /^(?:[ \t]*(?:#.*)?\r?\n)*[ \t]+[^\s#]/.test(body)

type FastRead = { readonly _tag: 'Read'; readonly value: unknown } | { readonly _tag: 'Slow' }

const SLOW: FastRead = { _tag: 'Slow' }

/** One document's text (without its `---` line): its value, or Slow when the `yaml` package must read it. */
export const readFast = (body: string): FastRead => {
  if (NEEDS_SLOW_PATH.test(body) || EMPTY_INDENTED_ENTRY.test(body) || LONE_CR.test(body) || flowNeedsSlowPath(body) || startsIndented(body)) return SLOW
  try {
    const value: unknown = load(body, { schema: CORE_AS_YAML_PACKAGE })
    return { _tag: 'Read', value: value === undefined ? null : value }
  } catch {
    return SLOW
  }
}
