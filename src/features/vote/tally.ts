/**
 * Vote tallying: pure functions, no I/O and no clock, so results can be
 * recomputed from stored ballots at any time and tested exhaustively.
 *
 * - `tallyCounts` counts single-choice and approval (multiple) votes.
 * - `instantRunoff` counts ranked votes by instant-runoff voting (IRV).
 * - `organisationTurnout` / `personTurnout` compute turnout shares.
 * - `describeRound` / `describeTieRule` produce the plain-text explanations
 *   shown in results messages.
 */

export type OptionId = number;

export interface TallyOption {
  id: OptionId;
  label: string;
  /** Display order, 0-based. */
  position: number;
}

export interface TallyBallot {
  /** Display name of the person or organisation; null when the vote is anonymous. */
  voter: string | null;
  /** single: 1; multiple: 1..N distinct; ranked: ordered, may be partial (truncated). */
  choices: OptionId[];
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/** Display order; id breaks equal positions so every ordering is total and deterministic. */
function byDisplayOrder(a: TallyOption, b: TallyOption): number {
  return a.position - b.position || a.id - b.id;
}

/**
 * Keeps only choices that are real options, each once, in ballot order.
 * Validation happens before ballots are stored; this is a second line of
 * defence so a bad row can never inflate a count.
 */
function cleanChoices(choices: readonly OptionId[], known: ReadonlySet<OptionId>): OptionId[] {
  const seen = new Set<OptionId>();
  const out: OptionId[] = [];
  for (const choice of choices) {
    if (known.has(choice) && !seen.has(choice)) {
      seen.add(choice);
      out.push(choice);
    }
  }
  return out;
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

// Collator so "émilie" sorts next to "Emily" rather than after "Zoe"; the
// plain comparison afterwards keeps the order total for names the collator
// considers equal.
const nameCollator = new Intl.Collator('en', { sensitivity: 'base' });
function compareNames(a: string, b: string): number {
  return nameCollator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

// ---------------------------------------------------------------------------
// Single / multiple (approval) counting
// ---------------------------------------------------------------------------

export interface OptionCount {
  optionId: OptionId;
  label: string;
  count: number;
  /** count / totalBallots (so approval shares can add up to more than 1); 0 when no ballots. */
  share: number;
  /** Sorted voter names; anonymous ballots never appear here. */
  voters: string[];
}

export interface CountResult {
  /** One entry per option, in display order. */
  options: OptionCount[];
  /** Every ballot cast, including one left with no valid choice. */
  totalBallots: number;
  /** All options with the top count, in display order; empty when nothing was chosen. */
  leaders: OptionId[];
  /** Every option exactly once, best first: count descending, ties by display position. */
  ranking: OptionId[];
}

export function tallyCounts(options: readonly TallyOption[], ballots: readonly TallyBallot[]): CountResult {
  const ordered = [...options].sort(byDisplayOrder);
  const known = new Set(ordered.map((o) => o.id));
  const counts = new Map<OptionId, number>(ordered.map((o) => [o.id, 0]));
  const voters = new Map<OptionId, string[]>(ordered.map((o) => [o.id, []]));

  for (const ballot of ballots) {
    for (const choice of cleanChoices(ballot.choices, known)) {
      counts.set(choice, (counts.get(choice) ?? 0) + 1);
      if (ballot.voter !== null) voters.get(choice)?.push(ballot.voter);
    }
  }

  const totalBallots = ballots.length;
  const rows: OptionCount[] = ordered.map((o) => {
    const count = counts.get(o.id) ?? 0;
    return {
      optionId: o.id,
      label: o.label,
      count,
      share: ratio(count, totalBallots),
      voters: [...(voters.get(o.id) ?? [])].sort(compareNames),
    };
  });

  const top = rows.reduce((max, r) => Math.max(max, r.count), 0);
  // A top count of 0 means nobody chose anything: nobody leads.
  const leaders = top > 0 ? rows.filter((r) => r.count === top).map((r) => r.optionId) : [];
  // `rows` is already in display order and Array.prototype.sort is stable, so
  // equal counts keep display order.
  const ranking = [...rows].sort((a, b) => b.count - a.count).map((r) => r.optionId);

  return { options: rows, totalBallots, leaders, ranking };
}

// ---------------------------------------------------------------------------
// Ranked: instant-runoff voting
// ---------------------------------------------------------------------------

export interface RoundCount {
  optionId: OptionId;
  count: number;
}

export interface RunoffTransfer {
  to: OptionId | 'exhausted';
  count: number;
}

export interface RunoffRound {
  /** 1-based. */
  round: number;
  /** Continuing options only, most votes first, ties by display position. */
  counts: RoundCount[];
  /** Ballots whose highest continuing preference is one of the counted options. */
  active: number;
  /** Ballots with no continuing preference left (including any with no valid choice at all); active + exhausted = totalBallots. */
  exhausted: number;
  /** Null in the deciding round. */
  eliminated: OptionId | null;
  /**
   * Where the eliminated option's ballots went: one entry per option still
   * continuing (display order, zeros included) and a final 'exhausted'
   * entry. Empty when nothing was eliminated. Counts sum to the eliminated
   * option's votes.
   */
  transfers: RunoffTransfer[];
  /** How a tie for fewest votes was broken, as a sentence; absent when there was no tie. */
  tieBreak?: string;
}

export interface RunoffResult {
  rounds: RunoffRound[];
  /** Null only when no ballot ranks any option (including when there are no ballots or no options). */
  winner: OptionId | null;
  /**
   * Every option exactly once: the winner; then options still in the count
   * when the winner was found (last-round votes descending, ties by the
   * elimination tie rule); then eliminated options, last eliminated first.
   * Display order when there is no winner.
   */
  ranking: OptionId[];
  totalBallots: number;
  /** True when the final two were exactly tied and the tie rule picked the winner. */
  tiedAtEnd: boolean;
}

const TIE_RULE =
  'Ties for fewest votes are broken by eliminating the option that had fewer votes in the most recent earlier round where the tied options differed (round 1 is the first-preference count); if they were level in every round, the option listed later on the ballot is eliminated.';

export function describeTieRule(): string {
  return TIE_RULE;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function joinLabels(labels: readonly string[]): string {
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1] ?? ''}`;
}

function countsOf(round: RunoffRound): Map<OptionId, number> {
  return new Map(round.counts.map((c) => [c.optionId, c.count]));
}

interface TieOutcome {
  loser: OptionId;
  explanation: string;
}

/**
 * Chooses which of the options tied for fewest votes is eliminated, and
 * explains why. Walking back from the most recent earlier round and keeping
 * only the options with the fewest votes wherever the group differs is the
 * same as "fewer votes in the most recent earlier round where they differed",
 * generalised to ties of three or more.
 */
function breakTie(
  tied: readonly TallyOption[],
  history: readonly RunoffRound[],
  votes: number,
  finalTwo: boolean,
): TieOutcome {
  let candidates = [...tied];
  const steps: string[] = [];

  for (let r = history.length - 1; r >= 0 && candidates.length > 1; r -= 1) {
    const round = history[r];
    if (round === undefined) continue;
    const earlier = countsOf(round);
    const valueOf = (o: TallyOption): number => earlier.get(o.id) ?? 0;
    const lowest = Math.min(...candidates.map(valueOf));
    const lower = candidates.filter((o) => valueOf(o) === lowest);
    if (lower.length === candidates.length) continue;
    const rest = candidates.filter((o) => valueOf(o) !== lowest);
    const detail = [...lower, ...rest].map((o) => `${o.label} ${valueOf(o)}`).join(', ');
    steps.push(`${joinLabels(lower.map((o) => o.label))} had fewer votes in round ${round.round} (${detail})`);
    candidates = lower;
  }

  const byPosition = candidates.length > 1;
  // Later on the ballot = higher display position; candidates are kept in display order.
  const loser = candidates[candidates.length - 1] ?? tied[tied.length - 1];
  if (loser === undefined) throw new Error('breakTie needs at least one option');

  const lead = finalTwo
    ? `${joinLabels(tied.map((o) => o.label))} were tied in the final round (${plural(votes, 'vote')} each)`
    : `${joinLabels(tied.map((o) => o.label))} were tied for fewest votes (${plural(votes, 'vote')} each)`;
  const parts = [lead, ...steps];
  if (byPosition) {
    const level = joinLabels(candidates.map((o) => o.label));
    parts.push(
      history.length === 0
        ? `there is no earlier round to separate them, and ${loser.label} is listed later on the ballot`
        : `${level} were level in every earlier round, and ${loser.label} is listed later on the ballot`,
    );
  }
  const survivor = tied.find((o) => o.id !== loser.id);
  const outcome =
    finalTwo && survivor !== undefined
      ? `so ${loser.label} was eliminated and ${survivor.label} wins.`
      : `so ${loser.label} was eliminated.`;
  return { loser: loser.id, explanation: `${parts.join('; ')}; ${outcome}` };
}

export function instantRunoff(options: readonly TallyOption[], ballots: readonly TallyBallot[]): RunoffResult {
  const ordered = [...options].sort(byDisplayOrder);
  const byId = new Map(ordered.map((o) => [o.id, o]));
  const known = new Set(byId.keys());
  const prefs = ballots.map((b) => cleanChoices(b.choices, known));
  const totalBallots = ballots.length;

  const continuing = new Set<OptionId>(known);
  const topChoice = (pref: readonly OptionId[]): OptionId | null => pref.find((id) => continuing.has(id)) ?? null;
  // The option each ballot currently counts for; null once exhausted.
  const holder = prefs.map(topChoice);

  if (holder.every((h) => h === null)) {
    return { rounds: [], winner: null, ranking: ordered.map((o) => o.id), totalBallots, tiedAtEnd: false };
  }

  const rounds: RunoffRound[] = [];
  const eliminatedOrder: OptionId[] = [];
  let winner: OptionId | null = null;
  let tiedAtEnd = false;

  // Each pass eliminates exactly one option, so this ends within options.length rounds.
  while (winner === null) {
    const live = ordered.filter((o) => continuing.has(o.id));
    const tally = new Map<OptionId, number>(live.map((o) => [o.id, 0]));
    for (const h of holder) if (h !== null) tally.set(h, (tally.get(h) ?? 0) + 1);
    const voteOf = (o: TallyOption): number => tally.get(o.id) ?? 0;

    const active = live.reduce((sum, o) => sum + voteOf(o), 0);
    const counts = [...live].sort((a, b) => voteOf(b) - voteOf(a)).map((o) => ({ optionId: o.id, count: voteOf(o) }));
    const roundNumber = rounds.length + 1;
    const base = { round: roundNumber, counts, active, exhausted: totalBallots - active };

    const leader = counts[0];
    if (leader === undefined) throw new Error('instantRunoff: no continuing options');
    if (leader.count * 2 > active || live.length === 1) {
      rounds.push({ ...base, eliminated: null, transfers: [] });
      winner = leader.optionId;
      break;
    }

    const fewest = Math.min(...live.map(voteOf));
    const tied = live.filter((o) => voteOf(o) === fewest);
    const finalTwo = live.length === 2 && tied.length === 2;
    let loser: OptionId;
    let tieBreak: string | undefined;
    if (tied.length === 1 && tied[0] !== undefined) {
      loser = tied[0].id;
    } else {
      const outcome = breakTie(tied, rounds, fewest, finalTwo);
      loser = outcome.loser;
      tieBreak = outcome.explanation;
      tiedAtEnd = finalTwo;
    }

    continuing.delete(loser);
    eliminatedOrder.push(loser);
    const moved = new Map<OptionId | 'exhausted', number>();
    for (const o of live) if (o.id !== loser) moved.set(o.id, 0);
    moved.set('exhausted', 0);
    holder.forEach((h, i) => {
      if (h !== loser) return;
      const next = topChoice(prefs[i] ?? []);
      holder[i] = next;
      const key = next ?? 'exhausted';
      moved.set(key, (moved.get(key) ?? 0) + 1);
    });
    const transfers = [...moved].map(([to, count]) => ({ to, count }));
    rounds.push(tieBreak === undefined ? { ...base, eliminated: loser, transfers } : { ...base, eliminated: loser, transfers, tieBreak });
  }

  const survivors = ordered
    .filter((o) => continuing.has(o.id) && o.id !== winner)
    .sort((a, b) => compareByHistory(a, b, rounds))
    .map((o) => o.id);
  const ranking = [winner, ...survivors, ...[...eliminatedOrder].reverse()];

  return { rounds, winner, ranking, totalBallots, tiedAtEnd };
}

/**
 * Best first: more votes in the latest round, then in the most recent earlier
 * round where they differ, then earlier display position. The option this
 * puts last among a tied group is exactly the one the elimination rule removes,
 * so the ranking of options never eliminated agrees with the tie rule.
 */
function compareByHistory(a: TallyOption, b: TallyOption, rounds: readonly RunoffRound[]): number {
  for (let r = rounds.length - 1; r >= 0; r -= 1) {
    const round = rounds[r];
    if (round === undefined) continue;
    const counts = countsOf(round);
    const diff = (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0);
    if (diff !== 0) return diff;
  }
  return byDisplayOrder(a, b);
}

/**
 * One line for a results message, e.g.
 * "Round 2: A 5, B 4, C 2 — C eliminated; 2 to A, 0 to B, 0 exhausted".
 */
export function describeRound(round: RunoffRound, labelOf: (id: OptionId) => string): string {
  const standings = round.counts.map((c) => `${labelOf(c.optionId)} ${c.count}`).join(', ');
  const head = `Round ${round.round}: ${standings}`;

  if (round.eliminated === null) {
    const leader = round.counts[0];
    if (leader === undefined) return head;
    if (leader.count * 2 > round.active) {
      return `${head} — ${labelOf(leader.optionId)} wins with a majority (${leader.count} of ${plural(round.active, 'active ballot')})`;
    }
    return `${head} — ${labelOf(leader.optionId)} wins as the last option remaining`;
  }

  const moves = round.transfers
    .map((t) => (t.to === 'exhausted' ? `${t.count} exhausted` : `${t.count} to ${labelOf(t.to)}`))
    .join(', ');
  const line = `${head} — ${labelOf(round.eliminated)} eliminated; ${moves}`;
  return round.tieBreak === undefined ? line : `${line}. Tie-break: ${round.tieBreak}`;
}

// ---------------------------------------------------------------------------
// Turnout
// ---------------------------------------------------------------------------

export interface OrganisationTurnout {
  voted: number;
  present: number;
  /** voted / present; 0 when no organisation is present. */
  share: number;
}

export interface PersonTurnout {
  voted: number;
  eligible: number;
  /** voted / eligible; 0 when nobody is eligible. */
  share: number;
}

export function organisationTurnout(votedOrgs: number, presentOrgs: number): OrganisationTurnout {
  return { voted: votedOrgs, present: presentOrgs, share: ratio(votedOrgs, presentOrgs) };
}

export function personTurnout(voted: number, eligible: number): PersonTurnout {
  return { voted, eligible, share: ratio(voted, eligible) };
}
