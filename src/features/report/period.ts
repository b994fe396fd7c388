/**
 * Report periods: what `/report … last-month` means. Pure functions of the text, `now` and the
 * collaborative's time zone. A period is whole local days: it starts at local midnight of its first
 * day and ends (exclusive) at local midnight after its last day, so "September" in Detroit is
 * exactly September on Detroit's clocks, daylight saving included.
 */
import { addDays as addCalendarDays, dayOfWeek, daysBetween as calendarDaysBetween, isCalendarDay, lastDayOfMonth } from '../../time/calendar.js';
import { localToUtc, utcToLocalParts } from '../../time/zone.js';

export interface ReportPeriod {
  /** What the person typed, normalised (`last-month`, `2026-Q4`, `2026-09-01..2026-11-30`). */
  spec: string;
  /** For people: "October 2026", "Q4 2026", "1 Sep – 30 Nov 2026". */
  label: string;
  /** For file names: `2026-10`, `2026-Q4`, `2026-09-01_2026-11-30`. */
  slug: string;
  /** First and last local calendar day, inclusive (YYYY-MM-DD). */
  firstDay: string;
  lastDay: string;
  /** Instants: start inclusive, end exclusive (ms since the epoch). */
  start: number;
  end: number;
}

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; message: string };

export const DEFAULT_PERIOD = 'last-month';
/** The longest custom range: three years of weekly chart bars is already unreadable. */
export const MAX_PERIOD_DAYS = 3 * 366;

export const PERIOD_EXAMPLES =
  '`last-week`, `last-month` (the default), `this-month`, `this-quarter`, `last-quarter`, `2026-Q4`, `2026-09` or a range of dates such as `2026-09-01..2026-11-30`';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

interface Day {
  y: number;
  m: number; // 1-12
  d: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');
export const dayText = (day: Day): string => `${String(day.y).padStart(4, '0')}-${pad(day.m)}-${pad(day.d)}`;

/** Fields of a YYYY-MM-DD the caller knows is a real date. */
const dayOf = (text: string): Day => ({ y: Number(text.slice(0, 4)), m: Number(text.slice(5, 7)), d: Number(text.slice(8, 10)) });
const parseDay = (text: string): Day | undefined => (isCalendarDay(text) ? dayOf(text) : undefined);

/** Calendar arithmetic on plain dates (no time zone involved): `src/time/calendar.ts`. */
export const addDays = (day: Day, n: number): Day => dayOf(addCalendarDays(dayText(day), n));
const daysBetween = (a: Day, b: Day): number => calendarDaysBetween(dayText(a), dayText(b));
const lastOfMonth = (y: number, m: number): Day => dayOf(lastDayOfMonth(y, m));
const weekday = (day: Day): number => dayOfWeek(dayText(day));

/** Local midnight at the start of a day, as an instant (01:00 in the rare zones whose clocks skip midnight). */
export function startOfDay(day: Day | string, timeZone: string): number {
  const text = typeof day === 'string' ? day : dayText(day);
  const midnight = localToUtc(text, '00:00', timeZone);
  if (midnight.ok) return midnight.at.getTime();
  const one = localToUtc(text, '01:00', timeZone);
  if (one.ok) return one.at.getTime();
  throw new RangeError(`cannot find the start of ${text} in ${timeZone}`);
}

export function localDay(at: number, timeZone: string): Day {
  const parsed = parseDay(utcToLocalParts(new Date(at), timeZone).date);
  if (parsed === undefined) throw new RangeError('unrepresentable date');
  return parsed;
}

function rangeLabel(first: Day, last: Day): string {
  const sameYear = first.y === last.y;
  const a = `${first.d} ${SHORT_MONTHS[first.m - 1]}${sameYear ? '' : ` ${first.y}`}`;
  return `${a} – ${last.d} ${SHORT_MONTHS[last.m - 1]} ${last.y}`;
}

function build(spec: string, label: string, slug: string, first: Day, last: Day, timeZone: string): ReportPeriod {
  return { spec, label, slug, firstDay: dayText(first), lastDay: dayText(last), start: startOfDay(first, timeZone), end: startOfDay(addDays(last, 1), timeZone) };
}

const month = (spec: string, y: number, m: number, tz: string): ReportPeriod =>
  build(spec, `${MONTHS[m - 1]} ${y}`, `${y}-${pad(m)}`, { y, m, d: 1 }, lastOfMonth(y, m), tz);

const quarter = (spec: string, y: number, q: number, tz: string, until?: Day): ReportPeriod => {
  const first = { y, m: (q - 1) * 3 + 1, d: 1 };
  const last = lastOfMonth(y, q * 3);
  if (until !== undefined && daysBetween(until, last) > 0) {
    return build(spec, `Q${q} ${y} to date (${rangeLabel(first, until)})`, `${y}-Q${q}-to-${dayText(until)}`, first, until, tz);
  }
  return build(spec, `Q${q} ${y}`, `${y}-Q${q}`, first, last, tz);
};

export const quarterOf = (day: Day): { y: number; q: number } => ({ y: day.y, q: Math.floor((day.m - 1) / 3) + 1 });

/** The quarter before the one `at` falls in, in the zone: what a quarterly report scheduled then covers. */
export function previousQuarter(at: number, timeZone: string): ReportPeriod {
  const { y, q } = quarterOf(localDay(at, timeZone));
  return q === 1 ? quarter(`${y - 1}-Q4`, y - 1, 4, timeZone) : quarter(`${y}-Q${q - 1}`, y, q - 1, timeZone);
}

/** The instant the quarter containing `at` began (local midnight on its first day). */
export function quarterStart(at: number, timeZone: string): number {
  const { y, q } = quarterOf(localDay(at, timeZone));
  return startOfDay({ y, m: (q - 1) * 3 + 1, d: 1 }, timeZone);
}

const invalid = (message: string): PeriodResult => ({ ok: false, message });

/** Reads a period as typed after `/report [KEY]`; undefined or empty means the default (last month). */
export function parsePeriod(text: string | undefined, now: Date, timeZone: string): PeriodResult {
  const spec = (text ?? '').trim().toLowerCase() || DEFAULT_PERIOD;
  const today = localDay(now.getTime(), timeZone);
  switch (spec) {
    case 'last-week': {
      // Monday to Sunday of the week before this one.
      const monday = addDays(today, -((weekday(today) + 6) % 7) - 7);
      const sunday = addDays(monday, 6);
      return { ok: true, period: build(spec, `the week of ${rangeLabel(monday, sunday)}`, `week-${dayText(monday)}`, monday, sunday, timeZone) };
    }
    case 'last-month':
      return { ok: true, period: today.m === 1 ? month(spec, today.y - 1, 12, timeZone) : month(spec, today.y, today.m - 1, timeZone) };
    case 'this-month': {
      const first = { y: today.y, m: today.m, d: 1 };
      return { ok: true, period: build(spec, `${MONTHS[today.m - 1]} ${today.y} to date`, `${today.y}-${pad(today.m)}-to-${dayText(today)}`, first, today, timeZone) };
    }
    case 'this-quarter': {
      const { y, q } = quarterOf(today);
      return { ok: true, period: quarter(spec, y, q, timeZone, today) };
    }
    case 'last-quarter':
      return { ok: true, period: previousQuarter(now.getTime(), timeZone) };
    default:
      break;
  }
  const q = /^(\d{4})-q([1-4])$/.exec(spec);
  if (q) {
    const period = quarter(`${q[1]}-Q${q[2]}`, Number(q[1]), Number(q[2]), timeZone);
    return period.start > now.getTime() ? invalid(`${period.label} has not started yet. Try this-quarter, or last-quarter.`) : { ok: true, period };
  }
  const m = /^(\d{4})-(\d{2})$/.exec(spec);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const period = month(spec, Number(m[1]), Number(m[2]), timeZone);
    return period.start > now.getTime() ? invalid(`${period.label} has not started yet.`) : { ok: true, period };
  }
  const range = /^(\S+?)\.\.(\S+)$/.exec(spec);
  if (range) {
    const first = parseDay(range[1] ?? '');
    const last = parseDay(range[2] ?? '');
    if (first === undefined || last === undefined) {
      return invalid(`"${text ?? ''}" is not a range of real dates: write both ends as YYYY-MM-DD, for example 2026-09-01..2026-11-30.`);
    }
    if (daysBetween(first, last) < 0) return invalid(`The range ends before it starts: write the earlier date first, for example ${dayText(last)}..${dayText(first)}.`);
    if (daysBetween(first, last) + 1 > MAX_PERIOD_DAYS) return invalid(`A report covers at most ${MAX_PERIOD_DAYS} days (about three years); split a longer range into several reports.`);
    if (daysBetween(today, first) > 0) return invalid(`That range starts after today (${dayText(today)}), so there is nothing to report yet.`);
    return { ok: true, period: build(`${dayText(first)}..${dayText(last)}`, rangeLabel(first, last), `${dayText(first)}_${dayText(last)}`, first, last, timeZone) };
  }
  return invalid(`"${text ?? ''}" is not a period I know. Use ${PERIOD_EXAMPLES}. For example: /report CNA last-month`);
}

/** Does this word look like a period rather than a team key? (So `/report 2026-Q4` works in a team channel.) */
export function looksLikePeriod(word: string): boolean {
  return /^(last|this)-/i.test(word) || /^\d{4}/.test(word) || word.includes('..');
}

/**
 * Monday-started weeks overlapping a period, each with its start instant (local midnight), for the
 * weekly charts. The first and last weeks may stick out of the period; their counts only cover
 * the period's days.
 */
export function weeksOf(period: Pick<ReportPeriod, 'firstDay' | 'lastDay'>, timeZone: string): Array<{ label: string; start: number }> {
  const first = parseDay(period.firstDay);
  const last = parseDay(period.lastDay);
  if (first === undefined || last === undefined) return [];
  const weeks: Array<{ label: string; start: number }> = [];
  for (let monday = addDays(first, -((weekday(first) + 6) % 7)); daysBetween(monday, last) >= 0; monday = addDays(monday, 7)) {
    weeks.push({ label: dayText(monday), start: startOfDay(monday, timeZone) });
  }
  return weeks;
}

/** Index of the week an instant falls in (binary search over week starts); -1 before the first. */
export function weekIndex(weeks: ReadonlyArray<{ start: number }>, at: number): number {
  let lo = 0;
  let hi = weeks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((weeks[mid]?.start ?? Infinity) <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
