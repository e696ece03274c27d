import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_POLICY_PACK } from '../../bot-flows/policies/index.js';
import type { Database } from '../../db/client.js';
import { OrgFileError, orgFileSchema, parseOrgFile } from '../../db/org-file.js';
import { findActor, importOrg, loadOrg, unitChat } from '../../db/repos/org-repo.js';
import { chatBindings, memberships, people, units } from '../../db/schema.js';
import { silentLogger } from '../../src/log.js';
import { createService, DEMO_ORG_FILE } from '../../src/service.js';
import { DB_KINDS, useDatabase } from '../helpers/databases.js';
import { largeOrg, orgYaml } from '../helpers/large-org.js';

const demo = readFileSync(DEMO_ORG_FILE, 'utf8');
const now = new Date('2026-11-22T03:00:00Z');

const SMALL = `
units:
  - id: gov
    name: 测试市人民政府
    members:
      - { id: admin, name: 管理员甲, roles: [admin] }
  - id: edu
    name: 测试市教育局
    parent: gov
    handles: [教育]
    feishu_chat: oc_edu
    members:
      - { id: spk, name: 发言人甲, roles: [spokesperson], feishu: ou_spk }
      - { id: ldr, name: 领导甲, roles: [leader, approver] }
  - id: office
    name: 测试市人民政府办公室
    parent: gov
    handles: [统筹]
cc: [office]
`;

describe.each(DB_KINDS)('org import (%s)', (kind) => {
  // Emptied before each test: each imports what it needs.
  const db = useDatabase(kind);
  let database: Database;
  beforeEach(() => {
    database = db.database;
  });

  const counts = async () => ({
    units: (await database.db.select({ n: count() }).from(units))[0]?.n,
    people: (await database.db.select({ n: count() }).from(people))[0]?.n,
    memberships: (await database.db.select({ n: count() }).from(memberships))[0]?.n,
    bindings: (await database.db.select({ n: count() }).from(chatBindings))[0]?.n,
  });

  it('imports the demo org and re-imports it without duplicating anything', async () => {
    const first = await importOrg(database.db, parseOrgFile(demo), now);
    const after1 = await counts();
    const second = await importOrg(database.db, parseOrgFile(demo), new Date(now.getTime() + 60_000));
    expect(second).toEqual({ ...first, changed: { units: 0, people: 0, memberships: 0, bindings: 0 } });
    expect(await counts()).toEqual(after1);
    expect(after1).toEqual({ units: 47, people: 144, memberships: 144, bindings: 47 });
  });

  it('a re-import updates in place: renamed units, changed roles, moved platform ids, dropped people', async () => {
    // The demo org first, so there are units that the small file no longer lists.
    await importOrg(database.db, parseOrgFile(demo), now);
    await importOrg(database.db, parseOrgFile(SMALL), now);
    const changed = SMALL.replace('测试市教育局', '测试市教育体育局')
      .replace('roles: [leader, approver]', 'roles: [leader]')
      .replace('feishu: ou_spk', 'feishu: ou_spk2')
      .replace('      - { id: admin, name: 管理员甲, roles: [admin] }\n', '')
      .replace('feishu_chat: oc_edu', 'feishu_chat: oc_edu2');
    await importOrg(database.db, parseOrgFile(changed), now);

    const org = await loadOrg(database.db);
    expect(org.get('edu').name).toBe('测试市教育体育局');
    expect([...org.units.keys()].sort()).toEqual(['edu', 'gov', 'office']);
    expect(org.ccIds).toEqual(['office']);
    expect(await findActor(database.db, 'feishu', 'ou_spk')).toBeNull();
    expect(await findActor(database.db, 'feishu', 'ou_spk2')).toMatchObject({
      person: { id: 'spk', name: '发言人甲' },
      memberships: [{ unitId: 'edu', roles: ['spokesperson'] }],
    });
    expect(await findActor(database.db, 'sandbox', 'ldr')).toMatchObject({
      memberships: [{ unitId: 'edu', roles: ['leader'] }],
    });
    // Dropped from the file: no longer a member of anything and not found as an actor.
    expect(await findActor(database.db, 'sandbox', 'admin')).toBeNull();
    expect(await unitChat(database.db, 'feishu', 'edu')).toBe('oc_edu2');
    const oldChat = await database.db.select().from(chatBindings).where(eq(chatBindings.chatId, 'oc_edu'));
    expect(oldChat).toEqual([]);
    // Units of the demo org that are not in this file are kept for history but inactive.
    const [jyt] = await database.db.select().from(units).where(eq(units.id, 'jyt'));
    expect(jyt?.active).toBe(false);
  });

  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('a bad ORG_FILE stops start-up with the line and field, and the directory stays as it was', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'huiyin-org-'));
    dir = tmp;
    const file = join(tmp, 'org.yaml');
    const start = () =>
      createService({
        env: { DATA_DIR: tmp, ORG_FILE: file, POLICY_PACK: DEFAULT_POLICY_PACK, SANDBOX: true },
        database,
        log: silentLogger,
      });
    writeFileSync(file, SMALL);
    await (await start()).close();
    const before = await counts();
    writeFileSync(file, SMALL.replace('roles: [spokesperson]', 'roles: [speaker]'));
    await expect(start()).rejects.toThrow(
      `ORG_FILE ${file} is invalid:\n  line 13, units[1].members[0].roles[0]`,
    );
    expect(await counts()).toEqual(before);
    expect((await loadOrg(database.db)).get('edu').name).toBe('测试市教育局');
  });

  it('a unit can change its id or swap names with another unit in one re-import', async () => {
    await importOrg(database.db, parseOrgFile(SMALL), now);
    const rekeyed = SMALL.replace('id: edu\n', 'id: edu2\n')
      .replace('测试市人民政府办公室', '临时名')
      .replace('测试市人民政府\n', '测试市人民政府办公室\n')
      .replace('临时名', '测试市人民政府');
    await importOrg(database.db, parseOrgFile(rekeyed), now);
    const org = await loadOrg(database.db);
    expect(org.get('edu2').name).toBe('测试市教育局');
    expect(org.units.has('edu')).toBe(false);
    expect([org.get('gov').name, org.get('office').name]).toEqual(['测试市人民政府办公室', '测试市人民政府']);
  });
});

describe('org file validation', () => {
  const bad: [string, string, RegExp][] = [
    ['YAML syntax', 'units:\n  - id: a\n    name: [unclosed\n', /line \d+: YAML syntax error/],
    [
      'unknown role',
      SMALL.replace('roles: [spokesperson]', 'roles: [speaker]'),
      /line 13, units\[1\]\.members\[0\]\.roles\[0\]: Invalid option/,
    ],
    [
      'unknown handles key',
      SMALL.replace('handles: [教育]', 'handles: [体育]'),
      /line 10, units\[1\]\.handles\[0\]/,
    ],
    ['missing name', SMALL.replace('    name: 测试市人民政府办公室\n', ''), /line 15, units\[2\]\.name: /],
    [
      'unknown parent',
      SMALL.replace('parent: gov\n    handles: [统筹]', 'parent: nowhere\n    handles: [统筹]'),
      /line 17, units\[2\]\.parent: no unit with id "nowhere"/,
    ],
    ['duplicate id', SMALL.replace('id: office', 'id: edu'), /units\[2\]\.id: duplicate unit id "edu"/],
    [
      'unknown cc',
      SMALL.replace('cc: [office]', 'cc: [nobody]'),
      /line 19, cc\[0\]: no unit with id "nobody"/,
    ],
    [
      'two units with one Feishu group',
      SMALL.replace('handles: [统筹]', 'handles: [统筹]\n    feishu_chat: oc_edu'),
      /line 19, units\[2\].feishu_chat: "oc_edu" is already the group of unit "edu" \(units\[1\]\.feishu_chat\)/,
    ],
    [
      'two units with one WeCom room',
      SMALL.replace('feishu_chat: oc_edu', 'wecom_room: 舆情群').replace(
        'handles: [统筹]',
        'handles: [统筹]\n    wecom_room: 舆情群',
      ),
      /line 19, units\[2\].wecom_room: "舆情群" is already the group of unit "edu"/,
    ],
    [
      'two people with one Feishu id',
      SMALL.replace(
        '{ id: ldr, name: 领导甲, roles: [leader, approver] }',
        '{ id: ldr, name: 领导甲, roles: [leader], feishu: ou_spk }',
      ),
      /line 14, units\[1\]\.members\[1\]\.feishu: feishu "ou_spk" is already person "spk"'s/,
    ],
    [
      'two people with one WeCom id',
      SMALL.replace('roles: [admin] }', 'roles: [admin], wecom: wm }').replace(
        'roles: [leader, approver] }',
        'roles: [leader, approver], wecom: wm }',
      ),
      /line 14, units\[1\]\.members\[1\]\.wecom: wecom "wm" is already person "admin"'s/,
    ],
    [
      'one person with two Feishu ids',
      SMALL.replace(
        'roles: [admin] }',
        'roles: [admin] }\n      - { id: spk, name: 发言人甲, roles: [officer], feishu: ou_other }',
      ),
      /units\[1\]\.members\[0\]\.feishu: person "spk" has feishu "ou_other" elsewhere in the file and "ou_spk" here/,
    ],
    [
      'one person twice in a unit',
      SMALL.replace(
        'roles: [leader, approver] }',
        'roles: [leader] }\n      - { id: ldr, name: 领导甲, roles: [approver] }',
      ),
      /line 15, units\[1\]\.members\[2\]\.id: person "ldr" is listed twice in unit "edu"/,
    ],
    [
      'unknown field',
      SMALL.replace('handles: [统筹]', 'handles: [统筹]\n    chat: x'),
      /units\[2\]: Unrecognized key: "chat"/,
    ],
  ];

  // Scalars that YAML 1.1 reads as booleans, dates or numbers, and other spellings of the same data.
  const SPELLINGS = `# 组织目录
units:
  - id: gov
    name: 2026-01-01   # a name that looks like a date
    members:
      - id: p1
        name: no
        roles: [admin]
      - { id: p2, name: 'on', roles: [officer], feishu: yes }
  - id: edu
    name: >-
      测试市
      教育局
    parent: gov
    handles:
      - 教育
    members:
cc: [edu]
`;

  it.each([
    ['the demo org', demo],
    ['a small org', SMALL],
    ['YAML 1.1 look-alikes, comments, folded and block scalars', SPELLINGS],
    ['a province of 300 units', orgYaml(largeOrg({ units: 300, perUnit: 10 }))],
  ])('%s reads the same as the YAML 1.2 reference parser reads it', (_name, text) => {
    expect(parseOrgFile(text)).toEqual(orgFileSchema.parse(parseYaml(text)));
  });

  it('YAML 1.2: no, on, yes and a date-like name stay text', () => {
    const org = parseOrgFile(SPELLINGS);
    expect(org.units[0]?.name).toBe('2026-01-01');
    expect(org.units[0]?.members.map((m) => [m.name, m.feishu])).toEqual([
      ['no', undefined],
      ['on', 'yes'],
    ]);
    expect(org.units[1]).toMatchObject({ name: '测试市 教育局', handles: ['教育'], members: [] });
  });

  it.each(bad)('%s: the error names the line and the field', (_name, text, expected) => {
    expect(() => parseOrgFile(text, 'org.yaml')).toThrow(OrgFileError);
    expect(() => parseOrgFile(text, 'org.yaml')).toThrow(expected);
  });
});
