import type { PolicyPack } from '../../src/core/policy-pack.js';
import { baoshanForestry2020 } from './baoshan-forestry-2020.js';
import { province2013 } from './province-2013.js';
import { qinzhouCity } from './qinzhou-city.js';
import { yn2016106 } from './yn-2016-106.js';

export const POLICY_PACKS: Record<string, PolicyPack> = Object.fromEntries(
  [yn2016106, baoshanForestry2020, qinzhouCity, province2013].map((p) => [p.id, p]),
);
export const DEFAULT_POLICY_PACK = yn2016106.id;

export function policyPack(id: string): PolicyPack {
  const pack = POLICY_PACKS[id];
  if (!pack) throw new Error(`unknown policy pack "${id}"; known: ${Object.keys(POLICY_PACKS).join(', ')}`);
  return pack;
}
