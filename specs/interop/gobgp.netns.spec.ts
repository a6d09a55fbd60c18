// The interop matrix (specs/interop/matrix.ts) against GoBGP 3.10: twelve cells (IPv4, IPv6, dual-stack x
// eBGP, iBGP with localPref x MD5 on, off) from two node namespaces, the RIB only: GoBGP installs no
// kernel routes here (gobgpd's zebra client panics on FRR 8.4's zebra), so no FIB, forwarding or ECMP.
// Needs root.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../support/netns.js'
import { runMatrix } from './matrix.js'

t.setTimeout(110_000)
const why = netnsUnavailable()
const missing = missingTools(['gobgpd', 'gobgp', 'curl'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await t.test('the matrix against gobgp', (t) => runMatrix(t, 'gobgp', false))
