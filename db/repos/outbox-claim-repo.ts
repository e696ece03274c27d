import { type SQL, sql } from 'drizzle-orm';
import { type Db, textArray } from '../client.js';
import { outbox } from '../schema.js';
import { LOCK_TIMEOUT_MS } from './backoff.js';
import type { OutboxRow } from './outbox-repo.js';

/**
 * Claims due rows for one worker: the oldest pending message of each chat, so every chat
 * receives its messages in order even across instances. SKIP LOCKED lets several instances
 * claim side by side without waiting on each other; the claim is a short transaction of its
 * own, so no lock is held while the platform is called.
 *
 * The heads are found by a loose index scan of outbox_chat_queue (one index descent per chat
 * with pending messages), so the cost grows with the number of waiting chats, never with how
 * many messages wait behind each head. Among due heads, 'act' goes before 'copy'.
 */
export async function claimDue(db: Db, opts: ClaimOptions & { worker: string }): Promise<OutboxRow[]> {
  const rows = await db
    .update(outbox)
    .set({ lockedAt: opts.now, lockedBy: opts.worker })
    .where(sql`${outbox.id} = any(array(${claimDueSelect(opts)}))`)
    .returning();
  return rows.sort((a, b) => a.priority - b.priority || +a.nextAttemptAt - +b.nextAttemptAt || a.id - b.id);
}

interface ClaimOptions {
  now: Date;
  limit: number;
  /** Leave these platforms' messages (their app limit is reached). */
  skipPlatforms?: string[];
}

/**
 * claimDue's select, which locks the rows it picks (bench/outbox-claim.ts explains it).
 *
 * The walk reads each head's row; the due heads are then locked one by one through the primary
 * key in priority order (a lateral subquery with FOR UPDATE is never flattened into a join), a
 * head another instance holds is skipped and the next one taken, until the limit. Joining the
 * heads to outbox instead let the planner, with statistics taken when the table was small,
 * hash-join them against every pending row: 14 ms a claim at 5,000 waiting, where this is 1 ms.
 */
export function claimDueSelect(opts: ClaimOptions): SQL {
  const skip = opts.skipPlatforms?.length
    ? sql`and o.platform <> all(${textArray(opts.skipPlatforms)})`
    : sql``;
  const now = opts.now.toISOString();
  const stale = new Date(opts.now.getTime() - LOCK_TIMEOUT_MS).toISOString();
  const free = (alias: string) => {
    const o = sql.raw(alias);
    return sql`${o}.next_attempt_at <= ${now}::timestamptz
      and (${o}.locked_at is null or ${o}.locked_at <= ${stale}::timestamptz)`;
  };
  return sql`
    with recursive heads as (
      (select platform, chat_id, id, priority, next_attempt_at, locked_at from outbox
        where status = 'pending' order by platform, chat_id, id limit 1)
      union all
      select n.* from heads h cross join lateral (
        select o.platform, o.chat_id, o.id, o.priority, o.next_attempt_at, o.locked_at from outbox o
        where o.status = 'pending' and (o.platform, o.chat_id) > (h.platform, h.chat_id)
        order by o.platform, o.chat_id, o.id limit 1
      ) n
    )
    select c.id from (
      select id from heads o where ${free('o')} ${skip}
      order by priority, next_attempt_at, id
    ) h cross join lateral (
      select o.id from outbox o
      where o.id = h.id and o.status = 'pending' and ${free('o')}
      for update skip locked
    ) c
    limit ${opts.limit}`;
}
