import { describe, expect, it } from 'vitest';
import { HuiyinError } from '../../src/core/errors.js';
import { parseOccurredAt } from '../../src/core/occurred-at.js';
import { caught } from '../helpers/caught.js';

/** 2026-11-22 11:00 in Shanghai. */
const NOW = new Date('2026-11-22T03:00:00Z');
/** 2026-11-22 00:30 in Shanghai, still 11-21 in UTC. */
const AFTER_MIDNIGHT = new Date('2026-11-21T16:30:00Z');
/** 2027-01-01 09:00 in Shanghai. */
const NEW_YEAR = new Date('2027-01-01T01:00:00Z');

describe('parseOccurredAt (Asia/Shanghai, +08:00)', () => {
  it.each([
    ['09:10', '2026-11-22T01:10:00.000Z'],
    ['9:10', '2026-11-22T01:10:00.000Z'],
    ['今天09:10', '2026-11-22T01:10:00.000Z'],
    ['今天 09:10', '2026-11-22T01:10:00.000Z'],
    ['昨天 18:00', '2026-11-21T10:00:00.000Z'],
    ['昨天18:00', '2026-11-21T10:00:00.000Z'],
    ['昨天18点', '2026-11-21T10:00:00.000Z'],
    ['9点', '2026-11-22T01:00:00.000Z'],
    ['9时15分', '2026-11-22T01:15:00.000Z'],
    ['前天 8:05', '2026-11-20T00:05:00.000Z'],
    ['2026-11-22 09:10', '2026-11-22T01:10:00.000Z'],
    ['2026/11/21 23:59', '2026-11-21T15:59:00.000Z'],
    ['2026.11.21 9:30', '2026-11-21T01:30:00.000Z'],
    ['2026-11-21T09:30', '2026-11-21T01:30:00.000Z'],
    ['2026年11月21日 9点30分', '2026-11-21T01:30:00.000Z'],
    ['2026年11月21日9点30分', '2026-11-21T01:30:00.000Z'],
    ['11月20日 10:00', '2026-11-20T02:00:00.000Z'],
    ['11-20 10:00', '2026-11-20T02:00:00.000Z'],
    ['2025-12-31 23:00', '2025-12-31T15:00:00.000Z'],
    ['30分钟前', '2026-11-22T02:30:00.000Z'],
    ['30 分钟前', '2026-11-22T02:30:00.000Z'],
    ['2小时前', '2026-11-22T01:00:00.000Z'],
    ['1天前', '2026-11-21T03:00:00.000Z'],
    ['刚刚', '2026-11-22T03:00:00.000Z'],
    ['０９：１０', '2026-11-22T01:10:00.000Z'],
    ['09：10', '2026-11-22T01:10:00.000Z'],
    ['  今天\u300009:10 ', '2026-11-22T01:10:00.000Z'],
  ])('%j at 11:00 → %s', (input, iso) => {
    expect(parseOccurredAt(input, NOW).toISOString()).toBe(iso);
  });

  it('accepts a few minutes of clock skew into the future', () => {
    expect(parseOccurredAt('11:05', NOW).toISOString()).toBe('2026-11-22T03:05:00.000Z');
    expect(caught(() => parseOccurredAt('11:06', NOW))).toMatchObject({ code: 'huiyin_future_time' });
  });

  describe('across the Shanghai midnight (now = 11-22 00:30 Shanghai = 11-21 16:30Z)', () => {
    it.each([
      ['昨天 23:50', '2026-11-21T15:50:00.000Z'],
      ['00:10', '2026-11-21T16:10:00.000Z'],
      ['今天 00:10', '2026-11-21T16:10:00.000Z'],
      ['前天 23:50', '2026-11-20T15:50:00.000Z'],
      ['11月21日 23:50', '2026-11-21T15:50:00.000Z'],
      ['11月22日 0:20', '2026-11-21T16:20:00.000Z'],
    ])('%j → %s', (input, iso) => {
      expect(parseOccurredAt(input, AFTER_MIDNIGHT).toISOString()).toBe(iso);
    });

    it('a bare 23:50 is today, hence in the future', () => {
      expect(caught(() => parseOccurredAt('23:50', AFTER_MIDNIGHT))).toMatchObject({
        code: 'huiyin_future_time',
      });
    });
  });

  it('a month-day without a year on 1 January means last December', () => {
    expect(parseOccurredAt('12月31日 10:00', NEW_YEAR).toISOString()).toBe('2026-12-31T02:00:00.000Z');
    expect(parseOccurredAt('昨天 10:00', NEW_YEAR).toISOString()).toBe('2026-12-31T02:00:00.000Z');
  });

  describe('errors', () => {
    it.each([
      '25:00',
      '24:00',
      '10:60',
      '2026-02-30 10:00',
      '2026-13-01 10:00',
      '明天 9:00',
      'abc',
      '',
      '今天',
      '9',
      '2026-11-22',
      '2026/11/21',
      '11-22',
      '2026-11-22 09:10:30',
    ])('%j is not a time', (input) => {
      const err = caught(() => parseOccurredAt(input, NOW));
      expect(err).toBeInstanceOf(HuiyinError);
      expect(err).toMatchObject({
        name: 'HuiyinError',
        code: 'huiyin_bad_time',
        message: `无法识别事发时间「${input}」。可以写：09:10、今天09:10、昨天 18:00、2026-11-22 09:10、30分钟前、2小时前（北京时间）。`,
      });
    });

    it('a time later than now is refused with a hint to write 昨天', () => {
      const err = caught(() => parseOccurredAt('23:00', NOW));
      expect(err).toBeInstanceOf(HuiyinError);
      expect(err).toMatchObject({
        code: 'huiyin_future_time',
        message: '事发时间「23:00」晚于当前时间。若是昨天的事，请写「昨天 23:00」。',
      });
    });

    it('今天 with a later time: the hint drops 今天', () => {
      expect(caught(() => parseOccurredAt('今天 23:00', NOW))).toMatchObject({
        code: 'huiyin_future_time',
        message: '事发时间「今天 23:00」晚于当前时间。若是昨天的事，请写「昨天 23:00」。',
      });
    });

    it('a full date in the future', () => {
      expect(caught(() => parseOccurredAt('2026-11-23 08:00', NOW))).toMatchObject({
        code: 'huiyin_future_time',
      });
    });
  });
});
