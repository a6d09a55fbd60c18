// shell/testbed/routerGobgp.ts in a namespace: the shared router check (specs/support/routerInterop.ts)
// against a real Gobgp router and two peers built from the project's BGP code. Needs root.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import { checkRouter } from '../../support/routerInterop.js'

t.setTimeout(60_000)
const why = netnsUnavailable()
const missing = missingTools(['gobgpd', 'gobgp'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await checkRouter(t, 'gobgp', false)
