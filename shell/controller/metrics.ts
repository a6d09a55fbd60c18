// The controller's Prometheus metrics, with MetalLB's names so existing dashboards and alerts work.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { PoolFigures } from '../../core/controller/poolStatus.js'

export const controllerMetrics = () => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] })
  const pool = {
    total: gauge('metallb_allocator_addresses_total', 'Number of usable IP addresses, per pool', ['pool']),
    totalV4: gauge('metallb_allocator_ipv4_addresses_total', 'Number of usable IPV4 addresses, per pool', ['pool']),
    totalV6: gauge('metallb_allocator_ipv6_addresses_total', 'Number of usable IPV6 addresses, per pool', ['pool']),
    inUse: gauge('metallb_allocator_addresses_in_use_total', 'Number of IP addresses in use, per pool', ['pool']),
    inUseV4: gauge('metallb_allocator_ipv4_addresses_in_use_total', 'Number of IPV4 addresses in use, per pool', ['pool']),
    inUseV6: gauge('metallb_allocator_ipv6_addresses_in_use_total', 'Number of IPV6 addresses in use, per pool', ['pool']),
    services: gauge('metallb_allocator_services_allocated_total', 'Number of services allocated, per pool', ['pool']),
  }
  const configLoaded = gauge('metallb_k8s_client_config_loaded_bool', '1 if the MetalLB configuration was successfully loaded at least once')
  const configStale = gauge('metallb_k8s_client_config_stale_bool', '1 if running on a stale configuration, because the latest config failed to load')
  const updates = new Counter({ name: 'metallb_k8s_client_updates_total', help: 'Number of k8s object updates that have been processed', registers: [registry] })
  const updateErrors = new Counter({ name: 'metallb_k8s_client_update_errors_total', help: 'Number of k8s object updates that failed for some reason', registers: [registry] })
  const reconcileSeconds = gauge('ironlb_controller_last_reconcile_seconds', 'Duration of the last full reconcile pass')
  const leader = gauge('ironlb_controller_leader_bool', '1 while this replica holds the leader Lease')
  const eventsDropped = new Counter({ name: 'ironlb_controller_events_dropped_total', help: 'Events not posted because the queue of Events waiting was full, per reason', labelNames: ['reason'], registers: [registry] })

  let known = new Set<string>()
  const setPools = (pools: readonly PoolFigures[]): void => {
    const now = new Set<string>(pools.map((p) => p.name))
    for (const gone of known) {
      if (now.has(gone)) continue
      for (const g of Object.values(pool)) g.remove(gone)
    }
    known = now
    for (const p of pools) {
      // Saturating sums: a /64 already saturates each side at Number.MAX_SAFE_INTEGER.
      const total = Math.min(Number.MAX_SAFE_INTEGER, p.assignedIPv4 + p.availableIPv4 + p.assignedIPv6 + p.availableIPv6)
      pool.total.set({ pool: p.name }, total)
      pool.totalV4.set({ pool: p.name }, p.assignedIPv4 + p.availableIPv4)
      pool.totalV6.set({ pool: p.name }, Math.min(Number.MAX_SAFE_INTEGER, p.assignedIPv6 + p.availableIPv6))
      pool.inUse.set({ pool: p.name }, p.assignedIPv4 + p.assignedIPv6)
      pool.inUseV4.set({ pool: p.name }, p.assignedIPv4)
      pool.inUseV6.set({ pool: p.name }, p.assignedIPv6)
      pool.services.set({ pool: p.name }, p.services)
    }
  }
  return { registry, setPools, configLoaded, configStale, updates, updateErrors, reconcileSeconds, leader, eventsDropped }
}

export type ControllerMetrics = ReturnType<typeof controllerMetrics>
