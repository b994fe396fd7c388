import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { ListenerDeps } from '../../register.js';
import { retryWhileBusy } from '../../slack/busy-retry.js';
import { doneModal } from '../../slack/blocks.js';
import { ActionIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionChannel, mentionUser, truncateMrkdwn } from '../../slack/mrkdwn.js';
import { problemText } from '../../slack/reply.js';
import { DigestRepository } from '../digest/repository.js';
import { DigestService } from '../digest/service.js';
import { newIssueMetadata } from '../issue/metadata.js';
import { issueModal } from '../issue/views.js';
import { agendaPrefill, teamAgendaState } from '../meeting/agenda.js';
import { schedulerZone } from '../meeting/command.js';
import { utcToLocalParts } from '../../time/zone.js';
import { DEFAULT_DURATION, meetingModal } from '../meeting/views.js';
import { VoteRepository } from '../vote/repository.js';
import { newVoteModal } from '../vote/views.js';
import { HOME_REFRESH } from './refresh.js';
import { homeClick } from './runtime.js';

const homeOpened = z.object({
  user: z.string().min(1),
  tab: z.string().default('home'),
});
const eventBody = z.object({ team_id: z.string().min(1) });

const click = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullish(),
  trigger_id: z.string().min(1),
  view: z.object({ team_id: z.string().optional() }).optional(),
});

/** The new-vote form lists at most 100 open issues (a select's limit); its hint counts the rest. */
const MAX_ISSUE_OPTIONS = 100;

/**
 * The Home tab: published when a person opens it, republished when what it shows changes (see
 * refresh.ts), and its buttons. Ballot, issue and RSVP buttons on the Home reuse the channel
 * messages' action ids, so their own listeners handle them (answering on the Home through
 * `respondVia`); after any click on a Home, that Home is published again at once.
 */
export function registerHome(app: App, deps: ListenerDeps): void {
  const home = deps.home;
  const digests = new DigestService({
    repo: new DigestRepository(deps.db),
    teamRepository: deps.teamRepository,
    teams: deps.teams,
    timeZone: deps.config.ALLIANCE_TIMEZONE,
    zones: deps.zones,
    configCoordinators: deps.config.ALLIANCE_COORDINATORS,
  });
  const votes = new VoteRepository(deps.db);

  app.event('app_home_opened', async ({ event, body }) => {
    const parsed = homeOpened.safeParse(event);
    const ws = eventBody.safeParse(body);
    // The Messages tab is Slack's own; only the Home tab is ours to draw.
    if (!parsed.success || !ws.success || parsed.data.tab !== 'home') return;
    const actor = await deps.actors.resolve(ws.data.team_id, parsed.data.user);
    // The event is acked already: another instance's write lock is waited out, not fatal.
    await retryWhileBusy(() => home.opened(actor));
  });

  // The outbox publishes a Home (a coalesced `home` refresh) by asking for it as it is at send time.
  deps.refreshers[HOME_REFRESH] = (ref, now) => home.render(ref, now);

  // Whatever a click on a Home did, that person's Home shows it at once (not after a burst settles).
  app.use(async ({ body, next }) => {
    await next();
    const clicked = homeClick(body);
    if (clicked !== undefined && (body as { type?: unknown }).type === 'block_actions') {
      const actor = await deps.actors.resolve(clicked.workspaceId, clicked.userId);
      // The click was acked already (as above).
      await retryWhileBusy(() => home.clicked(actor));
    }
  });

  /** The modals the commands open, opened from the Home with the person's only team picked. */
  const openFromHome = (actionId: string, build: (ws: string, userId: string) => Promise<ModalView>) => {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const parsed = click.safeParse(body);
      if (!parsed.success) return;
      const ws = parsed.data.team?.id ?? parsed.data.view?.team_id ?? '';
      await client.views.open({ trigger_id: parsed.data.trigger_id, view: await build(ws, parsed.data.user.id) });
    });
  };
  const onlyTeam = async (ws: string, userId: string) => {
    const mine = await deps.teamRepository.teamsOf(ws, userId);
    return mine.length === 1 ? mine[0] : undefined;
  };

  openFromHome(ActionIds.homeNewIssue, async (ws, userId) => {
    const selected = await onlyTeam(ws, userId);
    return issueModal({
      mode: 'new',
      teams: await deps.teamRepository.teams(ws),
      ...(selected === undefined ? {} : { teamId: selected.id }),
      title: '',
      details: '',
      privateMetadata: newIssueMetadata({}),
    });
  });

  openFromHome(ActionIds.homeNewMeeting, async (ws, userId) => {
    const now = deps.now();
    const teams = await deps.teamRepository.teams(ws);
    const selected = await onlyTeam(ws, userId);
    const tz = await schedulerZone({ timeZoneOf: (w, u) => deps.actors.timeZoneOf(w, u), defaultTimeZone: (w) => deps.zones.zoneFor(w) }, ws, userId);
    const agenda = selected === undefined ? '' : agendaPrefill(await teamAgendaState(deps.db, selected.id, selected.key, utcToLocalParts(now, tz).date, now.getTime()));
    return meetingModal({
      mode: 'new',
      teams: teams.map((t) => ({ id: t.id, key: t.key, name: t.name })),
      ...(selected === undefined ? {} : { selectedTeamId: selected.id }),
      timeZone: tz,
      values: { title: '', duration: DEFAULT_DURATION, place: '', link: '', agenda },
      privateMetadata: JSON.stringify({ tz }),
    });
  });

  openFromHome(ActionIds.homeNewVote, async (ws, userId) => {
    const selected = await onlyTeam(ws, userId);
    const issues = await votes.openIssues(ws, MAX_ISSUE_OPTIONS);
    const total = issues.length < MAX_ISSUE_OPTIONS ? issues.length : await votes.countOpenIssues(ws);
    // The same rule as `/vote new`: the person's own Slack zone, else the workspace's.
    const timeZone = await schedulerZone({ timeZoneOf: (w, u) => deps.actors.timeZoneOf(w, u), defaultTimeZone: (w) => deps.zones.zoneFor(w) }, ws, userId);
    // The ballot goes to the chosen team's channel; the form needs a place it was opened from.
    const channelId = (selected === undefined ? undefined : (await deps.teamRepository.channelsOf(selected.id))[0]) ?? 'app_home';
    return newVoteModal({ teams: await deps.teamRepository.teams(ws), initialTeamId: selected?.id, issues, moreIssues: total - issues.length, channelId, timeZone });
  });

  openFromHome(ActionIds.homeDigestPreview, async (ws) => {
    const preview = await digests.preview(ws, { kind: 'rollup' }, deps.now());
    const modal = doneModal('Roll-up preview', preview.text);
    return { ...modal, callback_id: ViewIds.homeDigestPreview, close: { type: 'plain_text', text: 'Close' }, blocks: preview.blocks.slice(0, 100) };
  });

  app.action(ActionIds.homeDigestSend, async ({ ack, body, respond }) => {
    await ack();
    const reply = home.respondVia(body, respond);
    const parsed = click.safeParse(body);
    if (!parsed.success) return;
    const actor = await deps.actors.resolve(parsed.data.team?.id ?? parsed.data.view?.team_id ?? '', parsed.data.user.id);
    const sent = await digests.sendNow(actor, 'all', '', deps.now());
    if (!sent.ok) {
      await reply(problemText(sent.problem));
      return;
    }
    deps.outbox.kick();
    const lines = sent.value.sent.map(({ name, to }) => {
      if (to.length === 0) return `• ${escapeMrkdwn(name)}: nowhere to send it (no linked channel or recipients)`;
      return `• ${escapeMrkdwn(name)} → ${(name === 'the roll-up' ? to.map(mentionUser) : to.map(mentionChannel)).join(', ')}`;
    });
    await reply(truncateMrkdwn(`:outbox_tray: Sending digests now:\n${lines.join('\n')}`, 2900));
  });
}
