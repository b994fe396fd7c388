import { describe, expect, it } from 'vitest';
import {
  describeRound,
  describeTieRule,
  instantRunoff,
  organisationTurnout,
  personTurnout,
  tallyCounts,
  type OptionId,
  type RunoffResult,
  type RunoffRound,
  type TallyBallot,
  type TallyOption,
} from '../../src/features/vote/tally.js';
import { prng } from '../rig/prng.js';

// Ids deliberately differ from positions so tests notice if one is used for the other.
const A = 11;
const B = 12;
const C = 13;
const D = 14;
const abc: TallyOption[] = [
  { id: A, label: 'A', position: 0 },
  { id: B, label: 'B', position: 1 },
  { id: C, label: 'C', position: 2 },
];
const abcd: TallyOption[] = [...abc, { id: D, label: 'D', position: 3 }];
const labelOf = (id: OptionId): string => [...abcd].find((o) => o.id === id)?.label ?? `#${id}`;

/** `n` anonymous ballots with the same choices. */
function times(n: number, choices: OptionId[]): TallyBallot[] {
  return Array.from({ length: n }, () => ({ voter: null, choices: [...choices] }));
}

function roundCounts(round: RunoffRound | undefined): Record<string, number> {
  return Object.fromEntries((round?.counts ?? []).map((c) => [labelOf(c.optionId), c.count]));
}

describe('tallyCounts', () => {
  it('counts single-choice ballots with sorted voter names and shares of ballots', () => {
    const result = tallyCounts(abc, [
      { voter: 'Zoe', choices: [A] },
      { voter: 'amir', choices: [A] },
      { voter: 'Bea', choices: [B] },
      { voter: 'Émile', choices: [A] },
    ]);
    expect(result.totalBallots).toBe(4);
    expect(result.options.map((o) => [o.label, o.count, o.share])).toEqual([
      ['A', 3, 0.75],
      ['B', 1, 0.25],
      ['C', 0, 0],
    ]);
    expect(result.options[0]?.voters).toEqual(['amir', 'Émile', 'Zoe']);
    expect(result.options[1]?.voters).toEqual(['Bea']);
    expect(result.leaders).toEqual([A]);
  });

  it('never lists voters for anonymous ballots', () => {
    const result = tallyCounts(abc, [...times(2, [A]), ...times(1, [C])]);
    expect(result.options.map((o) => o.count)).toEqual([2, 0, 1]);
    expect(result.options.every((o) => o.voters.length === 0)).toBe(true);
  });

  it('counts approval (multiple) ballots once per chosen option, so shares can add up to more than 1', () => {
    const result = tallyCounts(abc, [
      { voter: 'Hospital North', choices: [A, B] },
      { voter: 'Trainer Co', choices: [B, C] },
      { voter: 'Hospital South', choices: [B] },
    ]);
    expect(result.options.map((o) => o.count)).toEqual([1, 3, 1]);
    expect(result.options[1]?.share).toBe(1);
    expect(result.options[1]?.voters).toEqual(['Hospital North', 'Hospital South', 'Trainer Co']);
    expect(result.options.reduce((s, o) => s + o.share, 0)).toBeCloseTo(5 / 3);
  });

  it('reports every option sharing the top count as a leader, in display order', () => {
    const result = tallyCounts(abc, [...times(2, [C]), ...times(2, [A]), ...times(1, [B])]);
    expect(result.leaders).toEqual([A, C]);
  });

  it('ranks by count descending and breaks equal counts by display position, not by id or input order', () => {
    const shuffled: TallyOption[] = [
      { id: 3, label: 'third', position: 2 },
      { id: 1, label: 'second', position: 1 },
      { id: 2, label: 'first', position: 0 },
      { id: 4, label: 'fourth', position: 3 },
    ];
    const result = tallyCounts(shuffled, [...times(2, [4]), ...times(1, [3]), ...times(1, [1])]);
    expect(result.ranking).toEqual([4, 1, 3, 2]);
    expect(result.options.map((o) => o.label)).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('has no leaders and zero shares when there are no ballots, but still ranks every option', () => {
    const result = tallyCounts(abc, []);
    expect(result.totalBallots).toBe(0);
    expect(result.leaders).toEqual([]);
    expect(result.options.every((o) => o.share === 0)).toBe(true);
    expect(result.ranking).toEqual([A, B, C]);
  });

  it('ignores unknown options and choices repeated within a ballot', () => {
    const result = tallyCounts(abc, [{ voter: 'Ann', choices: [A, A, 999, B, A] }]);
    expect(result.options.map((o) => o.count)).toEqual([1, 1, 0]);
    expect(result.options[0]?.voters).toEqual(['Ann']);
  });
});

describe('instantRunoff', () => {
  it('lets the first-round leader lose once the last option’s ballots transfer', () => {
    const result = instantRunoff(abc, [...times(4, [A, B]), ...times(3, [B, A]), ...times(2, [C, B])]);
    expect(result.rounds).toHaveLength(2);
    expect(roundCounts(result.rounds[0])).toEqual({ A: 4, B: 3, C: 2 });
    expect(result.rounds[0]?.eliminated).toBe(C);
    expect(result.rounds[0]?.transfers).toEqual([
      { to: A, count: 0 },
      { to: B, count: 2 },
      { to: 'exhausted', count: 0 },
    ]);
    expect(result.rounds[0]?.tieBreak).toBeUndefined();
    expect(roundCounts(result.rounds[1])).toEqual({ B: 5, A: 4 });
    expect(result.rounds[1]?.eliminated).toBeNull();
    expect(result.winner).toBe(B);
    expect(result.ranking).toEqual([B, A, C]);
    expect(result.tiedAtEnd).toBe(false);
  });

  it('ends in round 1 when an option has a majority, ranking the rest by their votes', () => {
    const result = instantRunoff(abcd, [...times(5, [A]), ...times(1, [B]), ...times(3, [D])]);
    expect(result.rounds).toHaveLength(1);
    expect(result.rounds[0]?.eliminated).toBeNull();
    expect(result.rounds[0]?.transfers).toEqual([]);
    expect(result.winner).toBe(A);
    expect(result.ranking).toEqual([A, D, B, C]);
  });

  it('does not declare a winner on exactly half of the active ballots', () => {
    const result = instantRunoff(abc, [...times(2, [A]), ...times(1, [B]), ...times(1, [C, B])]);
    expect(result.rounds[0]?.eliminated).not.toBeNull();
    expect(result.rounds.length).toBeGreaterThan(1);
  });

  it('drops exhausted ballots from the majority threshold', () => {
    // C's voters rank nobody else, so after C goes, 4 of the 7 remaining active ballots is a majority.
    const result = instantRunoff(abc, [...times(4, [A]), ...times(3, [B]), ...times(2, [C])]);
    expect(result.rounds[0]?.transfers).toEqual([
      { to: A, count: 0 },
      { to: B, count: 0 },
      { to: 'exhausted', count: 2 },
    ]);
    expect(result.rounds[1]).toMatchObject({ active: 7, exhausted: 2, eliminated: null });
    expect(result.winner).toBe(A);
    expect(result.totalBallots).toBe(9);
  });

  it('follows partial rankings to their next continuing preference and exhausts them when they run out', () => {
    const result = instantRunoff(abcd, [
      ...times(4, [A]),
      ...times(3, [B, D, C]),
      ...times(2, [C]),
      ...times(1, [D, C]),
    ]);
    // Round 1: D eliminated, its one ballot goes to C.
    expect(result.rounds[0]?.eliminated).toBe(D);
    expect(roundCounts(result.rounds[1])).toEqual({ A: 4, B: 3, C: 3 });
    // Round 2: B and C tied; C had fewer in round 1 (2 vs 3) so C goes; all 3 of its ballots exhaust.
    expect(result.rounds[1]?.eliminated).toBe(C);
    expect(result.rounds[1]?.transfers.find((t) => t.to === 'exhausted')?.count).toBe(3);
    expect(result.rounds[2]).toMatchObject({ active: 7, exhausted: 3 });
    expect(result.winner).toBe(A);
    expect(result.ranking).toEqual([A, B, C, D]);
  });

  it('breaks a tie for last place by the earlier round, even against display position', () => {
    const result = instantRunoff(abcd, [
      ...times(5, [A]),
      ...times(3, [B, C]),
      ...times(4, [C]),
      ...times(1, [D, B, A]),
    ]);
    expect(roundCounts(result.rounds[1])).toEqual({ A: 5, B: 4, C: 4 });
    // Position alone would eliminate C; round 1 (B 3, C 4) says B.
    expect(result.rounds[1]?.eliminated).toBe(B);
    expect(result.rounds[1]?.tieBreak).toBe(
      'B and C were tied for fewest votes (4 votes each); B had fewer votes in round 1 (B 3, C 4); so B was eliminated.',
    );
    expect(result.winner).toBe(C);
    expect(result.ranking).toEqual([C, A, B, D]);
  });

  it('uses the most recent earlier round where the tied options differed, even when round 1 disagrees', () => {
    const E = 15;
    const five: TallyOption[] = [...abcd, { id: E, label: 'E', position: 4 }];
    const result = instantRunoff(five, [
      ...times(8, [A]),
      ...times(5, [B]),
      ...times(4, [C]),
      ...times(1, [D, B]),
      ...times(2, [D]),
      ...times(2, [E, C]),
    ]);
    // R1: A8 B5 C4 D3 E2 → E out, 2 to C.  R2: A8 C6 B5 D3 → D out, 1 to B, 2 exhausted.
    // R3: A8 B6 C6 → B and C tied. Round 2 (B5, C6) says B; round 1 (B5, C4) and position would say C.
    expect(roundCounts(result.rounds[2])).toEqual({ A: 8, B: 6, C: 6 });
    expect(result.rounds[2]?.eliminated).toBe(B);
    expect(result.rounds[2]?.tieBreak).toBe(
      'B and C were tied for fewest votes (6 votes each); B had fewer votes in round 2 (B 5, C 6); so B was eliminated.',
    );
    expect(result.winner).toBe(A);
  });

  it('narrows a three-way tie by the earlier round, then by display position', () => {
    const E = 15;
    const five: TallyOption[] = [...abcd, { id: E, label: 'E', position: 4 }];
    const result = instantRunoff(five, [
      ...times(6, [A]),
      ...times(3, [B]),
      ...times(3, [C]),
      ...times(4, [D]),
      ...times(1, [E, B]),
      ...times(1, [E, C]),
    ]);
    // R1: A6 D4 B3 C3 E2 → E out, 1 each to B and C.  R2: A6 B4 C4 D4 → three-way tie.
    // Round 1 (B3, C3, D4) keeps D; B and C are level throughout, so the later-listed C goes.
    expect(roundCounts(result.rounds[1])).toEqual({ A: 6, B: 4, C: 4, D: 4 });
    expect(result.rounds[1]?.eliminated).toBe(C);
    expect(result.rounds[1]?.tieBreak).toBe(
      'B, C and D were tied for fewest votes (4 votes each); B and C had fewer votes in round 1 (B 3, C 3, D 4); B and C were level in every earlier round, and C is listed later on the ballot; so C was eliminated.',
    );
  });

  it('breaks a tie by display position when the tied options were level in every earlier round', () => {
    const result = instantRunoff(abcd, [
      ...times(3, [A]),
      ...times(2, [B, A]),
      ...times(2, [C, A]),
      ...times(1, [D]),
    ]);
    // R1: A3 B2 C2 D1 → D out, exhausted.  R2: A3 B2 C2 of 7 → B/C tie, level in round 1 → C (listed later) out.
    expect(roundCounts(result.rounds[1])).toEqual({ A: 3, B: 2, C: 2 });
    expect(result.rounds[1]?.eliminated).toBe(C);
    expect(result.rounds[1]?.tieBreak).toBe(
      'B and C were tied for fewest votes (2 votes each); B and C were level in every earlier round, and C is listed later on the ballot; so C was eliminated.',
    );
    expect(result.winner).toBe(A);
  });

  it('eliminates options with no votes one at a time, later-listed first', () => {
    const result = instantRunoff(abcd, [...times(2, [A]), ...times(2, [B])]);
    expect(result.rounds.map((r) => r.eliminated)).toEqual([D, C, B, null]);
    expect(result.rounds[0]?.tieBreak).toContain('no earlier round to separate them');
    expect(result.rounds[0]?.transfers).toEqual([
      { to: A, count: 0 },
      { to: B, count: 0 },
      { to: C, count: 0 },
      { to: 'exhausted', count: 0 },
    ]);
    expect(result.ranking).toEqual([A, B, C, D]);
  });

  it('settles an exact final tie with the tie rule and says so', () => {
    const result = instantRunoff(abc, [...times(3, [A]), ...times(2, [B]), ...times(1, [C, B])]);
    expect(roundCounts(result.rounds[1])).toEqual({ A: 3, B: 3 });
    expect(result.rounds[1]?.eliminated).toBe(B);
    expect(result.tiedAtEnd).toBe(true);
    expect(result.rounds[1]?.tieBreak).toBe(
      'A and B were tied in the final round (3 votes each); B had fewer votes in round 1 (B 2, A 3); so B was eliminated and A wins.',
    );
    expect(result.winner).toBe(A);
    expect(result.ranking).toEqual([A, B, C]);
  });

  it('settles a final tie with no history by display position', () => {
    const two = abc.slice(0, 2);
    const result = instantRunoff(two, [...times(2, [B, A]), ...times(2, [A, B])]);
    expect(result.tiedAtEnd).toBe(true);
    expect(result.rounds[0]?.eliminated).toBe(B);
    expect(result.rounds[1]).toMatchObject({ active: 4, exhausted: 0, counts: [{ optionId: A, count: 4 }] });
    expect(result.winner).toBe(A);
  });

  it('is not tiedAtEnd when a tie was broken earlier but the final count was decisive', () => {
    const result = instantRunoff(abcd, [...times(3, [A]), ...times(2, [B, A]), ...times(2, [C, A]), ...times(1, [D])]);
    expect(result.rounds.some((r) => r.tieBreak !== undefined)).toBe(true);
    expect(result.tiedAtEnd).toBe(false);
  });

  it('has no winner and no rounds when there are no ballots, and ranks options in display order', () => {
    const result = instantRunoff(abc, []);
    expect(result).toEqual({ rounds: [], winner: null, ranking: [A, B, C], totalBallots: 0, tiedAtEnd: false });
  });

  it('has no winner when no ballot ranks a real option', () => {
    const result = instantRunoff(abc, [{ voter: null, choices: [999] }, { voter: null, choices: [] }]);
    expect(result.winner).toBeNull();
    expect(result.totalBallots).toBe(2);
  });

  it('has no winner and an empty ranking when there are no options', () => {
    expect(instantRunoff([], times(3, [A]))).toMatchObject({ winner: null, ranking: [], rounds: [] });
  });

  it('ignores unknown and repeated preferences, reading the ballot as its first valid choices', () => {
    const result = instantRunoff(abc, [
      ...times(4, [A]),
      ...times(3, [B]),
      ...times(2, [C, 999, C, B]),
    ]);
    expect(result.rounds[0]?.transfers.find((t) => t.to === B)?.count).toBe(2);
    expect(result.winner).toBe(B);
  });

  it('wins outright with a single option', () => {
    const result = instantRunoff([{ id: A, label: 'A', position: 0 }], times(2, [A]));
    expect(result.winner).toBe(A);
    expect(result.rounds).toHaveLength(1);
  });
});

describe('describeRound and describeTieRule', () => {
  it('summarises an elimination round with transfers', () => {
    const round: RunoffRound = {
      round: 2,
      counts: [
        { optionId: A, count: 5 },
        { optionId: B, count: 4 },
        { optionId: C, count: 2 },
      ],
      active: 11,
      exhausted: 0,
      eliminated: C,
      transfers: [
        { to: A, count: 2 },
        { to: B, count: 0 },
        { to: 'exhausted', count: 0 },
      ],
    };
    expect(describeRound(round, labelOf)).toBe('Round 2: A 5, B 4, C 2 — C eliminated; 2 to A, 0 to B, 0 exhausted');
  });

  it('describes the deciding round and appends any tie-break explanation', () => {
    const result = instantRunoff(abc, [...times(3, [A]), ...times(2, [B]), ...times(1, [C, B])]);
    const lines = result.rounds.map((r) => describeRound(r, labelOf));
    expect(lines).toEqual([
      'Round 1: A 3, B 2, C 1 — C eliminated; 0 to A, 1 to B, 0 exhausted',
      'Round 2: A 3, B 3 — B eliminated; 0 to A, 3 exhausted. Tie-break: A and B were tied in the final round (3 votes each); B had fewer votes in round 1 (B 2, A 3); so B was eliminated and A wins.',
      'Round 3: A 3 — A wins with a majority (3 of 3 active ballots)',
    ]);
  });

  it('mentions the last option remaining when it has no majority', () => {
    const round: RunoffRound = { round: 4, counts: [{ optionId: B, count: 0 }], active: 0, exhausted: 3, eliminated: null, transfers: [] };
    expect(describeRound(round, labelOf)).toBe('Round 4: B 0 — B wins as the last option remaining');
  });

  it('states the tie rule in one sentence', () => {
    const rule = describeTieRule();
    expect(rule).toMatch(/most recent earlier round/);
    expect(rule).toMatch(/listed later on the ballot/);
  });
});

describe('turnout', () => {
  it('computes organisation turnout against organisations present', () => {
    expect(organisationTurnout(3, 4)).toEqual({ voted: 3, present: 4, share: 0.75 });
  });

  it('computes person turnout against eligible people', () => {
    expect(personTurnout(1, 8)).toEqual({ voted: 1, eligible: 8, share: 0.125 });
  });

  it('reports zero share instead of dividing by zero', () => {
    expect(organisationTurnout(0, 0).share).toBe(0);
    expect(personTurnout(0, 0).share).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// Property-style checks over random profiles
// ---------------------------------------------------------------------------


function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    const x = out[i];
    const y = out[j];
    if (x === undefined || y === undefined) continue;
    out[i] = y;
    out[j] = x;
  }
  return out;
}

interface Profile {
  options: TallyOption[];
  ballots: TallyBallot[];
}

function randomProfile(rand: () => number): Profile {
  const n = 1 + Math.floor(rand() * 6);
  const positions = shuffle(
    Array.from({ length: n }, (_, i) => i),
    rand,
  );
  const options = Array.from({ length: n }, (_, i) => ({ id: 100 + i, label: `O${i}`, position: positions[i] ?? i }));
  const ids = options.map((o) => o.id);
  // Few ballots and few options make ties common, which is where the bugs live.
  const ballotCount = Math.floor(rand() * 16);
  const ballots: TallyBallot[] = [];
  for (let b = 0; b < ballotCount; b += 1) {
    const order = shuffle(ids, rand).slice(0, Math.floor(rand() * (n + 1)));
    if (rand() < 0.1) order.splice(Math.floor(rand() * (order.length + 1)), 0, 999);
    if (rand() < 0.1 && order.length > 0) order.push(order[0] ?? 999);
    ballots.push({ voter: rand() < 0.5 ? null : `V${b}`, choices: order });
  }
  return { options, ballots };
}

/** Independent recount from the raw ballots for a given set of continuing options. */
function recount(profile: Profile, continuing: ReadonlySet<OptionId>): Map<OptionId, number> {
  const counts = new Map<OptionId, number>([...continuing].map((id) => [id, 0]));
  for (const ballot of profile.ballots) {
    const top = ballot.choices.find((c) => continuing.has(c));
    if (top !== undefined) counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  return counts;
}

function checkRunoff(profile: Profile, result: RunoffResult): void {
  const ids = profile.options.map((o) => o.id);
  expect([...result.ranking].sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
  expect(result.totalBallots).toBe(profile.ballots.length);

  const known = new Set(ids);
  const anyValid = profile.ballots.some((b) => b.choices.some((c) => known.has(c)));
  if (!anyValid) {
    expect(result.winner).toBeNull();
    return;
  }
  expect(result.winner).not.toBeNull();
  expect(result.ranking[0]).toBe(result.winner);

  result.rounds.forEach((round, i) => {
    const sum = round.counts.reduce((s, c) => s + c.count, 0);
    expect(sum).toBe(round.active);
    expect(round.active + round.exhausted).toBe(result.totalBallots);

    const continuing = new Set(round.counts.map((c) => c.optionId));
    const fresh = recount(profile, continuing);
    for (const c of round.counts) expect(c.count).toBe(fresh.get(c.optionId));

    const isLast = i === result.rounds.length - 1;
    const top = round.counts[0];
    const hasMajority = top !== undefined && top.count * 2 > round.active;
    if (isLast) {
      expect(round.eliminated).toBeNull();
      expect(top?.optionId).toBe(result.winner);
      expect(hasMajority || round.counts.length === 1).toBe(true);
      return;
    }
    expect(hasMajority).toBe(false);
    const eliminated = round.counts.find((c) => c.optionId === round.eliminated);
    expect(eliminated).toBeDefined();
    const fewest = Math.min(...round.counts.map((c) => c.count));
    expect(eliminated?.count).toBe(fewest);
    if (round.counts.filter((c) => c.count === fewest).length > 1) expect(round.tieBreak).toBeDefined();
    else expect(round.tieBreak).toBeUndefined();

    // Transfers conserve ballots and carry the next round's counts.
    const moved = round.transfers.reduce((s, t) => s + t.count, 0);
    expect(moved).toBe(eliminated?.count);
    const next = result.rounds[i + 1];
    for (const c of next?.counts ?? []) {
      const before = round.counts.find((x) => x.optionId === c.optionId)?.count ?? 0;
      const gained = round.transfers.find((t) => t.to === c.optionId)?.count ?? 0;
      expect(c.count).toBe(before + gained);
    }
    const exhaustedGain = round.transfers.find((t) => t.to === 'exhausted')?.count ?? 0;
    expect(next?.exhausted).toBe(round.exhausted + exhaustedGain);
  });

  const eliminatedOrder = result.rounds.flatMap((r) => (r.eliminated === null ? [] : [r.eliminated]));
  expect(result.ranking.slice(result.ranking.length - eliminatedOrder.length)).toEqual([...eliminatedOrder].reverse());
}

describe('instantRunoff properties over random profiles', () => {
  it('keeps every invariant on 400 seeded random profiles', () => {
    const rand = prng(20240611);
    let tiesSeen = 0;
    let finalTiesSeen = 0;
    for (let i = 0; i < 400; i += 1) {
      const profile = randomProfile(rand);
      const result = instantRunoff(profile.options, profile.ballots);
      checkRunoff(profile, result);
      if (result.rounds.some((r) => r.tieBreak !== undefined)) tiesSeen += 1;
      if (result.tiedAtEnd) finalTiesSeen += 1;
    }
    // Guards the generator: without ties the tie-break paths would go unexercised.
    expect(tiesSeen).toBeGreaterThan(20);
    expect(finalTiesSeen).toBeGreaterThan(5);
  });

  it('does not depend on the order ballots or options are supplied in', () => {
    const rand = prng(7);
    for (let i = 0; i < 200; i += 1) {
      const profile = randomProfile(rand);
      const base = instantRunoff(profile.options, profile.ballots);
      const reordered = instantRunoff(shuffle(profile.options, rand), shuffle(profile.ballots, rand));
      expect(reordered).toEqual(base);
    }
  });

  it('counts approval ballots so that every valid distinct choice adds exactly one vote', () => {
    const rand = prng(99);
    for (let i = 0; i < 200; i += 1) {
      const profile = randomProfile(rand);
      const known = new Set(profile.options.map((o) => o.id));
      const expected = profile.ballots.reduce((s, b) => s + new Set(b.choices.filter((c) => known.has(c))).size, 0);
      const result = tallyCounts(profile.options, profile.ballots);
      expect(result.options.reduce((s, o) => s + o.count, 0)).toBe(expected);
      expect([...result.ranking].sort()).toEqual([...known].sort());
      const counts = result.ranking.map((id) => result.options.find((o) => o.optionId === id)?.count ?? 0);
      expect(counts).toEqual([...counts].sort((x, y) => y - x));
    }
  });
});
