// The BGP interop matrix (specs/interop/matrix.ts): FRR 8.4, BIRD 2 and GoBGP 3.10 x twelve cells (IPv4,
// IPv6, dual-stack x eBGP, iBGP with localPref x MD5 on, off), two nodes each. FRR and BIRD: RIB, FIB,
// forwarding and ECMP; GoBGP: the RIB only (it installs no kernel routes here: gobgpd's zebra client
// panics on FRR 8.4's zebra). Needs root.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../support/netns.js'
import { runMatrix } from './matrix.js'

t.setTimeout(115_000)
const why = netnsUnavailable()
const missing = missingTools(['vtysh', 'bird', 'birdc', 'gobgpd', 'gobgp', 'curl'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await t.test('FRR, BIRD and GoBGP', (t) => runMatrix(t))
