import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

/**
 * The next attempt time after a failure, computed in SQL from the attempts made so far:
 * 1 s, 2 s, 4 s, … capped at 10 minutes (graphile-worker style), measured from the injected `now`.
 */
export const nextAttemptAfter = (now: Date, attempts: AnyColumn): SQL =>
  sql`${now.toISOString()}::timestamptz + least(power(2, ${attempts}), 600) * interval '1 second'`;

/**
 * Failed attempts after which a queued row (timer, outbox message, inbox event) is set aside as
 * 'dead' so the rows behind it move on: with the backoff above, about 17 minutes of retries.
 */
export const MAX_ATTEMPTS = 10;

/** A worker that died holding queued rows (timers, inbox events, outbox messages) releases them after this long. */
export const LOCK_TIMEOUT_MS = 60_000;
