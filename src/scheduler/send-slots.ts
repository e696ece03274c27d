import type { Db } from '../../db/client.js';
import type { OutboxRow } from '../../db/repos/outbox-repo.js';
import { type SlotGrant, scopeRoom, takeSlotsFor } from '../../db/repos/send-window-repo.js';
import type { PlatformSender, SendLimits } from '../bot/sender.js';
import type { Clock } from '../core/time.js';
import { Batcher } from './batcher.js';

/** The sends a runner waits to have room for at once on a platform: a fifth of the app's second. */
export const waveOf = (limits: SendLimits, inFlight: number) =>
  Math.min(inFlight, Math.max(1, Math.floor(limits.perApp / 5)));

const windowOf = (limits: SendLimits) => (limits.windowMs ? { windowMs: limits.windowMs } : {});

interface SlotRequest {
  row: OutboxRow;
  limits: SendLimits;
}

/**
 * One outbox runner's view of the platforms' rate limits, which live in the database
 * (send-window-repo) and hold across every instance.
 *
 * At its limit an app's window frees a slot every few milliseconds, and instances racing for
 * each one (a read of the window, a claim, a slot statement that mostly failed, a deferral)
 * spent more than the sends. So an app with less than a wave of room counts as full until it has
 * a wave's, and that is remembered from pass to pass: the window only gains sends until then,
 * whoever sends them, so no pass before then can send on the platform, and the wake-up each new
 * message brings (one per report in a burst) costs nothing.
 *
 * The lanes' slots are taken together, one statement at a time: every slot locks the app's
 * window row, and ten lanes of three instances each queueing on it cost more database time than
 * the sends themselves. A lane asking for a full app gets no statement.
 */
export class SendSlots {
  private readonly full = new Map<string, number>();
  private readonly asked = new Batcher<SlotRequest, SlotGrant>((asked) => this.takeTogether(asked));

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly inFlight: number,
  ) {}

  /** Until when (ms) the platform's app is known to have no room for a wave; 0 when it may. */
  fullUntil(platform: string, now = this.clock.now().getTime()): number {
    const until = this.full.get(platform) ?? 0;
    return until > now ? until : 0;
  }

  /** The platforms known full at `now`, with until when (ms). */
  fullNow(now: number): [string, number][] {
    return [...this.full].filter(([, until]) => until > now);
  }

  /** The platform's app has no room until `until` (ms). */
  fillsUp(platform: string, until: number): void {
    this.full.set(platform, Math.max(this.full.get(platform) ?? 0, until));
  }

  /**
   * How many messages the senders' apps can send now (a hint: with several instances each reads
   * the same room, so together they may claim a few times that; the slots still decide), null
   * for no limit. An app with less than a wave of room is marked full instead.
   */
  async room(senders: PlatformSender[], now: Date): Promise<number | null> {
    if (senders.some((s) => !s.limits)) return null;
    const apps = senders.flatMap((s) =>
      s.limits && !this.fullUntil(s.platform, now.getTime())
        ? [
            {
              scope: `${s.platform}:app`,
              limit: s.limits.perApp,
              ...windowOf(s.limits),
              wave: waveOf(s.limits, this.inFlight),
            },
          ]
        : [],
    );
    let free = 0;
    for (const [scope, room] of await scopeRoom(this.db, apps, now)) {
      if (room.until) this.fillsUp(scope.slice(0, -':app'.length), room.until.getTime());
      free += room.free;
    }
    return free;
  }

  /** Takes the row's per-chat and per-app slots, with the other lanes' asking meanwhile. */
  take(row: OutboxRow, limits: SendLimits): Promise<SlotGrant> {
    return this.asked.add({ row, limits });
  }

  /** Takes the slots asked for together: one statement per platform not known to be full. */
  private async takeTogether(asked: SlotRequest[]): Promise<SlotGrant[]> {
    const grants = new Map<SlotRequest, SlotGrant>();
    for (const platform of new Set(asked.map((a) => a.row.platform))) {
      const requests = asked.filter((a) => a.row.platform === platform);
      const now = this.clock.now();
      const full = this.fullUntil(platform, now.getTime());
      if (full) {
        for (const r of requests) grants.set(r, { taken: false, until: new Date(full), appFull: true });
        continue;
      }
      const limits = (requests[0] as SlotRequest).limits;
      const taken = await takeSlotsFor(
        this.db,
        { scope: `${platform}:app`, limit: limits.perApp, ...windowOf(limits) },
        requests.map((r) => ({
          scope: `${platform}:chat:${r.row.chatId}`,
          limit: limits.perChat,
          ...windowOf(limits),
        })),
        now,
        waveOf(limits, this.inFlight),
      );
      requests.forEach((r, i) => {
        grants.set(r, taken[i] as SlotGrant);
      });
    }
    return asked.map((a) => grants.get(a) as SlotGrant);
  }
}
