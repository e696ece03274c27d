import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

/** Every setting Huiyin reads from the environment; the only reader of process.env. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  // Loopback by default: the sandbox lets anyone act as anyone, so exposing it is a choice.
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./.data'),
  ORG_FILE: z.string().optional(),
  /** The policy pack by id; the service falls back to the default pack (seed 000). */
  POLICY_PACK: z.string().min(1).optional(),
  /** Serve the sandbox chat; by default on only when no platform app is configured. */
  SANDBOX: bool.optional(),
  FEISHU_APP_ID: z.string().min(1).optional(),
  FEISHU_APP_SECRET: z.string().min(1).optional(),
  FEISHU_ENCRYPT_KEY: z.string().min(1).optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().min(1).optional(),
  /** Any base URL, no trailing slash: Feishu, Lark, or a test server. */
  FEISHU_DOMAIN: z
    .string()
    .url()
    .default('https://open.feishu.cn')
    .transform((u) => u.replace(/\/+$/, '')),
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  /** WeCom through wechaty, with wechaty's own variables: the puppet (e.g. wechaty-puppet-service) turns it on. */
  WECHATY_PUPPET: z.string().min(1).optional(),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1).optional(),
  WECHATY_PUPPET_SERVICE_ENDPOINT: z.string().min(1).optional(),
  /** The wechaty session's name (its memory card file). */
  WECHATY_NAME: z.string().min(1).default('huiyin'),
  /** A platform request (Feishu event or card, sandbox post) not done by then is answered 503. */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(1).default(2_500),
  /** /healthz answers 503 when the database has not answered within this. */
  HEALTHZ_DEADLINE_MS: z.coerce.number().int().min(1).default(1_000),
  /** Postgres: opening a connection gives up after this. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(2_000),
  /** Postgres: statement_timeout of every session. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** Postgres: idle_in_transaction_session_timeout of every session. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** Postgres: a connection silent both ways this long is closed (a frozen server sends no error). */
  DATABASE_SILENCE_TIMEOUT_MS: z.coerce.number().int().min(1).default(15_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});
export type Env = z.infer<typeof envSchema>;

/** The Feishu app, when one is configured (an app id and secret). */
export interface FeishuConfig {
  appId: string;
  appSecret: string;
  encryptKey: string | undefined;
  verificationToken: string | undefined;
  domain: string;
  mode: 'webhook' | 'ws';
}

export function feishuConfig(env: Env): FeishuConfig | null {
  if (!env.FEISHU_APP_ID || !env.FEISHU_APP_SECRET) return null;
  return {
    appId: env.FEISHU_APP_ID,
    appSecret: env.FEISHU_APP_SECRET,
    encryptKey: env.FEISHU_ENCRYPT_KEY,
    verificationToken: env.FEISHU_VERIFICATION_TOKEN,
    domain: env.FEISHU_DOMAIN,
    mode: env.FEISHU_MODE,
  };
}

/** The WeCom bot: a puppet by name (or, in tests, a puppet instance) and its options. */
export interface WecomConfig {
  // biome-ignore lint/suspicious/noExplicitAny: a wechaty puppet instance; its type lives in wechaty-puppet
  puppet: string | any;
  puppetOptions?: { token?: string; endpoint?: string };
  name?: string;
}

/** The WeCom bot, when WECHATY_PUPPET names a puppet. */
export function wecomConfig(env: Env): WecomConfig | null {
  if (!env.WECHATY_PUPPET) return null;
  return {
    puppet: env.WECHATY_PUPPET,
    puppetOptions: {
      ...(env.WECHATY_PUPPET_SERVICE_TOKEN ? { token: env.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
      ...(env.WECHATY_PUPPET_SERVICE_ENDPOINT ? { endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT } : {}),
    },
    name: env.WECHATY_NAME,
  };
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const clean = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid environment:\n${lines}`);
  }
  const env = result.data;
  if ((env.FEISHU_APP_ID === undefined) !== (env.FEISHU_APP_SECRET === undefined)) {
    throw new Error(
      'invalid environment:\n  FEISHU_APP_ID and FEISHU_APP_SECRET go together: set both or neither',
    );
  }
  if (
    env.FEISHU_APP_ID &&
    env.FEISHU_MODE === 'webhook' &&
    !env.FEISHU_ENCRYPT_KEY &&
    !env.FEISHU_VERIFICATION_TOKEN
  ) {
    throw new Error(
      'invalid environment:\n  FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN is required to verify Feishu webhooks',
    );
  }
  if (
    env.DATABASE_SILENCE_TIMEOUT_MS <=
    Math.max(env.DATABASE_STATEMENT_TIMEOUT_MS, env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS)
  ) {
    throw new Error(
      'invalid environment:\n  DATABASE_SILENCE_TIMEOUT_MS must be longer than DATABASE_STATEMENT_TIMEOUT_MS and ' +
        'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS (a live server always answers first)',
    );
  }
  return env;
}
