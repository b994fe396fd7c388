/**
 * The one time module: every conversion between an instant and a wall clock in a time zone, "today
 * in the zone" and every human date format goes through here. Formatting is dayjs (with its utc and
 * timezone plugins); the zone data is the runtime's ICU data, read through Intl.
 *
 * Two things dayjs does not do well enough, and what this module does instead:
 * - Speed. `dayjs(ms).tz(zone)` builds a new Intl formatter on every call (about 0.3 ms here, 30×
 *   a cached one), and a digest schedule query converts hundreds of times. So the zone's offset
 *   at an instant is read from one cached `Intl.DateTimeFormat` per zone (`offsetAt`), and dayjs
 *   formats a fixed-offset view of the instant (`inZone`). Only the zone's abbreviation (`z`, as
 *   in "EST") goes through the timezone plugin.
 * - Days the clocks change. `dayjs.tz('2027-03-14 02:30', zone)` silently moves a time the clocks
 *   skip to 03:30, and reads a time the clocks repeat (01:30 on the fall-back night) with the
 *   offset in force *today*, so its answer changes with the season you ask in
 *   (test/unit/time-zone.test.ts shows both). `instantOfWall` instead takes the offsets in force a
 *   day either side and keeps each candidate only if it shows back as the same wall clock: a
 *   skipped time has no candidate and is refused; a repeated time has two and takes the first, as
 *   calendar software does.
 */
import dayjs, { type Dayjs } from 'dayjs';
import advancedFormat from 'dayjs/plugin/advancedFormat.js';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(advancedFormat);

/** An instant: a Date or epoch milliseconds. */
export type Instant = Date | number;

export type LocalToUtcResult =
  | { ok: true; at: Date }
  | { ok: false; reason: 'invalid_date' | 'invalid_time' | 'nonexistent_local_time' | 'invalid_zone' };

export interface LocalParts {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** HH:mm (24-hour) in the zone. */
  time: string;
  /** English short weekday: "Mon" … "Sun". */
  weekday: string;
  /** Zone offset from UTC at that instant, e.g. -240 for EDT, -300 for EST. */
  offsetMinutes: number;
}

/** Formats used in messages; each is a dayjs format string (advancedFormat's `z` is the zone's abbreviation). */
export const DateFormats = {
  /** "2026-03-02": dates people type and compare. */
  isoDate: 'YYYY-MM-DD',
  /** "2 Mar 2026" */
  date: 'D MMM YYYY',
  /** "2 Mar 2026, 14:00": history, audit and period labels. */
  dateTime: 'D MMM YYYY, HH:mm',
  /** "Mon, 9 Mar 2026, 08:00": when a schedule runs next. */
  weekdayDateTime: 'ddd, D MMM YYYY, HH:mm',
  /** "Thu 12 Mar, 14:00": a date token's fallback inside a digest. */
  weekdayDayTime: 'ddd D MMM, HH:mm',
  /** "Mon 30 Nov 2026, 10:00 EST": a meeting's time, unambiguous on its own. */
  weekdayDateTimeZone: 'ddd D MMM YYYY, HH:mm z',
  /** "10:00 EST" */
  timeZone: 'HH:mm z',
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

const msOf = (at: Instant): number => (typeof at === 'number' ? at : at.getTime());

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone; throws RangeError for an unknown zone (Intl's own behaviour). */
function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Zone minus UTC, in minutes, at an instant: Intl names the offset ("GMT-05:00", or "GMT" for zero). */
function offsetMinutesAt(ms: number, timeZone: string): number {
  if (Number.isNaN(ms)) throw new RangeError('not a valid instant');
  const name = offsetFormatter(timeZone).formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Number(match[4] ?? 0) / 60;
  return match[1] === '-' ? -minutes : minutes;
}

/** The instant as seen in a zone (a fixed-offset dayjs). Throws RangeError for an invalid instant or an unknown zone. */
export function inZone(at: Instant, timeZone: string): Dayjs {
  const ms = msOf(at);
  // Whole minutes: dayjs reads a magnitude up to 16 as hours, which only historic local mean times
  // with second offsets could come near.
  return dayjs(ms).utcOffset(Math.round(offsetMinutesAt(ms, timeZone)));
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    inZone(0, timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The instant formatted in a zone, e.g. `formatIn(at, 'America/Detroit', DateFormats.dateTime)`. */
export function formatIn(at: Instant, timeZone: string, format: string): string {
  // The zone's abbreviation needs the zone's name, which only the timezone plugin's (slower) view keeps.
  const local = format.includes('z') ? dayjs(inZone(at, timeZone).valueOf()).tz(timeZone) : inZone(at, timeZone);
  return local.format(format);
}

/** Today's date ('YYYY-MM-DD') in the zone: "due today" means today in Detroit, not in UTC. */
export function todayIn(now: Instant, timeZone: string): string {
  return formatIn(now, timeZone, DateFormats.isoDate);
}

/** Zone minus UTC, in milliseconds, at an instant. */
export function offsetAt(at: Instant, timeZone: string): number {
  return Math.round(offsetMinutesAt(msOf(at), timeZone) * MINUTE_MS);
}

/**
 * The wall clock in the zone at an instant, encoded as if it were UTC milliseconds ("wall" values
 * can be iterated in UTC, where every day has 24 hours, as the digest schedules do).
 */
export function wallOf(at: Instant, timeZone: string): number {
  return msOf(at) + offsetAt(at, timeZone);
}

/** The first instant whose wall clock in the zone reads `wall`, or null when the clocks skip it. */
export function instantOfWall(wall: number, timeZone: string): number | null {
  // Real offsets lie within ±14 h, so every offset that could apply to this wall time is in force
  // within a day either side of it.
  const offsets = new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)]);
  let first: number | null = null;
  for (const offset of offsets) {
    const candidate = wall - offset;
    if (wallOf(candidate, timeZone) === wall && (first === null || candidate < first)) first = candidate;
  }
  return first;
}

/** Calendar fields as a wall value; setUTCFullYear avoids Date.UTC's 0–99 → 1900s quirk. */
function wallFromFields(year: number, month: number, day: number, hour: number, minute: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, 0, 0);
  return d.getTime();
}

/** A date ('YYYY-MM-DD') and time ('HH:mm') on the zone's clocks as an instant. */
export function localToUtc(date: string, time: string, timeZone: string): LocalToUtcResult {
  const dm = DATE_RE.exec(date);
  if (!dm) return { ok: false, reason: 'invalid_date' };
  const [year, month, day] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
  const midnight = new Date(wallFromFields(year, month, day, 0, 0));
  // Calendar overflow such as 2026-02-30, which Date would roll into March.
  if (year < 1 || midnight.getUTCFullYear() !== year || midnight.getUTCMonth() !== month - 1 || midnight.getUTCDate() !== day) {
    return { ok: false, reason: 'invalid_date' };
  }
  const tm = TIME_RE.exec(time);
  if (!tm) return { ok: false, reason: 'invalid_time' };
  if (!isValidTimeZone(timeZone)) return { ok: false, reason: 'invalid_zone' };
  const at = instantOfWall(wallFromFields(year, month, day, Number(tm[1]), Number(tm[2])), timeZone);
  // No instant: the time falls in a spring-forward gap (or a skipped day, as Pacific/Apia in 2011).
  return at === null ? { ok: false, reason: 'nonexistent_local_time' } : { ok: true, at: new Date(at) };
}

/** The wall-clock date, time, weekday and offset of an instant in a zone. Throws RangeError for an invalid instant or zone. */
export function utcToLocalParts(at: Instant, timeZone: string): LocalParts {
  const local = inZone(at, timeZone);
  return { date: local.format(DateFormats.isoDate), time: local.format('HH:mm'), weekday: local.format('ddd'), offsetMinutes: local.utcOffset() };
}

/** "Mon 30 Nov 2026, 10:00 EST"; zones without an English abbreviation show as "GMT+1". */
export function formatInZone(at: Instant, timeZone: string): string {
  return formatIn(at, timeZone, DateFormats.weekdayDateTimeZone);
}
