import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderCard } from '../../../src/adapters/feishu/render.js';
import { activeMarkdown, decodeEntities } from '../../helpers/markdown.js';

const TYPED =
  '经核查，网传不实。\n# 标题\n---\n[点我](https://evil.example)\n1. 列表\n- 条目\n> 引用\n===\n<at id=all></at> **粗** _斜_ `码` ~~删~~ | 表 |';

describe('user text in Feishu card markdown', () => {
  it('a 口径 with headings, rules, lists, links and tags renders as the literal text', () => {
    const md = escapeMarkdown(TYPED);
    expect(activeMarkdown(md)).toEqual([]);
    expect(decodeEntities(md)).toBe(TYPED);
  });

  it('in a card, body parts and field values show every character as itself', () => {
    const card = renderCard({
      title: '口径审核 YQ1',
      fields: [{ label: '口径', value: TYPED }],
      body: [
        { t: 'at', id: 'ou_x', name: '王敏' },
        { t: 'text', v: '请审核：\n' },
        { t: 'text', v: TYPED },
      ],
      buttons: [],
    });
    const elements = (card.body as { elements: { tag: string; content: string }[] }).elements;
    for (const e of elements.filter((x) => x.tag === 'markdown')) {
      expect(activeMarkdown(e.content)).toEqual([]);
      expect(decodeEntities(e.content)).toContain(TYPED);
    }
  });

  it('any text comes back unchanged once entities are decoded, with no markdown left active', () => {
    const chars = fc.constantFrom(...'#-+=*_~`[]()<>|\\&$!.1 9\n\t标题:：'.split(''), 'https://');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 40 }).map((xs) => xs.join('')),
        (text) => {
          const md = escapeMarkdown(text);
          return decodeEntities(md) === text && activeMarkdown(md).length === 0;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
