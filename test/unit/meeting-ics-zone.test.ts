import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildIcs, type IcsEvent } from '../../src/features/meeting/ics.js';
import { localToUtc } from '../../src/time/zone.js';

function at(date: string, time: string, zone: string): Date {
  const r = localToUtc(date, time, zone);
  if (!r.ok) throw new Error(`cannot convert ${date} ${time}: ${r.reason}`);
  return r.at;
}

function event(overrides: Partial<IcsEvent>): IcsEvent {
  return {
    uid: 'meeting-7@alliance.T123',
    sequence: 0,
    startsAt: at('2026-11-02', '10:00', 'America/Detroit'),
    durationMinutes: 60,
    timeZone: 'America/Detroit',
    title: 'CNA Team Meeting',
    status: 'CONFIRMED',
    stamp: new Date('2026-10-01T12:34:56Z'),
    ...overrides,
  };
}

function parsed(ics: string): { cal: ICAL.Component; event: ICAL.Event } {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const vevent = cal.getFirstSubcomponent('vevent');
  if (vevent === null) throw new Error('no VEVENT');
  return { cal, event: new ICAL.Event(vevent) };
}

describe('calendar files in the scheduler’s time zone', () => {
  it.each([
    ['EDT before the November 2026 change', '2026-10-30', '20261030T100000', '2026-10-30T14:00:00.000Z'],
    ['EST after the November 2026 change', '2026-11-02', '20261102T100000', '2026-11-02T15:00:00.000Z'],
    ['EST before the March 2027 change', '2027-03-12', '20270312T100000', '2027-03-12T15:00:00.000Z'],
    ['EDT after the March 2027 change', '2027-03-15', '20270315T100000', '2027-03-15T14:00:00.000Z'],
  ])('10:00 in Detroit (%s) is written as 10:00 with TZID=America/Detroit and read back as the right instant', (_label, date, wall, instant) => {
    const ics = buildIcs(event({ startsAt: at(date, '10:00', 'America/Detroit'), durationMinutes: 90 }));
    expect(ics).toContain(`DTSTART;TZID=America/Detroit:${wall}\r\n`);
    const { cal, event: parsedEvent } = parsed(ics);
    expect(cal.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('America/Detroit');
    expect(parsedEvent.startDate.zone?.tzid).toBe('America/Detroit');
    expect(parsedEvent.startDate.toJSDate().toISOString()).toBe(instant);
    expect(parsedEvent.endDate.toJSDate().getTime() - Date.parse(instant)).toBe(90 * 60_000);
  });

  it('writes a Chicago scheduler’s meeting on Chicago’s clock', () => {
    const ics = buildIcs(event({ startsAt: at('2026-11-02', '09:00', 'America/Chicago'), timeZone: 'America/Chicago' }));
    expect(ics).toContain('DTSTART;TZID=America/Chicago:20261102T090000\r\n');
    expect(ics).toContain('TZID:America/Chicago\r\n');
    expect(parsed(ics).event.startDate.toJSDate().toISOString()).toBe('2026-11-02T15:00:00.000Z');
  });

  it('ends a meeting that spans the fall-back hour after the elapsed minutes, on the wall clock', () => {
    // 00:30 EDT plus 120 minutes is 01:30 EST (the clocks repeat 01:00–02:00).
    const ics = buildIcs(event({ startsAt: at('2026-11-01', '00:30', 'America/Detroit'), durationMinutes: 120 }));
    expect(ics).toContain('DTSTART;TZID=America/Detroit:20261101T003000\r\n');
    expect(ics).toContain('DTEND;TZID=America/Detroit:20261101T013000\r\n');
    const { event: parsedEvent } = parsed(ics);
    expect(parsedEvent.startDate.toJSDate().toISOString()).toBe('2026-11-01T04:30:00.000Z');
  });

  it('keeps the stamp in UTC and the URL as written', () => {
    const ics = buildIcs(event({ url: 'https://zoom.us/j/123?pwd=a,b;c' }));
    expect(ics).toContain('DTSTAMP:20261001T123456Z\r\n');
    expect(ics).toContain('URL:https://zoom.us/j/123?pwd=a,b;c\r\n');
  });

  it('writes UTC instants for a UTC scheduler or a zone it has no VTIMEZONE for', () => {
    for (const timeZone of ['UTC', 'Mars/Olympus_Mons']) {
      const ics = buildIcs(event({ timeZone }));
      expect(ics).toContain('DTSTART:20261102T150000Z\r\n');
      expect(ics).not.toContain('BEGIN:VTIMEZONE');
    }
  });
});
