import type { FakeChannel, FakeUser } from '../fake-slack/types.js';

/**
 * A small HCASM-like workspace: used by the end-to-end tests and by the browser sandbox, so both
 * exercise the same people, organisations and channels.
 */
export const WORKSPACE_ID = 'T0ALLIANCE';
export const PARTNER_WORKSPACE_ID = 'T0PARTNER';

export const PEOPLE = {
  coordinator: { id: 'U0COORD01', name: 'wendy', realName: 'Wendy Okafor (WIN coordinator)', tz: 'America/Detroit' },
  henryFord1: { id: 'U0HFH0001', name: 'hannah', realName: 'Hannah Lee (Henry Ford Health)', tz: 'America/Detroit' },
  henryFord2: { id: 'U0HFH0002', name: 'marcus', realName: 'Marcus Bell (Henry Ford Health)', tz: 'America/Detroit' },
  corewell: { id: 'U0COR0001', name: 'priya', realName: 'Priya Shah (Corewell Health)', tz: 'America/Detroit' },
  trinity: { id: 'U0TRI0001', name: 'diego', realName: 'Diego Ramos (Trinity Health)', tz: 'America/Chicago' },
  trainer: { id: 'U0WCC0001', name: 'alicia', realName: 'Alicia Grant (Wayne County CC)', tz: 'America/Detroit' },
  analyst: { id: 'U0LEO0001', name: 'sam', realName: 'Sam Novak (LEO-WD analyst)', tz: 'America/Detroit' },
  partner: { id: 'U0EXT0001', name: 'jordan', realName: 'Jordan Kim (partner workspace)', tz: 'America/New_York', teamId: PARTNER_WORKSPACE_ID },
  admin: { id: 'U0ADMIN01', name: 'olga', realName: 'Olga Petrov (workspace admin)', tz: 'America/Detroit', isAdmin: true },
} satisfies Record<string, FakeUser>;

export const ORGANISATIONS: Array<{ person: keyof typeof PEOPLE; organisation: string }> = [
  { person: 'henryFord1', organisation: 'Henry Ford Health' },
  { person: 'henryFord2', organisation: 'Henry Ford Health' },
  { person: 'corewell', organisation: 'Corewell Health' },
  { person: 'trinity', organisation: 'Trinity Health' },
  { person: 'trainer', organisation: 'Wayne County Community College' },
  { person: 'analyst', organisation: 'LEO-WD' },
  { person: 'coordinator', organisation: 'WIN' },
];

export const CHANNELS = {
  general: { id: 'C0GENERAL', name: 'general' },
  coordinators: { id: 'C0COORDS', name: 'coordinators' },
  cna: { id: 'C0CNATEAM', name: 'cna-team' },
  ma: { id: 'C0MATEAM', name: 'ma-team' },
  spt: { id: 'C0SPTTEAM', name: 'spt-team' },
} satisfies Record<string, FakeChannel>;

export const TEAM_CHANNELS: Array<{ channel: keyof typeof CHANNELS; team: string }> = [
  { channel: 'cna', team: 'CNA' },
  { channel: 'ma', team: 'MA' },
  { channel: 'spt', team: 'SPT' },
];

export const allUsers = (): FakeUser[] => Object.values(PEOPLE).map((p) => ({ ...p }));
export const allChannels = (): FakeChannel[] =>
  Object.values(CHANNELS).map((c) => ({ ...c, members: Object.values(PEOPLE).map((p) => p.id) }));
