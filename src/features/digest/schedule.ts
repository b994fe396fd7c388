/**
 * Digest schedules: pure functions over cron expressions and a fixed clock.
 *
 * node-cron 4 decides *when* the process wakes up; these functions decide *what* that wake-up
 * means (which run is due, which period it covers, what to show as "next run"), so they can be
 * tested with a fixed `now` and so a restart computes the same answers as an uninterrupted run.
 *
 * DST semantics (chosen to match what node-cron 4 with `timezone` actually fires):
 * - Occurrences are evaluated on the local wall clock of `timeZone`.
 * - A wall time that happens twice (autumn fall-back) runs once, at its first (daylight) instant.
 * - A wall time that does not exist (spring-forward gap) does not run that day; the next run's
 *   period starts at the previous run, so no activity falls between two digests.
 *
 * cron-parser 5 with its `tz` option is not used directly for DST-affected days because its
 * answers depend on where iteration starts (e.g. `next()` from inside the repeated hour returns
 * the repeated 01:30 again, and `prev()` lists it twice). Instead cron-parser iterates the wall
 * clock in UTC (which has no DST, so `next()`/`prev()` are consistent) and this module maps each
 * wall time to an instant with the rules above.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import cronstrue from 'cronstrue';
import cron from 'node-cron';
import { instantOfWall, isValidTimeZone, offsetAt, wallOf } from '../../time/zone.js';

export const DEFAULT_DIGEST_CRON = '0 8 * * 1';

/**
 * How late a missed digest may still be sent. 36 h covers an overnight or weekend-morning outage
 * plus a slow redeploy for a daily or weekly digest, while a digest older than that would arrive
 * after the next working day has started and read as stale noise; the next scheduled digest
 * covers its period anyway.
 */
export const DIGEST_CATCH_UP_GRACE_MS = 36 * 60 * 60 * 1000;

export type ParseScheduleResult = { ok: true; cron: string } | { ok: false; message: string };

export interface DigestPeriod {
  start: Date;
  end: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Upper bound on wall-clock occurrences inspected per query. Only reached by schedules whose
 * every occurrence falls in DST gaps; it keeps such a pathological schedule from looping forever.
 */
const MAX_STEPS = 100_000;

const EXAMPLE = 'For example, `0 8 * * 1` means Mondays at 08:00.';
const FORMAT = 'A schedule has five fields: minute hour day-of-month month day-of-week.';

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_LABELS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names: readonly string[] | null;
  /** Value of names[0]; months are numbered from 1, weekdays from 0. */
  nameBase: number;
}

const FIELDS: readonly FieldSpec[] = [
  { label: 'minute', min: 0, max: 59, names: null, nameBase: 0 },
  { label: 'hour', min: 0, max: 23, names: null, nameBase: 0 },
  { label: 'day of the month', min: 1, max: 31, names: null, nameBase: 0 },
  { label: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { label: 'day of the week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

// Only the syntax both cron-parser and node-cron read the same way: numbers, names, `*`, ranges,
// lists and steps. `L`, `#`, `H` and `?` are extensions whose support differs between the two.
const PART_RE = /^(\*|[0-9]+|[a-z]{3})(?:-([0-9]+|[a-z]{3}))?(?:\/([0-9]+))?$/i;

function refuse(reason: string): { ok: false; message: string } {
  return { ok: false, message: `Sorry, I can't use that schedule: ${reason} ${FORMAT} ${EXAMPLE}` };
}

function atomValue(atom: string, spec: FieldSpec): number | null {
  if (/^[0-9]+$/.test(atom)) return Number(atom);
  if (spec.names === null) return null;
  const index = spec.names.indexOf(atom.toLowerCase());
  return index === -1 ? null : index + spec.nameBase;
}

/** Returns a reason the field is unusable, or null when it is fine. */
function checkField(field: string, spec: FieldSpec): string | null {
  for (const part of field.split(',')) {
    const match = PART_RE.exec(part);
    if (match === null) {
      return `\`${field}\` is not a ${spec.label} I understand (use numbers, \`*\`, \`-\`, \`,\` and \`/\`).`;
    }
    const [, from = '', to, step] = match;
    const values: number[] = [];
    for (const atom of to === undefined ? [from] : [from, to]) {
      if (atom === '*') continue;
      const value = atomValue(atom, spec);
      if (value === null) return `\`${atom}\` is not a valid ${spec.label}.`;
      if (value < spec.min || value > spec.max) {
        return `the ${spec.label} must be between ${spec.min} and ${spec.max}, not ${value}.`;
      }
      values.push(value);
    }
    if (to !== undefined && from === '*') return `\`${part}\` is not a valid ${spec.label} range.`;
    const [low, high] = values;
    if (low !== undefined && high !== undefined && low > high) {
      return `the ${spec.label} range \`${part}\` runs backwards.`;
    }
    if (step !== undefined && Number(step) < 1) return `a step of 0 in the ${spec.label} never advances.`;
  }
  return null;
}

function isRestricted(field: string): boolean {
  return field !== '*';
}

/** Validates a coordinator-supplied expression; the normalised result is what gets stored. */
export function parseSchedule(expr: string): ParseScheduleResult {
  const fields = expr.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length === 0) return refuse('the schedule is empty.');
  if (fields.length === 6) {
    return refuse('that has six fields; seconds are not supported, since a digest more often than once a minute would be noise.');
  }
  if (fields.length !== 5) return refuse(`that has ${fields.length} field${fields.length === 1 ? '' : 's'}, not five.`);

  for (const [index, spec] of FIELDS.entries()) {
    const problem = checkField(fields[index] ?? '', spec);
    if (problem !== null) return refuse(problem);
  }

  const [, , dayOfMonth = '*', , dayOfWeek = '*'] = fields;
  // cron-parser treats "day 1 OR Monday" and node-cron "day 1 AND Monday", so the preview would
  // disagree with what actually fires.
  if (isRestricted(dayOfMonth) && isRestricted(dayOfWeek)) {
    return refuse('please set either the day of the month or the day of the week, and leave the other as `*`.');
  }

  const normalised = fields.join(' ');
  try {
    // A fixed reference date keeps this pure; a schedule that can fire at all fires within 8 years.
    const iterator = CronExpressionParser.parse(normalised, { currentDate: new Date(Date.UTC(2000, 0, 1)), tz: 'UTC' });
    iterator.next();
  } catch {
    return refuse(`\`${normalised}\` never happens (for example, there is no 31 February).`);
  }
  // node-cron is what fires the schedule in production, so it must accept it too.
  if (!cron.validate(normalised)) return refuse(`\`${normalised}\` is not a valid schedule.`);
  return { ok: true, cron: normalised };
}

// ---------------------------------------------------------------------------------------------
// A "wall" value is the local date and time encoded as if it were UTC milliseconds (src/time/zone.ts),
// so cron-parser can iterate it with tz 'UTC' where every day has 24 hours.

/**
 * A wall time no occurrence <= `instant` can exceed: the local clock can read later than it does
 * now only during a repeated hour, when it has just been turned back.
 */
function maxWallReachedBy(instant: number, timeZone: string): number {
  const offsets = [0, 1, 2].map((days) => offsetAt(instant - days * DAY_MS, timeZone));
  return instant + Math.max(...offsets);
}

function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

function wallIterator(cronExpr: string, currentWall: number): CronExpression {
  return CronExpressionParser.parse(cronExpr, { currentDate: new Date(currentWall), tz: 'UTC' });
}

function assertTimeZone(timeZone: string): void {
  // An unknown zone is a configuration bug, not user input.
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
}

/** The next `count` scheduled instants strictly after `after`. */
export function nextRuns(cronExpr: string, timeZone: string, after: Date, count: number): Date[] {
  assertTimeZone(timeZone);
  const afterMs = after.getTime();
  const runs: Date[] = [];
  if (count <= 0) return runs;
  // Occurrences are whole minutes, so "after the floored minute" equals "after `after`".
  const iterator = wallIterator(cronExpr, floorToMinute(wallOf(afterMs, timeZone)));
  for (let step = 0; step < MAX_STEPS && runs.length < count; step++) {
    if (!iterator.hasNext()) break;
    const instant = instantOfWall(iterator.next().getTime(), timeZone);
    // null: skipped by spring-forward. <= after: the first pass of a repeated hour already ran it.
    if (instant !== null && instant > afterMs) runs.push(new Date(instant));
  }
  return runs;
}

/** The latest scheduled instant <= `atOrBefore`, or null if there is none. */
export function previousRun(cronExpr: string, timeZone: string, atOrBefore: Date): Date | null {
  assertTimeZone(timeZone);
  const atMs = atOrBefore.getTime();
  // prev() is strict, and occurrences sit on whole minutes, so starting 30 s past the floored
  // minute includes an occurrence exactly at the bound.
  const iterator = wallIterator(cronExpr, floorToMinute(maxWallReachedBy(atMs, timeZone)) + 30_000);
  for (let step = 0; step < MAX_STEPS; step++) {
    if (!iterator.hasPrev()) return null;
    const instant = instantOfWall(iterator.prev().getTime(), timeZone);
    if (instant !== null && instant <= atMs) return new Date(instant);
  }
  return null;
}

/** The period a digest sent for the run at `runAt` covers: since the run before it. */
export function digestPeriod(cronExpr: string, timeZone: string, runAt: Date): DigestPeriod {
  const start = previousRun(cronExpr, timeZone, new Date(runAt.getTime() - 1));
  if (start === null) throw new Error(`Schedule \`${cronExpr}\` has no run before ${runAt.toISOString()}`);
  return { start, end: runAt };
}

/** The period before `digestPeriod(runAt)`, for "2 fewer than last week" comparisons. */
export function previousPeriod(cronExpr: string, timeZone: string, runAt: Date): DigestPeriod {
  return digestPeriod(cronExpr, timeZone, digestPeriod(cronExpr, timeZone, runAt).start);
}

/**
 * The run that should be sent at `now`: the latest occurrence, if it is at most `graceMs` old.
 * Callers must remember which runs they sent, because this keeps returning the same run until
 * the next one.
 */
export function dueRun(cronExpr: string, timeZone: string, now: Date, graceMs: number): Date | null {
  const latest = previousRun(cronExpr, timeZone, now);
  if (latest === null || now.getTime() - latest.getTime() > graceMs) return null;
  return latest;
}

// ---------------------------------------------------------------------------------------------

function singleNumber(field: string, spec: FieldSpec): number | null {
  if (!/^[0-9]+$/.test(field) && !(spec.names !== null && /^[a-z]{3}$/i.test(field))) return null;
  return atomValue(field, spec);
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

/** Weekday names for lists like `1,3,5` or ranges like `1-5`; null for steps and other shapes. */
function describeWeekdays(field: string): string | null {
  const spec = FIELDS[4];
  if (spec === undefined) return null;
  if (/^(1|mon)-(5|fri)$/i.test(field)) return 'weekday (Monday to Friday)';
  const days: string[] = [];
  for (const part of field.split(',')) {
    const value = singleNumber(part, spec);
    if (value === null) return null;
    const label = DAY_LABELS[value % 7];
    if (label === undefined) return null;
    days.push(label);
  }
  return joinWords(days);
}

/**
 * Short lower-case English for the common shapes ("every Monday at 08:00"), which reads as part of a
 * sentence ("now goes out every Monday at 08:00"); any other shape comes back as the expression
 * itself in backticks. `describeSchedule` is what people see.
 */
export function describeCron(cronExpr: string): string {
  const raw = `\`${cronExpr.trim()}\``;
  const fields = cronExpr.trim().split(/\s+/);
  if (fields.length !== 5) return raw;
  const [minuteField = '', hourField = '', domField = '', monthField = '', dowField = ''] = fields;
  const [minuteSpec, hourSpec, domSpec] = FIELDS;
  if (minuteSpec === undefined || hourSpec === undefined || domSpec === undefined) return raw;

  if (fields.every((f) => f === '*')) return 'every minute';
  if (monthField !== '*') return raw;

  const everyN = /^\*\/([0-9]+)$/.exec(minuteField);
  if (everyN !== null && hourField === '*' && domField === '*' && dowField === '*') {
    return everyN[1] === '1' ? 'every minute' : `every ${Number(everyN[1])} minutes`;
  }

  const minute = singleNumber(minuteField, minuteSpec);
  if (minute === null) return raw;
  if (hourField === '*' && domField === '*' && dowField === '*') {
    return minute === 0 ? 'every hour, on the hour' : `every hour at ${minute} minutes past`;
  }

  const hour = singleNumber(hourField, hourSpec);
  if (hour === null) return raw;
  const at = `at ${clock(hour, minute)}`;
  if (domField === '*' && dowField === '*') return `every day ${at}`;
  if (domField === '*') {
    const days = describeWeekdays(dowField);
    return days === null ? raw : `every ${days} ${at}`;
  }
  if (dowField === '*') {
    const day = singleNumber(domField, domSpec);
    return day === null ? raw : `on day ${day} of the month ${at}`;
  }
  return raw;
}

/**
 * What people see for a schedule: the short phrase for common shapes, and cronstrue's description
 * for every other shape ("at 09:00, on day 1 of the month, only in January"), never the bare
 * expression (which is shown beside it anyway).
 */
export function describeSchedule(cronExpr: string): string {
  const phrase = describeCron(cronExpr);
  if (!phrase.startsWith('`')) return phrase;
  const sentence = cronstrue.toString(cronExpr.trim(), { use24HourTimeFormat: true, throwExceptionOnParseError: false });
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
