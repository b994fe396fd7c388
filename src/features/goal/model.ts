/**
 * The vocabulary of goals: ids, kinds, numbers, limits and the quick form. Pure functions, no Slack,
 * no database.
 */
export { isCalendarDate } from '../issue/model.js';
export { todayIn } from '../../time/zone.js';

export const GOAL_KINDS = ['measure', 'milestone'] as const;
export type GoalKind = (typeof GOAL_KINDS)[number];
export const GOAL_STATUSES = ['open', 'achieved', 'dropped'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];
export type Direction = 'up' | 'down';

export const MAX_NAME = 120;
export const MAX_UNIT = 20;
export const MAX_NOTE = 500;
/** Goals per team a list or a digest must still render within Slack's limits (tested at this size). */
export const MAX_GOALS_SHOWN = 30;

const GOAL_ID = /^G-?(\d{1,9})$/i;

/** `G-3`, `g-3`, `G3` → 3. */
export function parseGoalNumber(text: string | undefined): number | undefined {
  const match = GOAL_ID.exec(text?.trim() ?? '');
  if (match === null) return undefined;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export const goalKey = (goal: { number: number }): string => `G-${goal.number}`;

const NUMBER = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.\d{1,4})?$/;

/** A number as people type it: `28`, `-3`, `12.5`, `1,200`. Anything else (`lots`, `1e9`, `12abc`) is undefined. */
export function parseNumber(text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  if (!NUMBER.test(trimmed)) return undefined;
  const n = Number(trimmed.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** 28, 12.5, 1,200: how a number reads in a message. */
export function formatNumber(n: number): string {
  const rounded = Math.round(n * 100) / 100;
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Units are a word or two ("slots", "students", "%", "days"): formatting characters would break every message they appear in. */
const UNIT = /^[\p{L}\p{N} %$€£/.'-]*$/u;
export function unitProblem(unit: string): string | undefined {
  if (unit.length > MAX_UNIT) return `A unit can be at most ${MAX_UNIT} characters; this one has ${unit.length}.`;
  if (!UNIT.test(unit)) return 'A unit is a word or two, such as "slots", "students" or "%": letters, digits, spaces and % $ / . - only, no formatting.';
  return undefined;
}

export const normaliseName = (text: string): string => text.replace(/\s+/g, ' ').trim();

export interface QuickGoal {
  teamKey?: string;
  name: string;
  kind: GoalKind;
  baseline?: number;
  target?: number;
  unit?: string;
  targetDate: string;
}

/**
 * The quick form after `/goal new`:
 *   `[KEY] Name from 22 to 40 [unit] by 2027-06-30` (a measure), or
 *   `[KEY] Name by 2027-03-01` (a milestone).
 * The KEY is taken only when it names a team (`isTeam`). Returns undefined when the text is not in
 * either shape (the caller opens the form instead), or a string saying what is wrong.
 */
export function parseQuickGoal(text: string, isTeam: (key: string) => boolean): QuickGoal | string | undefined {
  let rest = text.replace(/\s+/g, ' ').trim();
  const byMatch = /^(.*?)\s+by\s+(\S+)$/i.exec(rest);
  if (byMatch === null) return undefined;
  const targetDate = byMatch[2] ?? '';
  rest = byMatch[1] ?? '';
  let teamKey: string | undefined;
  const first = /^(\S+)\s+(.+)$/.exec(rest);
  if (first !== null && isTeam(first[1] ?? '')) {
    teamKey = (first[1] ?? '').toUpperCase();
    rest = first[2] ?? '';
  }
  // Greedy name: "Transfers from MCC to WCCC from 3 to 10" takes the last "from … to …".
  const measure = /^(.*)\s+from\s+(\S+)\s+to\s+(\S+)(?:\s+(.+))?$/i.exec(rest);
  if (measure !== null) {
    const baseline = parseNumber(measure[2]);
    const target = parseNumber(measure[3]);
    if (baseline === undefined) return `"${measure[2]}" is not a number. Write the baseline as digits, for example \`from 22 to 40\`.`;
    if (target === undefined) return `"${measure[3]}" is not a number. Write the target as digits, for example \`from 22 to 40\`.`;
    return { ...(teamKey === undefined ? {} : { teamKey }), name: normaliseName(measure[1] ?? ''), kind: 'measure', baseline, target, unit: (measure[4] ?? '').trim(), targetDate };
  }
  return { ...(teamKey === undefined ? {} : { teamKey }), name: normaliseName(rest), kind: 'milestone', targetDate };
}

/** Splits `… as of 2026-11-20` off the end (or anywhere) of a reading's text. */
export function takeAsOf(text: string): { asOf?: string; rest: string } {
  const match = /(?:^|\s)as of\s+(\S+)/i.exec(text);
  if (match === null) return { rest: text.trim() };
  return { asOf: match[1] ?? '', rest: `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}`.replace(/[ \t]+/g, ' ').trim() };
}

/** A text progress bar that fits a phone: ten cells. */
export function progressBar(share: number | null): string {
  if (share === null) return '';
  const clamped = Math.max(0, Math.min(1, share));
  const filled = Math.round(clamped * 10);
  return `${'█'.repeat(filled)}${'░'.repeat(10 - filled)} ${Math.round(share * 100)}%`;
}

/** Takes "for goal G-3" out of a vote's question: `/vote new for goal G-3 Which sites first? | A | B`. */
export function takeForGoal(text: string): { goalNumber?: number; rest: string } {
  const match = /(?:^|\s)for goal\s+(G-?\d{1,9})(?=\s|:|$|\|)\s*:?/i.exec(text);
  if (match === null) return { rest: text };
  const goalNumber = parseGoalNumber(match[1]);
  const rest = `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}`.replace(/[ \t]+/g, ' ').trim();
  return goalNumber === undefined ? { rest: text } : { goalNumber, rest };
}

/** Whether `key` as typed (any case) is the key of one of `teams`: the quick form's first word may name a team. */
export function isTeamKeyOf(teams: ReadonlyArray<{ key: string }>, key: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{1,9}$/.test(key) && teams.some((team) => team.key === key.toUpperCase());
}
