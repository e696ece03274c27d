import { createHash, timingSafeEqual } from 'node:crypto';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import type { FeishuConfig } from '../../env.js';

// Feishu signs the time it sent the request; older ones may be replays.
const MAX_SKEW_MS = 5 * 60 * 1000;

export type Opened =
  | { ok: true; body: Record<string, unknown>; challenge?: string }
  | { ok: false; status: 400 | 401; reason: string };

type Headers = (name: string) => string | undefined;

/**
 * Verifies and opens a Feishu request (event or card callback). With an encrypt key, the
 * signature is checked over the raw body as it arrived (the SDK re-serialises it first) and the
 * body decrypted; without one, the verification token must match. A url_verification answers
 * its challenge once its token matches.
 */
export function openFeishuRequest(cfg: FeishuConfig, raw: string, header: Headers, now: Date): Opened {
  let outer: Record<string, unknown>;
  try {
    outer = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { ok: false, status: 400, reason: 'body is not JSON' };
  }
  let body = outer;
  if (typeof outer.encrypt === 'string') {
    if (!cfg.encryptKey)
      return { ok: false, status: 401, reason: 'encrypted body but no FEISHU_ENCRYPT_KEY' };
    try {
      body = JSON.parse(new AESCipher(cfg.encryptKey).decrypt(outer.encrypt)) as Record<string, unknown>;
    } catch {
      return { ok: false, status: 401, reason: 'cannot decrypt body' };
    }
  }
  const token = tokenOf(body);
  if (body.type === 'url_verification') {
    if (cfg.verificationToken && token !== cfg.verificationToken)
      return { ok: false, status: 401, reason: 'verification token mismatch' };
    if (!cfg.verificationToken && !cfg.encryptKey)
      return { ok: false, status: 401, reason: 'no way to verify' };
    return { ok: true, body, challenge: String(body.challenge ?? '') };
  }
  if (cfg.encryptKey) {
    const problem = signatureProblem(cfg.encryptKey, raw, header, now);
    if (problem) return { ok: false, status: 401, reason: problem };
    if (cfg.verificationToken && token !== undefined && token !== cfg.verificationToken)
      return { ok: false, status: 401, reason: 'verification token mismatch' };
  } else if (!cfg.verificationToken || token !== cfg.verificationToken) {
    return { ok: false, status: 401, reason: 'verification token mismatch' };
  }
  return { ok: true, body };
}

function signatureProblem(encryptKey: string, raw: string, header: Headers, now: Date): string | null {
  const timestamp = header('x-lark-request-timestamp');
  const nonce = header('x-lark-request-nonce');
  const signature = header('x-lark-signature');
  if (!timestamp || !nonce || !signature) return 'missing signature headers';
  const sentMs = Number(timestamp) * 1000;
  if (!Number.isFinite(sentMs) || Math.abs(now.getTime() - sentMs) > MAX_SKEW_MS)
    return 'stale or bad timestamp';
  const expected = signFeishu(timestamp, nonce, encryptKey, raw);
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b) ? null : 'bad signature';
}

/** sha256_hex(timestamp + nonce + encryptKey + body), Feishu's request signature. */
export const signFeishu = (timestamp: string, nonce: string, encryptKey: string, body: string) =>
  createHash('sha256')
    .update(timestamp + nonce + encryptKey + body)
    .digest('hex');

function tokenOf(body: Record<string, unknown>): unknown {
  const header = body.header as Record<string, unknown> | undefined;
  return header?.token ?? body.token;
}
