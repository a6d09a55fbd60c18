import t from 'tap'
import fc from 'fast-check'
import { printable } from '../../../core/simulate/printable.js'

const rows: ReadonlyArray<{ desc: string; in: string; want: string }> = [
  { desc: 'plain text is kept', in: 'default/web-1', want: 'default/web-1' },
  { desc: 'newline, return, tab', in: 'a\nb\rc\td', want: 'a\\nb\\rc\\td' },
  { desc: 'an ANSI colour', in: '\u001b[31mred\u001b[0m', want: '\\x1b[31mred\\x1b[0m' },
  { desc: 'NUL and DEL', in: '\u0000\u007f', want: '\\x00\\x7f' },
  { desc: 'a C1 control (CSI)', in: '\u009b2J', want: '\\x9b2J' },
  { desc: 'a right-to-left override', in: 'abc\u202edef', want: 'abc\\u202edef' },
  { desc: 'a line separator', in: 'a\u2028b', want: 'a\\u2028b' },
  { desc: 'other Unicode is kept', in: 'straße-名前-🙂', want: 'straße-名前-🙂' },
  { desc: 'backslashes are kept (JSON-quoted messages stay readable)', in: '"a\\"b"', want: '"a\\"b"' },
]

t.test('escapes', async (t) => {
  for (const row of rows) t.equal(printable(row.in), row.want, row.desc)
})

t.test('nothing that moves the cursor or sets a colour survives', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(printable(s))),
  )
  t.pass('no control character in any output')
})
