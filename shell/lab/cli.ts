#!/usr/bin/env node
// `ironlb-lab`: the live Layer 2 lab from a shell. A thin layer over lab.ts: parse, call, print.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { kubectlArgv } from './kube.js'
import { defaultStateDir, labDown, labUp, openLab, statusText, type ApiServerAction } from './lab.js'
import { readState } from './state.js'
import { errText, inNs, tailFile } from '../testbed/sys.js'
import type { EndpointState } from './desired.js'
import { labRouterStatus, labRouterText, type LabRouterStatus } from './router.js'
import { ROUTER_KINDS, type RouterKind } from '../testbed/router.js'

const USAGE = `usage: ironlb-lab [--state DIR] <command> [args]

  up [--nodes N] [--no-controller] [--no-speakers] [--require-speakers] [--log-level L] [--router frr|bird|gobgp]
                              build the lab (idempotent: a lab that is up is checked and repaired); --router
                              adds a BGP router between the LAN and the client's second network
  down                        remove every process, namespace and file of the lab
  status [--json]             hosts, processes, the API server, LoadBalancer Services and their IPs, and the
                              router's neighbours and RIB when there is one
  fail NODE                   power loss: cut NODE's link, SIGKILL its speaker
  heal NODE                   link up, speaker restarted
  stop-speaker NODE           SIGTERM the speaker (a rolling update)
  start-speaker NODE
  kubectl ARGS...             the real kubectl against the lab's API server (admin)
  on HOST CMD...              run CMD inside HOST's network namespace (infra, node1.., client, router)
  apiserver stop|start|freeze|thaw [SECONDS]
                              stop: SIGTERM (refused connections); freeze: SIGSTOP (hanging ones);
                              with SECONDS, start or thaw again after that long
  partition HOST... [/ HOST...]
                              split the LAN: each side gets its own segment, unnamed hosts stay together
  unpartition
  netem HOST loss N%|off      random loss of N% of HOST's frames, both ways (nftables on the switch)
  endpoint SERVICE NODE ready|notready|terminating|absent
                              NODE's endpoint in SERVICE's EndpointSlices (SERVICE: ns/name or name)
  logs NAME [LINES]           the end of a lab process's log (names as in status)
  demo                        apply shell/lab/examples/l2-demo.yaml, show the IP's path, fail its node
  demo-bgp                    (a lab up with --router frr) apply shell/lab/examples/bgp-demo.yaml, show the
                              router's routes and the client's spread over the nodes, fail a node (BFD)

The state folder is .lab/default in the checkout, or $IRONLB_LAB_DIR, or --state.
`

interface Io {
  readonly out: (s: string) => void
  readonly err: (s: string) => void
}

const needs = (args: readonly string[], n: number, what: string): void => {
  if (args.length < n) throw new UsageError(`needs ${what}`)
}

class UsageError extends Error {}

/** Runs argv with our terminal (interactive commands, stdin passed through); resolves to its exit status. */
const passThrough = (argv: readonly string[]): Promise<number> =>
  new Promise((resolve) => {
    const [cmd, ...rest] = argv
    const child = spawn(cmd ?? 'false', rest, { stdio: 'inherit' })
    child.once('error', (e) => {
      process.stderr.write(`ironlb-lab: ${e.message}\n`)
      resolve(127)
    })
    child.once('exit', (code, sig) => resolve(code ?? (sig === null ? 1 : 128 + 9)))
  })

const up = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  let nodes: number | undefined
  let logLevel: string | undefined
  let router: RouterKind | undefined
  const flags = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? ''
    if (a === '--nodes' || a === '--log-level' || a === '--router') {
      const v = args[++i]
      if (v === undefined) throw new UsageError(`${a} needs a value`)
      if (a === '--nodes') nodes = Number(v)
      else if (a === '--log-level') logLevel = v
      else router = routerKindArg(v)
    } else if (['--no-controller', '--no-speakers', '--require-speakers'].includes(a)) flags.add(a)
    else throw new UsageError(`up: unknown argument ${a}`)
  }
  // Ctrl-C during up: stop at the next step and clean up; a second one leaves at once.
  const abort = new AbortController()
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130)
    io.err('ironlb-lab: interrupted, cleaning up (again to leave at once)\n')
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const lab = await labUp({
      stateDir,
      ...(nodes === undefined ? {} : { nodes }),
      ...(logLevel === undefined ? {} : { logLevel }),
      ...(router === undefined ? {} : { router }),
      controller: !flags.has('--no-controller'),
      speakers: !flags.has('--no-speakers'),
      requireSpeakers: flags.has('--require-speakers'),
      progress: (l) => io.out(`${l}\n`),
      signal: abort.signal,
    })
    io.out(statusText(await lab.status()))
    const rs = await routerStatusOf(lab.stateDir)
    if (rs !== undefined) io.out(labRouterText(rs))
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

const routerKindArg = (v: string): RouterKind => {
  const kind = ROUTER_KINDS.find((k) => k === v)
  if (kind === undefined) throw new UsageError(`--router: ${v} is not one of ${ROUTER_KINDS.join(', ')}`)
  return kind
}

const routerStatusOf = async (stateDir: string): Promise<LabRouterStatus | undefined> => {
  const st = readState(stateDir)
  return st === undefined ? undefined : labRouterStatus(st)
}

const nodeArg = (args: readonly string[]): string => {
  needs(args, 1, 'a node name')
  return args[0] ?? ''
}

const down = async (stateDir: string, _args: readonly string[], io: Io): Promise<number> => {
  const r = await labDown(stateDir)
  io.out(`lab down: ${r.namespaces.length} namespaces and ${r.processes} processes removed, ${stateDir} deleted (${(r.ms / 1000).toFixed(1)} s)\n`)
  return 0
}

const status = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  // A lab still coming up (or one whose up was killed) is shown too: what exists so far.
  const lab = openLab(stateDir, { partial: true })
  const st = await lab.status()
  const rs = await routerStatusOf(lab.stateDir)
  io.out(args[0] === '--json' ? `${JSON.stringify(rs === undefined ? st : { ...st, router: rs }, null, 2)}\n` : `${statusText(st)}${rs === undefined ? '' : labRouterText(rs)}`)
  return st.processes.some((p) => p.wanted === 'running' && !p.alive) ? 1 : 0
}

const kubectl = (stateDir: string, args: readonly string[]): Promise<number> => {
  const lab = openLab(stateDir)
  const st = readState(lab.stateDir)
  if (st === undefined) throw new Error('no lab state')
  return passThrough(inNs(lab.namespace('infra'), kubectlArgv(st.k8sBinDir, st.adminKubeconfig, args)))
}

const on = (stateDir: string, args: readonly string[]): Promise<number> => {
  needs(args, 2, 'a host and a command')
  const [host = '', ...cmd] = args
  return passThrough(inNs(openLab(stateDir).namespace(host), cmd))
}

const apiserver = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  const [action, seconds] = args
  if (action !== 'stop' && action !== 'start' && action !== 'freeze' && action !== 'thaw') throw new UsageError('apiserver stop|start|freeze|thaw [SECONDS]')
  const lab = openLab(stateDir)
  await lab.apiServer(action satisfies ApiServerAction)
  io.out(`kube-apiserver: ${action}\n`)
  if (seconds === undefined || action === 'start' || action === 'thaw') return 0
  // An outage of a given length: stop (or freeze), wait, start (or thaw).
  const ms = Number(seconds) * 1000
  if (!(ms > 0 && ms <= 3_600_000)) throw new UsageError('SECONDS: 1..3600')
  await new Promise((r) => setTimeout(r, ms))
  await lab.apiServer(action === 'stop' ? 'start' : 'thaw')
  io.out(`kube-apiserver: ${action === 'stop' ? 'start' : 'thaw'} after ${seconds} s\n`)
  return 0
}

const partition = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  const sides: string[][] = [[]]
  for (const a of args) {
    if (a === '/') sides.push([])
    else sides[sides.length - 1]?.push(a)
  }
  if (sides.some((s) => s.length === 0)) throw new UsageError('partition HOST... [/ HOST...]')
  await openLab(stateDir).partition(...sides)
  io.out(`partitioned: ${sides.map((s) => `{${s.join(', ')}}`).join(' | ')} | {everyone else}\n`)
  return 0
}

const netem = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  const [host, what, value] = args
  if (host === undefined || (what !== 'loss' && what !== 'off')) throw new UsageError('netem HOST loss N% | netem HOST off')
  const pct = what === 'off' ? 0 : Number((value ?? '').replace(/%$/, ''))
  if (!Number.isFinite(pct) || pct < 0 || pct > 100) throw new UsageError(`loss must be 0..100%, not ${value ?? ''}`)
  await openLab(stateDir).setLoss(host, pct)
  io.out(pct === 0 ? `${host}: no loss\n` : `${host}: ${pct}% loss both ways\n`)
  return 0
}

const endpoint = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  needs(args, 3, 'SERVICE NODE STATE')
  const [svc = '', n = '', state = ''] = args
  if (!['ready', 'notready', 'terminating', 'absent'].includes(state)) throw new UsageError('state: ready|notready|terminating|absent')
  await openLab(stateDir).setEndpoint(svc, n, state as EndpointState)
  io.out(`${svc}: ${n} ${state}\n`)
  return 0
}

const logs = async (stateDir: string, args: readonly string[], io: Io): Promise<number> => {
  needs(args, 1, 'a process name')
  const lab = openLab(stateDir)
  io.out(`${tailFile(join(lab.stateDir, 'logs', `${args[0] ?? ''}.log`), Number(args[1] ?? '40'))}\n`)
  return 0
}

type Command = (stateDir: string, args: readonly string[], io: Io) => Promise<number>

/** Each command's handler; the node commands open the lab before they read the node's name. */
const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['up', up],
  ['down', down],
  ['status', status],
  ['fail', async (dir, args, io) => {
    await openLab(dir).fail(nodeArg(args))
    io.out(`${args[0]}: link cut, speaker killed\n`)
    return 0
  }],
  ['heal', async (dir, args, io) => {
    io.out(`${args[0]}: link up, speaker ${await openLab(dir).heal(nodeArg(args))}\n`)
    return 0
  }],
  ['stop-speaker', async (dir, args, io) => {
    await openLab(dir).stopSpeaker(nodeArg(args))
    io.out(`speaker-${args[0]} stopped\n`)
    return 0
  }],
  ['start-speaker', async (dir, args, io) => {
    await openLab(dir).startSpeaker(nodeArg(args))
    io.out(`speaker-${args[0]} started\n`)
    return 0
  }],
  ['kubectl', kubectl],
  ['on', on],
  ['apiserver', apiserver],
  ['partition', partition],
  ['unpartition', async (dir, _args, io) => {
    await openLab(dir).unpartition()
    io.out('LAN whole again\n')
    return 0
  }],
  ['netem', netem],
  ['endpoint', endpoint],
  ['logs', logs],
  ['demo', async (dir, _args, io) => {
    const { runDemo } = await import('./demo.js')
    return runDemo(openLab(dir), (l) => io.out(`${l}\n`))
  }],
  ['demo-bgp', async (dir, _args, io) => {
    const { runBgpDemo } = await import('./demoBgp.js')
    return runBgpDemo(openLab(dir), (l) => io.out(`${l}\n`))
  }],
])

const HELP: readonly string[] = ['help', '-h', '--help']

export const main = async (argv: readonly string[], io: Io): Promise<number> => {
  let rest = [...argv]
  let stateDir = defaultStateDir()
  if (rest[0] === '--state') {
    if (rest[1] === undefined) throw new UsageError('--state needs a folder')
    stateDir = rest[1]
    rest = rest.slice(2)
  }
  const [command, ...args] = rest
  if (command === undefined || HELP.includes(command)) {
    io.out(USAGE)
    return command === undefined ? 2 : 0
  }
  const handler = COMMANDS.get(command)
  if (handler === undefined) throw new UsageError(`unknown command "${command}"`)
  return handler(stateDir, args, io)
}

const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      io.err(`ironlb-lab: ${e.message}\n${USAGE}`)
      process.exitCode = 2
    } else {
      io.err(`ironlb-lab: ${errText(e)}\n`)
      process.exitCode = 1
    }
  },
)
