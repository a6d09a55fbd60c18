// How long the statistical end-to-end runs last. `make test` runs them short: enough trials and
// seconds to catch a regression (see each constant). `make bench` runs the full length with the same
// bars: the failover bench its own 20 trials, the soak bench outages.e2e.ts with IRONLB_E2E_FULL=1.
export const FULL_LENGTH = process.env['IRONLB_E2E_FULL'] === '1'

/**
 * Power losses in failover.ts (run by outages.e2e.ts). The 20-trial bench measured silences of 441 ms median and 558 ms
 * worst against bars of 1,000 and 2,000 ms: a regression that breaks the worst bar in a quarter of the
 * failovers fails 5 trials with probability 1 - 0.75^5 = 76%, in half of them 97%; one that moves every
 * failover (a timer, a missed gratuitous frame) fails the first trial.
 */
export const FAILOVER_TRIALS = FULL_LENGTH ? 20 : 5

/**
 * The API server outage in outages.e2e.ts, and its quiet first part before the owner fails.
 * 35 s outlasts the reflectors' backoff up to its 16 s step (cap 30 s); 60 s, the soak, reaches the
 * cap. The spec needs 5 s of outage left after the failover and heal: at 30 s, on a machine at load
 * 22, 10 s were left, hence 35.
 */
export const OUTAGE_MS = FULL_LENGTH ? 60_000 : 35_000
export const OUTAGE_QUIET_MS = FULL_LENGTH ? 20_000 : 10_000

/**
 * 5% LAN loss in outages.e2e.ts. Each of the three members probes every 100 ms (core/membership/config.ts):
 * about 600 probes in 20 s, of which some 57 lose the ping or its ack (1 - 0.951^2), so the indirect
 * checks and the suspicion timeout are exercised dozens of times; a detector that gives up on a member
 * after one failed probe round fails in nearly every run. The 60 s soak catches rarer false suspicions.
 */
export const LOSS_MS = FULL_LENGTH ? 60_000 : 20_000
