// Whether a document's quoted scalars and flow collections are of the kinds js-yaml and the `yaml`
// package read alike; if not, the fast reader leaves the document to the slow way. They disagree on
// one that runs over lines (how far its lines must be indented: js-yaml takes `a: 'x\nb'`, the
// other refuses it) and on a flow collection as a key of a flow mapping (`{[a]}`: js-yaml's key is
// "a", the other's "[ a ]"; found by the fuzz properties at 2,000,000 runs). Each line is lexed
// on its own, in one pass over the characters with no copies (on a 50 MB file, splitting lines cost
// more than js-yaml's whole parse). Counting quotes per line, as before, was fooled by an apostrophe
// in a plain word: in `k': '` the key's apostrophe evens the count while the value's quote stays
// open (found by the fuzz properties). So a quote opens a quoted scalar only where a scalar may
// start, as YAML 1.2 has it, and inside a plain scalar it is a letter. Whatever the lexer is unsure
// of (a bracket in a block plain scalar, text straight after a closing quote, an unbalanced bracket)
// counts as spanning: that only costs the slow path.

const NEWLINE = 10
const CR = 13
const SPACE = 32
const SINGLE = 39 // '
const DOUBLE = 34 // "
const BACKSLASH = 92
const HASH = 35
const COLON = 58
const COMMA = 44
const DASH = 45
const QUESTION = 63

/** Where a line's lexer stands: a scalar may start, inside a plain scalar, just after a closed quoted scalar or collection, in a comment. */
type At = 'start' | 'plain' | 'after' | 'comment'

const isLineEnd = (c: number): boolean => c === NEWLINE || c === CR // YAML 1.2 breaks lines at both
const isBlank = (c: number): boolean => c === SPACE || isLineEnd(c) || Number.isNaN(c) // NaN: past the end
const isOpener = (c: number): boolean => c === 91 || c === 123 // [ {
const isCloser = (c: number): boolean => c === 93 || c === 125 // ] }
const isFlowIndicator = (c: number): boolean => c === COMMA || isOpener(c) || isCloser(c)
/** After `:`, a value indicator rather than a letter (YAML 1.2; js-yaml and the `yaml` package agree). */
const isValueIndicator = (next: number, depth: number): boolean => isBlank(next) || (depth > 0 && isFlowIndicator(next))

/** The index of the quote that closes the scalar opened at `open`, or -1 when it does not close on this line. */
const closingQuote = (body: string, open: number): number => {
  const quote = body.charCodeAt(open)
  for (let i = open + 1; i < body.length; i++) {
    const c = body.charCodeAt(i)
    if (isLineEnd(c)) return -1
    if (quote === DOUBLE && c === BACKSLASH) {
      if (isLineEnd(body.charCodeAt(i + 1))) return -1 // an escaped line break: it runs on
      i++
    } else if (c === quote) {
      if (quote === SINGLE && body.charCodeAt(i + 1) === SINGLE) i++ // '' is a quote inside
      else return i
    }
  }
  return -1
}

/** True when some line of `body` ends inside a quoted scalar or flow collection, a flow collection is a flow mapping's key, or the lexer cannot tell. */
export const flowNeedsSlowPath = (body: string): boolean => {
  let at: At = 'start'
  let depth = 0 // [ and { open on this line
  let mappings = 0 // bit d set when the collection open at depth d + 1 is a { mapping
  let keyNext = false // in a flow mapping, before its entry's `:`
  const inMapping = (): boolean => depth > 0 && (mappings & (1 << (depth - 1))) !== 0
  for (let i = 0; i <= body.length; i++) {
    const c = i === body.length ? NEWLINE : body.charCodeAt(i)
    if (isLineEnd(c)) {
      if (depth !== 0) return true
      at = 'start'
    } else if (at === 'comment' || c === SPACE) {
      // nothing to see
    } else if (c === HASH) {
      if (isBlank(body.charCodeAt(i - 1))) at = 'comment'
      else if (at !== 'plain') return true // a# is a letter of a plain scalar; [# or '#' is unsure
    } else if (at === 'plain') {
      const next = body.charCodeAt(i + 1)
      if (c === COLON && isValueIndicator(next, depth)) {
        at = 'start'
        keyNext = false
      } else if (depth > 0 && isFlowIndicator(c)) {
        at = 'start' // the scalar ends here: read the indicator again as structure
        i--
      }
      else if (depth === 0 && (isOpener(c) || isCloser(c))) return true // a letter to YAML, but unsure here
    } else if (c === COLON && (at === 'after' || isValueIndicator(body.charCodeAt(i + 1), depth))) {
      at = 'start'
      keyNext = false
    } else if (c === COMMA) {
      if (depth === 0) return true
      at = 'start'
      keyNext = inMapping()
    } else if (isOpener(c)) {
      if (at === 'after' || (keyNext && inMapping()) || depth >= 30) return true // a collection as a key, or too deep to track
      mappings = c === 123 ? mappings | (1 << depth) : mappings & ~(1 << depth)
      depth++
      at = 'start'
      keyNext = c === 123
    } else if (isCloser(c)) {
      if (depth === 0) return true
      depth--
      at = 'after'
    } else if (at === 'after') {
      return true // text straight after a closing quote or bracket: an error, or something unsure
    } else if (c === SINGLE || c === DOUBLE) {
      const close = closingQuote(body, i)
      if (close < 0) return true
      i = close
      at = 'after'
    } else if (!((c === DASH || c === QUESTION) && isBlank(body.charCodeAt(i + 1)))) {
      at = 'plain' // anything but a sequence entry or explicit key indicator starts a plain scalar
    }
  }
  return false
}
