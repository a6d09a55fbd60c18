// Values that change every setting of deploy/chart from its default, and the namespace they are
// rendered into: chartValues.helm.ts checks where each lands, dryRun.helm.ts sends the result to a
// real API server. Not a spec.

export const CHART_NAMESPACE = 'lb-system'

export const VALUES = {
  image: { repository: 'registry.example.com/net/ironlb', tag: '9.9.9', pullPolicy: 'IfNotPresent' },
  loadBalancerClass: 'example.com/bare-metal',
  crds: { enabled: false },
  memberlist: { secretName: 'speaker-key', probeInterval: '1s', thread: 'main' },
  controller: {
    replicas: 3,
    logLevel: 'debug',
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    nodeOptions: '--max-old-space-size=192',
    nodeSelector: { 'node-role.example.com/infra': 'true' },
    tolerations: [{ key: 'infra', operator: 'Exists', effect: 'NoSchedule' }],
    podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, privileged: false },
  },
  speaker: {
    logLevel: 'warn',
    resources: { requests: { cpu: '20m', memory: '48Mi' }, limits: { memory: '128Mi' } },
    nodeOptions: '--max-semi-space-size=1',
    nodeSelector: { 'example.com/lb-node': 'yes' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'lb', effect: 'NoExecute' }],
    podSecurityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/speaker.json' } },
    securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] } },
  },
  prometheus: {
    serviceAccount: 'prometheus-k8s',
    namespace: 'monitoring',
    serviceMonitor: { enabled: true, additionalLabels: { release: 'kube-prometheus' }, interval: '15s', tlsConfig: { insecureSkipVerify: false, caFile: '/etc/prom/ca.crt', serverName: 'ironlb' } },
    prometheusRule: { enabled: true, additionalLabels: { role: 'alert-rules' } },
  },
} as const
