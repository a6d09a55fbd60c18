// Network interfaces as the speaker needs them, read from /sys/class/net: every interface, with or
// without addresses (node:os.networkInterfaces lists only those with addresses). Under
// `ip netns exec` /sys is remounted for the namespace, so this sees the namespace's interfaces.
// Which interfaces to announce on (up, not enslaved, ARP-capable, names MetalLB skips) is a pure
// decision left to the speaker's core; this module only reads.
import { readdir, readFile, readlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseMac, type Mac } from '../../core/packet/mac.js'

interface Link {
  readonly name: string
  readonly ifindex: number
  /** undefined for interfaces without an Ethernet address (tunnels, some virtual devices). */
  readonly mac: Mac | undefined
  /** linux/if.h flags. */
  readonly flags: number
  readonly up: boolean
  readonly noArp: boolean
  readonly loopback: boolean
  /** The bridge or bond this interface is enslaved to. */
  readonly master: string | undefined
  /** Documentation/ABI/testing/sysfs-class-net: up, down, unknown, lowerlayerdown, ... */
  readonly operState: string
}

const IFF_UP = 0x1
const IFF_LOOPBACK = 0x8
const IFF_NOARP = 0x80

const SYS_NET = '/sys/class/net'

const readText = async (path: string): Promise<string | undefined> => {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch {
    return undefined
  }
}

/** undefined when the interface does not exist (or vanished while reading). */
export const readLink = async (name: string, root: string = SYS_NET): Promise<Link | undefined> => {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return undefined
  const dir = join(root, name)
  const [ifindexText, address, flagsText, operState] = await Promise.all(
    ['ifindex', 'address', 'flags', 'operstate'].map((f) => readText(join(dir, f))),
  )
  const ifindex = Number(ifindexText)
  if (ifindexText === undefined || !Number.isSafeInteger(ifindex) || ifindex <= 0) return undefined
  const flags = flagsText === undefined ? 0 : parseInt(flagsText, 16)
  let master: string | undefined
  try {
    master = basename(await readlink(join(dir, 'master')))
  } catch {
    master = undefined
  }
  const mac = address === undefined ? undefined : parseMac(address)
  return {
    name,
    ifindex,
    mac: mac === '00:00:00:00:00:00' ? undefined : mac,
    flags: Number.isNaN(flags) ? 0 : flags,
    up: (flags & IFF_UP) !== 0,
    noArp: (flags & IFF_NOARP) !== 0,
    loopback: (flags & IFF_LOOPBACK) !== 0,
    master,
    operState: operState ?? 'unknown',
  }
}

export const listLinks = async (root: string = SYS_NET): Promise<Link[]> => {
  const names = await readdir(root).catch(() => [] as string[])
  const links = await Promise.all(names.map((n) => readLink(n, root)))
  return links.filter((l): l is Link => l !== undefined).sort((a, b) => a.ifindex - b.ifindex)
}
