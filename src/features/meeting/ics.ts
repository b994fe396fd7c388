/**
 * iCalendar (RFC 5545) export for a single meeting, offered to members as an
 * .ics attachment they add to Outlook or Google Calendar.
 *
 * All times are written in UTC ("Z" form) so no VTIMEZONE block is needed and
 * every client computes the same instant regardless of its own zone or tz data.
 */

export interface IcsEvent {
  /** Stable across edits, e.g. "meeting-7@alliance.T123"; clients match updates/cancels on it. */
  uid: string;
  /** Bump on each edit/cancel so clients replace their stored copy (RFC 5545 §3.8.7.4). */
  sequence: number;
  startsAt: Date;
  durationMinutes: number;
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
 * ORGANIZER's value must be a cal-address URI (RFC 5545 §3.8.4.3) and RFC 5546
 * expects ORGANIZER in PUBLISH/CANCEL, but we only know the organiser's display
 * name. The reserved ".invalid" TLD (RFC 2606) guarantees no client can ever
 * deliver mail to it, while the CN parameter still shows the human name.
 */
export const ICS_ORGANIZER_ADDRESS = 'mailto:noreply@alliance.invalid';

const CRLF = '\r\n';
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

/** Control characters other than HTAB are not allowed in content lines (RFC 5545 §3.1 CONTROL). */
const CONTROL_CHARS = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

function stripControls(value: string): string {
  return value.replace(CONTROL_CHARS, '');
}

/**
 * TEXT value escaping (RFC 5545 §3.3.11). Backslash must be escaped first so the
 * backslashes introduced for the other characters are not doubled. All newline
 * conventions collapse to the literal "\n" escape, since a raw line break would
 * end the content line.
 */
export function escapeIcsText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(CONTROL_CHARS, '');
}

/**
 * Parameter values containing ":", ";" or "," must be DQUOTEd, and DQUOTE itself
 * may not appear inside (RFC 5545 §3.2), so it is swapped for an apostrophe.
 */
function quoteParam(value: string): string {
  return `"${stripControls(value).replace(/"/g, "'")}"`;
}

function utf8Length(codePoint: string): number {
  const cp = codePoint.codePointAt(0) ?? 0;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/**
 * Folds one content line (RFC 5545 §3.1): at most 75 octets per physical line,
 * continuation lines begin with a single space which itself counts toward the 75.
 * Iterating by code point (for..of) guarantees a multi-byte UTF-8 sequence or a
 * UTF-16 surrogate pair is never split across physical lines.
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

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** DATE-TIME in UTC form (RFC 5545 §3.3.5, FORM #2); sub-second precision is not representable. */
export function formatIcsUtc(at: Date): string {
  return (
    `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}Z`
  );
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

  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${ICS_PRODID}`,
    'CALSCALE:GREGORIAN',
    // RFC 5546: a cancellation is its own method; clients remove the event matching UID.
    `METHOD:${cancelled ? 'CANCEL' : 'PUBLISH'}`,
    'BEGIN:VEVENT',
    `UID:${escapeIcsText(event.uid)}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${formatIcsUtc(event.stamp)}`,
    `DTSTART:${formatIcsUtc(event.startsAt)}`,
    `DTEND:${formatIcsUtc(endsAt)}`,
    `SUMMARY:${escapeIcsText(event.title)}`,
  ];
  if (event.location) lines.push(`LOCATION:${escapeIcsText(event.location)}`);
  // URL is of value type URI, not TEXT: commas/semicolons are legal and must not be
  // backslash-escaped, but line breaks would inject new properties, so strip them.
  if (event.url) {
    const url = stripControls(event.url).trim();
    if (url) lines.push(`URL:${url}`);
  }
  if (event.description) lines.push(`DESCRIPTION:${escapeIcsText(event.description)}`);
  if (event.organizerName) {
    lines.push(`ORGANIZER;CN=${quoteParam(event.organizerName)}:${ICS_ORGANIZER_ADDRESS}`);
  }
  lines.push(`STATUS:${event.status}`, 'END:VEVENT', 'END:VCALENDAR');

  // Every content line, including the last, is terminated by CRLF (RFC 5545 §3.1).
  return lines.map((line) => foldLine(line) + CRLF).join('');
}

const MAX_SLUG_LENGTH = 60;

/**
 * Safe ASCII filename such as "M-7-cna-team-meeting.ics": diacritics are folded
 * (NFKD then drop combining marks) so "Réunion" becomes "reunion"; anything else
 * non-alphanumeric, including path separators, becomes a single hyphen.
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
