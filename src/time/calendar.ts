/**
 * Calendar days: plain `YYYY-MM-DD` dates with no clock and no zone (due dates, goal dates, report
 * periods). Every check and sum on such a date goes through here; turning a day into an instant in
 * a zone (its local midnight) is `src/time/zone.ts`'s job.
 *
 * Built on dayjs in UTC mode, where a day is always 24 hours long, so daylight saving can never
 * move a count of days. Parsing is strict (dayjs's customParseFormat plugin): "2026-02-30",
 * "2026-13-01" and "2026-4-1" are not dates, where `Date.UTC` would quietly roll them over.
 * The functions that compute (addDays, daysBetween, dayOfWeek) throw a RangeError on text that is
 * not a real date: callers validate what people type with `isCalendarDay` first, so a throw here
 * is a bug, never a person's typo.
 */
import dayjs, { type Dayjs } from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(customParseFormat);

const FORMAT = 'YYYY-MM-DD';
/** dayjs's strict mode checks the fields; the pattern also refuses signs and 5-digit years. */
const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

function parse(text: string): Dayjs | undefined {
  if (!SHAPE.test(text)) return undefined;
  const day = dayjs.utc(text, FORMAT, true);
  return day.isValid() ? day : undefined;
}

function day(text: string): Dayjs {
  const parsed = parse(text);
  if (parsed === undefined) throw new RangeError(`not a calendar date: ${text}`);
  return parsed;
}

const text = (value: Dayjs): string => value.format(FORMAT);

/** Is `text` a real calendar date written `YYYY-MM-DD`? (2028-02-29 yes; 2026-02-30, 2026-4-1 no.) */
export const isCalendarDay = (text: string): boolean => parse(text) !== undefined;

/** The date `days` after `date` (negative: before). */
export const addDays = (date: string, days: number): string => text(day(date).add(days, 'day'));

/** Whole days from `from` to `to`: negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number => day(to).diff(day(from), 'day');

/** Day of the week: 0 is Sunday … 6 is Saturday (as `Date#getDay`). */
export const dayOfWeek = (date: string): number => day(date).day();

/** The last day of a month (`month` 1–12): 2028-02 → 2028-02-29. */
export function lastDayOfMonth(year: number, month: number): string {
  if (!Number.isInteger(year) || year < 0 || year > 9999 || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`not a month: ${year}-${month}`);
  }
  return text(day(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`).endOf('month'));
}
