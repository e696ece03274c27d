import type { PolicyPack } from './types.js';
import { yn2016106 } from './yn-2016-106.js';

export const POLICY_PACKS: Record<string, PolicyPack> = { [yn2016106.id]: yn2016106 };
export const DEFAULT_POLICY_PACK = yn2016106.id;

export function policyPack(id: string): PolicyPack {
  const pack = POLICY_PACKS[id];
  if (!pack) throw new Error(`unknown policy pack "${id}"; known: ${Object.keys(POLICY_PACKS).join(', ')}`);
  return pack;
}
