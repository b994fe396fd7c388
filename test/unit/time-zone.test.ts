import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { slackDate } from '../../src/slack/date-token.js';
import { DateFormats, formatIn, instantOfWall, localToUtc, offsetAt, todayIn, wallOf } from '../../src/time/zone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const DETROIT = 'America/Detroit';
const HOUR = 3_600_000;

describe('why localToUtc does not call dayjs.tz() directly', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dayjs.tz() moves a time the clocks skip to an hour later instead of saying it does not exist', () => {
    expect(dayjs.tz('2027-03-14 02:30', DETROIT).toISOString()).toBe('2027-03-14T07:30:00.000Z'); // 03:30 EDT
    expect(localToUtc('2027-03-14', '02:30', DETROIT)).toEqual({ ok: false, reason: 'nonexistent_local_time' });
  });

  it('dayjs.tz() reads a repeated time with the offset in force on the day you ask, so its answer changes with the season', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-07-01T12:00:00Z'));
    const askedInSummer = dayjs.tz('2026-11-01 01:30', DETROIT).toISOString();
    vi.setSystemTime(new Date('2026-12-01T12:00:00Z'));
    const askedInWinter = dayjs.tz('2026-11-01 01:30', DETROIT).toISOString();
    expect([askedInSummer, askedInWinter]).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    // Ours takes the first (daylight-time) reading whenever it is asked.
    const ours = localToUtc('2026-11-01', '01:30', DETROIT);
    expect(ours.ok && ours.at.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('wall clock and instants', () => {
  it('reads the offset on both sides of the November change, and in the repeated hour', () => {
    expect(offsetAt(Date.parse('2026-11-01T05:30:00Z'), DETROIT)).toBe(-4 * HOUR);
    expect(offsetAt(Date.parse('2026-11-01T06:30:00Z'), DETROIT)).toBe(-5 * HOUR);
    expect(offsetAt(Date.parse('2026-03-01T04:30:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(offsetAt(0, 'UTC')).toBe(0);
  });

  it('maps an instant to its wall clock and back, the first instant for a repeated wall time, none for a skipped one', () => {
    const at = Date.parse('2026-11-01T06:30:00Z'); // 01:30 EST, the second 01:30 that night
    expect(new Date(wallOf(at, DETROIT)).toISOString()).toBe('2026-11-01T01:30:00.000Z');
    expect(instantOfWall(wallOf(at, DETROIT), DETROIT)).toBe(at - HOUR);
    expect(instantOfWall(Date.parse('2027-03-14T02:30:00Z'), DETROIT)).toBeNull();
    expect(instantOfWall(Date.parse('2026-07-01T08:00:00Z'), 'America/Chicago')).toBe(Date.parse('2026-07-01T13:00:00Z'));
  });

  it('says what day it is in the zone, not in UTC', () => {
    expect(todayIn(new Date('2025-03-11T02:30:00Z'), DETROIT)).toBe('2025-03-10');
    expect(todayIn(new Date('2025-03-11T02:30:00Z'), 'UTC')).toBe('2025-03-11');
  });

  it('formats in the zone', () => {
    const at = Date.parse('2026-03-12T18:00:00Z');
    expect(formatIn(at, DETROIT, DateFormats.dateTime)).toBe('12 Mar 2026, 14:00');
    expect(formatIn(at, DETROIT, DateFormats.weekdayDateTime)).toBe('Thu, 12 Mar 2026, 14:00');
    expect(formatIn(at, 'America/Chicago', DateFormats.weekdayDateTimeZone)).toBe('Thu 12 Mar 2026, 13:00 CDT');
    expect(formatIn(at, 'Asia/Kolkata', DateFormats.timeZone)).toBe('23:30 GMT+5:30');
    expect(() => formatIn(at, 'Nope/Zone', DateFormats.date)).toThrow(RangeError);
  });
});

describe('slackDate', () => {
  const at = Date.parse('2026-03-12T18:00:00Z');

  it('writes a date token each reader sees in their own zone, with a fallback in the given zone', () => {
    expect(slackDate(at, DETROIT)).toBe('<!date^1773338400^{date_short_pretty} at {time}|Thu 12 Mar, 14:00>');
    expect(slackDate(at, 'America/Chicago', 'long')).toBe('<!date^1773338400^{date_long_pretty} at {time}|Thu 12 Mar 2026, 13:00 CDT>');
    expect(slackDate(at, DETROIT, 'time')).toBe('<!date^1773338400^{time}|14:00 EDT>');
  });
});
