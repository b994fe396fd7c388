import type { RunningAlliance } from '../alliance.js';
import type { SlackRequester } from '../fake-slack/slack-request.js';
import type { AppLogger } from '../logger.js';
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
 * On a fresh database, sets the workspace up the way a coordinator would on day one: signed
 * `/team link`, `/team org` and `/team join` commands, so seeding runs the production paths
 * (permissions, audit log) rather than writing rows behind the app's back. Later starts find the
 * channels linked and change nothing.
 */
export async function seedWorkspace(alliance: RunningAlliance, slack: SlackRequester, logger: AppLogger): Promise<void> {
  const firstTeam = TEAM_CHANNELS[0];
  if (firstTeam === undefined || alliance.deps.teamRepository.byChannel(WORKSPACE_ID, CHANNELS[firstTeam.channel].id) !== undefined) return;
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
  logger.event('info', 'sandbox workspace seeded', { teams: TEAM_CHANNELS.length, organisations: ORGANISATIONS.length });
}
