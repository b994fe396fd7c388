import { describe, expect, it } from 'vitest';
import { localDate, localDateTime } from '../../src/features/report/build.js';
import { parsePeriod, previousQuarter, weekIndex, weeksOf } from '../../src/features/report/period.js';
import { utcToLocalParts } from '../../src/time/zone.js';

const TZ = 'America/Detroit';
const NOW = new Date('2026-11-30T15:00:00Z'); // Monday

function period(text: string | undefined, now = NOW) {
  const result = parsePeriod(text, now, TZ);
  if (!result.ok) throw new Error(result.message);
  return result.period;
}

describe('report periods', () => {
  it('reads every period the command documents, as whole local days', () => {
    expect(period(undefined)).toMatchObject({ spec: 'last-month', label: 'October 2026', firstDay: '2026-10-01', lastDay: '2026-10-31', start: Date.parse('2026-10-01T04:00:00Z'), end: Date.parse('2026-11-01T04:00:00Z') });
    expect(period('last-week')).toMatchObject({ firstDay: '2026-11-23', lastDay: '2026-11-29', label: 'the week of 23 Nov – 29 Nov 2026' });
    expect(period('this-quarter')).toMatchObject({ firstDay: '2026-10-01', lastDay: '2026-11-30', label: 'Q4 2026 to date (1 Oct – 30 Nov 2026)' });
    expect(period('last-quarter')).toMatchObject({ firstDay: '2026-07-01', lastDay: '2026-09-30', label: 'Q3 2026', slug: '2026-Q3' });
    expect(period('2026-q4')).toMatchObject({ spec: '2026-Q4', firstDay: '2026-10-01', lastDay: '2026-12-31' });
    expect(period('2026-09')).toMatchObject({ label: 'September 2026', firstDay: '2026-09-01', lastDay: '2026-09-30' });
    expect(period('2026-09-01..2026-11-30')).toMatchObject({ label: '1 Sep – 30 Nov 2026', slug: '2026-09-01_2026-11-30', end: Date.parse('2026-12-01T05:00:00Z') });
    expect(period('2025-12-15..2026-01-10').label).toBe('15 Dec 2025 – 10 Jan 2026');
  });

  it('counts the daylight-saving change inside a period: November 2026 has 30 days and one extra hour', () => {
    const november = period('2026-11');
    expect(november.end - november.start).toBe(30 * 86_400_000 + 3_600_000);
  });

  it('goes back a year from January', () => {
    expect(period('last-month', new Date('2027-01-05T15:00:00Z'))).toMatchObject({ label: 'December 2026' });
    expect(previousQuarter(Date.parse('2027-01-01T13:00:00Z'), TZ)).toMatchObject({ slug: '2026-Q4' });
  });

  it('refuses what is not a period, with an example', () => {
    for (const [text, says] of [
      ['someday', 'is not a period I know. Use `last-week`'],
      ['2026-13', 'is not a period I know'],
      ['2026-02-29..2026-03-10', 'is not a range of real dates'],
      ['2026-11-30..2026-10-01', 'The range ends before it starts'],
      ['2020-01-01..2026-01-01', 'at most 1098 days'],
      ['2026-12-01..2026-12-31', 'starts after today'],
      ['2027-Q1', 'Q1 2027 has not started yet'],
    ] as const) {
      const result = parsePeriod(text, NOW, TZ);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain(says);
    }
  });

  it('splits a period into Monday-started weeks and finds the week of an instant', () => {
    const weeks = weeksOf(period('2026-10'), TZ);
    expect(weeks.map((w) => w.label)).toEqual(['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    expect(weekIndex(weeks, Date.parse('2026-10-05T03:59:59Z'))).toBe(0);
    expect(weekIndex(weeks, Date.parse('2026-10-05T04:00:00Z'))).toBe(1);
    expect(weekIndex(weeks, Date.parse('2026-09-01T00:00:00Z'))).toBe(-1);
  });

  it('formats CSV dates on the local clock exactly as Intl does, across the daylight-saving change', () => {
    for (let ms = Date.parse('2026-10-31T00:00:00Z'); ms < Date.parse('2026-11-03T00:00:00Z'); ms += 7 * 60_000) {
      const p = utcToLocalParts(new Date(ms), TZ);
      expect(localDateTime(ms, TZ)).toBe(`${p.date} ${p.time}`);
      expect(localDate(ms, TZ)).toBe(p.date);
    }
  });

  it('does so too where the clock changes on a half hour (UTC) or by half an hour', () => {
    // St John's (UTC−3:30) changes at 02:00 local, 05:30 UTC: in the middle of a UTC hour. Lord Howe
    // moves by 30 minutes. Kathmandu is 5:45 ahead, with no change.
    for (const [zone, from] of [
      ['America/St_Johns', '2026-11-01T00:00:00Z'],
      ['America/St_Johns', '2026-03-08T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T12:00:00Z'],
      ['Asia/Kathmandu', '2026-10-31T00:00:00Z'],
    ] as const) {
      for (let ms = Date.parse(from); ms < Date.parse(from) + 2 * 86_400_000; ms += 5 * 60_000) {
        const p = utcToLocalParts(new Date(ms), zone);
        expect(localDateTime(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toBe(`${p.date} ${p.time}`);
        expect(localDate(ms, zone)).toBe(p.date);
      }
    }
  });
});
