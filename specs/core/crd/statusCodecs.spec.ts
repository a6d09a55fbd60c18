// Specs for core/config/statusCodecs.ts (kept beside the CRD specs that derive from these codecs).
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import {
  configurationStateCodec,
  ipAddressPoolStatusCodec,
  serviceBGPStatusCodec,
  serviceL2StatusCodec,
} from '../../../core/config/statusCodecs.js'

const meta = { name: 'x', namespace: 'metallb-system' }

t.test('status objects as the speaker and controller write them decode', async (t) => {
  t.ok(E.isRight(serviceL2StatusCodec.decode({ metadata: meta, status: { node: 'n1', serviceName: 's', serviceNamespace: 'ns', interfaces: [{ name: 'eth0' }] } })))
  t.ok(E.isRight(serviceBGPStatusCodec.decode({ metadata: meta, spec: {}, status: { node: 'n1', peers: ['router-a'] } })))
  t.ok(E.isRight(serviceL2StatusCodec.decode({ metadata: meta })), 'status not written yet')
  t.ok(
    E.isRight(
      configurationStateCodec.decode({
        metadata: meta,
        status: {
          result: 'Invalid',
          errorSummary: 'IPAddressPool metallb-system/p: spec.addresses[0]: bad',
          conditions: [{ type: 'Ready', status: 'False', reason: 'Invalid', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 }],
        },
      }),
    ),
  )
  t.ok(E.isRight(ipAddressPoolStatusCodec.decode({ assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 2 ** 40 })))
})

t.test('malformed status objects do not decode', async (t) => {
  const rows: ReadonlyArray<{ desc: string; codec: { decode: (u: unknown) => E.Either<unknown, unknown> }; in: unknown }> = [
    { desc: 'unknown result', codec: configurationStateCodec, in: { metadata: meta, status: { result: 'Maybe' } } },
    { desc: 'condition without reason', codec: configurationStateCodec, in: { metadata: meta, status: { conditions: [{ type: 'A', status: 'True', message: '', lastTransitionTime: 't' }] } } },
    { desc: 'condition status not True/False/Unknown', codec: configurationStateCodec, in: { metadata: meta, status: { conditions: [{ type: 'A', status: 'yes', reason: 'R', message: '', lastTransitionTime: 't' }] } } },
    { desc: 'a missing counter', codec: ipAddressPoolStatusCodec, in: { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 2 } },
    { desc: 'a fractional counter', codec: ipAddressPoolStatusCodec, in: { assignedIPv4: 1.5, assignedIPv6: 0, availableIPv4: 2, availableIPv6: 0 } },
    { desc: 'peers not a list', codec: serviceBGPStatusCodec, in: { metadata: meta, status: { peers: 'router-a' } } },
    { desc: 'no metadata', codec: serviceL2StatusCodec, in: { status: {} } },
  ]
  for (const row of rows) t.ok(E.isLeft(row.codec.decode(row.in)), row.desc)
})
