import pino, { type DestinationStream, stdSerializers } from 'pino';

/** JSON-lines logger on pino: one object per line, level-filtered, secrets redacted. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

// Field names that hold an app secret, a token or an encrypt key: the Feishu app's settings,
// wechaty's puppet token and HTTP authorization, by every name they are logged under.
const SECRET_KEYS = [
  'appSecret',
  'app_secret',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'tenantAccessToken',
  'tenant_access_token',
  'encryptKey',
  'encrypt_key',
  'verificationToken',
  'verification_token',
  'password',
  'authorization',
  'Authorization',
  'FEISHU_APP_SECRET',
  'FEISHU_ENCRYPT_KEY',
  'FEISHU_VERIFICATION_TOKEN',
  'WECHATY_PUPPET_SERVICE_TOKEN',
];

/** pino redact paths: each key at the top level and one level down (`cfg.appSecret`), plus headers and the puppet token. */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`]),
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  // A WecomConfig: { puppetOptions: { token } }.
  'puppetOptions.token',
  '*.puppetOptions.token',
];

/** pino's error serialiser (type, message, stack, cause, own fields), keeping the `name` our lines always had. */
function serialiseError(err: Error): Record<string, unknown> {
  return { ...stdSerializers.err(err), name: err.name };
}

// pino serialises errors only under the `err` key; an Error under any other field (`error`,
// `cause`, nested in an object) would print as {}. Copies only what contains an Error.
function withErrors(value: unknown, depth: number): unknown {
  if (value instanceof Error) return serialiseError(value);
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => withErrors(v, depth - 1));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const w = withErrors(v, depth - 1);
    if (w !== v) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[k] = w;
    }
  }
  return copy ?? value;
}

/**
 * A logger at `level` writing one JSON line per entry to `write` (stdout by default, synchronously):
 * `{"level":"info","time":"…ISO…","msg":"…", …fields}`.
 */
export function createLogger(level: LogLevel | 'silent', write?: (line: string) => void): Logger {
  const stream: DestinationStream = write ? { write } : pino.destination({ dest: 1, sync: true });
  const p = pino(
    {
      level,
      base: undefined, // no pid or hostname: the lines are what they were before pino
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => withErrors(obj, 4) as Record<string, unknown>,
      },
      serializers: { err: (v: unknown) => (v instanceof Error ? serialiseError(v) : v) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
  const emit = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) =>
    fields ? p[lvl](fields, msg) : p[lvl](msg);
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger = createLogger('silent', () => {});
