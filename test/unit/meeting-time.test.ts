import { describe, expect, it } from 'vitest';
import { slackDateToken } from '../../src/slack/date-token.js';
import {
  formatInZone,
  isValidTimeZone,
  localToUtc,
  utcToLocalParts,
} from '../../src/time/zone.js';

const DETROIT = 'America/Detroit';

function instant(date: string, time: string, zone = DETROIT): string {
  const r = localToUtc(date, time, zone);
  if (!r.ok) throw new Error(`expected ${date} ${time} ${zone} to convert, got ${r.reason}`);
  return r.at.toISOString();
}

describe('localToUtc', () => {
  it('converts ordinary Detroit times using EDT in summer and EST in winter', () => {
    expect(instant('2026-10-30', '10:00')).toBe('2026-10-30T14:00:00.000Z');
    expect(instant('2026-11-02', '10:00')).toBe('2026-11-02T15:00:00.000Z');
    expect(instant('2027-03-12', '10:00')).toBe('2027-03-12T15:00:00.000Z');
    expect(instant('2027-03-15', '10:00')).toBe('2027-03-15T14:00:00.000Z');
  });

  it('refuses a time inside the spring-forward gap as nonexistent', () => {
    // 2027-03-14: clocks jump from 02:00 EST straight to 03:00 EDT.
    expect(localToUtc('2027-03-14', '02:30', DETROIT)).toEqual({ ok: false, reason: 'nonexistent_local_time' });
    expect(localToUtc('2027-03-14', '02:00', DETROIT)).toEqual({ ok: false, reason: 'nonexistent_local_time' });
    expect(localToUtc('2027-03-14', '02:59', DETROIT)).toEqual({ ok: false, reason: 'nonexistent_local_time' });
  });

  it('accepts the minutes just around the spring-forward gap', () => {
    expect(instant('2027-03-14', '01:59')).toBe('2027-03-14T06:59:00.000Z');
    expect(instant('2027-03-14', '03:00')).toBe('2027-03-14T07:00:00.000Z');
  });

  it('resolves an ambiguous fall-back time to the earlier (EDT) instant', () => {
    // 2026-11-01 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(instant('2026-11-01', '01:30')).toBe('2026-11-01T05:30:00.000Z');
    expect(instant('2026-11-01', '01:00')).toBe('2026-11-01T05:00:00.000Z');
    expect(instant('2026-11-01', '02:00')).toBe('2026-11-01T07:00:00.000Z');
  });

  it('handles the southern hemisphere and half-hour offsets', () => {
    // Sydney springs forward 2026-10-04 02:00 → 03:00; Kolkata is UTC+05:30 with no DST.
    expect(localToUtc('2026-10-04', '02:30', 'Australia/Sydney')).toEqual({ ok: false, reason: 'nonexistent_local_time' });
    expect(instant('2026-10-04', '03:30', 'Australia/Sydney')).toBe('2026-10-03T16:30:00.000Z');
    expect(instant('2026-03-01', '10:00', 'Asia/Kolkata')).toBe('2026-03-01T04:30:00.000Z');
  });

  it('refuses a local date that was skipped entirely (Samoa, 2011-12-30)', () => {
    expect(localToUtc('2011-12-30', '12:00', 'Pacific/Apia')).toEqual({ ok: false, reason: 'nonexistent_local_time' });
  });

  it('refuses impossible and malformed dates', () => {
    expect(localToUtc('2026-02-30', '10:00', DETROIT)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(localToUtc('2026-13-01', '10:00', DETROIT)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(localToUtc('2027-02-29', '10:00', DETROIT)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(localToUtc('2026-1-5', '10:00', DETROIT)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(localToUtc('0000-01-01', '10:00', DETROIT)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(instant('2028-02-29', '10:00')).toBe('2028-02-29T15:00:00.000Z');
  });

  it('refuses malformed times', () => {
    for (const t of ['24:00', '9:00', '10:60', '10:00:00', '10.00', '']) {
      expect(localToUtc('2026-10-30', t, DETROIT)).toEqual({ ok: false, reason: 'invalid_time' });
    }
  });

  it('refuses an unknown time zone', () => {
    expect(localToUtc('2026-10-30', '10:00', 'Mars/Olympus_Mons')).toEqual({ ok: false, reason: 'invalid_zone' });
    expect(localToUtc('2026-10-30', '10:00', '')).toEqual({ ok: false, reason: 'invalid_zone' });
  });
});

describe('utcToLocalParts', () => {
  it('reports the Detroit wall clock and offset on both sides of the November change', () => {
    expect(utcToLocalParts(new Date('2026-10-30T14:00:00Z'), DETROIT)).toEqual({
      date: '2026-10-30',
      time: '10:00',
      weekday: 'Fri',
      offsetMinutes: -240,
    });
    expect(utcToLocalParts(new Date('2026-11-02T15:00:00Z'), DETROIT)).toEqual({
      date: '2026-11-02',
      time: '10:00',
      weekday: 'Mon',
      offsetMinutes: -300,
    });
  });

  it('distinguishes the two occurrences of 01:30 on the fall-back night by offset', () => {
    expect(utcToLocalParts(new Date('2026-11-01T05:30:00Z'), DETROIT)).toMatchObject({ time: '01:30', offsetMinutes: -240 });
    expect(utcToLocalParts(new Date('2026-11-01T06:30:00Z'), DETROIT)).toMatchObject({ time: '01:30', offsetMinutes: -300 });
  });

  it('rolls the local date over midnight and renders midnight as 00:00', () => {
    expect(utcToLocalParts(new Date('2026-12-01T04:00:00Z'), DETROIT)).toEqual({
      date: '2026-11-30',
      time: '23:00',
      weekday: 'Mon',
      offsetMinutes: -300,
    });
    expect(utcToLocalParts(new Date('2026-12-01T05:00:00Z'), DETROIT)).toMatchObject({ date: '2026-12-01', time: '00:00' });
  });

  it('reports positive and fractional-hour offsets', () => {
    expect(utcToLocalParts(new Date('2026-03-01T04:30:00Z'), 'Asia/Kolkata')).toEqual({
      date: '2026-03-01',
      time: '10:00',
      weekday: 'Sun',
      offsetMinutes: 330,
    });
  });

  it('round-trips with localToUtc for every hour of the fall-back and spring-forward days', () => {
    for (const start of ['2026-11-01T00:00:00Z', '2027-03-14T00:00:00Z']) {
      for (let h = 0; h < 30; h++) {
        const at = new Date(Date.parse(start) + h * 3_600_000);
        const p = utcToLocalParts(at, DETROIT);
        const back = localToUtc(p.date, p.time, DETROIT);
        expect(back.ok).toBe(true);
        if (back.ok) {
          // Only the second (EST) 01:xx on the fall-back night maps to a different instant.
          const expected = p.time.startsWith('01:') && p.offsetMinutes === -300 && p.date === '2026-11-01'
            ? at.getTime() - 3_600_000
            : at.getTime();
          expect(back.at.getTime()).toBe(expected);
        }
      }
    }
  });

  it('throws on an unknown zone or invalid date', () => {
    expect(() => utcToLocalParts(new Date('2026-10-30T14:00:00Z'), 'Nope/Zone')).toThrow(RangeError);
    expect(() => utcToLocalParts(new Date(Number.NaN), DETROIT)).toThrow(RangeError);
  });
});

describe('formatInZone', () => {
  it('formats a human fallback with weekday, date, 24h time and zone abbreviation', () => {
    expect(formatInZone(new Date('2026-11-30T15:00:00Z'), DETROIT)).toBe('Mon 30 Nov 2026, 10:00 EST');
    expect(formatInZone(new Date('2026-10-30T14:00:00Z'), DETROIT)).toBe('Fri 30 Oct 2026, 10:00 EDT');
    expect(formatInZone(new Date('2027-01-05T14:05:00Z'), 'UTC')).toBe('Tue 5 Jan 2027, 14:05 UTC');
  });
});

describe('slackDateToken', () => {
  const at = new Date('2026-11-30T15:00:00.999Z');

  it('builds a <!date^UNIX^FORMAT|FALLBACK> token with whole seconds', () => {
    expect(slackDateToken(at, '{date_short_pretty} at {time}', 'Mon 30 Nov 2026, 10:00 EST')).toBe(
      '<!date^1796050800^{date_short_pretty} at {time}|Mon 30 Nov 2026, 10:00 EST>',
    );
  });

  it('escapes &, < and > in the fallback and strips | and ^', () => {
    expect(slackDateToken(at, '{time}', 'R&D <team> | 10^00 > noon')).toBe(
      '<!date^1796050800^{time}|R&amp;D &lt;team&gt;  1000 &gt; noon>',
    );
  });

  it('does not double-escape an existing entity-like fallback', () => {
    expect(slackDateToken(at, '{time}', '&lt;')).toBe('<!date^1796050800^{time}|&amp;lt;>');
  });

  it('rejects a format that would break out of the token', () => {
    expect(() => slackDateToken(at, '{time}|x', 'f')).toThrow(RangeError);
    expect(() => slackDateToken(at, '{time}^https://x', 'f')).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and UTC', () => {
    expect(isValidTimeZone('America/Detroit')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
  });

  it('rejects unknown names and the empty string', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('   ')).toBe(false);
  });
});
