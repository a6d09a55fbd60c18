// A CustomResourceDefinition (apiextensions.k8s.io/v1) from a kind's definition: names, versions,
// printer columns, subresources, and per version the schema derived from the version's codec
// (fromCodec.ts). The definitions themselves live in kinds/; catalog.ts lists them.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { objectMetaCodec } from '../config/metaCodec.js'
import { schemaFromCodec } from './fromCodec.js'
import type { Overlays, Schema } from './openApi.js'

export const GROUP = 'metallb.io'

export interface PrinterColumn {
  readonly name: string
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  readonly jsonPath: string
  readonly description?: string
  /** 0 shows in the default view; higher only with `-o wide`. */
  readonly priority?: number
}

export interface VersionDef {
  readonly name: string
  readonly served: boolean
  readonly storage: boolean
  /** Set on deprecated versions: kubectl prints it on every use. */
  readonly deprecationWarning?: string
  /** The whole object: `metadata` plus `spec` and/or `status`. */
  readonly codec: t.Mixed
  readonly overlays: Overlays
  readonly printerColumns: readonly PrinterColumn[]
  readonly statusSubresource: boolean
}

/** `K` is the kind's name as a literal type, so a list of kinds gives a union of their names. */
export interface KindDef<K extends string = string> {
  readonly kind: K
  readonly plural: string
  readonly description: string
  readonly versions: readonly VersionDef[]
  /** Only for kinds with several versions; see kinds/bgpPeer.ts for why it is None. */
  readonly conversion?: { readonly strategy: 'None' }
  /** A comment for people reading the generated YAML, written above this kind's document. */
  readonly note?: string
}

export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1'
  readonly kind: 'CustomResourceDefinition'
  readonly metadata: { readonly name: string }
  readonly spec: {
    readonly group: string
    readonly names: { readonly kind: string; readonly listKind: string; readonly plural: string; readonly singular: string }
    readonly scope: 'Namespaced'
    readonly conversion?: { readonly strategy: 'None' }
    readonly versions: readonly {
      readonly name: string
      readonly served: boolean
      readonly storage: boolean
      readonly deprecated?: true
      readonly deprecationWarning?: string
      readonly additionalPrinterColumns?: readonly PrinterColumn[]
      readonly schema: { readonly openAPIV3Schema: Schema }
      readonly subresources?: { readonly status: Record<string, never> }
    }[]
  }
}

/**
 * A kind's object codec with its `status`: MetalLB's configuration kinds declare an empty status
 * object (with a status subresource) that nothing writes; IPAddressPool's holds counters.
 */
export const withStatus = (codec: t.Mixed, status: t.Mixed = t.type({})): t.Mixed =>
  t.intersection([codec, t.partial({ status })])

// Kubernetes allows only `type: object` for metadata in a CRD schema (name and generateName aside);
// the API server validates ObjectMeta itself.
const OPAQUE = new Map<t.Mixed, Schema>([[objectMetaCodec, { type: 'object' }]])

const TYPE_META: Readonly<Record<string, Schema>> = {
  apiVersion: { type: 'string', description: 'The group and version of this object, such as metallb.io/v1beta1.' },
  kind: { type: 'string', description: 'The kind of this object, in CamelCase.' },
}

const rootSchema = (def: KindDef, v: VersionDef): E.Either<readonly string[], Schema> =>
  E.map((s: Schema): Schema => {
    const required = (s.required ?? []).filter((r) => r !== 'metadata')
    const { required: _dropped, ...rest } = s
    return {
      ...rest,
      description: s.description ?? def.description,
      properties: { ...TYPE_META, ...s.properties },
      ...(required.length === 0 ? {} : { required }),
    }
  })(
    E.mapLeft((problems: readonly string[]) => problems.map((p) => `${def.kind} ${v.name}: ${p}`))(
      schemaFromCodec(v.codec, { overlays: v.overlays, opaque: OPAQUE }),
    ),
  )

const checkVersions = (def: KindDef): string[] => {
  const problems: string[] = []
  if (def.versions.filter((v) => v.storage).length !== 1) problems.push(`${def.kind}: exactly one version must be the storage version`)
  if (def.versions.length > 1 && def.conversion === undefined) problems.push(`${def.kind}: several versions need a conversion strategy`)
  return problems
}

export const crdFor = (def: KindDef): E.Either<readonly string[], CustomResourceDefinition> => {
  const schemas = def.versions.map((v) => rootSchema(def, v))
  const problems = [...checkVersions(def), ...schemas.flatMap((s) => (E.isLeft(s) ? s.left : []))]
  if (problems.length > 0) return E.left(problems)
  const plural = def.plural
  return E.right({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: def.kind, listKind: `${def.kind}List`, plural, singular: def.kind.toLowerCase() },
      scope: 'Namespaced',
      ...(def.conversion === undefined ? {} : { conversion: def.conversion }),
      versions: def.versions.map((v, i) => {
        const schema = schemas[i]
        return {
          name: v.name,
          served: v.served,
          storage: v.storage,
          ...(v.deprecationWarning === undefined ? {} : { deprecated: true as const, deprecationWarning: v.deprecationWarning }),
          ...(v.printerColumns.length === 0 ? {} : { additionalPrinterColumns: v.printerColumns }),
          schema: { openAPIV3Schema: schema !== undefined && E.isRight(schema) ? schema.right : {} },
          ...(v.statusSubresource ? { subresources: { status: {} } } : {}),
        }
      }),
    },
  })
}
