// Branded names. Only decoders (core/config, core/cluster) make these, after checking the text.
declare const poolNameBrand: unique symbol
export type PoolName = string & { readonly [poolNameBrand]: true }
declare const nodeNameBrand: unique symbol
export type NodeName = string & { readonly [nodeNameBrand]: true }
declare const serviceKeyBrand: unique symbol
/** "namespace/name", the identity of a Service everywhere in the core. */
export type ServiceKey = string & { readonly [serviceKeyBrand]: true }

export const serviceKey = (namespace: string, name: string): ServiceKey => `${namespace}/${name}` as ServiceKey
export const asPoolName = (name: string): PoolName => name as PoolName
export const asNodeName = (name: string): NodeName => name as NodeName
