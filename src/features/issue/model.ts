/**
 * The vocabulary of issues: categories, statuses, keys and dates. Pure functions, no Slack, no
 * database, so every rule here is unit-tested on its own.
 */
import { isCalendarDay } from '../../time/calendar.js';

/** The collaborative's focus areas. The id is stored; the label is what people read. */
export const CATEGORIES = [
  { id: 'awareness', label: 'Awareness' },
  { id: 'recruitment', label: 'Recruitment' },
  { id: 'training_program', label: 'Training program' },
  { id: 'curriculum', label: 'Curriculum' },
  { id: 'incumbent_worker_training', label: 'Incumbent worker training' },
  { id: 'work_based_learning', label: 'Work-based learning (internships, co-ops, apprenticeships)' },
  { id: 'youth_exposure', label: 'Youth exposure' },
  { id: 'marketing', label: 'Marketing' },
  { id: 'other', label: 'Other' },
] as const;
export type Category = (typeof CATEGORIES)[number]['id'];

export const STATUSES = [
  { id: 'open', label: 'Open', emoji: ':large_green_circle:' },
  { id: 'in_progress', label: 'In progress', emoji: ':arrows_counterclockwise:' },
  { id: 'blocked', label: 'Blocked', emoji: ':octagonal_sign:' },
  { id: 'resolved', label: 'Resolved', emoji: ':white_check_mark:' },
  { id: 'dropped', label: 'Dropped', emoji: ':heavy_minus_sign:' },
] as const;
export type Status = (typeof STATUSES)[number]['id'];

export const OPEN_STATUSES: readonly Status[] = ['open', 'in_progress', 'blocked'];
export const CLOSED_STATUSES: readonly Status[] = ['resolved', 'dropped'];
export const isClosed = (status: string): boolean => (CLOSED_STATUSES as readonly string[]).includes(status);
/**
 * A status list for raw SQL, `('resolved', 'dropped')`. Queries that must use a partial index
 * repeat the index's condition, `status not in ('resolved', 'dropped')`, and this writes exactly that text.
 */
export const statusSqlList = (statuses: readonly Status[]): string => `(${statuses.map((s) => `'${s}'`).join(', ')})`;

export const MAX_TITLE = 150;
export const MAX_DETAILS = 3000;
/** A comment is one line of history; kept under Slack's 3,000-character section so it is never cut. */
export const MAX_COMMENT = 2000;

export const isCategory = (value: string): value is Category => CATEGORIES.some((c) => c.id === value);
export const isStatus = (value: string): value is Status => STATUSES.some((s) => s.id === value);

export const categoryLabel = (id: string): string => CATEGORIES.find((c) => c.id === id)?.label ?? id;
export const statusLabel = (id: string): string => STATUSES.find((s) => s.id === id)?.label ?? id;
export const statusEmoji = (id: string): string => STATUSES.find((s) => s.id === id)?.emoji ?? '';
/** The status inside a sentence: "2 in progress", "moved to blocked". */
export const statusWord = (id: string): string => (isStatus(id) ? statusLabel(id).toLowerCase() : id);

/** What a person may type for a status: `in-progress`, `in_progress`, `In Progress`, `inprogress`. */
export function parseStatus(text: string | undefined): Status | undefined {
  if (text === undefined) return undefined;
  const normalised = text.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (normalised === 'inprogress' || normalised === 'started' || normalised === 'start') return 'in_progress';
  if (normalised === 'reopen' || normalised === 'reopened') return 'open';
  return isStatus(normalised) ? normalised : undefined;
}

export const STATUS_WORDS = 'open, in-progress, blocked, resolved or dropped';

export interface IssueKey {
  teamKey: string;
  number: number;
}

const KEY = /^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$/;

/** `CNA-3` (any case) → { teamKey: 'CNA', number: 3 }. */
export function parseIssueKey(text: string | undefined): IssueKey | undefined {
  const match = KEY.exec(text?.trim() ?? '');
  if (match === null) return undefined;
  const number = Number(match[2]);
  if (!Number.isSafeInteger(number) || number < 1) return undefined;
  return { teamKey: (match[1] ?? '').toUpperCase(), number };
}

export const formatKey = (teamKey: string, number: number): string => `${teamKey}-${number}`;

/** A real calendar date in `YYYY-MM-DD` (so 2025-02-30 and 2025-13-01 are refused), from 2000 to 2100. */
export function isCalendarDate(text: string): boolean {
  if (!isCalendarDay(text)) return false;
  const year = Number(text.slice(0, 4));
  return year >= 2000 && year <= 2100;
}

/** ISO dates compare correctly as strings. */
export const isOverdue = (issue: { dueDate: string | null; status: string }, today: string): boolean =>
  issue.dueDate !== null && !isClosed(issue.status) && issue.dueDate < today;

/** Titles are one line: collapse whitespace so a pasted title does not break the compact list. */
export const normaliseTitle = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Slack sends message text with `&`, `<` and `>` as entities; store what the person actually wrote. */
/**
 * A message's text as a person would read it, for prefilling the issue form: Slack's markup for
 * mentions, channels, broadcasts and links becomes its visible text (`<@U1|hannah>` → `@hannah`,
 * `<#C1|cna-team>` → `#cna-team`, `<!channel>` → `@channel`, `<https://x|label>` → `label (https://x)`),
 * then entities are decoded. The form shows plain text, and what is stored is escaped again when shown.
 */
export const decodeSlackEntities = (text: string): string =>
  text
    .replace(/<([^<>]+)>/g, (_whole, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!')) {
        const name = target.slice(1).split('^')[0] ?? '';
        return label ?? (['channel', 'here', 'everyone'].includes(name) ? `@${name}` : name);
      }
      return label === undefined || label === target ? target : `${label} (${target})`;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export const LIST_SCOPES = ['open', 'closed', 'all', 'mine', 'overdue'] as const;
export type ListScope = (typeof LIST_SCOPES)[number];
export const isListScope = (text: string): text is ListScope => (LIST_SCOPES as readonly string[]).includes(text);

/** How many issues one list message shows: 20 sections plus header, footer and buttons stays far under 50 blocks. */
export const PAGE_SIZE = 20;

/** History entries `/issue show` and an issue's detail view show: their answer goes back in the ack, so what they read must not grow with the issue's life. */
export const ISSUE_HISTORY_SHOWN = 300;
