// IronLB's daemons on the lab cluster as the kernel runs them (issue 11): each Pod's process read through
// /proc by its container ID (non-root, read-only root, seccomp, the speaker with NET_RAW and
// NET_BIND_SERVICE only), and each speaker's BGP listener on its node's port 179 once a BGPPeer exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { pollFor, type Cluster } from './cluster.js'
import { CAP, containerProcess } from './containerProcess.js'
import { NS } from './installChecks.js'

export const restrictedDaemons = async (t: Test, cluster: Cluster): Promise<void> => {
  const ids = (await cluster.kubectl(['-n', NS, 'get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].containerID} {end}'])).stdout.trim().split(' ')
  t.equal(ids.length, cluster.nodes.length + 2, `${ids.length} Pods: a speaker per node and two controller replicas`)
  for (const [pod = '', id = ''] of ids.map((e) => e.split('='))) {
    const p = containerProcess(id)
    if (p === undefined) {
      t.fail(`${pod}: no process in a cgroup of ${id === '' ? 'no container' : id}`)
      continue
    }
    t.comment(`${pod}: ${JSON.stringify(p)}`)
    const want = pod.startsWith('speaker-') ? [CAP.NET_BIND_SERVICE, CAP.NET_RAW] : []
    t.same([p.uid, p.gid], [65534, 65534], `${pod} runs as 65534:65534`)
    t.same(p.effective, want, `${pod}: effective capabilities ${JSON.stringify(want)}`)
    t.same(p.bounding, want, `${pod}: and no others it could gain (bounding set)`)
    t.ok(p.noNewPrivs && p.seccomp === 2 && p.readOnlyRoot, `${pod}: no_new_privs, a seccomp filter, read-only root`)
  }
}

const bgpPeer = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: lab-router, namespace: ${NS}}
spec: {myASN: 64512, peerASN: 64500, peerAddress: 198.51.100.1}
`

/** Every log line of the speaker Pods a node ran (current and earlier ones). */
const speakerLogs = (podLogs: string): string =>
  (existsSync(podLogs) ? readdirSync(podLogs) : [])
    .filter((d) => d.startsWith(`${NS}_speaker-`))
    .flatMap((d) => readdirSync(join(podLogs, d, 'speaker')).map((f) => readFileSync(join(podLogs, d, 'speaker', f), 'utf8')))
    .join('')

/** A BGPPeer (routers that dial in): each speaker listens on its node's port 179. The peer is deleted afterwards. */
export const bgpListening = async (t: Test, cluster: Cluster): Promise<void> => {
  t.equal((await cluster.kubectl(['apply', '-f', '-'], bgpPeer)).code, 0, 'a BGPPeer passes the webhook')
  for (const node of cluster.nodes) {
    const name = node.plan.name
    // The node's InternalIPs, IPv4 first (dual-stack): the IPv4 one.
    const nodeIp = (await cluster.kubectl(['get', 'node', name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout.split(' ')[0] ?? ''
    // curl's time_connect is 0 unless the TCP handshake completed: a listener, whoever it then refuses.
    const connected = await pollFor(60_000, async () => {
      const r = await cluster.onClient(['curl', '-s', '-o', '/dev/null', '--max-time', '2', '-w', '%{time_connect}', `telnet://${nodeIp}:179`])
      return Number(r.stdout) > 0 ? true : undefined
    })
    t.ok(connected, `${name} (${nodeIp}) accepts a connection on 179`)
    const failure = /bgp-listener-failed.*/.exec(speakerLogs(node.podLogs))?.[0].slice(0, 200)
    t.equal(failure, undefined, `${name}'s speaker logged no listener failure`)
  }
  t.equal((await cluster.kubectl(['-n', NS, 'delete', 'bgppeer', 'lab-router'])).code, 0, 'the BGPPeer deleted')
}
