import type { Message, Wechaty } from 'wechaty';
import { errorText, type WecomDeps } from './deps.js';

const RETRY_MAX_MS = 60_000;

/** What the connection hands on: each message the bot sees, and each login (awaited before login waiters). */
export interface ConnectionHandlers {
  onMessage: (bot: Wechaty, msg: Message) => void;
  onLogin: (bot: Wechaty) => Promise<void>;
}

/**
 * The wechaty bot's life: started with the configured puppet, stopped, and after a puppet error
 * or a lost login started again with backoff (1 s, 2 s, … 1 min).
 */
export class WecomConnection {
  private wechaty: Wechaty | null = null;
  private stopped = false;
  private failures = 0;
  private restarting = false;
  /** Set while we stop the bot ourselves: the logout that follows is not trouble. */
  private selfStopping = false;
  private loginWaiters: (() => void)[] = [];
  /** Logged in and done with what a login does (learning the rooms): commands can be taken. */
  private ready = false;

  constructor(
    private readonly deps: Pick<WecomDeps, 'cfg' | 'log' | 'schedule'>,
    private readonly handlers: ConnectionHandlers,
  ) {}

  /** The bot, once built (it may be logged out). */
  get bot(): Wechaty | null {
    return this.wechaty;
  }

  get loggedIn(): boolean {
    return this.wechaty?.isLoggedIn ?? false;
  }

  /** Resolves once the bot is logged in and has learned its rooms (at once if it has). */
  whenLoggedIn(): Promise<void> {
    if (this.loggedIn && this.ready) return Promise.resolve();
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  /** Starts the bot; never throws: a failed start is logged and tried again. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.launch();
  }

  /** Stops the bot for good (until the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopBot();
  }

  private async launch(): Promise<void> {
    try {
      this.wechaty ??= await this.build();
      await this.wechaty.start();
      const { puppet } = this.deps.cfg;
      this.deps.log.info('wecom started', { puppet: typeof puppet === 'string' ? puppet : 'instance' });
    } catch (err) {
      this.onTrouble('wecom start failed', err);
    }
  }

  /** The bot, with its puppet from the config and our handlers; wechaty is loaded only when WeCom is on. */
  private async build(): Promise<Wechaty> {
    const { WechatyBuilder, log: wechatyLog } = await import('wechaty');
    // Its own console logging only for errors: what matters is logged here, as JSON.
    wechatyLog.level('error');
    const { cfg } = this.deps;
    const bot =
      typeof cfg.puppet === 'string'
        ? WechatyBuilder.build({
            name: cfg.name,
            // biome-ignore lint/suspicious/noExplicitAny: wechaty types the name as a union of known puppets
            puppet: cfg.puppet as any,
            puppetOptions: cfg.puppetOptions,
          })
        : WechatyBuilder.build({ name: cfg.name, puppet: cfg.puppet });
    bot.on('message', (msg: Message) => this.handlers.onMessage(bot, msg));
    bot.on('error', (err: unknown) => this.onTrouble('wecom puppet error', err));
    bot.on('logout', () => this.onTrouble('wecom bot logged out', null));
    bot.on('scan', (qrcode: string, status: number) =>
      this.deps.log.info('wecom scan', { status, qrcode: qrcode?.slice(0, 200) }),
    );
    bot.on('login', () => {
      this.failures = 0;
      this.ready = false;
      this.deps.log.info('wecom logged in', { bot: bot.currentUser.id });
      void this.handlers.onLogin(bot).then(() => {
        this.ready = true;
        for (const resolve of this.loginWaiters.splice(0)) resolve();
      });
    });
    return bot;
  }

  private async stopBot() {
    this.selfStopping = true;
    try {
      await this.wechaty?.stop().catch(() => undefined);
    } finally {
      this.selfStopping = false;
    }
  }

  /** Logs, then starts the bot again after a growing pause. */
  private onTrouble(what: string, err: unknown) {
    if (this.selfStopping) return;
    this.deps.log.warn(what, { error: errorText(err) });
    if (this.stopped || this.restarting) return;
    if (err !== null && this.wechaty?.isLoggedIn) return; // an error the puppet lived through
    this.restarting = true;
    const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** this.failures++);
    const schedule = this.deps.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
    schedule(() => {
      this.restarting = false;
      // Stopped meanwhile, or back by itself (a saved session): nothing to do.
      if (this.stopped || this.wechaty?.isLoggedIn) return;
      void (async () => {
        await this.stopBot();
        if (!this.stopped) await this.launch();
      })();
    }, delay);
  }
}
