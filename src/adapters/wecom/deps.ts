import type { Db } from '../../../db/client.js';
import type { WecomConfig } from '../../env.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';

/** What the WeCom adapter is built from. */
export interface WecomDeps {
  cfg: WecomConfig;
  db: Db;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
  /** Wakes the inbox runner once an event is stored. */
  onAccepted: () => void;
  /** Runs `fn` after `ms` (a timer; tests run it when they choose). */
  schedule?: (fn: () => void, ms: number) => void;
  /** Waits `ms` between tries to store a message (a timer; tests pass no wait). */
  pause?: (ms: number) => Promise<void>;
}

/** An error's message for the log (wechaty emits plain objects and nulls too). */
export const errorText = (err: unknown) =>
  err instanceof Error ? err.message : err == null ? undefined : String(err);
