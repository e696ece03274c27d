import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../src/log.js';

/** A logger at `level` and the lines it wrote. */
function capture(level: LogLevel | 'silent') {
  const lines: string[] = [];
  return { log: createLogger(level, (line) => lines.push(line)), lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line: ISO time, the level by name, msg and the fields at the top level', () => {
    const { log, lines } = capture('debug');
    log.info('org imported', { file: 'org.yaml', units: 3, nested: { ok: true } });
    log.warn('no fields');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'org imported',
      file: 'org.yaml',
      units: 3,
      nested: { ok: true },
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(JSON.parse(lines[1] as string)).toEqual({
      time: expect.any(String),
      level: 'warn',
      msg: 'no fields',
    });
  });

  it('drops entries below its level; silent drops all', () => {
    const levels = (l: LogLevel | 'silent') => {
      const { log, lines } = capture(l);
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      return lines.map((line) => JSON.parse(line).level);
    };
    expect(levels('debug')).toEqual(['debug', 'info', 'warn', 'error']);
    expect(levels('info')).toEqual(['info', 'warn', 'error']);
    expect(levels('warn')).toEqual(['warn', 'error']);
    expect(levels('error')).toEqual(['error']);
    expect(levels('silent')).toEqual([]);
  });

  it('serialises an Error with its name, message and stack, under err, any other field or nested', () => {
    const { log, lines } = capture('info');
    const err = new TypeError('connection refused');
    log.error('outbox pass failed', {
      err,
      error: new RangeError('out of range'),
      ctx: { cause: new Error('deep') },
    });
    const entry = JSON.parse(lines[0] as string);
    expect(entry.err).toMatchObject({ name: 'TypeError', message: 'connection refused', stack: err.stack });
    expect(entry.err.stack).toContain('TypeError: connection refused');
    expect(entry.error).toMatchObject({ name: 'RangeError', message: 'out of range' });
    expect(entry.error.stack).toContain('RangeError: out of range');
    expect(entry.ctx.cause).toMatchObject({ name: 'Error', message: 'deep' });
    expect(entry.ctx.cause.stack).toContain('Error: deep');
  });

  it('prints app secrets, tokens and encrypt keys as [redacted], at the top level and one level down', () => {
    const { log, lines } = capture('info');
    const secrets = {
      appSecret: 'clear-app-secret',
      app_secret: 'clear-app_secret',
      secret: 'clear-secret',
      token: 'clear-token',
      tenant_access_token: 'clear-tenant-token',
      encryptKey: 'clear-encrypt-key',
      encrypt_key: 'clear-encrypt_key',
      verificationToken: 'clear-verification-token',
      FEISHU_APP_SECRET: 'clear-env-app-secret',
      FEISHU_ENCRYPT_KEY: 'clear-env-encrypt-key',
      FEISHU_VERIFICATION_TOKEN: 'clear-env-verification-token',
      WECHATY_PUPPET_SERVICE_TOKEN: 'clear-env-puppet-token',
      authorization: 'Bearer clear-bearer',
    };
    const cfg = {
      appId: 'cli_visible',
      appSecret: 'clear-nested-app-secret',
      encryptKey: 'clear-nested-encrypt-key',
      verificationToken: 'clear-nested-verification-token',
      domain: 'https://open.feishu.cn',
    };
    const fields = {
      ...secrets,
      cfg,
      env: {
        FEISHU_APP_SECRET: 'clear-nested-env-secret',
        WECHATY_PUPPET_SERVICE_TOKEN: 'clear-nested-puppet',
      },
      wecom: { puppet: 'wechaty-puppet-service', puppetOptions: { token: 'clear-puppet-options-token' } },
      req: { headers: { authorization: 'Bearer clear-header', 'content-type': 'application/json' } },
      headers: { Authorization: 'Bearer clear-top-header' },
    };
    log.info('config', fields);
    const line = lines[0] as string;
    expect(line).not.toContain('clear');
    const entry = JSON.parse(line);
    for (const key of Object.keys(secrets)) expect(entry[key]).toBe('[redacted]');
    expect(entry.cfg).toEqual({
      appId: 'cli_visible',
      appSecret: '[redacted]',
      encryptKey: '[redacted]',
      verificationToken: '[redacted]',
      domain: 'https://open.feishu.cn',
    });
    expect(entry.env).toEqual({
      FEISHU_APP_SECRET: '[redacted]',
      WECHATY_PUPPET_SERVICE_TOKEN: '[redacted]',
    });
    expect(entry.wecom).toEqual({ puppet: 'wechaty-puppet-service', puppetOptions: { token: '[redacted]' } });
    expect(entry.req.headers).toEqual({ authorization: '[redacted]', 'content-type': 'application/json' });
    expect(entry.headers).toEqual({ Authorization: '[redacted]' });
    // The caller's objects are left as they were.
    expect(cfg.appSecret).toBe('clear-nested-app-secret');
    expect(fields.token).toBe('clear-token');
  });
});
