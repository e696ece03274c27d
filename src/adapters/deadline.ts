/** How long a platform request may take by default: Feishu waits 3 s, then sends it again. */
export const DEFAULT_REQUEST_DEADLINE_MS = 2_500;
/** How long /healthz waits for the database before it says 503. */
export const DEFAULT_HEALTHZ_DEADLINE_MS = 1_000;

export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'deadline' }
  | { ok: false; reason: 'error'; error: unknown };

/** What work that outlived its deadline came to, once it settled. */
export type LateOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs the work of a request that must be answered within `ms`: its value, or why not (it
 * failed, or the deadline passed first, e.g. the database is frozen). Work past its deadline
 * goes on; `signal` is aborted so it can still refuse to commit, and `late` hears how it
 * ended. The caller answers an error status and the platform's own retry decides.
 */
export async function withinDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  late: (outcome: LateOutcome<T>) => void,
): Promise<Outcome<T>> {
  const expiry = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  const running = Promise.resolve()
    .then(() => work(expiry.signal))
    .then(
      (value): LateOutcome<T> => ({ ok: true, value }),
      (error: unknown): LateOutcome<T> => ({ ok: false, error }),
    );
  try {
    const first = await Promise.race([running, expired]);
    if (first === 'expired') {
      expiry.abort();
      void running.then(late);
      return { ok: false, reason: 'deadline' };
    }
    return first.ok ? first : { ok: false, reason: 'error', error: first.error };
  } finally {
    clearTimeout(timer);
  }
}

/** Thrown inside a transaction whose request was already answered, so that it rolls back. */
export class DeadlinePassed extends Error {
  constructor() {
    super('the request was answered before this work finished; rolled back');
    this.name = 'DeadlinePassed';
  }
}
