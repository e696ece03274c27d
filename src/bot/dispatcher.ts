import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { markProcessed } from '../../db/repos/inbox-repo.js';
import { eventSender } from '../../db/repos/org-repo.js';
import { setSavepoint, underSavepoint } from '../../db/repos/savepoint-repo.js';
import { commandName, parseCommand } from '../core/command-parser.js';
import { HuiyinError, isHuiyinError } from '../core/errors.js';
import { textMessage } from '../core/message.js';
import type { Org } from '../core/org.js';
import type { PolicyPack } from '../core/policy-pack.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../log.js';
import { compose, type Middleware } from './compose.js';
import { type ActionResponse, BotContext } from './context.js';
import type { CardActionEvent, InboundEvent, InboundMessage } from './event.js';

/** Longest message the bot accepts (characters). */
export const MAX_MESSAGE_CHARS = 2000;

export interface CommandSpec {
  /** The Chinese name, typed as /上报. */
  name: string;
  /** English aliases, typed as /report. */
  aliases: string[];
  usage: string;
  summary: string;
  /** Open to people outside the org directory (only /帮助): every other command refuses them. */
  openToOutsiders?: boolean;
  handler: (ctx: BotContext<InboundMessage>) => Promise<void>;
}

export interface ActionSpec {
  name: string;
  handler: (ctx: BotContext<CardActionEvent>) => Promise<void>;
}

/**
 * Every card button's value: the action, the item and its version where it has one, and for
 * approval cards the wording and the unit deciding it.
 */
export const actionValueSchema = z.object({
  a: z.string().min(1),
  item: z.number().int().positive().optional(),
  v: z.number().int().positive().optional(),
  w: z.number().int().positive().optional(),
  u: z.string().min(1).optional(),
});
export type ActionValue = z.infer<typeof actionValueSchema>;

export interface DispatcherDeps {
  db: Db;
  pack: PolicyPack;
  org: () => Promise<Org>;
  clock: Clock;
  log: Logger;
  /** Called after a transaction queued messages, so the outbox runner sends them soon. */
  onEnqueued?: () => void;
}

export type DispatchResult =
  | { status: 'handled' | 'rejected'; response: ActionResponse }
  | { status: 'duplicate' | 'ignored' };

export interface DispatchOptions {
  /** More work for the event's own transaction (the inbox marks its row handled there). */
  inTransaction?: (tx: Db) => Promise<void>;
}

/** Runs commands and card actions: one transaction per event, de-duplicated on its id. */
export class Dispatcher {
  private readonly middleware: Middleware<BotContext>[] = [];
  private readonly commands = new Map<string, CommandSpec>();
  private readonly actions = new Map<string, ActionSpec>();
  private readonly specs: CommandSpec[] = [];

  constructor(private readonly deps: DispatcherDeps) {}

  use(mw: Middleware<BotContext>): this {
    this.middleware.push(mw);
    return this;
  }

  command(spec: CommandSpec): this {
    for (const name of [spec.name, ...spec.aliases]) {
      const key = name.toLowerCase();
      if (this.commands.has(key)) throw new Error(`command /${name} registered twice`);
      this.commands.set(key, spec);
    }
    this.specs.push(spec);
    return this;
  }

  action(spec: ActionSpec): this {
    if (this.actions.has(spec.name)) throw new Error(`card action ${spec.name} registered twice`);
    this.actions.set(spec.name, spec);
    return this;
  }

  /** The registered commands, in registration order (for /帮助). */
  get commandList(): readonly CommandSpec[] {
    return this.specs;
  }

  findCommand(name: string): CommandSpec | undefined {
    return this.commands.get(name.normalize('NFKC').toLowerCase());
  }

  /**
   * `inTransaction` runs inside the event's transaction right after its de-duplication mark (also
   * for a duplicate), so what it writes commits or rolls back with the handling; it does not run
   * for an event that is ignored before any transaction.
   */
  async dispatch(event: InboundEvent, opts: DispatchOptions = {}): Promise<DispatchResult> {
    // A message handled late (after a retry) still counts from when it was sent.
    const now = event.kind === 'message' ? event.sentAt : this.deps.clock.now();
    // The length is checked before parsing: a message over the limit is refused without being
    // tokenised (its command word, read cheaply, still picks the usage line of the refusal).
    const length = event.kind === 'message' ? overLimit(event.text) : null;
    // Parsed once here; handlers read ctx.command.
    const command = event.kind === 'message' && length === null ? parseCommand(event.text) : null;
    const name = event.kind === 'message' ? (command?.name ?? commandName(event.text)) : null;
    if (event.kind === 'message' && !event.addressed && name === null) return { status: 'ignored' };
    const spec = name !== null ? this.findCommand(name) : undefined;
    const org = await this.deps.org();
    const actorId = event.kind === 'message' ? event.sender.id : event.operator.id;
    let last: Promise<unknown> | null = null;
    const result = await this.deps.db.transaction(async (tx) => {
      // Sent together (one round trip on Postgres); the sender and the savepoint go unused for
      // a duplicate.
      const [fresh, , sender] = await Promise.all([
        markProcessed(tx, event.platform, event.eventId, now),
        opts.inTransaction?.(tx),
        eventSender(tx, event.platform, actorId, event.chatId),
        setSavepoint(tx, 'handling'),
      ]);
      if (!fresh) return { status: 'duplicate' } as const;
      const { actor, chatUnitId: unitId } = sender;
      const outer = new BotContext(event, tx, now, org, this.deps.pack, actor, unitId, this.deps.log);
      outer.command = command ?? undefined;
      let inner: BotContext | undefined;
      try {
        // A savepoint: a refused command leaves no trace but its reply.
        const response = await underSavepoint(tx, 'handling', async () => {
          const ctx = new BotContext(event, tx, now, org, this.deps.pack, actor, unitId, this.deps.log);
          inner = ctx;
          ctx.command = outer.command;
          await compose<BotContext>([...this.middleware, (c) => this.route(c, spec, length)])(ctx);
          last = ctx.lastStatement;
          return ctx.response;
        });
        return { status: 'handled', response } as const;
      } catch (err) {
        if (!isHuiyinError(err)) throw err;
        // A refusal is about the item the command had found, like its other replies.
        if (inner?.subjectItemId) outer.about({ id: inner.subjectItemId });
        this.deps.log.info('command refused', {
          code: err.code,
          platform: event.platform,
          eventId: event.eventId,
        });
        if (event.kind === 'message') {
          // The usage of the command they typed: what would have worked (for someone who may
          // use commands at all).
          const usage = err.code === 'huiyin_unknown_person' ? '' : `\n用法：${spec?.usage ?? '/帮助'}`;
          await outer.reply(textMessage(`❌ ${err.message}`, usage));
          return { status: 'rejected', response: {} } as const;
        }
        return { status: 'rejected', response: { toast: { type: 'error', content: err.message } } } as const;
      }
    });
    // The flow's last statement went with the commit: if it failed, the commit was a rollback.
    if (last) await last;
    if (result.status === 'handled' || result.status === 'rejected') this.deps.onEnqueued?.();
    return result;
  }

  private async route(ctx: BotContext, spec: CommandSpec | undefined, length: number | null): Promise<void> {
    if (length !== null) {
      throw new HuiyinError(
        'huiyin_too_long',
        `消息过长（${length} 字），单条命令不能超过 ${MAX_MESSAGE_CHARS} 字。请精简标题，详细内容可放在链接中。`,
      );
    }
    // Items are internal government information: only people in the org directory read or
    // create them, whatever the command or card.
    if (!ctx.actor && !(ctx.event.kind === 'message' && spec?.openToOutsiders)) throw outsider(ctx);
    if (ctx.event.kind === 'card_action') return this.routeAction(ctx as BotContext<CardActionEvent>);
    const mctx = ctx as BotContext<InboundMessage>;
    const cmd = mctx.command;
    if (!cmd) {
      await mctx.reply(
        textMessage(
          '你好，我是回音舆情助手。请发送命令，例如「/上报 “标题” 类别:教育」；发送 /帮助 查看全部命令。',
        ),
      );
      return;
    }
    if (!spec) {
      const names = this.specs.map((s) => `/${s.name}`).join(' ');
      throw new HuiyinError('huiyin_unknown_command', `未知命令「/${cmd.name}」。可用命令：${names}`);
    }
    await spec.handler(mctx);
  }

  private async routeAction(ctx: BotContext<CardActionEvent>): Promise<void> {
    const value = actionValueSchema.safeParse(ctx.event.value);
    const spec = value.success ? this.actions.get(value.data.a) : undefined;
    if (!spec) throw new HuiyinError('huiyin_unknown_action', '无法识别的卡片操作，请使用最新的卡片。');
    await spec.handler(ctx);
  }
}

/** The message's length in characters when it is over MAX_MESSAGE_CHARS, else null. */
function overLimit(text: string): number | null {
  // A string holds at least as many UTF-16 units as characters: most need no counting.
  if (text.length <= MAX_MESSAGE_CHARS) return null;
  let n = 0;
  for (const _ of text) n++;
  return n > MAX_MESSAGE_CHARS ? n : null;
}

/** The refusal for someone outside the org directory, with what to do about it. */
function outsider(ctx: BotContext): HuiyinError {
  const who = ctx.event.kind === 'message' ? ctx.event.sender : ctx.event.operator;
  return new HuiyinError(
    'huiyin_unknown_person',
    `你不在回音的组织目录中，不能查看、上报或处理舆情。如需使用，请联系本单位的政务公开办公室或回音管理员，` +
      `请其把你加入组织目录文件中所在单位的成员（你在本平台的用户 ID：${who.id}），重启回音后生效。` +
      '发送 /帮助 可查看命令说明。',
  );
}
