import t from 'tap'
import { observabilitySettings } from '../../../shell/obs/observability.js'

const flags = (m: Record<string, string>) => (name: string): string | undefined => m[name]

t.test('defaults: HTTPS metrics on every address port 7472, plain probes on :7473, TLS 1.2 and up, a self-signed certificate', async (t) => {
  t.same(observabilitySettings(flags({})), {
    ok: true,
    value: { metricsHost: undefined, metricsPort: 7472, health: { _tag: 'Listen', host: undefined, port: 7473 }, certDir: undefined, minVersion: 'TLSv1.2' },
  })
})

t.test('flags, and the speaker METALLB_HOST fallback for --host', async (t) => {
  const rows = [
    { desc: '--host wins over the fallback', in: [{ host: '192.0.2.7' }, '198.51.100.1'] as const, want: { metricsHost: '192.0.2.7' } },
    { desc: 'the fallback when --host is absent', in: [{}, '198.51.100.1'] as const, want: { metricsHost: '198.51.100.1' } },
    { desc: 'IPv6 in brackets', in: [{ host: '[2001:db8::1]' }, undefined] as const, want: { metricsHost: '2001:db8::1' } },
    { desc: 'probes off', in: [{ 'health-probe-bind-address': '0' }, undefined] as const, want: { health: { _tag: 'Off' } } },
    { desc: 'a mounted certificate', in: [{ 'metrics-cert-dir': '/etc/metrics' }, undefined] as const, want: { certDir: '/etc/metrics' } },
    { desc: 'TLS 1.3 only', in: [{ 'tls-min-version': 'VersionTLS13' }, undefined] as const, want: { minVersion: 'TLSv1.3' } },
  ]
  for (const r of rows) t.match(observabilitySettings(flags(r.in[0]), r.in[1]), { ok: true, value: r.want }, r.desc)
})

t.test('bad flags are refused, naming the flag', async (t) => {
  const rows = [
    { desc: 'a port out of range', in: { port: '70000' }, want: /^--port: "70000" is not a port/ },
    { desc: 'a health address without a port', in: { 'health-probe-bind-address': '127.0.0.1' }, want: /^--health-probe-bind-address: "127\.0\.0\.1" is not HOST:PORT/ },
    { desc: 'an unknown TLS version', in: { 'tls-min-version': 'TLS1.1' }, want: /^--tls-min-version: "TLS1\.1" is not VersionTLS12 or VersionTLS13/ },
  ]
  for (const r of rows) t.match(observabilitySettings(flags(r.in)), { ok: false, error: r.want }, r.desc)
})
