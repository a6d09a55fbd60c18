import t from 'tap'
import { parseBindAddress, parsePort } from '../../../shell/obs/bindAddress.js'

t.test('bind addresses', async (t) => {
  const rows = [
    { desc: 'every address', in: ':7473', want: { ok: true, value: { _tag: 'Listen', host: undefined, port: 7473 } } },
    { desc: 'IPv4 loopback', in: '127.0.0.1:7473', want: { ok: true, value: { _tag: 'Listen', host: '127.0.0.1', port: 7473 } } },
    { desc: 'IPv6 in brackets', in: '[::1]:7473', want: { ok: true, value: { _tag: 'Listen', host: '::1', port: 7473 } } },
    { desc: 'a host name', in: 'localhost:8081', want: { ok: true, value: { _tag: 'Listen', host: 'localhost', port: 8081 } } },
    { desc: '0 turns it off', in: '0', want: { ok: true, value: { _tag: 'Off' } } },
  ]
  for (const r of rows) t.same(parseBindAddress(r.in, 'health-probe-bind-address'), r.want, r.desc)
  for (const bad of ['7473', '::1:7473', '127.0.0.1:', '127.0.0.1:70000', '', 'host:port'])
    t.match(parseBindAddress(bad, 'health-probe-bind-address'), { ok: false, error: /^--health-probe-bind-address: ".*" is not HOST:PORT/ }, `refused: "${bad}"`)
})

t.test('ports', async (t) => {
  t.same(parsePort('7472', 'port'), { ok: true, value: 7472 })
  for (const bad of ['', '-1', '65536', '74a', '1e3']) t.match(parsePort(bad, 'port'), { ok: false, error: /^--port: / }, `refused: "${bad}"`)
})
