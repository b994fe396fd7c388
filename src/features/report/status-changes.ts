/**
 * A team's status changes from a period's start, held compactly while its issues are read: about 18
 * bytes a change in typed arrays (an object per change, with its two strings, took about ten times
 * that), looked up by issue. They are read in one pass along the team's events index, page by page
 * (./queries.ts, statusChangesPage), because fetching each issue's changes with its page of issues
 * cost an index seek per issue; at 100× data a team has about 24,000 changes in a quarter.
 */
import { FIRST_PAGE, type PageKey, type ReportQueries } from './queries.js';

/** The statuses an issue moves between; a change stores each end as its place in this list. */
const STATUS_CODES = ['open', 'in_progress', 'blocked', 'resolved', 'dropped'] as const;
export type IssueStatus = (typeof STATUS_CODES)[number];

/** Positions below this are packed with the issue id into one sort key. */
const POSITIONS = 2 ** 21;

const codeOf = (status: string): number => {
  const code = STATUS_CODES.indexOf(status as IssueStatus);
  // The query reads only changes between these statuses.
  if (code === -1) throw new Error(`unexpected status ${status}`);
  return code;
};

export class TeamStatusChanges {
  private issues = new Float64Array(1024);
  private times = new Float64Array(1024);
  private froms = new Uint8Array(1024);
  private tos = new Uint8Array(1024);
  private size = 0;
  /** Positions sorted by issue, oldest change first within one (changes arrive in time order). */
  private order = new Int32Array(0);

  /** Reads a team's status changes at or after `since`, oldest first (tests pass a small `packLimit`, to sort without packed keys). */
  static async read(queries: ReportQueries, teamId: number, since: number, packLimit = POSITIONS): Promise<TeamStatusChanges> {
    const changes = new TeamStatusChanges(packLimit);
    for (let after: PageKey = FIRST_PAGE; ; ) {
      const page = await queries.statusChangesPage(teamId, since, after);
      for (const [issueId, at, , from, to] of page) changes.add(issueId, at, from, to);
      const last = page[page.length - 1];
      if (last === undefined || page.length < queries.pages.changes) break;
      after = { at: last[1], id: last[2] };
    }
    changes.sort();
    return changes;
  }

  private add(issueId: number, at: number, from: string, to: string): void {
    if (this.size === this.issues.length) this.grow();
    this.issues[this.size] = issueId;
    this.times[this.size] = at;
    this.froms[this.size] = codeOf(from);
    this.tos[this.size] = codeOf(to);
    this.size += 1;
  }

  private grow(): void {
    const length = this.issues.length * 2;
    const widen = <A extends Float64Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const wider = make(length);
      wider.set(old);
      return wider;
    };
    this.issues = widen(this.issues, (n) => new Float64Array(n));
    this.times = widen(this.times, (n) => new Float64Array(n));
    this.froms = widen(this.froms, (n) => new Uint8Array(n));
    this.tos = widen(this.tos, (n) => new Uint8Array(n));
  }

  private constructor(private readonly packLimit: number) {}

  private sort(): void {
    const order = new Int32Array(this.size);
    if (this.size <= this.packLimit) {
      // By issue, then arrival (time) order, as one number each (issue × 2^21 + position, exact in a
      // double for any id below 2^32): a typed array sorts numbers natively, several times faster
      // than with a comparison function.
      const keys = new Float64Array(this.size);
      for (let i = 0; i < this.size; i++) keys[i] = (this.issues[i] ?? 0) * POSITIONS + i;
      keys.sort();
      for (let k = 0; k < this.size; k++) order[k] = (keys[k] ?? 0) % POSITIONS;
    } else {
      for (let i = 0; i < this.size; i++) order[i] = i;
      order.sort((a, b) => (this.issues[a] ?? 0) - (this.issues[b] ?? 0) || a - b);
    }
    this.order = order;
  }

  /** When each change to `status` before `before` happened, in time order. */
  timesOfChangesTo(status: IssueStatus, before: number): number[] {
    const code = codeOf(status);
    const times: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.tos[i] === code && (this.times[i] ?? before) < before) times.push(this.times[i] ?? 0);
    return times;
  }

  /** Where an issue's changes are, oldest first: positions `start` to `end` (excluded) for at(), from() and to(). */
  rangeOf(issueId: number): { start: number; end: number } {
    const order = this.order;
    // The first position whose issue is not below issueId.
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.issues[order[mid] ?? 0] ?? 0) < issueId) low = mid + 1;
      else high = mid;
    }
    let end = low;
    while (end < order.length && this.issues[order[end] ?? 0] === issueId) end += 1;
    return { start: low, end };
  }

  at(position: number): number {
    return this.times[this.order[position] ?? 0] ?? 0;
  }

  from(position: number): IssueStatus {
    return STATUS_CODES[this.froms[this.order[position] ?? 0] ?? 0] ?? 'open';
  }

  to(position: number): IssueStatus {
    return STATUS_CODES[this.tos[this.order[position] ?? 0] ?? 0] ?? 'open';
  }
}
