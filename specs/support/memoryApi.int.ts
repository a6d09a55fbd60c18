// memoryApi against the real kube-apiserver: the shared request sequence (apiSequence.ts) gives the
// same transcript from both, and the one memoryApi.spec.ts pins. A difference here means memoryApi
// no longer models the API server for the shell's writes and watches.
import t from 'tap'
import { create, randomSuffix, testRest } from './kube.js'
import { memoryApi } from './memoryApi.js'
import { EXPECTED, EXPECTED_WATCH, runApiSequence } from './apiSequence.js'

t.test('the same sequence answers alike from kube-apiserver and from memoryApi', async (t) => {
  const rest = await testRest()
  const ns = `memapi-${randomSuffix()}`
  await create(rest, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  try {
    const real = await runApiSequence(rest, ns)
    const memory = await runApiSequence(memoryApi(), ns)
    t.same(real.steps, memory.steps, 'every step: status, reason, resourceVersion moved, fields')
    t.same(real.watched, memory.watched, 'the watch saw the same events')
    t.same(real.steps, EXPECTED, 'and what memoryApi.spec.ts pins')
    t.same(real.watched, EXPECTED_WATCH)
  } finally {
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`)
    rest.close()
  }
})
