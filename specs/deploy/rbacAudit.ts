// Compares what deploy/manifests/20-rbac.yaml grants with what the API server's audit log shows the
// ServiceAccounts doing: every grant must be used at least once (or be named in an allow-list, with its
// reason), and nothing may be denied. Pure: YAML documents and audit lines in, findings out.
import { parseAllDocuments } from 'yaml'

/** One verb on one resource (with subresource, e.g. `services/status`), for one user, maybe one name. */
export interface Grant {
  readonly user: string
  readonly group: string
  readonly resource: string
  readonly verb: string
  /** Set when the rule lists resourceNames: the grant covers that object only. */
  readonly name?: string
  /** Set for a Role: the grant holds in that namespace only. */
  readonly namespace?: string
}

/** One request as the audit log records it. */
export interface Use {
  readonly user: string
  readonly group: string
  readonly resource: string
  readonly verb: string
  readonly name?: string
  readonly namespace?: string
  readonly code: number
}

/** A grant kept although the log does not show it, and why (a feature still landing). */
export interface Allowed {
  readonly user: string
  readonly group: string
  readonly resource: string
  readonly verb: string
  readonly name?: string
  readonly why: string
}

interface Rule {
  readonly apiGroups?: readonly string[]
  readonly resources?: readonly string[]
  readonly verbs?: readonly string[]
  readonly resourceNames?: readonly string[]
}

interface RbacDoc {
  readonly kind?: string
  readonly metadata?: { readonly name?: string; readonly namespace?: string }
  readonly rules?: readonly Rule[]
  readonly roleRef?: { readonly kind?: string; readonly name?: string }
  readonly subjects?: readonly { readonly kind?: string; readonly name?: string; readonly namespace?: string }[]
}

export const serviceAccountUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`

/** Every (user, group, resource, verb[, name]) the manifest's bindings give, one Grant each. */
export const grantsOf = (yamlText: string): Grant[] => {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJS() as RbacDoc | null).filter((d): d is RbacDoc => d !== null)
  const roles = new Map<string, RbacDoc>()
  for (const d of docs) if (d.kind === 'Role' || d.kind === 'ClusterRole') roles.set(`${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`, d)
  const grants: Grant[] = []
  for (const b of docs) {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue
    const refKind = b.roleRef?.kind ?? ''
    // A RoleBinding may point at a ClusterRole; its rules then hold in the binding's namespace only.
    const roleNs = refKind === 'Role' ? (b.metadata?.namespace ?? '') : ''
    const role = roles.get(`${refKind}/${roleNs}/${b.roleRef?.name ?? ''}`)
    if (role === undefined) throw new Error(`${b.kind} ${b.metadata?.name ?? '?'}: ${refKind} ${b.roleRef?.name ?? '?'} is not in the manifest`)
    const namespace = b.kind === 'RoleBinding' ? b.metadata?.namespace : undefined
    for (const s of b.subjects ?? []) {
      if (s.kind !== 'ServiceAccount') throw new Error(`${b.kind} ${b.metadata?.name ?? '?'}: subject kind ${s.kind ?? '?'} is not a ServiceAccount`)
      const user = serviceAccountUser(s.namespace ?? namespace ?? '', s.name ?? '')
      for (const r of role.rules ?? [])
        for (const group of r.apiGroups ?? [])
          for (const resource of r.resources ?? [])
            for (const verb of r.verbs ?? [])
              for (const name of r.resourceNames ?? [undefined])
                grants.push({ user, group, resource, verb, ...(name === undefined ? {} : { name }), ...(namespace === undefined ? {} : { namespace }) })
    }
  }
  return grants
}

interface AuditEvent {
  readonly stage?: string
  readonly verb?: string
  readonly user?: { readonly username?: string }
  readonly objectRef?: { readonly apiGroup?: string; readonly resource?: string; readonly subresource?: string; readonly name?: string; readonly namespace?: string }
  readonly responseStatus?: { readonly code?: number }
}

/** The resource requests in an audit log (JSON lines); non-resource URLs and unfinished stages are skipped. */
export const usesOf = (auditLog: string): Use[] =>
  auditLog.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    let e: AuditEvent
    try {
      e = JSON.parse(line) as AuditEvent
    } catch {
      throw new Error(`audit log line ${i + 1} is not JSON: ${line.slice(0, 80)}`)
    }
    const ref = e.objectRef
    // A watch logs ResponseStarted long before ResponseComplete: either is proof of use.
    if (ref?.resource === undefined || e.verb === undefined || e.user?.username === undefined || e.stage === 'RequestReceived') return []
    return [
      {
        user: e.user.username,
        group: ref.apiGroup ?? '',
        resource: ref.subresource === undefined ? ref.resource : `${ref.resource}/${ref.subresource}`,
        verb: e.verb,
        code: e.responseStatus?.code ?? 0,
        ...(ref.name === undefined ? {} : { name: ref.name }),
        ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
      },
    ]
  })

const covers = (g: Grant, u: Use): boolean =>
  g.user === u.user &&
  g.group === u.group &&
  g.resource === u.resource &&
  g.verb === u.verb &&
  (g.name === undefined || g.name === u.name) &&
  (g.namespace === undefined || g.namespace === u.namespace)

const excuses = (a: Allowed, g: Grant): boolean => a.user === g.user && a.group === g.group && a.resource === g.resource && a.verb === g.verb && a.name === g.name

const denied = (u: Use): boolean => u.code === 401 || u.code === 403

export interface Findings {
  /** Granted, never used, not allow-listed: the Role grants too much. */
  readonly unused: readonly Grant[]
  /** Refused by the API server (or not covered by any grant): the Role grants too little. */
  readonly refused: readonly Use[]
  /** Allow-list entries that match no grant: stale, remove them. */
  readonly staleAllowed: readonly Allowed[]
  /** Allow-list entries the log now shows used: they can leave the list. */
  readonly usedAllowed: readonly Allowed[]
}

/** What the log says about the grants, for the users the grants name (others are not ours). */
export const compare = (grants: readonly Grant[], uses: readonly Use[], allowed: readonly Allowed[]): Findings => {
  const users = new Set(grants.map((g) => g.user))
  const ours = uses.filter((u) => users.has(u.user))
  const granted = ours.filter((u) => !denied(u))
  const used = (g: Grant): boolean => granted.some((u) => covers(g, u))
  const refusedAll = ours.filter((u) => denied(u) || !grants.some((g) => covers(g, u)))
  const seen = new Set<string>()
  const refused = refusedAll.filter((u) => {
    const k = `${u.user} ${u.group} ${u.resource} ${u.verb} ${u.namespace ?? ''} ${u.name ?? ''}`
    return seen.has(k) ? false : (seen.add(k), true)
  })
  return {
    unused: grants.filter((g) => !used(g) && !allowed.some((a) => excuses(a, g))),
    refused,
    staleAllowed: allowed.filter((a) => !grants.some((g) => excuses(a, g))),
    usedAllowed: allowed.filter((a) => grants.some((g) => excuses(a, g) && used(g))),
  }
}

const nameOf = (user: string): string => user.replace(/^system:serviceaccount:[^:]*:/, '')

/** One line per grant, as a reader of the Role would name it: `speaker: list metallb.io/servicel2statuses`. */
export const describeGrant = (g: { user: string; group: string; resource: string; verb: string; name?: string; namespace?: string }): string =>
  `${nameOf(g.user)}: ${g.verb} ${g.group === '' ? 'core' : g.group}/${g.resource}${g.name === undefined ? '' : ` ${g.name}`}${g.namespace === undefined ? '' : ` in ${g.namespace}`}`
