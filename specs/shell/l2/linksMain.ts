// Prints the interfaces listLinks reads in this process's network namespace, as one JSON line, or the
// error it threw; links.netns.spec.ts runs it inside a lab namespace.
import { listLinks } from '../../../shell/l2/links.js'

try {
  process.stdout.write(`${JSON.stringify({ links: listLinks() })}\n`)
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`)
}
