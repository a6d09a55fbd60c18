import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { compareIP, formatIP, parseIP, unsafeIp } from '../../../core/net/address.js'

const rows: ReadonlyArray<{ desc: string; in: string; want: string | null }> = [
  { desc: 'IPv4', in: '192.0.2.1', want: '192.0.2.1' },
  { desc: 'IPv4 zero', in: '0.0.0.0', want: '0.0.0.0' },
  { desc: 'IPv4 leading zero refused', in: '192.0.2.01', want: null },
  { desc: 'IPv4 octet too big', in: '192.0.2.256', want: null },
  { desc: 'IPv4 too few octets', in: '192.0.2', want: null },
  { desc: 'IPv6 compressed longest run', in: '2001:db8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1' },
  { desc: 'IPv6 leftmost on tie', in: '2001:0:0:1:0:0:0:1', want: '2001:0:0:1::1' },
  { desc: 'IPv6 single zero group kept', in: '2001:db8:0:1:1:1:1:1', want: '2001:db8:0:1:1:1:1:1' },
  { desc: 'IPv6 lower case', in: '2001:DB8::A', want: '2001:db8::a' },
  { desc: 'IPv6 all zero', in: '::', want: '::' },
  { desc: 'IPv6 loopback', in: '::1', want: '::1' },
  { desc: 'IPv6 leading zeros in group', in: 'fc00:f853:0ccd:e799::', want: 'fc00:f853:ccd:e799::' },
  { desc: 'IPv6 two double colons', in: '2001::db8::1', want: null },
  { desc: 'IPv6 zone refused', in: 'fe80::1%eth0', want: null },
  { desc: 'IPv6 too many groups', in: '1:2:3:4:5:6:7:8:9', want: null },
  { desc: 'IPv6 :: with 8 groups', in: '1:2:3:4::5:6:7:8', want: null },
  { desc: 'empty', in: '', want: null },
]

t.test('parse and format', async (t) => {
  for (const row of rows) {
    const got = parseIP(row.in)
    t.same(E.isRight(got) ? formatIP(got.right) : null, row.want, row.desc)
  }
})

const anyIP = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((v) => unsafeIp(4, v)),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => unsafeIp(6, v)),
)

t.test('format then parse is the identity', async (t) => {
  fc.assert(
    fc.property(anyIP, (ip) => {
      const back = parseIP(formatIP(ip))
      return E.isRight(back) && compareIP(back.right, ip) === 0
    }),
  )
  t.pass('round trip holds')
})

t.test('IPv6 text is canonical: formatting is a fixed point', async (t) => {
  fc.assert(
    fc.property(fc.ipV6(), (text) => {
      const once = parseIP(text)
      if (E.isLeft(once)) return text.includes('.') // fast-check also makes IPv4-embedded forms, which we refuse
      const canonical = formatIP(once.right)
      const twice = parseIP(canonical)
      return E.isRight(twice) && formatIP(twice.right) === canonical && canonical === canonical.toLowerCase()
    }),
  )
  t.pass('canonical')
})
