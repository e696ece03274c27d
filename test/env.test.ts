import { describe, expect, it } from 'vitest';
import { feishuConfig, loadEnv, wecomConfig } from '../src/env.js';

describe('settings from the environment', () => {
  it('no platform: neither Feishu nor WeCom, and the sandbox decides for itself', () => {
    const env = loadEnv({});
    expect([feishuConfig(env), wecomConfig(env), env.SANDBOX]).toEqual([null, null, undefined]);
  });

  it('deadlines and database timeouts: defaults within the platform window, and the silence must outlast the server limits', () => {
    const env = loadEnv({});
    expect([env.REQUEST_DEADLINE_MS, env.HEALTHZ_DEADLINE_MS]).toEqual([2_500, 1_000]);
    expect([
      env.DATABASE_CONNECT_TIMEOUT_MS,
      env.DATABASE_STATEMENT_TIMEOUT_MS,
      env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      env.DATABASE_SILENCE_TIMEOUT_MS,
    ]).toEqual([2_000, 10_000, 10_000, 15_000]);
    expect(loadEnv({ REQUEST_DEADLINE_MS: '800' }).REQUEST_DEADLINE_MS).toBe(800);
    expect(() => loadEnv({ DATABASE_SILENCE_TIMEOUT_MS: '5000' })).toThrow(
      /DATABASE_SILENCE_TIMEOUT_MS must be longer than DATABASE_STATEMENT_TIMEOUT_MS/,
    );
  });

  it("WeCom is on when wechaty's own WECHATY_PUPPET names a puppet, with its token and endpoint", () => {
    const env = loadEnv({
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_abc',
      WECHATY_PUPPET_SERVICE_ENDPOINT: '10.0.0.8:8788',
      WECHATY_NAME: '',
    });
    expect(wecomConfig(env)).toEqual({
      puppet: 'wechaty-puppet-service',
      puppetOptions: { token: 'puppet_workpro_abc', endpoint: '10.0.0.8:8788' },
      name: 'huiyin',
    });
    expect(wecomConfig(loadEnv({ WECHATY_PUPPET_SERVICE_TOKEN: 'orphan' }))).toBeNull();
  });

  it('Feishu needs its id and secret together, and a way to verify webhooks', () => {
    expect(() => loadEnv({ FEISHU_APP_ID: 'cli_x' })).toThrow(
      'FEISHU_APP_ID and FEISHU_APP_SECRET go together',
    );
    expect(() => loadEnv({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' })).toThrow(
      'FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN is required',
    );
    expect(
      feishuConfig(loadEnv({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'ws' }))?.mode,
    ).toBe('ws');
  });
});
