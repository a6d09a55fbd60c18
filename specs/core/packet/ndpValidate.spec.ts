import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { decodeNdpFrame } from '../../../core/packet/ndpFrames.js'
import { validateAdvertisement, validateSolicitation, type NdpInvalidReason } from '../../../core/packet/ndpValidate.js'
import { bytes, mkNdpFrame, slla, tlla } from './build.js'
import { captures } from './captures.js'

const NS = (n: Parameters<typeof mkNdpFrame>[0]) => mkNdpFrame(n)
const NA = (n: Parameters<typeof mkNdpFrame>[0]) => mkNdpFrame({ type: 136, options: [tlla('02:00:5e:10:00:0b')], ...n })

const solicitations: ReadonlyArray<{ desc: string; in: Uint8Array; want: NdpInvalidReason | undefined }> = [
  { desc: 'captured NS', in: bytes(captures.nsFor10), want: undefined },
  { desc: 'captured DAD probe', in: bytes(captures.dadProbe), want: undefined },
  { desc: 'captured unicast NUD', in: bytes(captures.nsUnicastNud), want: undefined },
  { desc: 'hop limit 254 (routed from off-link)', in: NS({ hopLimit: 254 }), want: 'HopLimitNot255' },
  { desc: 'hop limit 1', in: NS({ hopLimit: 1 }), want: 'HopLimitNot255' },
  { desc: 'checksum off by one', in: NS({ checksumDelta: 1 }), want: 'BadChecksum' },
  { desc: 'code 1', in: NS({ code: 1 }), want: 'NonZeroCode' },
  { desc: 'multicast target', in: NS({ target: 'ff02::1', dst: 'ff02::1:ff00:1' }), want: 'MulticastTarget' },
  { desc: 'DAD to a unicast destination', in: NS({ src: '::', dst: '2001:db8:100::10', options: [] }), want: 'DadNotToSolicitedNode' },
  { desc: 'DAD with a source link-layer option', in: NS({ src: '::', options: [slla('02:00:5e:10:00:0a')] }), want: 'DadWithSourceLinkLayer' },
  { desc: 'NS without options from a unicast source', in: NS({ options: [] }), want: undefined },
]

t.test('RFC 4861 §7.1.1, rule by rule', async (t) => {
  for (const row of solicitations) {
    const f = decodeNdpFrame(row.in)
    if (E.isLeft(f)) {
      t.fail(`${row.desc}: did not decode`)
      continue
    }
    t.equal(validateSolicitation(f.right), row.want, row.desc)
  }
})

const advertisements: ReadonlyArray<{ desc: string; in: Uint8Array; want: NdpInvalidReason | undefined }> = [
  { desc: 'captured solicited NA', in: bytes(captures.naFrom20), want: undefined },
  { desc: 'captured NA without options', in: bytes(captures.naNoOptions), want: undefined },
  { desc: 'unsolicited NA to all-nodes', in: NA({ dst: 'ff02::1', word: 0x20000000 }), want: undefined },
  { desc: 'solicited NA to all-nodes', in: NA({ dst: 'ff02::1', word: 0x40000000 }), want: 'SolicitedToMulticast' },
  { desc: 'hop limit 64', in: NA({ dst: 'fe80::1', hopLimit: 64 }), want: 'HopLimitNot255' },
  { desc: 'bad checksum', in: NA({ dst: 'fe80::1', checksumDelta: 0x100 }), want: 'BadChecksum' },
  { desc: 'code 3', in: NA({ dst: 'fe80::1', code: 3 }), want: 'NonZeroCode' },
  { desc: 'multicast target', in: NA({ dst: 'fe80::1', target: 'ff05::2' }), want: 'MulticastTarget' },
]

t.test('RFC 4861 §7.1.2, rule by rule', async (t) => {
  for (const row of advertisements) {
    const f = decodeNdpFrame(row.in)
    if (E.isLeft(f)) {
      t.fail(`${row.desc}: did not decode`)
      continue
    }
    t.equal(validateAdvertisement(f.right), row.want, row.desc)
  }
})
