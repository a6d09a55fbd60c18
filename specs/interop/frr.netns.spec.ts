// The interop matrix (specs/interop/matrix.ts) against FRR 8.4 (zebra installs the multipath routes): twelve cells (IPv4, IPv6,
// dual-stack x eBGP, iBGP with localPref x MD5 on, off) from two node namespaces. Needs root.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../support/netns.js'
import { runMatrix } from './matrix.js'

t.setTimeout(110_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh', 'curl'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await t.test('the matrix against frr', (t) => runMatrix(t, 'frr', true))
