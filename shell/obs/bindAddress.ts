// "HOST:PORT" bind addresses as controller-runtime's --*-bind-address flags take them: ":7473"
// (every address), "127.0.0.1:7473", "[::1]:7473", or "0" to turn the server off.
/** host undefined: every address, as Node picks them (:: with IPv4 mapped, or 0.0.0.0 without IPv6). */
export type BindAddress = { readonly _tag: 'Off' } | { readonly _tag: 'Listen'; readonly host: string | undefined; readonly port: number }

export const parseBindAddress = (text: string, flag: string): { ok: true; value: BindAddress } | { ok: false; error: string } => {
  if (text === '0') return { ok: true, value: { _tag: 'Off' } }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text)
  const port = Number(m?.[3])
  if (m === null || !(port >= 0 && port <= 65535))
    return { ok: false, error: `--${flag}: "${text}" is not HOST:PORT (":7473", "127.0.0.1:7473", "[::1]:7473") or 0 to turn it off` }
  const host = m[1] ?? m[2] ?? ''
  return { ok: true, value: { _tag: 'Listen', host: host === '' ? undefined : host, port } }
}

/** A port flag: an integer 0..65535. */
export const parsePort = (text: string, flag: string): { ok: true; value: number } | { ok: false; error: string } => {
  const n = Number(text)
  return /^\d{1,5}$/.test(text) && n <= 65535 ? { ok: true, value: n } : { ok: false, error: `--${flag}: "${text}" is not a port (0 to 65535)` }
}
