// Text from the input made safe to print on a terminal. Names and messages come from files anyone
// may hand to `ironlb simulate`; a newline in a Service name would forge a table row and an ANSI
// escape could recolour or rewrite the screen. Control characters (C0, DEL, C1) and the Unicode
// line separators and bidirectional overrides are written as escapes ("\n", "\x1b", "\u202e").
// Backslashes stay as they are: messages quote values with JSON.stringify already, and doubling
// their backslashes would garble them; the goal is a terminal nothing can take over.

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

// C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const escape = (c: string): string => {
  const named = NAMED[c]
  if (named !== undefined) return named
  const code = c.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

export const printable = (text: string): string => text.replace(UNSAFE, escape)
