import type { RunningAlliance } from '../alliance.js';
import type { SlackRequester } from '../fake-slack/slack-request.js';
import type { AppLogger } from '../logger.js';
import { todayIn } from '../time/zone.js';
import { addDays } from '../features/goal/pace.js';
import { CHANNELS, ORGANISATIONS, PEOPLE, TEAM_CHANNELS, WORKSPACE_ID } from './workspace.js';

/** Who is on which team in the demo workspace, so lists and votes have people from the start. */
export const SANDBOX_MEMBERSHIPS: Array<{ person: keyof typeof PEOPLE; team: string }> = [
  { person: 'henryFord1', team: 'CNA' },
  { person: 'corewell', team: 'CNA' },
  { person: 'trinity', team: 'CNA' },
  { person: 'trainer', team: 'CNA' },
  { person: 'henryFord2', team: 'MA' },
  { person: 'corewell', team: 'MA' },
  { person: 'analyst', team: 'MA' },
  { person: 'trinity', team: 'SPT' },
  { person: 'trainer', team: 'SPT' },
  { person: 'partner', team: 'SPT' },
];

/**
 * A few realistic HCASM goals, set and read the way their owners would (signed `/goal` commands),
 * dated from the day the sandbox is first started so their pace reads the same on any day:
 * on track, at risk and behind measures, and a milestone in its last two weeks.
 */
export function sandboxGoals(today: string): Array<{ person: keyof typeof PEOPLE; channel: keyof typeof CHANNELS; text: string }> {
  const by = (days: number) => addDays(today, days);
  return [
    { person: 'henryFord1', channel: 'cna', text: `new CNA Clinical placement slots from 22 to 40 slots by ${by(210)}` },
    { person: 'henryFord1', channel: 'cna', text: 'update G-1 28 two new sites at Henry Ford Wyandotte and Corewell Dearborn' },
    { person: 'trainer', channel: 'cna', text: `new CNA High-school students reached through hospital tours from 120 to 400 students by ${by(270)}` },
    { person: 'corewell', channel: 'ma', text: `new MA Medical assistant apprentices hired from 5 to 25 apprentices by ${by(240)}` },
    { person: 'corewell', channel: 'ma', text: 'update G-3 4 one apprentice left for an RN program' },
    { person: 'analyst', channel: 'ma', text: `new MA Average days to fill MA openings from 62 to 45 days by ${by(180)}` },
    { person: 'analyst', channel: 'ma', text: 'update G-4 70 from the LEO-WD vacancy survey' },
    { person: 'trinity', channel: 'spt', text: `new SPT State approves the new SPT curriculum by ${by(10)}` },
  ];
}

/**
 * On a fresh database, sets the workspace up the way a coordinator would on day one: signed
 * `/team link`, `/team org` and `/team join` commands, so seeding runs the production paths
 * (permissions, audit log) rather than writing rows behind the app's back. Later starts find the
 * channels linked and change nothing.
 */
/** `timeZone` dates the seeded goals (the sandbox passes ALLIANCE_TIMEZONE; the default is its default). */
export async function seedWorkspace(alliance: RunningAlliance, slack: SlackRequester, logger: AppLogger, timeZone = 'America/Detroit'): Promise<void> {
  const firstTeam = TEAM_CHANNELS[0];
  if (firstTeam === undefined || (await alliance.deps.teamRepository.byChannel(WORKSPACE_ID, CHANNELS[firstTeam.channel].id)) !== undefined) return;
  const coordinator = PEOPLE.coordinator;
  const run = async (userId: string, channelId: string, text: string): Promise<void> => {
    const response = await slack.command('/team', text, { userId, channelId, userName: undefined });
    if (response.status !== 200) logger.event('warn', 'sandbox seeding step failed', { text, status: response.status, body: response.body });
  };
  for (const { channel, team } of TEAM_CHANNELS) await run(coordinator.id, CHANNELS[channel].id, `link ${team}`);
  for (const { person, organisation } of ORGANISATIONS) {
    const p = PEOPLE[person];
    await run(coordinator.id, CHANNELS.coordinators.id, `org <@${p.id}|${p.name}> ${organisation}`);
  }
  for (const { person, team } of SANDBOX_MEMBERSHIPS) await run(PEOPLE[person].id, CHANNELS.general.id, `join ${team}`);
  for (const { person, channel, text } of sandboxGoals(todayIn(alliance.deps.now(), timeZone))) {
    const response = await slack.command('/goal', text, { userId: PEOPLE[person].id, channelId: CHANNELS[channel].id, userName: undefined });
    if (response.status !== 200 || !/Set \*G-|Recorded/.test(response.body)) logger.event('warn', 'sandbox goal seeding step failed', { text, status: response.status, body: response.body.slice(0, 300) });
  }
  logger.event('info', 'sandbox workspace seeded', { teams: TEAM_CHANNELS.length, organisations: ORGANISATIONS.length });
}
