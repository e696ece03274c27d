import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** The path of an org file under test/fixtures/orgs/, for ORG_FILE: `fixtureOrg('feishu-edu')`. */
export function fixtureOrg(name: string): string {
  return fileURLToPath(new URL(`orgs/${name}.yaml`, FIXTURES));
}

/** The Feishu envelopes under test/fixtures/feishu/, by the event they carry. */
export type FeishuEnvelopeKind = 'message' | 'card-action' | 'url-verification';

type Json = Record<string, unknown>;
/** Overrides for an envelope: objects merge key by key, anything else replaces; `undefined` drops a key. */
export type Overrides = { [key: string]: unknown };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Json, overrides: Overrides): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = merge(out[key] as Json, value);
    else out[key] = value;
  }
  return out;
}

/**
 * A Feishu payload as the platform sends it (a fresh copy of the fixture), with `overrides`
 * merged in: `feishuEnvelope('card-action', { event: { action: { value } } })`.
 */
export function feishuEnvelope(kind: FeishuEnvelopeKind, overrides: Overrides = {}): Json {
  const base = JSON.parse(readFileSync(new URL(`feishu/${kind}.json`, FIXTURES), 'utf8')) as Json;
  return merge(base, overrides);
}
