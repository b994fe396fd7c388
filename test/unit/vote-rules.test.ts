import { describe, expect, it } from 'vitest';
import type { Ballot, Vote, VoteOption } from '../../src/features/vote/repository.js';
import { checkChoices, computeResult, parseQuickVote, parseVoteKey, personHash, validateDraft, voterKeyFor, type DraftInput } from '../../src/features/vote/rules.js';
import { ballotMessage, confirmationText, resultsPost, winnerLine } from '../../src/features/vote/views.js';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { InputIds } from '../../src/slack/ids.js';

const NOW = new Date('2026-03-02T15:00:00Z');

const draft = (over: Partial<DraftInput> = {}): DraftInput => ({
  question: 'Which first?',
  optionsText: 'A\nB\nC',
  issues: [],
  programTeamId: 1,
  method: 'single',
  maxChoicesText: '',
  eligibility: 'members',
  anonymous: false,
  visibility: 'live',
  closeDate: null,
  closeTime: null,
  timeZone: 'America/Detroit',
  ...over,
});

const vote = (over: Partial<Vote> = {}): Vote => ({
  id: 5,
  workspaceId: 'T1',
  number: 12,
  programTeamId: 1,
  question: 'Which first?',
  method: 'single',
  maxChoices: 1,
  eligibility: 'members',
  anonymous: false,
  resultsVisibility: 'live',
  closesAt: null,
  status: 'open',
  creatorId: 'U0CREATOR',
  channelId: 'C1',
  messageTs: '1.1',
  resultJson: null,
  createdAt: 0,
  closedAt: null,
  electorateSize: null,
  electorateCountedAt: null,
  ballotKeyScheme: 1,
  ...over,
});

const options: VoteOption[] = ['A', 'B', 'C'].map((label, position) => ({ id: 100 + position, workspaceId: 'T1', voteId: 5, position, label, issueId: null }));

const ballot = (choices: number[], over: Partial<Ballot> = {}): Ballot => ({
  id: 1,
  workspaceId: 'T1',
  voteId: 5,
  voterKey: 'user:U1',
  organisationId: null,
  castBy: 'U1',
  castByHash: 'h',
  choicesJson: JSON.stringify(choices),
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('validateDraft', () => {
  it('accepts a valid draft and turns the local closing time into UTC', () => {
    const result = validateDraft(draft({ closeDate: '2026-03-05', closeTime: '12:00' }), NOW);
    expect(result).toEqual({
      ok: true,
      value: {
        question: 'Which first?',
        options: [{ label: 'A', issueId: null }, { label: 'B', issueId: null }, { label: 'C', issueId: null }],
        method: 'single',
        maxChoices: 1,
        eligibility: 'members',
        anonymous: false,
        resultsVisibility: 'live',
        closesAt: Date.parse('2026-03-05T17:00:00Z'),
      },
    });
  });

  it('reports every field problem at once, each beside its field', () => {
    const result = validateDraft(draft({ question: ' ', optionsText: 'A\n a ', method: 'multiple', maxChoicesText: '0', closeDate: '2026-03-01' }), NOW);
    expect(result.ok).toBe(false);
    const fields = Object.fromEntries((result.ok ? [] : (result.problems ?? [])).map((p) => [p.field, p.message]));
    expect(fields[InputIds.voteQuestion]).toContain('Write the question');
    expect(fields[InputIds.voteOptions]).toContain('more than once');
    expect(fields[InputIds.voteMaxChoices]).toContain('from 1 to 2');
    expect(fields[InputIds.voteCloseDate]).toContain('in the future');
  });

  it('needs 2 to 10 options, counting picked issues', () => {
    const one = validateDraft(draft({ optionsText: 'A' }), NOW);
    expect(one.ok ? '' : one.problem.message).toContain('at least 2');
    const eleven = validateDraft(draft({ optionsText: Array.from({ length: 11 }, (_, i) => `O${i}`).join('\n') }), NOW);
    expect(eleven.ok ? '' : eleven.problem.message).toContain('at most 10');
    const issues = validateDraft(draft({ optionsText: '', issues: [{ id: 9, programTeamId: 1, label: 'CNA-1 Bus' }, { id: 8, programTeamId: 1, label: 'CNA-2 Pay' }] }), NOW);
    expect(issues.ok && issues.value.options).toEqual([{ label: 'CNA-1 Bus', issueId: 9 }, { label: 'CNA-2 Pay', issueId: 8 }]);
  });

  it('defaults several-options votes to any number and ranked votes to every option', () => {
    const multiple = validateDraft(draft({ method: 'multiple' }), NOW);
    expect(multiple.ok && multiple.value.maxChoices).toBe(3);
    const ranked = validateDraft(draft({ method: 'ranked' }), NOW);
    expect(ranked.ok && ranked.value.maxChoices).toBe(3);
  });

  it('refuses a time without a date and a time that does not exist', () => {
    const noDate = validateDraft(draft({ closeTime: '10:00' }), NOW);
    expect(noDate.ok ? '' : noDate.problem.field).toBe(InputIds.voteCloseDate);
    const gap = validateDraft(draft({ closeDate: '2026-03-08', closeTime: '02:30' }), NOW);
    expect(gap.ok ? '' : gap.problem.field).toBe(InputIds.voteCloseTime);
  });
});

describe('small parsers', () => {
  it('reads vote ids in the forms people type', () => {
    expect([parseVoteKey('V-12'), parseVoteKey('v12'), parseVoteKey('12'), parseVoteKey('X-1'), parseVoteKey(undefined)]).toEqual([12, 12, 12, undefined, undefined]);
  });
  it('splits a quick vote on |', () => {
    expect(parseQuickVote('Which?  | A |  B  | ')).toEqual({ question: 'Which?', labels: ['A', 'B'] });
    expect(parseQuickVote('no bars')).toBeUndefined();
  });
});

describe('checkChoices', () => {
  const ids = options.map((o) => o.id);
  it('takes exactly one option for single, up to N for multiple, distinct options for ranked', () => {
    expect(checkChoices({ method: 'single', maxChoices: 1 }, ids, [100, 101]).ok).toBe(false);
    expect(checkChoices({ method: 'multiple', maxChoices: 2 }, ids, [100, 101, 102]).ok).toBe(false);
    expect(checkChoices({ method: 'multiple', maxChoices: 2 }, ids, [100, 102])).toEqual({ ok: true, value: [100, 102] });
    expect(checkChoices({ method: 'ranked', maxChoices: 3 }, ids, [100, 100]).ok).toBe(false);
    expect(checkChoices({ method: 'ranked', maxChoices: 3 }, ids, [999]).ok).toBe(false);
    expect(checkChoices({ method: 'ranked', maxChoices: 3 }, ids, []).ok).toBe(false);
  });
});

describe('voter keys', () => {
  it('uses the organisation per organisation, the user when open, and a keyed hash per vote when anonymous', () => {
    expect(voterKeyFor('s', { id: 1, eligibility: 'organisation', anonymous: true }, 'U1', 7)).toBe('org:7');
    expect(voterKeyFor('s', { id: 1, eligibility: 'members', anonymous: false }, 'U1', null)).toBe('user:U1');
    const anonymous = voterKeyFor('s', { id: 1, eligibility: 'members', anonymous: true }, 'U1', null);
    expect(anonymous).toMatch(/^anon:[0-9a-f]{64}$/);
    expect(anonymous).not.toContain('U1');
    expect(voterKeyFor('s', { id: 2, eligibility: 'members', anonymous: true }, 'U1', null)).not.toBe(anonymous);
    expect(voterKeyFor('other', { id: 1, eligibility: 'members', anonymous: true }, 'U1', null)).not.toBe(anonymous);
    expect(personHash('s', 1, 'U1')).toBe(personHash('s', 1, 'U1'));
    expect(personHash('s', 1, 'U1')).not.toBe(personHash('s', 1, 'U2'));
  });
});

describe('computeResult and its views', () => {
  it('counts per organisation with organisation names as voters, and shows turnout in organisations', () => {
    const result = computeResult(
      vote({ eligibility: 'organisation' }),
      options,
      [ballot([100], { organisationId: 1, castBy: 'U1' }), ballot([100], { organisationId: 2, castBy: 'U2' })],
      new Map([
        [1, 'Henry Ford <Health>'],
        [2, 'Corewell'],
      ]),
      4,
    );
    expect(result.counts?.options[0]).toMatchObject({ count: 2, voters: ['Corewell', 'Henry Ford <Health>'] });
    const text = JSON.stringify(ballotMessage({ vote: vote({ eligibility: 'organisation' }), options, result }).blocks);
    expect(text).toContain('2 of 4 organisations on the team have voted (50%)');
    expect(text).toContain('Henry Ford &lt;Health&gt;');
  });

  it('never lists voters of an anonymous vote', () => {
    const result = computeResult(vote({ anonymous: true }), options, [ballot([101], { castBy: null })], new Map(), 3);
    const message = ballotMessage({ vote: vote({ anonymous: true }), options, result });
    expect(JSON.stringify(message)).not.toContain('U1');
    expect(JSON.stringify(message)).not.toContain('U0CREATOR');
  });

  it('hides counts while results are hidden, shows turnout, and stays within Block Kit limits', () => {
    const result = computeResult(vote({ resultsVisibility: 'closed' }), options, [ballot([101])], new Map(), 3);
    const message = ballotMessage({ vote: vote({ resultsVisibility: 'closed' }), options, result });
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain('1 vote');
    expect(text).toContain('Turnout: 1 of 3 eligible people');
    expect(validateMessage({ text: message.text, blocks: message.blocks })).toEqual([]);
  });

  it('shows a closed ranked vote with every round, no buttons, and a results post within limits', () => {
    const ranked = vote({ method: 'ranked', status: 'closed', closedAt: 1 });
    const result = computeResult(ranked, options, [ballot([100, 101]), ballot([101, 100]), ballot([102, 101])], new Map(), 3);
    const message = ballotMessage({ vote: ranked, options, result });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Round 1');
    expect(text).not.toContain('vote_rank_open');
    expect(winnerLine(ranked, result)).toBe(':trophy: *B* wins.');
    const post = resultsPost(ranked, result);
    expect(validateMessage({ text: post.text, blocks: post.blocks })).toEqual([]);
  });

  it('confirms privately without naming the voter and says when a colleague’s ballot was replaced', () => {
    expect(confirmationText(vote(), options, [100], 'new', null)).toBe(':ballot_box_with_ballot: Your ballot on V-12 is recorded: *A*.');
    expect(confirmationText(vote(), options, [101], 'replaced', 'Henry Ford')).toContain('replaced the ballot a colleague had cast');
    expect(confirmationText(vote({ method: 'ranked' }), options, [101, 100], 'changed', null)).toContain('1. *B*  2. *A*');
  });
});
