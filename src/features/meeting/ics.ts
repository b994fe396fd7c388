/**
 * iCalendar (RFC 5545) export for a single meeting, offered to members as an .ics attachment they
 * add to Outlook, Google or Apple Calendar.
 *
 * ical.js (Mozilla's iCalendar library, the one Thunderbird uses) builds the calendar: components,
 * value types (a URL is a URI, not TEXT, so its commas stay as they are), TEXT escaping and
 * parameter quoting. The meeting's times are written on the scheduler's wall clock with its TZID
 * and a VTIMEZONE (from timezones-ical-library), so calendars show the meeting in the zone it was
 * planned in; the wall-clock time comes from our own zone data (src/time/zone.ts), so it is the
 * same instant Slack shows.
 *
 * Two things stay ours: stripping control characters from what people typed (ical.js writes them
 * as they are, and a line break in a URI value would start a new property), and line folding:
 * ical.js folds continuation lines to 76 octets (a space plus 75), one more than RFC 5545 §3.1
 * allows, so content lines are written unfolded and folded here.
 */
import ICAL from 'ical.js';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { utcToLocalParts } from '../../time/zone.js';

export interface IcsEvent {
  /** Stable across edits, e.g. "meeting-7@alliance.T123"; clients match updates/cancels on it. */
  uid: string;
  /** Bump on each edit/cancel so clients replace their stored copy (RFC 5545 §3.8.7.4). */
  sequence: number;
  startsAt: Date;
  durationMinutes: number;
  /**
   * The scheduler's IANA zone: times are written with its TZID and VTIMEZONE. Without one (or for
   * UTC, or a zone with no VTIMEZONE data) times are written as UTC instants.
   */
  timeZone?: string;
  title: string;
  location?: string;
  url?: string;
  /** Agenda; may be multi-line. */
  description?: string;
  organizerName?: string;
  status: 'CONFIRMED' | 'CANCELLED';
  /** DTSTAMP: injected clock so output is deterministic. */
  stamp: Date;
}

export const ICS_PRODID = '-//Alliance//Workforce Collaborative//EN';

/**
 * ORGANIZER's value must be a cal-address URI (RFC 5545 §3.8.4.3) and RFC 5546 expects ORGANIZER
 * in PUBLISH/CANCEL, but we only know the organiser's display name. The reserved ".invalid" TLD
 * (RFC 2606) guarantees no client can ever deliver mail to it, while the CN parameter still shows
 * the human name.
 */
export const ICS_ORGANIZER_ADDRESS = 'mailto:noreply@alliance.invalid';

const CRLF = '\r\n';
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

/** Control characters other than HTAB are not allowed in content lines (RFC 5545 §3.1 CONTROL); newlines are handled per value type. */
// eslint-disable-next-line no-control-regex -- matching the control characters RFC 5545 forbids is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

const stripControls = (value: string): string => value.replace(CONTROL_CHARS, '');

/** TEXT values keep their line breaks (ical.js writes them as `\n`), in one convention. */
const cleanText = (value: string): string => value.replace(/\r\n|\r/g, '\n').split('\n').map(stripControls).join('\n');

function utf8Length(codePoint: string): number {
  const cp = codePoint.codePointAt(0) ?? 0;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/**
 * Folds one content line (RFC 5545 §3.1): at most 75 octets per physical line, continuation lines
 * begin with a single space which itself counts toward the 75. Iterating by code point (for..of)
 * guarantees a multi-byte UTF-8 sequence or a UTF-16 surrogate pair is never split across lines.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let currentOctets = 0;
  for (const ch of line) {
    const size = utf8Length(ch);
    if (currentOctets + size > MAX_LINE_OCTETS) {
      out.push(current);
      current = ' ';
      currentOctets = 1;
    }
    current += ch;
    currentOctets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** Content lines of a component, unfolded (ical.js's own folding is too long by one octet). */
function contentLines(component: ICAL.Component): string[] {
  const design = ICAL.design.getDesignSet(component.name);
  return [
    `BEGIN:${component.name.toUpperCase()}`,
    ...component.getAllProperties().map((property) => ICAL.stringify.property(property.toJSON() as unknown[], design, true)),
    ...component.getAllSubcomponents().flatMap(contentLines),
    `END:${component.name.toUpperCase()}`,
  ];
}

interface Zone {
  tzid: string;
  vtimezone: ICAL.Component;
}

/** The zone's VTIMEZONE and its TZID, or undefined to write UTC instants. */
function zoneFor(timeZone: string | undefined): Zone | undefined {
  if (timeZone === undefined || timeZone === 'UTC' || timeZone === 'Etc/UTC') return undefined;
  const block = tzlib_get_ical_block(timeZone);
  // The library answers an unknown zone with a message instead of [VTIMEZONE, 'TZID=…'].
  if (!Array.isArray(block) || !block[0]?.startsWith('BEGIN:VTIMEZONE') || !block[1]?.startsWith('TZID=')) return undefined;
  return { tzid: block[1].slice('TZID='.length), vtimezone: ICAL.Component.fromString(block[0]) };
}

function utcTime(at: Date): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(Math.floor(at.getTime() / 1000) * 1000), true);
}

/** DTSTART/DTEND: the wall clock in the zone with its TZID, or the UTC instant. */
function addTime(vevent: ICAL.Component, name: 'dtstart' | 'dtend', at: Date, zone: Zone | undefined, timeZone: string | undefined): void {
  if (zone === undefined || timeZone === undefined) {
    vevent.addPropertyWithValue(name, utcTime(at));
    return;
  }
  const local = utcToLocalParts(at, timeZone);
  const [year, month, day] = local.date.split('-').map(Number);
  const [hour, minute] = local.time.split(':').map(Number);
  const time = ICAL.Time.fromData({ year, month, day, hour, minute, second: at.getUTCSeconds() }, new ICAL.Timezone(zone.vtimezone));
  vevent.addPropertyWithValue(name, time).setParameter('tzid', zone.tzid);
}

function assertValidDate(at: Date, field: string): void {
  if (Number.isNaN(at.getTime())) throw new RangeError(`${field} is not a valid date`);
}

export function buildIcs(event: IcsEvent): string {
  assertValidDate(event.startsAt, 'startsAt');
  assertValidDate(event.stamp, 'stamp');
  if (!Number.isInteger(event.durationMinutes) || event.durationMinutes <= 0) {
    throw new RangeError('durationMinutes must be a positive integer');
  }
  if (!Number.isInteger(event.sequence) || event.sequence < 0) {
    throw new RangeError('sequence must be a non-negative integer');
  }
  const cancelled = event.status === 'CANCELLED';
  const endsAt = new Date(event.startsAt.getTime() + event.durationMinutes * 60_000);
  const zone = zoneFor(event.timeZone);

  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', ICS_PRODID);
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  // RFC 5546: a cancellation is its own method; clients remove the event matching UID.
  calendar.addPropertyWithValue('method', cancelled ? 'CANCEL' : 'PUBLISH');
  if (zone !== undefined) calendar.addSubcomponent(zone.vtimezone);

  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', cleanText(event.uid));
  vevent.addPropertyWithValue('sequence', event.sequence);
  vevent.addPropertyWithValue('dtstamp', utcTime(event.stamp));
  addTime(vevent, 'dtstart', event.startsAt, zone, event.timeZone);
  addTime(vevent, 'dtend', endsAt, zone, event.timeZone);
  vevent.addPropertyWithValue('summary', cleanText(event.title));
  if (event.location) vevent.addPropertyWithValue('location', cleanText(event.location));
  if (event.url) {
    const url = stripControls(event.url).trim();
    if (url) vevent.addPropertyWithValue('url', url);
  }
  if (event.description) vevent.addPropertyWithValue('description', cleanText(event.description));
  if (event.organizerName) {
    // A DQUOTE cannot appear inside a quoted parameter value (RFC 5545 §3.2): an apostrophe stands in.
    vevent.addPropertyWithValue('organizer', ICS_ORGANIZER_ADDRESS).setParameter('cn', stripControls(event.organizerName).replace(/"/g, "'"));
  }
  vevent.addPropertyWithValue('status', event.status);
  calendar.addSubcomponent(vevent);

  // Every content line, including the last, is terminated by CRLF (RFC 5545 §3.1).
  return contentLines(calendar).map((line) => foldLine(line) + CRLF).join('');
}

const MAX_SLUG_LENGTH = 60;

/**
 * Safe ASCII filename such as "M-7-cna-team-meeting.ics": diacritics are folded (NFKD then drop
 * combining marks) so "Réunion" becomes "reunion"; anything else non-alphanumeric, including path
 * separators, becomes a single hyphen.
 */
export function icsFilename(meetingNumber: number, title: string): string {
  if (!Number.isInteger(meetingNumber) || meetingNumber < 0) {
    throw new RangeError('meetingNumber must be a non-negative integer');
  }
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug ? `M-${meetingNumber}-${slug}.ics` : `M-${meetingNumber}.ics`;
}
