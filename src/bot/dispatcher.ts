import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { markProcessed } from '../../db/repos/inbox-repo.js';
import { eventSender } from '../../db/repos/org-repo.js';
import { parseCommand } from '../core/command-parser.js';
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

  async dispatch(event: InboundEvent): Promise<DispatchResult> {
    // A message handled late (after a retry) still counts from when it was sent.
    const now = event.kind === 'message' ? event.sentAt : this.deps.clock.now();
    // Parsed once here; handlers read ctx.command.
    const command = event.kind === 'message' ? parseCommand(event.text) : null;
    if (event.kind === 'message' && !event.addressed && !command) return { status: 'ignored' };
    const spec = command ? this.findCommand(command.name) : undefined;
    const org = await this.deps.org();
    const result = await this.deps.db.transaction(async (tx) => {
      if (!(await markProcessed(tx, event.platform, event.eventId, now)))
        return { status: 'duplicate' } as const;
      const actorId = event.kind === 'message' ? event.sender.id : event.operator.id;
      const { actor, chatUnitId: unitId } = await eventSender(tx, event.platform, actorId, event.chatId);
      const outer = new BotContext(event, tx, now, org, this.deps.pack, actor, unitId, this.deps.log);
      outer.command = command ?? undefined;
      let inner: BotContext | undefined;
      try {
        // A savepoint: a refused command leaves no trace but its reply.
        const response = await tx.transaction(async (sp) => {
          const ctx = new BotContext(event, sp, now, org, this.deps.pack, actor, unitId, this.deps.log);
          inner = ctx;
          ctx.command = outer.command;
          await compose<BotContext>([...this.middleware, (c) => this.route(c, spec)])(ctx);
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
          // The usage of the command they typed: what would have worked.
          await outer.reply(textMessage(`❌ ${err.message}`, `\n用法：${spec?.usage ?? '/帮助'}`));
          return { status: 'rejected', response: {} } as const;
        }
        return { status: 'rejected', response: { toast: { type: 'error', content: err.message } } } as const;
      }
    });
    if (result.status === 'handled' || result.status === 'rejected') this.deps.onEnqueued?.();
    return result;
  }

  private async route(ctx: BotContext, spec: CommandSpec | undefined): Promise<void> {
    if (ctx.event.kind === 'card_action') return this.routeAction(ctx as BotContext<CardActionEvent>);
    const mctx = ctx as BotContext<InboundMessage>;
    const cmd = mctx.command;
    const length = [...mctx.event.text].length;
    if (length > MAX_MESSAGE_CHARS) {
      throw new HuiyinError(
        'huiyin_too_long',
        `消息过长（${length} 字），单条命令不能超过 ${MAX_MESSAGE_CHARS} 字。请精简标题，详细内容可放在链接中。`,
      );
    }
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
