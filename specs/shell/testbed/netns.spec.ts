// The shared netns harness refuses, before any command runs, every address outside the documentation
// ranges and anything that is not an address with an optional prefix length (so no root is needed here;
// specs/support/netns.spec.ts and the netns specs exercise the commands themselves).
import t from 'tap'
import { addAddress, isDocumentationAddress } from '../../../shell/testbed/netns.js'

t.test('documentation ranges (RFC 5737, RFC 3849)', async (t) => {
  const rows = [
    { in: '192.0.2.1', want: true },
    { in: '198.51.100.255', want: true },
    { in: '203.0.113.7', want: true },
    { in: '2001:db8:100::200', want: true },
    { in: '2001:0db8::1', want: true },
    { in: '198.51.101.1', want: false },
    { in: '10.0.0.1', want: false },
    { in: '198.51.100.256', want: false },
    { in: '2001:db9::1', want: false },
    { in: 'fd00::1', want: false },
  ]
  for (const r of rows) t.equal(isDocumentationAddress(r.in), r.want, r.in)
})

t.test('addAddress refuses before it runs anything', async (t) => {
  const rows = [
    { desc: 'private range', in: '10.0.0.1/8', want: /is not a documentation address/ },
    { desc: 'documentation prefix, octet out of range', in: '198.51.100.300/24', want: /is not a documentation address/ },
    { desc: 'next to a documentation range', in: '198.51.101.1/24', want: /is not a documentation address/ },
    { desc: 'IPv6 outside 2001:db8::/32', in: 'fd00::1/64', want: /is not a documentation address/ },
    { desc: 'IPv4 prefix longer than 32', in: '192.0.2.1/33', want: /not an address with an optional prefix length/ },
    { desc: 'IPv6 prefix longer than 128', in: '2001:db8::1/129', want: /not an address with an optional prefix length/ },
    { desc: 'two slashes', in: '192.0.2.1/24/24', want: /not an address with an optional prefix length/ },
    { desc: 'empty prefix length', in: '192.0.2.1/', want: /not an address with an optional prefix length/ },
  ]
  // A namespace name no harness would make: were a check missing, `ip -n` would fail with a different error.
  for (const r of rows) await t.rejects(addAddress('ironlb-no-such-namespace', 'eth0', r.in), r.want, r.desc)
})
