import { HuiyinError } from './errors.js';
import type { Org, OrgUnit } from './org.js';
import type { Category, Level } from './vocabulary.js';

/** Which rule of seed 000 decided the responsible unit. */
export type RoutingRule =
  | 'guikou' // 三(三): the unit that handles the category reports it
  | 'overall' // 三(三) 其他: nobody handles it, the 统筹 unit (政府办公厅) takes it
  | 'involved_unit' // 二: the named 涉事 unit is the first responsible unit
  | 'multi_region' // 二: several regions, the common superior's competent department
  | 'multi_department'; // 二: several departments, each by duty; the 政府办公厅 coordinates

export type UnitRole = 'responsible' | 'coordinator' | 'involved' | 'cc';

export interface RoutingDecision {
  rule: RoutingRule;
  /** The unit that owns the item: its card, its spokesperson, later its clocks. */
  owner: OrgUnit;
  /** Every unit with a part in the item, the owner first; each unit appears once. */
  units: { unit: OrgUnit; role: UnitRole }[];
}

export interface RoutingInput {
  category: Category;
  /** Units named with 涉事, already resolved. */
  involved: OrgUnit[];
  /** The unit of the group the report came from; decides the level for 归口. */
  reporterUnit: OrgUnit | null;
  level: Level | null;
}

/**
 * Decides the first responsible unit (seed 000 二) and, when no unit is named, the 归口 unit
 * (seed 000 三(三)), plus coordinators, notified units and the 抄送 list.
 */
export function route(org: Org, input: RoutingInput): RoutingDecision {
  const decision = decide(org, input);
  const seen = new Set(decision.units.map((x) => x.unit.id));
  for (const id of org.ccIds) {
    if (!seen.has(id) && org.units.has(id)) {
      decision.units.push({ unit: org.get(id), role: 'cc' });
      seen.add(id);
    }
  }
  return decision;
}

function decide(org: Org, input: RoutingInput): RoutingDecision {
  const key = keyOf(input.category.handles, input.involved);
  const named = dedupe(input.involved.map((u) => localUnit(org, u, key)));

  if (named.length === 0) {
    const start = input.reporterUnit ? org.regionOf(input.reporterUnit) : null;
    // 其他 is what the 统筹 unit takes by definition (三(三) 其他), not a 归口 category.
    const handler = key === '统筹' ? undefined : findUpwards(org, start, key);
    if (handler) return withCoordinators(org, 'guikou', handler, [handler]);
    const overall = findUpwards(org, start, '统筹');
    if (!overall) throw noOverallUnit();
    return withCoordinators(org, 'overall', overall, [overall]);
  }

  if (named.length === 1 && named[0]) {
    return withCoordinators(org, 'involved_unit', named[0], [named[0]]);
  }

  const regions = dedupe(named.map((u) => org.regionOf(u)));
  if (regions.length > 1) {
    const superior = org.commonSuperior(regions);
    const competent = superior
      ? (org.handlerIn(superior, key) ?? org.handlerIn(superior, '统筹'))
      : undefined;
    if (!competent) throw noOverallUnit();
    const units: RoutingDecision['units'] = [{ unit: competent, role: 'responsible' }];
    for (const u of named) if (u.id !== competent.id) units.push({ unit: u, role: 'involved' });
    return { rule: 'multi_region', owner: competent, units };
  }

  const region = regions[0] as OrgUnit;
  const overall = org.handlerIn(region, '统筹') ?? findUpwards(org, region, '统筹');
  if (!overall) throw noOverallUnit();
  const units: RoutingDecision['units'] = [];
  if (!named.includes(overall)) units.push({ unit: overall, role: 'coordinator' });
  for (const u of named) units.push({ unit: u, role: 'responsible' });
  const publicity = org.handlerIn(region, '外宣');
  if (publicity && !named.includes(publicity)) units.push({ unit: publicity, role: 'coordinator' });
  return { rule: 'multi_department', owner: overall, units };
}

/**
 * The duty that decides who is competent: the category's, or for 其他 the duty the named
 * units share (two 公安局 make it a 公安 matter for the superior 公安厅).
 */
function keyOf(categoryKey: string, involved: OrgUnit[]): string {
  if (categoryKey !== '统筹' || involved.length === 0) return categoryKey;
  const [first, ...rest] = involved;
  const shared = first?.handles.find((k) => k !== '统筹' && rest.every((u) => u.handles.includes(k)));
  return shared ?? categoryKey;
}

/** A named region government stands for its own competent department (属地管理). */
function localUnit(org: Org, u: OrgUnit, key: string): OrgUnit {
  if (org.childrenOf(u.id).length === 0) return u;
  return org.handlerIn(u, key) ?? org.handlerIn(u, '统筹') ?? u;
}

/**
 * The handler of `key` at the reporter's level, else at each superior level. With no reporter
 * unit, the top-most handler anywhere. Never a handler in another region's chain.
 */
function findUpwards(org: Org, start: OrgUnit | null, key: string): OrgUnit | undefined {
  if (start) {
    for (const level of org.ancestry(start)) {
      const h = org.handlerIn(level, key);
      if (h) return h;
    }
    return undefined;
  }
  const all = [...org.units.values()].filter((u) => u.handles.includes(key));
  all.sort((a, b) => org.ancestry(a).length - org.ancestry(b).length || a.id.localeCompare(b.id));
  return all[0];
}

/** 本级政府办公厅会同宣传部门做好组织协调 (seed 000 二). */
function withCoordinators(
  org: Org,
  rule: RoutingRule,
  owner: OrgUnit,
  responsible: OrgUnit[],
): RoutingDecision {
  const units: RoutingDecision['units'] = responsible.map((unit) => ({ unit, role: 'responsible' }));
  if (rule === 'involved_unit') {
    const region = org.regionOf(owner);
    for (const key of ['统筹', '外宣']) {
      const c = org.handlerIn(region, key);
      if (c && !responsible.includes(c)) units.push({ unit: c, role: 'coordinator' });
    }
  }
  return { rule, owner, units };
}

const dedupe = <T>(list: T[]) => [...new Set(list)];

const noOverallUnit = () =>
  new HuiyinError(
    'huiyin_no_overall_unit',
    '组织目录中没有负责统筹报送的单位（handles: 统筹），无法确定责任单位。请联系管理员完善组织目录。',
  );
