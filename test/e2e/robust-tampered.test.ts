/**
 * Every feature's modals and buttons, with a changed `private_metadata` or button value (a forged
 * payload, or one from an older version of the app): a polite answer, no listener failure, nothing
 * stored anywhere. A value that is well-formed but names something that does not exist counts too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds, InputIds, ViewIds } from '../../src/slack/ids.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';
import { listenerFailures, tableCounts } from '../rig/robust.js';
import { inputValues } from '../rig/slack-request.js';

const member = PEOPLE.henryFord1.id;
const POLITE = /out of date|could not be read|not valid any more|no longer exists|nothing was/i;

/** Metadata a person could send instead of ours. */
const BAD_METADATA = ['', 'not json', '{"x":1}', '[]', 'null', '{"meeting":"M-1; drop table meetings"}', '{"voteId":999999,"channelId":"C0NOPE"}', '{"issueId":999999}'];
/** Button values a person could send instead of ours. */
const BAD_VALUES = ['', 'DROP TABLE issues', '999999', '-1', '1:2:3:4', '999999:999999', 'x'.repeat(2000)];

const MODALS = [ViewIds.issueNew, ViewIds.issueEdit, ViewIds.meetingNew, ViewIds.meetingEdit, ViewIds.voteNew, ViewIds.voteRank, ViewIds.goalNew, ViewIds.goalEdit, ViewIds.goalReading];
const BUTTONS = [
  ActionIds.issueStart,
  ActionIds.issueResolve,
  ActionIds.issueAssignMe,
  ActionIds.issueListPage,
  'meeting_rsvp_going',
  'meeting_rsvp_declined',
  ActionIds.meetingIcs,
  ActionIds.voteChoose,
  `${ActionIds.voteRemove}_1`,
  ActionIds.voteResults,
  ActionIds.voteRankOpen,
  ActionIds.goalRecordReading,
  ActionIds.goalMarkDone,
];

describe('tampered private_metadata and button values', () => {
  let h: Harness;
  let cnaId: number;
  beforeAll(async () => {
    h = await startHarness();
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', { userId: member, channelId: CHANNELS.cna.id });
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Plausible values for every field of every form, so only the metadata is wrong. */
  const formValues = () =>
    inputValues({
    [InputIds.issueTitle]: { [InputIds.issueTitle]: 'Tampered title' },
    [InputIds.issueTeam]: { [InputIds.issueTeam]: { type: 'static_select', selected_option: String(cnaId) } },
    [InputIds.meetingTeam]: { [InputIds.meetingTeam]: { type: 'static_select', selected_option: { value: '1' } } },
    [InputIds.meetingTitle]: { [InputIds.meetingTitle]: 'Tampered meeting' },
    [InputIds.meetingDate]: { [InputIds.meetingDate]: { type: 'datepicker', selected_date: '2099-11-02' } },
    [InputIds.meetingTime]: { [InputIds.meetingTime]: { type: 'timepicker', selected_time: '10:00' } },
    [InputIds.meetingDuration]: { [InputIds.meetingDuration]: { type: 'static_select', selected_option: { value: '60' } } },
    [InputIds.meetingPlace]: { [InputIds.meetingPlace]: 'Room 1' },
    [InputIds.voteTeam]: { [InputIds.voteTeam]: { type: 'static_select', selected_option: { value: '1' } } },
    [InputIds.voteQuestion]: { [InputIds.voteQuestion]: 'Tampered?' },
    [InputIds.voteOptions]: { [InputIds.voteOptions]: 'A\nB' },
    [InputIds.voteMethod]: { [InputIds.voteMethod]: { type: 'radio_buttons', selected_option: { value: 'single' } } },
    [InputIds.voteEligibility]: { [InputIds.voteEligibility]: { type: 'radio_buttons', selected_option: { value: 'members' } } },
    [InputIds.voteVisibility]: { [InputIds.voteVisibility]: { type: 'radio_buttons', selected_option: { value: 'live' } } },
    [`${InputIds.voteRankPrefix}1`]: { [`${InputIds.voteRankPrefix}1`]: { type: 'static_select', selected_option: { value: '1' } } },
    [InputIds.goalTeam]: { [InputIds.goalTeam]: { type: 'static_select', selected_option: String(cnaId) } },
    [InputIds.goalKind]: { [InputIds.goalKind]: { type: 'radio_buttons', selected_option: { value: 'measure' } } },
    [InputIds.goalName]: { [InputIds.goalName]: 'Tampered goal' },
    [InputIds.goalBaseline]: { [InputIds.goalBaseline]: '1' },
    [InputIds.goalTarget]: { [InputIds.goalTarget]: '9' },
    [InputIds.goalTargetDate]: { [InputIds.goalTargetDate]: { type: 'datepicker', selected_date: '2099-11-02' } },
    [InputIds.goalValue]: { [InputIds.goalValue]: '5' },
  });

  it.each(MODALS)('%s: a changed private_metadata gets a polite answer and stores nothing', async (callbackId) => {
    for (const privateMetadata of BAD_METADATA) {
      const before = await tableCounts(h);
      const failures = listenerFailures(h).length;
      const res = await h.slack.viewSubmission({ callbackId, privateMetadata, userId: member, values: formValues() });
      expect(res.status, privateMetadata).toBe(200);
      // issue_new's own metadata is empty or names a source message, so unknown keys read as none: its field errors are the answer then.
      expect(res.body, `${callbackId} ${privateMetadata}`).toMatch(callbackId === ViewIds.issueNew ? /out of date|Pick a category/ : POLITE);
      expect(await tableCounts(h), privateMetadata).toEqual(before);
      expect(listenerFailures(h).length).toBe(failures);
    }
  });

  it.each(BUTTONS)('%s: a changed button value gets a polite answer and stores nothing', async (actionId) => {
    for (const value of BAD_VALUES) {
      const before = await tableCounts(h);
      const failures = listenerFailures(h).length;
      const responses = h.fake.responses.length;
      const ephemerals = h.fake.callsTo('chat.postEphemeral').length;
      const res = await h.slack.blockAction({ actionId, blockId: 'b', value, userId: member, channelId: CHANNELS.cna.id, messageTs: '1700000000.000100' });
      expect(res.status, value).toBe(200);
      // The answer goes to the person only: through response_url or as an ephemeral message.
      const answer = await h.fake.waitFor(() => h.fake.responses[responses]?.body ?? h.fake.callsTo('chat.postEphemeral')[ephemerals]?.args);
      expect(String(answer.text), `${actionId} ${value.slice(0, 20)}`).toMatch(POLITE);
      expect(answer.replace_original === true).toBe(false);
      expect(await tableCounts(h), value.slice(0, 20)).toEqual(before);
      expect(listenerFailures(h).length).toBe(failures);
    }
  });
});
