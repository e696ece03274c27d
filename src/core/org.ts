import { HuiyinError } from './errors.js';

export interface OrgUnit {
  id: string;
  name: string;
  parentId: string | null;
  handles: string[];
}

/** An immutable view of the org directory that routing and name lookup work on. */
export class Org {
  readonly units: ReadonlyMap<string, OrgUnit>;
  readonly ccIds: readonly string[];
  private readonly children = new Map<string, OrgUnit[]>();

  constructor(units: OrgUnit[], ccIds: string[]) {
    this.units = new Map(units.map((u) => [u.id, u]));
    this.ccIds = ccIds;
    for (const u of units) {
      if (u.parentId) {
        const list = this.children.get(u.parentId) ?? [];
        list.push(u);
        this.children.set(u.parentId, list);
      }
    }
  }

  get(id: string): OrgUnit {
    const u = this.units.get(id);
    if (!u) throw new Error(`unknown unit id ${id}`);
    return u;
  }

  childrenOf(id: string): OrgUnit[] {
    return this.children.get(id) ?? [];
  }

  /** A government is a unit with units under it; a department belongs to its parent's region. */
  regionOf(u: OrgUnit): OrgUnit {
    if (this.childrenOf(u.id).length > 0 || !u.parentId) return u;
    return this.get(u.parentId);
  }

  /** The unit itself first, then each superior up to the top. */
  ancestry(u: OrgUnit): OrgUnit[] {
    const chain: OrgUnit[] = [];
    let cur: OrgUnit | undefined = u;
    while (cur && !chain.includes(cur)) {
      chain.push(cur);
      cur = cur.parentId ? this.units.get(cur.parentId) : undefined;
    }
    return chain;
  }

  /** The lowest unit that is (or is above) every given unit. */
  commonSuperior(list: OrgUnit[]): OrgUnit | undefined {
    const [first, ...rest] = list;
    if (!first) return undefined;
    return this.ancestry(first).find((cand) => rest.every((u) => this.ancestry(u).includes(cand)));
  }

  /** The unit directly under `region` that handles `key`, if any. */
  handlerIn(region: OrgUnit, key: string): OrgUnit | undefined {
    return this.childrenOf(region.id).find((c) => c.handles.includes(key));
  }

  /** The names a unit goes by in running text: its full name, and a 省 department's name without 省 when no other unit has it. */
  private namesOf(u: OrgUnit): string[] {
    const short = u.name.startsWith('省') ? u.name.slice(1) : '';
    const unique =
      short.length >= 3 && [...this.units.values()].filter((x) => x.name.includes(short)).length === 1;
    return unique ? [u.name, short] : [u.name];
  }

  /**
   * The units a text names (省公安厅, or 公安厅). A name read only inside a longer one
   * (昆明市人民政府 in 昆明市人民政府办公室) does not count.
   */
  namedIn(text: string): OrgUnit[] {
    const found = [...this.units.values()].filter((u) => this.namesOf(u).some((n) => text.includes(n)));
    return found.filter((u) => {
      const rest = found
        .filter((v) => v !== u && v.name.length > u.name.length)
        .reduce((t, v) => t.split(v.name).join('\u3000'), text);
      return this.namesOf(u).some((n) => rest.includes(n));
    });
  }

  /**
   * Finds a unit by id, full name or a part of its name that only one unit has
   * (省公安厅, 公安厅 or gat); a clear error otherwise.
   */
  resolve(input: string): OrgUnit {
    const q = input.trim();
    const byId = this.units.get(q);
    if (byId) return byId;
    const all = [...this.units.values()];
    const exact = all.find((u) => u.name === q);
    if (exact) return exact;
    const partial = q ? all.filter((u) => u.name.includes(q)) : [];
    if (partial.length === 1 && partial[0]) return partial[0];
    if (partial.length > 1) {
      const names = partial
        .slice(0, 8)
        .map((u) => u.name)
        .join('、');
      throw new HuiyinError(
        'huiyin_ambiguous_unit',
        `「${q}」可以指多个单位：${names}${partial.length > 8 ? ' 等' : ''}。请写出单位全称。`,
      );
    }
    throw new HuiyinError(
      'huiyin_unknown_unit',
      `组织目录中没有名为「${q}」的单位。请写单位全称（如 省教育厅）、能唯一识别的简称（如 教育厅）或单位编号。`,
    );
  }
}
