/** Exponential backoff shared by the scheduler (run retries) and the webhook worker (delivery retries). */
export interface BackoffPolicy {
  initialDelaySeconds: number;
  factor: number;
  maxDelaySeconds: number;
}

/** Delay before retry number `attempt` (1 = first retry), without jitter: initial * factor^(attempt-1), capped. */
export function backoffMs(policy: BackoffPolicy, attempt: number): number {
  const raw = policy.initialDelaySeconds * policy.factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(raw, policy.maxDelaySeconds) * 1000);
}

/**
 * "Equal jitter": half the delay fixed, half random, so retries from many actions spread out while
 * none comes back sooner than half the backoff. `random` is injectable for tests.
 */
export function jitteredBackoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const d = backoffMs(policy, attempt);
  return Math.round(d / 2 + random() * (d / 2));
}
