import t from 'tap'
import { Registry } from 'prom-client'
import { bfdMetrics } from '../../../shell/bfd/metrics.js'

const series = async (r: Registry): Promise<string[]> => (await r.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'))

t.test('up and down events count transitions only; a stopped peer loses its series; discards by reason', async (t) => {
  const registry = new Registry()
  const m = bfdMetrics(registry)
  m.state('198.51.100.1', false) // AdminDown -> Down at start: not a down event
  m.state('198.51.100.1', false) // Down -> Init
  m.state('198.51.100.1', true)
  m.state('198.51.100.1', true) // a second report of Up is no second event
  m.sent('198.51.100.1')
  m.received('198.51.100.1')
  m.received('198.51.100.1')
  m.echoSent('198.51.100.1')
  m.echoSent('198.51.100.1')
  m.echoReceived('198.51.100.1')
  m.state('198.51.100.1', false)
  m.discarded('BadVersion')
  m.discarded('NoSession')
  m.discarded('NoSession')
  t.same(await series(registry), [
    'metallb_bfd_session_up{peer="198.51.100.1"} 0',
    'metallb_bfd_session_up_events{peer="198.51.100.1"} 1',
    'metallb_bfd_session_down_events{peer="198.51.100.1"} 1',
    'metallb_bfd_control_packet_input{peer="198.51.100.1"} 2',
    'metallb_bfd_control_packet_output{peer="198.51.100.1"} 1',
    'metallb_bfd_echo_packet_input{peer="198.51.100.1"} 1',
    'metallb_bfd_echo_packet_output{peer="198.51.100.1"} 2',
    'ironlb_bfd_packets_discarded_total{reason="BadVersion"} 1',
    'ironlb_bfd_packets_discarded_total{reason="NoSession"} 2',
  ])
  m.forget('198.51.100.1')
  t.same((await series(registry)).filter((l) => l.includes('peer=')), [], 'no series left for a stopped peer')
  m.state('198.51.100.1', true)
  t.match(await registry.metrics(), 'metallb_bfd_session_up_events{peer="198.51.100.1"} 1', 'a restarted session counts from a clean slate')
})
