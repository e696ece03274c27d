import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client.js';
import { readOrgFile } from '../../../db/org-file.js';
import type { ItemRow } from '../../../db/repos/item-repo.js';
import { importOrg } from '../../../db/repos/org-repo.js';
import { approvalAnchor, itemCards } from '../../../db/repos/outbox-repo.js';
import {
  approvalCardMessages,
  insertWording,
  type WordingRow,
  wordingDrafter,
} from '../../../db/repos/wording-repo.js';
import { itemMessages } from '../../../db/schema.js';
import { bareItem } from '../../helpers/bare-item.js';
import { DB_KINDS, freshDatabase } from '../../helpers/databases.js';
import { fixtureOrg } from '../../helpers/fixtures.js';

const now = new Date('2026-11-22T03:00:00Z');

const ORG = readOrgFile(fixtureOrg('repo-units'));

describe.each(DB_KINDS)('wording repository, the messages and people a wording flow needs (%s)', (kind) => {
  let database: Database;
  // Each test makes its own items, so the tests hold in any order.
  const newItem = (): Promise<ItemRow> => bareItem(database.db, 'edu');
  const sent = (itemId: number, platform: string, chatId: string, kind: string) =>
    database.db
      .insert(itemMessages)
      .values({ itemId, platform, chatId, kind, messageId: `${platform}:${chatId}:${kind}` });

  const newWording = (itemId: number, drafterPersonId: string | null): Promise<WordingRow> =>
    insertWording(database.db, {
      itemId,
      text: '经核查，网传不实。',
      drafterPersonId,
      drafterName: '王敏',
      unitIds: ['edu', 'hbt'],
      submittedAt: now,
    });

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await importOrg(database.db, ORG, now);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('approvalCardMessages finds one wording’s cards with the unit each asks, and no other wording’s', async () => {
    const item = await newItem();
    const other = await newItem();
    // Wording ids that share a prefix (1 and 12, say) must not share cards.
    const first = await newWording(item.id, null);
    let twelfth = first;
    while (!String(twelfth.id).startsWith(String(first.id)) || twelfth.id === first.id)
      twelfth = await newWording(item.id, null);
    await sent(item.id, 'feishu', 'oc_edu', approvalAnchor(first.id, 'edu'));
    await sent(item.id, 'feishu', 'oc_hbt', approvalAnchor(first.id, 'hbt'));
    await sent(item.id, 'feishu', 'oc_edu', approvalAnchor(twelfth.id, 'edu'));
    await sent(item.id, 'feishu', 'oc_edu', 'card');
    await sent(other.id, 'feishu', 'oc_edu', approvalAnchor(first.id, 'edu'));

    const cards = await approvalCardMessages(database.db, item.id, first.id);
    expect(cards.sort((a, b) => a.unitId.localeCompare(b.unitId))).toEqual([
      {
        platform: 'feishu',
        chatId: 'oc_edu',
        messageId: `feishu:oc_edu:approval:${first.id}:edu`,
        unitId: 'edu',
      },
      {
        platform: 'feishu',
        chatId: 'oc_hbt',
        messageId: `feishu:oc_hbt:approval:${first.id}:hbt`,
        unitId: 'hbt',
      },
    ]);
    expect((await approvalCardMessages(database.db, item.id, twelfth.id)).map((c) => c.unitId)).toEqual([
      'edu',
    ]);
  });

  it('itemCards finds the item’s cards on one platform only, not its other messages', async () => {
    const item = await newItem();
    await sent(item.id, 'feishu', 'oc_edu', 'card');
    await sent(item.id, 'feishu', 'oc_edu', approvalAnchor(1, 'edu'));
    await sent(item.id, 'feishu', 'oc_hbt', 'card');
    await sent(item.id, 'feishu', 'oc_hbt', 'clock');
    await sent(item.id, 'sandbox', 'sb-edu', 'card');
    const cards = await itemCards(database.db, item.id, 'feishu');
    expect(cards.map((c) => c.chatId).sort()).toEqual(['oc_edu', 'oc_hbt']);
    expect(cards.every((c) => c.platform === 'feishu' && c.messageId.endsWith(':card'))).toBe(true);
    expect(await itemCards(database.db, item.id, 'wecom')).toEqual([]);
  });

  it('wordingDrafter is the recorded drafter, or null when none was recorded', async () => {
    const item = await newItem();
    expect(await wordingDrafter(database.db, await newWording(item.id, 'edu-spk'))).toEqual({
      id: 'edu-spk',
      name: '王敏',
      feishuId: 'ou_wm',
      wecomId: null,
    });
    expect(await wordingDrafter(database.db, await newWording(item.id, null))).toBeNull();
  });
});
