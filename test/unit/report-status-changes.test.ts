/**
 * A team's status changes as a report holds them (src/features/report/status-changes.ts): read page
 * by page along the team's events, in time order, and found again by issue, oldest first, whichever
 * way they were sorted.
 */
import { describe, expect, it } from 'vitest';
import type { PageKey, ReportQueries } from '../../src/features/report/queries.js';
import { TeamStatusChanges } from '../../src/features/report/status-changes.js';

type Change = [number, number, number, string, string];

/** Changes of issues 9, 3, 5 and 7 (none of 4), interleaved in time, several at the same time. */
const CHANGES: Change[] = [
  [9, 100, 1, 'open', 'in_progress'],
  [3, 100, 2, 'open', 'blocked'],
  [5, 150, 3, 'open', 'resolved'],
  [3, 150, 4, 'blocked', 'open'],
  [9, 200, 5, 'in_progress', 'dropped'],
  [3, 200, 6, 'open', 'resolved'],
  [7, 250, 7, 'open', 'in_progress'],
];

/** ReportQueries' statusChangesPage over CHANGES, in pages of `size`. */
function queries(size: number): ReportQueries {
  return {
    pages: { issues: 500, meetings: 250, votes: 250, changes: size },
    statusChangesPage: (_team: number, since: number, after: PageKey) =>
      Promise.resolve(CHANGES.filter(([, at, id]) => at >= since && (at > after.at || (at === after.at && id > after.id))).slice(0, size)),
  } as unknown as ReportQueries;
}

const of = (changes: TeamStatusChanges, issue: number): string[] => {
  const { start, end } = changes.rangeOf(issue);
  return Array.from({ length: end - start }, (_, k) => `${changes.at(start + k)} ${changes.from(start + k)}→${changes.to(start + k)}`);
};

describe("a team's status changes", () => {
  for (const [label, pageSize, packLimit] of [
    ['in one page, sorted by packed keys', 100, undefined],
    ['in pages of one, sorted by packed keys', 1, undefined],
    ['in pages of two, sorted with a comparison', 2, 3],
  ] as const) {
    it(`gives each issue its changes oldest first: ${label}`, async () => {
      const changes = await TeamStatusChanges.read(queries(pageSize), 1, 0, packLimit);
      expect(of(changes, 3)).toEqual(['100 open→blocked', '150 blocked→open', '200 open→resolved']);
      expect(of(changes, 9)).toEqual(['100 open→in_progress', '200 in_progress→dropped']);
      expect(of(changes, 5)).toEqual(['150 open→resolved']);
      expect(of(changes, 7)).toEqual(['250 open→in_progress']);
      expect(of(changes, 4)).toEqual([]);
      expect(of(changes, 1)).toEqual([]);
      expect(of(changes, 10)).toEqual([]);
    });
  }

  it('gives the times of the changes to a status before an instant, in time order', async () => {
    const changes = await TeamStatusChanges.read(queries(2), 1, 0);
    expect(changes.timesOfChangesTo('resolved', 1000)).toEqual([150, 200]);
    expect(changes.timesOfChangesTo('resolved', 200)).toEqual([150]);
    expect(changes.timesOfChangesTo('in_progress', 1000)).toEqual([100, 250]);
  });

  it('reads only changes from the start it is given', async () => {
    const changes = await TeamStatusChanges.read(queries(2), 1, 150);
    expect(of(changes, 3)).toEqual(['150 blocked→open', '200 open→resolved']);
    expect(of(changes, 9)).toEqual(['200 in_progress→dropped']);
  });

  it('grows past its first thousand changes', async () => {
    const many: Change[] = Array.from({ length: 5000 }, (_, i) => [1 + (i % 7), i, i + 1, 'open', 'blocked']);
    const source = { pages: { changes: 4000 }, statusChangesPage: (_t: number, _s: number, after: PageKey) => Promise.resolve(many.filter(([, , id]) => id > after.id).slice(0, 4000)) } as unknown as ReportQueries;
    const changes = await TeamStatusChanges.read(source, 1, 0);
    const { start, end } = changes.rangeOf(3);
    expect(end - start).toBe(many.filter(([issue]) => issue === 3).length);
    expect(changes.at(start)).toBe(2);
    expect(changes.at(end - 1)).toBe(4993);
  });
});
