import type { ItemRow } from '../../../db/repos/item-repo.js';
import type { Clause, PolicyPack } from '../../../src/core/policy-pack.js';
import type { RoutingRule } from '../../../src/core/routing.js';
import { findCategory, MINSHENG } from '../../../src/core/vocabulary.js';

/** The clause that decided who is responsible for the item. */
export function routingClause(pack: PolicyPack, item: ItemRow): Clause {
  if (item.routingRule === 'assigned') {
    return pack.clocks.rules.find((r) => r.appliesTo === 'netizen_message')?.clause ?? pack.clauses.overall;
  }
  const rule = item.routingRule as RoutingRule;
  switch (rule) {
    case 'guikou': {
      const handles = findCategory(item.category)?.handles ?? '统筹';
      const key = (MINSHENG as readonly string[]).includes(handles) ? '民生' : handles;
      return pack.clauses.guikou[key] ?? pack.clauses.overall;
    }
    case 'overall':
      return pack.clauses.overall;
    case 'involved_unit':
      return pack.clauses.involvedUnit;
    case 'multi_region':
      return pack.clauses.multiRegion;
    case 'multi_department':
      return pack.clauses.multiDepartment;
  }
}
