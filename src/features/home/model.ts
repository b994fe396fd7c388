/**
 * What a Home tab shows, as plain data: the service fills it from the database, the view turns it
 * into Block Kit. Nothing here knows Slack or SQL.
 */

export interface HomeVoteOption {
  id: number;
  label: string;
}

export interface HomeVote {
  id: number;
  key: string;
  teamKey: string;
  question: string;
  method: 'single' | 'multiple' | 'ranked';
  maxChoices: number;
  /** One ballot per organisation: the person votes for it. */
  forOrganisation: boolean;
  anonymous: boolean;
  closesAt: number | null;
  options: HomeVoteOption[];
}

export interface HomeIssue {
  id: number;
  key: string;
  title: string;
  status: string;
  dueDate: string | null;
  overdue: boolean;
}

export interface HomeMeeting {
  id: number;
  key: string;
  teamKey: string;
  title: string;
  startsAt: number;
  durationMinutes: number;
  location: string;
  link: string | null;
  answer: 'going' | 'maybe' | 'declined' | null;
}

export interface HomeGoalPace {
  key: string;
  name: string;
  /** Pace and progress as the goals feature words them (mrkdwn it made, user text escaped). */
  paceText: string;
  progressText: string;
  behind: boolean;
  atRisk: boolean;
  stale: boolean;
}

export interface HomeTeam {
  id: number;
  key: string;
  name: string;
  goals: HomeGoalPace[];
}

export interface TeamHealth {
  key: string;
  name: string;
  open: number;
  blocked: number;
  overdue: number;
  /** Goals behind (or overdue) and stale; undefined when goals are not tracked. */
  goalsBehind?: number;
  goalsAtRisk?: number;
  goalsStale?: number;
  nextMeetingAt: number | null;
  lastDigestAt: number | null;
  nextDigestAt: number | null;
}

export interface Listed<T> {
  items: T[];
  /** How many there are in all (items may show only the first). */
  total: number;
}

export interface HomeNotice {
  text: string;
  /** Blocks that go with it (a several-options confirmation's Remove buttons). */
  blocks?: unknown[];
}

export interface HomeModel {
  userId: string;
  /** Coordinator of this workspace (not a partner-workspace guest): sees the control room. */
  coordinator: boolean;
  /** From a partner workspace over Slack Connect. */
  guest: boolean;
  today: string;
  notice?: HomeNotice;
  teams: HomeTeam[];
  votes: Listed<HomeVote>;
  /** Open one-per-organisation votes the person cannot vote on because no organisation is recorded. */
  votesNeedingOrganisation: number;
  issues: Listed<HomeIssue>;
  meetings: Listed<HomeMeeting>;
  /** Coordinators only. */
  control?: TeamHealth[];
  /** Whether goals exist in this build (the pace rows and health columns are shown only then). */
  goalsTracked: boolean;
}
