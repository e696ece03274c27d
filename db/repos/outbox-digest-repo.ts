import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { DigestItem } from '../../src/core/copy-digest.js';
import type { OutMessage } from '../../src/core/message.js';
import type { Db } from '../client.js';
import { items, outbox } from '../schema.js';
import { type OutboxRow, PRIORITY } from './outbox-repo.js';

/** A plain copy (抄送) of an item's news: foldable into a digest. Act-on messages never are. */
const foldable = (r: Pick<OutboxRow, 'priority' | 'op' | 'itemId' | 'threadItemId' | 'anchorItemId'>) =>
  r.priority === PRIORITY.copy &&
  r.op === 'send' &&
  r.itemId !== null &&
  r.threadItemId === null &&
  r.anchorItemId === null;

/**
 * Folds the copies waiting right behind a claimed copy (up to the first message that is not a
 * copy, so nothing is reordered around it) into one digest sent as the head row: when at least
 * `min` copies wait, the head gets the digest as its payload and a fresh idempotency key, and the
 * others become 'folded' into it, to be marked sent with the digest's message id. One transaction:
 * a crash leaves either nothing folded or a digest that is retried like any message. Returns the
 * head as it is to be sent now.
 */
export async function foldCopies(
  db: Db,
  head: OutboxRow,
  opts: { min: number; max: number; digest: (items: DigestItem[]) => OutMessage },
): Promise<OutboxRow> {
  if (!foldable(head)) return head;
  return db.transaction(async (tx) => {
    const behind = await tx
      .select({
        id: outbox.id,
        priority: outbox.priority,
        op: outbox.op,
        itemId: outbox.itemId,
        threadItemId: outbox.threadItemId,
        anchorItemId: outbox.anchorItemId,
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.platform, head.platform),
          eq(outbox.chatId, head.chatId),
          eq(outbox.status, 'pending'),
          gt(outbox.id, head.id),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(opts.max - 1)
      .for('update');
    const run: typeof behind = [];
    for (const r of behind) {
      if (!foldable(r)) break;
      run.push(r);
    }
    if (run.length + 1 < opts.min) return head;
    const ids = run.map((r) => r.id);
    const itemIds = [head.itemId as number, ...run.map((r) => r.itemId as number)];
    const found = await tx
      .select({ id: items.id, number: items.number, title: items.title })
      .from(items)
      .where(inArray(items.id, itemIds));
    const byId = new Map(found.map((i) => [i.id, i]));
    // Every copy that waited is named, in the order it was queued (an item gone is still counted).
    const named = itemIds.map((id) => byId.get(id) ?? { number: `#${id}`, title: '（已删除）' });
    await tx
      .update(outbox)
      .set({ status: 'folded', foldedInto: head.id, lockedAt: null, lockedBy: null })
      .where(inArray(outbox.id, ids));
    // The digest is about several items, so it names none as its own (WeCom would head it with one).
    const [digest] = await tx
      .update(outbox)
      .set({
        payload: opts.digest(named) as unknown as Record<string, unknown>,
        key: sql`gen_random_uuid()`,
        itemId: null,
      })
      .where(eq(outbox.id, head.id))
      .returning();
    return digest as OutboxRow;
  });
}
