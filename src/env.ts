import { z } from 'zod';
import { DEFAULT_POLICY_PACK } from '../bot-flows/policies/index.js';

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
  POLICY_PACK: z.string().default(DEFAULT_POLICY_PACK),
  SANDBOX: bool.default(true),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});
export type Env = z.infer<typeof envSchema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const clean = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid environment:\n${lines}`);
  }
  return result.data;
}
