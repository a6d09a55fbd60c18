// A validated BFDProfile with MetalLB's defaults filled in (FRR's bfdd defaults, which MetalLB
// documents on the CRD), so the BFD session code never has to know what "unset" means.
export interface BFDProfile {
  readonly name: string
  /** Milliseconds. */
  readonly receiveInterval: number
  /** Milliseconds. */
  readonly transmitInterval: number
  readonly detectMultiplier: number
  /** Milliseconds. */
  readonly echoInterval: number
  readonly echoMode: boolean
  readonly passiveMode: boolean
  /** Only meaningful on multi-hop sessions. */
  readonly minimumTtl: number
}
