// shell/testbed/routerBird.ts in a namespace: the shared router check (specs/support/routerInterop.ts)
// against a real Bird router and two peers built from the project's BGP code. Needs root.
import t from 'tap'
import { missingTools, netnsUnavailable } from '../../support/netns.js'
import { checkRouter } from '../../support/routerInterop.js'

t.setTimeout(60_000)
const why = netnsUnavailable()
const missing = missingTools(['bird', 'birdc'])
if (why !== undefined) t.plan(0, `skipped: ${why}`)
else if (missing !== undefined) t.fail(missing)
else await checkRouter(t, 'bird', true)
