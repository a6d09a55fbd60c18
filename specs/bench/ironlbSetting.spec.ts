// The benches' low-cost setting is the one the chart documents: if either changes alone, the bench
// would measure a setting no user can pick. And the command line's systems parse as the benches say.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { repoRoot } from '../support/repoRoot.js'
import { LOW_COST_NODE_ARGS, LOW_COST_SPEAKER_ARGS, labSystemOf, speakerFlagsOf, systemsOf } from './ironlbSetting.js'

const chartFile = (name: string): string => readFileSync(join(repoRoot, 'deploy', 'chart', name), 'utf8')

t.test("the chart documents the bench's low-cost NODE_OPTIONS", async (t) => {
  const options = LOW_COST_NODE_ARGS.join(' ')
  const row = chartFile('README.md').split('\n').find((l) => l.startsWith('| `speaker.nodeOptions`'))
  t.match(row, `\`${options}\` in the low-cost setting`)
  t.match(chartFile('values.yaml').replace(/\n\s*#\s*/g, ' '), `"${options}"`)
})

t.test("the chart documents the bench's low-cost memberlist flags", async (t) => {
  const row = chartFile('README.md').split('\n').find((l) => l.startsWith('| `memberlist.probeInterval`'))
  const values = LOW_COST_SPEAKER_ARGS.map((a) => a.split('=')[1])
  t.same(values, ['1s', 'main'])
  t.match(row, `\`${values[0]}\` and \`${values[1]}\` is the low-cost setting`)
})

t.test('systems: all three by default, in order; an unknown one refused by name', async (t) => {
  t.same(systemsOf(['--out=/x']), ['metallb', 'ironlb', 'ironlb-low-cost'])
  t.same(systemsOf(['ironlb-low-cost', '--ironlb-node=--foo', 'metallb']), ['ironlb-low-cost', 'metallb'])
  t.throws(() => systemsOf(['frr']), /"frr": want metallb, ironlb or ironlb-low-cost/)
  t.equal(labSystemOf('ironlb-low-cost'), 'ironlb')
})

t.test('--ironlb-node applies to the default setting only', async (t) => {
  t.same(speakerFlagsOf('ironlb', ['--a']), { nodeArgs: ['--a'] })
  t.same(speakerFlagsOf('metallb', ['--a']), { nodeArgs: [] })
  t.same(speakerFlagsOf('ironlb-low-cost', ['--a']), { speakerArgs: LOW_COST_SPEAKER_ARGS, nodeArgs: LOW_COST_NODE_ARGS })
})
