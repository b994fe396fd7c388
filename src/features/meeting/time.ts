/**
 * Time-zone helpers for meetings: organisers pick a local wall-clock time in
 * their own zone (usually America/Detroit); we store the UTC instant.
 *
 * Built on Intl.DateTimeFormat (the runtime's ICU tz data) rather than dayjs.tz,
 * whose handling of DST gaps and overlaps silently shifts times instead of
 * reporting them. Every conversion is verified by formatting the candidate
 * instant back in the zone and comparing wall-clock fields.
 */

import { escapeMrkdwn } from '../../slack/mrkdwn.js';

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

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatterCache = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for an unknown zone (Intl's own behaviour). */
function numericFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatterCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23, not hour12:false: some ICU versions render midnight as "24" with hour12:false.
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatterCache.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(at: Date, timeZone: string): WallClock {
  const fields: Record<string, string> = {};
  for (const part of numericFormatter(timeZone).formatToParts(at)) fields[part.type] = part.value;
  const rawYear = Number(fields['year']);
  // en-US renders years before 1 CE as "BC" with a positive year number.
  const year = fields['era'] === 'BC' || fields['era'] === 'B' ? 1 - rawYear : rawYear;
  return {
    year,
    month: Number(fields['month']),
    day: Number(fields['day']),
    hour: Number(fields['hour']),
    minute: Number(fields['minute']),
    second: Number(fields['second']),
  };
}

/** Wall-clock fields read as if they were UTC; setUTCFullYear avoids Date.UTC's 0–99 → 1900s quirk. */
function wallClockAsUtcMs(w: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** Offset (zone minus UTC) in ms at an instant; ms precision because historic LMT offsets have seconds. */
function offsetMsAt(atMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(atMs / 1000) * 1000;
  return wallClockAsUtcMs(wallClockAt(new Date(wholeSecond), timeZone)) - wholeSecond;
}

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function localToUtc(date: string, time: string, timeZone: string): LocalToUtcResult {
  const dm = DATE_RE.exec(date);
  if (!dm) return { ok: false, reason: 'invalid_date' };
  const year = Number(dm[1]);
  const month = Number(dm[2]);
  const day = Number(dm[3]);
  // Reject calendar overflow like 2026-02-30, which Date would roll into March.
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  if (
    year < 1 ||
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day
  ) {
    return { ok: false, reason: 'invalid_date' };
  }

  const tm = TIME_RE.exec(time);
  if (!tm) return { ok: false, reason: 'invalid_time' };
  const hour = Number(tm[1]);
  const minute = Number(tm[2]);

  if (!isValidTimeZone(timeZone)) return { ok: false, reason: 'invalid_zone' };

  const wanted: WallClock = { year, month, day, hour, minute, second: 0 };
  const wallMs = wallClockAsUtcMs(wanted);

  // Any offset that could apply to this wall time is in force somewhere within a
  // day either side of it (real offsets are within ±14h). Sampling both sides of a
  // nearby transition gives every candidate offset; each candidate is then kept
  // only if it round-trips to the same wall-clock time in the zone.
  const offsets = new Set<number>(
    [wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((ms) => offsetMsAt(ms, timeZone)),
  );
  const matches: number[] = [];
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    const back = wallClockAt(new Date(candidate), timeZone);
    if (wallClockAsUtcMs(back) === wallMs) matches.push(candidate);
  }
  // No match: the wall time falls in a spring-forward gap (or a skipped day, as
  // Pacific/Apia in 2011) — it never appears on clocks in that zone.
  if (matches.length === 0) return { ok: false, reason: 'nonexistent_local_time' };
  // Two matches: a fall-back overlap (01:30 happens twice). Take the earlier
  // instant, i.e. the daylight-time reading, as most calendar software does.
  return { ok: true, at: new Date(Math.min(...matches)) };
}

/** Throws RangeError for an invalid Date or unknown zone. */
export function utcToLocalParts(at: Date, timeZone: string): LocalParts {
  if (Number.isNaN(at.getTime())) throw new RangeError('at is not a valid date');
  const w = wallClockAt(at, timeZone);
  const wallMs = wallClockAsUtcMs(w);
  const weekday = WEEKDAYS[new Date(wallMs).getUTCDay()] ?? '';
  const yearStr = w.year < 0 ? `-${String(-w.year).padStart(4, '0')}` : String(w.year).padStart(4, '0');
  return {
    date: `${yearStr}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`,
    time: `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`,
    weekday,
    offsetMinutes: Math.round(offsetMsAt(at.getTime(), timeZone) / MINUTE_MS),
  };
}

/**
 * Human fallback such as "Mon 30 Nov 2026, 10:00 EST". The abbreviation comes
 * from ICU's en-US short names; zones without a well-known English abbreviation
 * render as "GMT+1" etc., which is still unambiguous.
 */
export function formatInZone(at: Date, timeZone: string): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('at is not a valid date');
  const parts = utcToLocalParts(at, timeZone);
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    month: 'short',
    timeZoneName: 'short',
  });
  let month = '';
  let zone = '';
  for (const part of f.formatToParts(at)) {
    if (part.type === 'month') month = part.value;
    if (part.type === 'timeZoneName') zone = part.value;
  }
  const [year, , day] = parts.date.split('-');
  return `${parts.weekday} ${Number(day)} ${month} ${year ?? ''}, ${parts.time} ${zone}`;
}

/**
 * Slack date token "<!date^UNIX^FORMAT|FALLBACK>": every reader sees the instant
 * in their own Slack time zone; the fallback shows where tokens are unsupported
 * (notifications, old clients).
 */
export function slackDateToken(at: Date, format: string, fallback: string): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('at is not a valid date');
  // "^" separates token fields and "|"/"<"/">" end the token, so a format containing
  // them would corrupt the message; the format is developer-supplied, so fail loudly.
  if (/[\^|<>\r\n]/.test(format)) throw new RangeError('format must not contain ^ | < > or newlines');
  const unix = Math.floor(at.getTime() / 1000);
  const safeFallback = fallback
    // Remove token delimiters first so the entity escapes below cannot be affected.
    .replace(/[|^]/g, '')
    .replace(/[\r\n]+/g, ' ');
  return `<!date^${unix}^${format}|${escapeMrkdwn(safeFallback)}>`;
}
