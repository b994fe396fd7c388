import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildIcs, icsFilename, type IcsEvent } from '../../src/features/meeting/ics.js';
import { localToUtc } from '../../src/time/zone.js';

const DETROIT = 'America/Detroit';

function baseEvent(overrides: Partial<IcsEvent> = {}): IcsEvent {
  return {
    uid: 'meeting-7@alliance.T123',
    sequence: 0,
    startsAt: new Date('2026-10-30T14:00:00Z'),
    durationMinutes: 60,
    title: 'CNA Team Meeting',
    status: 'CONFIRMED',
    stamp: new Date('2026-10-01T12:34:56Z'),
    ...overrides,
  };
}

function parse(ics: string): { cal: ICAL.Component; vevent: ICAL.Component; event: ICAL.Event } {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const vevent = cal.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT in output');
  return { cal, vevent, event: new ICAL.Event(vevent) };
}

function detroit(date: string, time: string): Date {
  const r = localToUtc(date, time, DETROIT);
  if (!r.ok) throw new Error(`cannot convert ${date} ${time}: ${r.reason}`);
  return r.at;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Physical lines as they would be written to disk: bytes split on CRLF, each decoded strictly.
 * A fold between the two halves of a surrogate pair would not show up after UTF-8
 * encoding (it becomes U+FFFD), so the JS string lines are checked for lone surrogates first.
 */
function physicalLines(ics: string): string[] {
  for (const line of ics.split('\r\n')) expect(line).not.toMatch(LONE_SURROGATE);
  const bytes = new TextEncoder().encode(ics);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      const slice = bytes.subarray(start, i);
      expect(slice.length, `line ${lines.length + 1} octets`).toBeLessThanOrEqual(75);
      // fatal: throws if a multi-byte sequence was cut at a fold.
      lines.push(decoder.decode(slice));
      start = i + 2;
      i++;
    }
  }
  expect(start, 'output ends with CRLF').toBe(bytes.length);
  return lines;
}

describe('buildIcs calendar structure', () => {
  it('emits the VCALENDAR header, one VEVENT and the required properties', () => {
    const ics = buildIcs(baseEvent({ sequence: 2 }));
    const lines = physicalLines(ics);
    expect(lines.slice(0, 6)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Alliance//Workforce Collaborative//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'BEGIN:VEVENT',
    ]);
    expect(lines.slice(-2)).toEqual(['END:VEVENT', 'END:VCALENDAR']);
    expect(lines).toContain('DTSTAMP:20261001T123456Z');
    expect(lines).toContain('STATUS:CONFIRMED');

    const { cal, vevent, event } = parse(ics);
    expect(cal.getAllSubcomponents('vevent')).toHaveLength(1);
    expect(event.uid).toBe('meeting-7@alliance.T123');
    expect(event.sequence).toBe(2);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
  });

  it('uses CRLF for every line break and ends with CRLF', () => {
    const ics = buildIcs(
      baseEvent({ title: 'x'.repeat(300), description: 'line one\nline two\r\nline three' }),
    );
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics).not.toMatch(/[^\r]\n/);
    expect(ics).not.toMatch(/\r[^\n]/);
  });

  it('omits optional properties that are not given', () => {
    const ics = buildIcs(baseEvent());
    expect(ics).not.toMatch(/^(LOCATION|URL|DESCRIPTION|ORGANIZER)[:;]/m);
  });

  it('writes location, url and organizer name when given', () => {
    const ics = buildIcs(
      baseEvent({
        location: 'Room 4, Detroit Works; 2nd floor',
        url: 'https://zoom.us/j/123?pwd=a,b;c',
        organizerName: 'Dana "DJ" Smith, Chair',
      }),
    );
    const { vevent, event } = parse(ics);
    expect(event.location).toBe('Room 4, Detroit Works; 2nd floor');
    // URL is a URI value: commas and semicolons are kept literally, not TEXT-escaped.
    expect(ics).toContain('URL:https://zoom.us/j/123?pwd=a,b;c\r\n');
    expect(vevent.getFirstPropertyValue('url')).toBe('https://zoom.us/j/123?pwd=a,b;c');
    const organizer = vevent.getFirstProperty('organizer');
    expect(organizer?.getParameter('cn')).toBe("Dana 'DJ' Smith, Chair");
  });

  it('cannot be tricked into injecting properties through a URL containing line breaks', () => {
    const ics = buildIcs(baseEvent({ url: 'https://example.org/\r\nSTATUS:CANCELLED\nX-EVIL:1' }));
    const { vevent } = parse(ics);
    expect(vevent.getAllProperties('status')).toHaveLength(1);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstProperty('x-evil')).toBeNull();
  });

  it('marks a cancellation with METHOD:CANCEL, STATUS:CANCELLED and the bumped sequence', () => {
    const ics = buildIcs(baseEvent({ status: 'CANCELLED', sequence: 3 }));
    const { cal, vevent, event } = parse(ics);
    expect(cal.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.sequence).toBe(3);
    expect(event.uid).toBe('meeting-7@alliance.T123');
  });

  it('rejects a non-positive duration and a negative sequence', () => {
    expect(() => buildIcs(baseEvent({ durationMinutes: 0 }))).toThrow(RangeError);
    expect(() => buildIcs(baseEvent({ sequence: -1 }))).toThrow(RangeError);
    expect(() => buildIcs(baseEvent({ startsAt: new Date(Number.NaN) }))).toThrow(RangeError);
  });
});

describe('buildIcs TEXT escaping', () => {
  it('round-trips a SUMMARY containing commas, semicolons, backslashes and newlines', () => {
    const title = 'Budget, hiring; and C:\\plans\nsecond line';
    const ics = buildIcs(baseEvent({ title }));
    expect(ics).toContain('SUMMARY:Budget\\, hiring\\; and C:\\\\plans\\nsecond line\r\n');
    expect(parse(ics).event.summary).toBe(title);
  });

  it('round-trips a multi-line DESCRIPTION, normalising CRLF and CR to newline', () => {
    const agenda = '1. Welcome\r\n2. Apprenticeships, wages; benefits\r3. Next steps\n\n— thanks';
    const ics = buildIcs(baseEvent({ description: agenda }));
    expect(parse(ics).event.description).toBe(
      '1. Welcome\n2. Apprenticeships, wages; benefits\n3. Next steps\n\n— thanks',
    );
  });

  it('escapes the UID as TEXT so it round-trips exactly', () => {
    const uid = 'meeting-9;x,y@alliance.T123';
    expect(parse(buildIcs(baseEvent({ uid }))).event.uid).toBe(uid);
  });
});

describe('buildIcs line folding', () => {
  const longTitle =
    'Réunion trimestrielle 🎉🚀 des employeurs — café ☕, naïveté, Ünïcödé; ' +
    '👩‍👩‍👧‍👦 family emoji and 日本語のテキスト '.repeat(6) +
    'ending with ééééééééééééééé';
  const longDescription = `${'Ağenda ítem with émojis 🧑🏽‍🔧 and accents àéîõü. '.repeat(12)}\nLast line`;

  it('keeps every physical line within 75 octets and never splits a UTF-8 character', () => {
    const ics = buildIcs(baseEvent({ title: longTitle, description: longDescription }));
    const lines = physicalLines(ics); // asserts ≤ 75 octets, strict UTF-8, no lone surrogates
    expect(lines.length).toBeGreaterThan(20);
  });

  it('never splits a character whatever its position relative to the fold point', () => {
    // Shifting the text one octet at a time puts each 2-, 3- and 4-octet character
    // (é, ☕, 🎉) across the 75-octet boundary at least once.
    for (let pad = 0; pad < 12; pad++) {
      const title = `${'a'.repeat(pad)}${'🎉é☕'.repeat(30)}`;
      const ics = buildIcs(baseEvent({ title }));
      physicalLines(ics);
      expect(parse(ics).event.summary).toBe(title);
    }
  });

  it('starts every continuation line with exactly one space and unfolds to the original text', () => {
    const ics = buildIcs(baseEvent({ title: longTitle, description: longDescription }));
    const summaryStart = ics.indexOf('SUMMARY:');
    const continuation = ics.slice(summaryStart).split('\r\n')[1] ?? '';
    expect(continuation).toMatch(/^ [^ ]|^ $/u);
    const { event } = parse(ics);
    expect(event.summary).toBe(longTitle);
    expect(event.description).toBe(longDescription);
  });

  it('folds a long ASCII line into 75-octet physical lines', () => {
    const ics = buildIcs(baseEvent({ title: 'a'.repeat(200) }));
    const lines = physicalLines(ics);
    const i = lines.findIndex((l) => l.startsWith('SUMMARY:'));
    // 8 + 67 = 75, then continuation lines carry 1 space + 74 characters.
    expect(lines[i]).toBe(`SUMMARY:${'a'.repeat(67)}`);
    expect(lines[i + 1]).toBe(` ${'a'.repeat(74)}`);
    expect(lines[i + 2]).toBe(` ${'a'.repeat(59)}`);
  });
});

describe('buildIcs instants across daylight-saving changes', () => {
  const cases: Array<{ date: string; expected: string; raw: string; label: string }> = [
    { label: 'EDT before the November 2026 change', date: '2026-10-30', expected: '2026-10-30T14:00:00.000Z', raw: '20261030T140000Z' },
    { label: 'EST after the November 2026 change', date: '2026-11-02', expected: '2026-11-02T15:00:00.000Z', raw: '20261102T150000Z' },
    { label: 'EST before the March 2027 change', date: '2027-03-12', expected: '2027-03-12T15:00:00.000Z', raw: '20270312T150000Z' },
    { label: 'EDT after the March 2027 change', date: '2027-03-15', expected: '2027-03-15T14:00:00.000Z', raw: '20270315T140000Z' },
  ];

  it.each(cases)('10:00 America/Detroit on $date ($label) is written as the exact UTC instant', ({ date, expected, raw }) => {
    const startsAt = detroit(date, '10:00');
    const ics = buildIcs(baseEvent({ startsAt, durationMinutes: 90 }));
    expect(ics).toContain(`DTSTART:${raw}\r\n`);
    const { event } = parse(ics);
    expect(event.startDate.zone?.tzid).toBe('UTC');
    expect(event.startDate.toJSDate().toISOString()).toBe(expected);
    expect(event.endDate.toJSDate().getTime() - new Date(expected).getTime()).toBe(90 * 60_000);
  });

  it('computes DTEND as elapsed minutes even when the meeting spans the fall-back hour', () => {
    // 00:30 EDT on 2026-11-01 plus 120 minutes ends at 01:30 EST (clocks repeat 01:00–02:00).
    const startsAt = detroit('2026-11-01', '00:30');
    const ics = buildIcs(baseEvent({ startsAt, durationMinutes: 120 }));
    expect(ics).toContain('DTSTART:20261101T043000Z\r\n');
    expect(ics).toContain('DTEND:20261101T063000Z\r\n');
  });
});

describe('icsFilename', () => {
  it('builds a lowercase hyphenated ASCII name with the meeting number', () => {
    expect(icsFilename(7, 'CNA Team Meeting')).toBe('M-7-cna-team-meeting.ics');
  });

  it('folds accents and drops emoji and punctuation', () => {
    expect(icsFilename(12, '  Café Réunion 🎉 — Q3/Q4 plans!! ')).toBe('M-12-cafe-reunion-q3-q4-plans.ics');
  });

  it('cannot produce path separators or traversal', () => {
    const name = icsFilename(1, '../../etc/passwd\\win');
    expect(name).toBe('M-1-etc-passwd-win.ics');
    expect(name).toMatch(/^[A-Za-z0-9.-]+$/);
  });

  it('falls back to just the number when nothing usable remains', () => {
    expect(icsFilename(3, '🎉🚀 !!!')).toBe('M-3.ics');
  });

  it('caps the slug length without leaving a trailing hyphen', () => {
    const name = icsFilename(5, `${'word '.repeat(40)}`);
    expect(name.length).toBeLessThanOrEqual('M-5-.ics'.length + 60);
    expect(name).toMatch(/^M-5-[a-z0-9-]*[a-z0-9]\.ics$/);
  });

  it('rejects a non-integer meeting number', () => {
    expect(() => icsFilename(1.5, 'x')).toThrow(RangeError);
  });
});
