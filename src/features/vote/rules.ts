/**
 * Pure vote rules: validating a new vote, ballot choices, voter keys and computing a result from
 * stored ballots. No I/O and no clock of their own, so every rule is unit-tested directly.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { fail, failMany, ok, type Problem, type Result } from '../../domain/result.js';
import { InputIds } from '../../slack/ids.js';
import { localToUtc } from '../../time/zone.js';
import type { Ballot, Eligibility, ResultsVisibility, Vote, VoteMethod, VoteOption } from './repository.js';
import { instantRunoff, tallyCounts, type CountResult, type RunoffResult, type TallyBallot } from './tally.js';
import { parseJsonText } from '../../domain/json.js';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;
export const MAX_QUESTION = 300;
export const MAX_LABEL = 150;
/** A date without a time closes at the end of the working day. */
export const DEFAULT_CLOSE_TIME = '17:00';

export const METHODS: readonly VoteMethod[] = ['single', 'multiple', 'ranked'];
export const ELIGIBILITIES: readonly Eligibility[] = ['everyone', 'members', 'organisation'];
export const VISIBILITIES: readonly ResultsVisibility[] = ['live', 'closed'];

export const voteKey = (number: number): string => `V-${number}`;

/** `V-12`, `v12` or `12` → 12. */
export function parseVoteKey(text: string | undefined): number | undefined {
  const match = /^(?:v-?)?(\d{1,9})$/i.exec((text ?? '').trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export interface DraftInput {
  question: string;
  /** One option per line. */
  optionsText: string;
  /** Options picked from open issues: already looked up, in the order picked. */
  issues: Array<{ id: number; programTeamId: number; label: string }>;
  programTeamId: number;
  method: string;
  maxChoicesText: string;
  eligibility: string;
  anonymous: boolean;
  visibility: string;
  closeDate: string | null;
  closeTime: string | null;
  timeZone: string;
}

export interface ValidDraft {
  question: string;
  options: Array<{ label: string; issueId: number | null }>;
  method: VoteMethod;
  maxChoices: number;
  eligibility: Eligibility;
  anonymous: boolean;
  resultsVisibility: ResultsVisibility;
  closesAt: number | null;
  /** A vote started "for goal G-3" (`/goal`): the goal's id, named on the ballot. */
  goalId?: number;
}

const oneOf = <T extends string>(values: readonly T[], value: string): T | undefined => values.find((v) => v === value);

const normalise = (label: string): string => label.trim().replace(/\s+/g, ' ');

/** Checks the options alone: the `/vote new Q | A | B` shortcut uses this too. */
export function checkOptions(labels: string[], field: string): Problem[] {
  const problems: Problem[] = [];
  if (labels.length < MIN_OPTIONS) problems.push({ code: 'invalid', field, message: `Give at least ${MIN_OPTIONS} options (you gave ${labels.length}).` });
  if (labels.length > MAX_OPTIONS) problems.push({ code: 'invalid', field, message: `A vote can have at most ${MAX_OPTIONS} options (you gave ${labels.length}).` });
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const label of labels) {
    const key = label.toLowerCase();
    if (seen.has(key)) duplicates.push(label);
    else seen.set(key, label);
  }
  if (duplicates.length > 0) problems.push({ code: 'invalid', field, message: `Each option must be different; this one appears more than once: "${duplicates[0] ?? ''}".` });
  const long = labels.find((l) => l.length > MAX_LABEL);
  if (long !== undefined) problems.push({ code: 'invalid', field, message: `An option can be at most ${MAX_LABEL} characters; "${long.slice(0, 30)}…" has ${long.length}.` });
  return problems;
}

/** Everything the `/vote new` modal asks, checked at once so each field shows its own error. */
export function validateDraft(input: DraftInput, now: Date): Result<ValidDraft> {
  const problems: Problem[] = [];
  const question = normalise(input.question);
  if (question === '') problems.push({ code: 'invalid', field: InputIds.voteQuestion, message: 'Write the question people will vote on.' });
  if (question.length > MAX_QUESTION) problems.push({ code: 'invalid', field: InputIds.voteQuestion, message: `The question can be at most ${MAX_QUESTION} characters (it has ${question.length}).` });

  const foreign = input.issues.filter((i) => i.programTeamId !== input.programTeamId);
  if (foreign.length > 0) {
    problems.push({ code: 'invalid', field: InputIds.voteIssues, message: `Pick issues of the vote's team only; ${foreign.map((i) => i.label).join(', ')} belongs to another team.` });
  }
  const typed = input.optionsText.split('\n').map(normalise).filter((l) => l !== '');
  const options = [...input.issues.map((i) => ({ label: normalise(i.label), issueId: i.id })), ...typed.map((label) => ({ label, issueId: null }))];
  const optionField = input.issues.length > 0 && typed.length === 0 ? InputIds.voteIssues : InputIds.voteOptions;
  problems.push(...checkOptions(options.map((o) => o.label), optionField));

  const method = oneOf(METHODS, input.method);
  if (method === undefined) problems.push({ code: 'invalid', field: InputIds.voteMethod, message: 'Choose how people vote.' });
  const eligibility = oneOf(ELIGIBILITIES, input.eligibility);
  if (eligibility === undefined) problems.push({ code: 'invalid', field: InputIds.voteEligibility, message: 'Choose who may vote.' });
  const visibility = oneOf(VISIBILITIES, input.visibility);
  if (visibility === undefined) problems.push({ code: 'invalid', field: InputIds.voteVisibility, message: 'Choose when results are shown.' });

  let maxChoices = 1;
  if (method === 'multiple') {
    const text = input.maxChoicesText.trim();
    const n = text === '' ? options.length : Number(text);
    const top = Math.max(options.length, 1);
    if (!Number.isInteger(n) || n < 1 || n > top) {
      problems.push({ code: 'invalid', field: InputIds.voteMaxChoices, message: `For "several options", say how many each voter may choose: a whole number from 1 to ${top} (the number of options).` });
    } else maxChoices = n;
  } else if (method === 'ranked') {
    maxChoices = options.length;
  }

  let closesAt: number | null = null;
  if (input.closeDate === null && input.closeTime !== null) {
    problems.push({ code: 'invalid', field: InputIds.voteCloseDate, message: 'Pick a closing date to go with the time (or clear the time for no deadline).' });
  } else if (input.closeDate !== null) {
    const local = localToUtc(input.closeDate, input.closeTime ?? DEFAULT_CLOSE_TIME, input.timeZone);
    if (!local.ok) {
      problems.push({
        code: 'invalid',
        field: local.reason === 'invalid_time' || local.reason === 'nonexistent_local_time' ? InputIds.voteCloseTime : InputIds.voteCloseDate,
        message: local.reason === 'nonexistent_local_time' ? 'That time does not exist on that day (the clocks skip it); pick another.' : 'That closing date or time is not valid.',
      });
    } else if (local.at.getTime() <= now.getTime()) {
      problems.push({ code: 'invalid', field: InputIds.voteCloseDate, message: `The closing time must be in the future (times are in ${input.timeZone}).` });
    } else closesAt = local.at.getTime();
  }

  if (problems.length > 0 || method === undefined || eligibility === undefined || visibility === undefined) return failMany(problems.length > 0 ? problems : [{ code: 'invalid', message: 'Something is missing.' }]);
  return ok({ question, options, method, maxChoices, eligibility, anonymous: input.anonymous, resultsVisibility: visibility, closesAt });
}

/** `Question? | A | B | C` → question and options; undefined when there is no `|`. */
export function parseQuickVote(text: string): { question: string; labels: string[] } | undefined {
  if (!text.includes('|')) return undefined;
  const [question = '', ...labels] = text.split('|').map(normalise);
  return { question, labels: labels.filter((l) => l !== '') };
}

/** Checks a ballot's choices against the vote: right options, each once, the right number. */
export function checkChoices(vote: Pick<Vote, 'method' | 'maxChoices'>, optionIds: readonly number[], choices: readonly number[]): Result<number[]> {
  const known = new Set(optionIds);
  if (choices.some((c) => !known.has(c))) return fail('invalid', 'That choice is not an option of this vote.');
  if (new Set(choices).size !== choices.length) return fail('invalid', 'Each option can be ranked only once; pick a different option for each rank.');
  if (choices.length === 0) return fail('invalid', 'Choose at least one option.');
  if (vote.method === 'single' && choices.length !== 1) return fail('invalid', 'This vote takes one option.');
  if (vote.method === 'multiple' && choices.length > vote.maxChoices) return fail('invalid', `You can choose at most ${vote.maxChoices} options.`);
  return ok([...choices]);
}

const hmac = (secret: string, text: string): string => createHmac('sha256', secret).update(text).digest('hex');

/**
 * Which key a vote's ballots are keyed with (`votes.ballot_key_scheme`), fixed when the vote opens:
 * the deployment's key itself (every vote opened before workspaces had their own), or the vote's
 * workspace's own key. A vote keeps its scheme until it closes, so a person's voter key on it never
 * changes: no second ballot, and the Home still sees theirs.
 */
export const BallotKeyScheme = { deployment: 1, perWorkspace: 2 } as const;
/** The scheme of every vote opened from now on. */
export const CURRENT_BALLOT_KEY_SCHEME: number = BallotKeyScheme.perWorkspace;

/**
 * A workspace's own ballot key: HKDF-SHA256 of the deployment's key, the info naming the purpose
 * and the workspace, so the same person voting in two workspaces has unrelated voter keys and one
 * workspace's key tells nothing of another's. Nothing is stored: it is derived again when needed.
 */
export function workspaceBallotKey(deploymentKey: string, workspaceId: string): string {
  return Buffer.from(hkdfSync('sha256', deploymentKey, '', `alliance anonymous ballots v2 workspace:${workspaceId}`, 32)).toString('hex');
}

/** The key `voterKeyFor` and `personHash` take for this vote, by the scheme it was opened with. */
export function voteBallotKey(deploymentKey: string, vote: Pick<Vote, 'workspaceId' | 'ballotKeyScheme'>): string {
  if (vote.ballotKeyScheme === BallotKeyScheme.deployment) return deploymentKey;
  if (vote.ballotKeyScheme === BallotKeyScheme.perWorkspace) return workspaceBallotKey(deploymentKey, vote.workspaceId);
  // A scheme this code does not know (written by a newer version): guessing would mint new voter keys.
  throw new Error(`unknown ballot key scheme ${vote.ballotKeyScheme} on a vote of workspace ${vote.workspaceId}`);
}

/**
 * Who a ballot belongs to. Per organisation: the organisation (its ballot is not secret, the person
 * is). Per person: the user, or for anonymous votes a keyed hash that includes the vote id, so the
 * same person's ballots cannot be linked across votes and the database alone does not say who voted.
 * `secret` is the vote's ballot key (`voteBallotKey`), not the deployment's.
 */
export function voterKeyFor(secret: string, vote: Pick<Vote, 'id' | 'eligibility' | 'anonymous'>, userId: string, organisationId: number | null): string {
  if (vote.eligibility === 'organisation') {
    if (organisationId === null) throw new Error('a per-organisation ballot needs an organisation');
    return `org:${organisationId}`;
  }
  return vote.anonymous ? `anon:${hmac(secret, `voter:${vote.id}:${userId}`)}` : `user:${userId}`;
}

/** Always stored: tells "you replaced a colleague's ballot" apart from "you changed yours" without storing who. */
export const personHash = (secret: string, voteId: number, userId: string): string => hmac(secret, `person:${voteId}:${userId}`);

/**
 * How many may vote. `lastCountedAt` is set only when the electorate could not be counted now and
 * `size` is the one counted at that instant (null: it was never counted).
 */
export interface ElectorateCount {
  size: number;
  lastCountedAt?: number | null;
}

/**
 * The one rule for a vote's electorate size, given the counts it may draw on: *everyone* = the
 * members of the ballot's channel (at its last listing), *members* = the team's members,
 * *organisation* = organisations with a member on the team. Null when it is not known.
 */
export function eligibleCount(eligibility: string, counts: { channelMembers: number | null; teamMembers: number; teamOrganisations: number }): number | null {
  if (eligibility === 'everyone') return counts.channelMembers;
  if (eligibility === 'organisation') return counts.teamOrganisations;
  return counts.teamMembers;
}

export interface ResultOption {
  id: number;
  label: string;
  position: number;
  issueId: number | null;
}

/** Everything needed to show a result, stored as `result_json` when a vote closes. */
export interface VoteResult {
  method: VoteMethod;
  anonymous: boolean;
  eligibility: Eligibility;
  turnout: {
    voted: number;
    eligible: number;
    unit: 'people' | 'organisations';
    /**
     * Set when the electorate could not be counted now (Slack no longer lists the channel's
     * members): `eligible` is the size at the last successful count, made at this instant (null: never).
     */
    lastCountedAt?: number | null;
  };
  options: ResultOption[];
  counts?: CountResult;
  runoff?: RunoffResult;
  /** Ranked, not anonymous: who put each option first (user ids or organisation names). */
  firstChoices?: Record<string, string[]>;
  /** Best first, every option once. */
  ranking: number[];
  /** single/multiple: every option with the top count; ranked: the winner. Empty when nobody voted. */
  winners: number[];
  /** Ranked: the final two were tied and the tie rule chose. */
  tiedAtEnd: boolean;
}

/** Computes a result from stored ballots; pure, so the same ballots always give the same result. */
export function computeResult(
  vote: Pick<Vote, 'method' | 'anonymous' | 'eligibility'>,
  options: VoteOption[],
  stored: Ballot[],
  organisationNames: Map<number, string>,
  eligible: number | ElectorateCount,
): VoteResult {
  const count: ElectorateCount = typeof eligible === 'number' ? { size: eligible } : eligible;
  const method = vote.method as VoteMethod;
  const eligibility = vote.eligibility as Eligibility;
  const voterOf = (b: Ballot): string | null => {
    if (vote.anonymous) return null;
    if (eligibility === 'organisation') return b.organisationId === null ? null : (organisationNames.get(b.organisationId) ?? `organisation ${b.organisationId}`);
    return b.castBy;
  };
  const tallyBallots: TallyBallot[] = stored.map((b) => ({ voter: voterOf(b), choices: parseChoices(b.choicesJson) }));
  const tallyOptions = options.map((o) => ({ id: o.id, label: o.label, position: o.position }));
  const base = {
    method,
    anonymous: vote.anonymous,
    eligibility,
    turnout: {
      voted: stored.length,
      eligible: count.size,
      unit: eligibility === 'organisation' ? ('organisations' as const) : ('people' as const),
      ...(count.lastCountedAt === undefined ? {} : { lastCountedAt: count.lastCountedAt }),
    },
    options: options.map((o) => ({ id: o.id, label: o.label, position: o.position, issueId: o.issueId })),
  };
  if (method === 'ranked') {
    const runoff = instantRunoff(tallyOptions, tallyBallots);
    const firstChoices: Record<string, string[]> = {};
    if (!vote.anonymous) {
      for (const b of tallyBallots) {
        const first = b.choices[0];
        if (first === undefined || b.voter === null) continue;
        (firstChoices[String(first)] ??= []).push(b.voter);
      }
      for (const list of Object.values(firstChoices)) list.sort();
    }
    return { ...base, runoff, firstChoices, ranking: runoff.ranking, winners: runoff.winner === null ? [] : [runoff.winner], tiedAtEnd: runoff.tiedAtEnd };
  }
  const counts = tallyCounts(tallyOptions, tallyBallots);
  return { ...base, counts, ranking: counts.ranking, winners: counts.leaders, tiedAtEnd: false };
}

/** A stored ballot's option ids; a damaged row counts as an empty ballot rather than breaking the whole result. */
export function parseChoices(json: string): number[] {
  const value = parseJsonText(json);
  return Array.isArray(value) ? value.filter((v): v is number => Number.isInteger(v)) : [];
}
