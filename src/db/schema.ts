import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/*
 * Every table carries the Slack workspace id in a column named `team_id` (Slack's own name for a
 * workspace), so one database can serve several workspaces later. In TypeScript it is `workspaceId`,
 * because "team" in this app means a program team (CNA, MA, SPT).
 * Instants are stored as integer milliseconds since the epoch (UTC); calendar dates as 'YYYY-MM-DD'.
 */

const workspace = () => text('team_id').notNull();
const createdAt = () => integer('created_at').notNull();

export const programTeams = sqliteTable(
  'program_teams',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('program_teams_key').on(t.workspaceId, t.key)],
);

export const teamChannels = sqliteTable(
  'team_channels',
  {
    workspaceId: workspace(),
    channelId: text('channel_id').notNull(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'cascade' }),
    linkedBy: text('linked_by').notNull(),
    createdAt: createdAt(),
  },
  // A channel belongs to at most one team, so commands typed there have one default team.
  (t) => [uniqueIndex('team_channels_channel').on(t.workspaceId, t.channelId), index('team_channels_team').on(t.programTeamId)],
);

export const teamMembers = sqliteTable(
  'team_members',
  {
    workspaceId: workspace(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('team_members_unique').on(t.programTeamId, t.userId),
    index('team_members_user').on(t.workspaceId, t.userId),
    // Member counts per team (`/team list`) come from this index alone.
    index('team_members_team_count').on(t.workspaceId, t.programTeamId),
    // `/team members` lists a team's first joiners before its ack: read along this index, not sorted.
    index('team_members_joined').on(t.programTeamId, t.createdAt, t.userId),
  ],
);

export const organisations = sqliteTable(
  'organisations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    name: text('name').notNull(),
    // Case-insensitive identity: "Henry Ford Health" and "henry ford health" are one organisation.
    nameKey: text('name_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('organisations_name').on(t.workspaceId, t.nameKey)],
);

export const people = sqliteTable(
  'people',
  {
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    organisationId: integer('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('people_user').on(t.workspaceId, t.userId), index('people_org').on(t.organisationId)],
);

export const coordinators = sqliteTable(
  'coordinators',
  {
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    addedBy: text('added_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('coordinators_user').on(t.workspaceId, t.userId)],
);

export const issues = sqliteTable(
  'issues',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'restrict' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    details: text('details').notNull().default(''),
    category: text('category').notNull(),
    status: text('status').notNull(),
    ownerId: text('owner_id'),
    dueDate: text('due_date'),
    reporterId: text('reporter_id').notNull(),
    // Set by a closed priority vote that ranked this issue: 1 is the team's top priority.
    priority: integer('priority'),
    sourcePermalink: text('source_permalink'),
    sourceChannelId: text('source_channel_id'),
    sourceTs: text('source_ts'),
    // Where the team-channel announcement went, so every change can chat.update it (ts set once it is posted).
    announcementChannelId: text('announcement_channel_id'),
    announcementTs: text('announcement_ts'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [
    uniqueIndex('issues_team_number').on(t.programTeamId, t.number),
    // Reports (src/features/report/queries.ts, issuesPage) read a team's issues in number order with
    // every column of their CSV row from this index alone. A team's issues are spread over the whole
    // table (rows are in the order issues were logged, across teams), so reading the rows through
    // issues_team_number fetched one table page per issue or two: at 100× data, 1.05 s for the
    // quarter's 475,000 issues against 0.6 s from this index. It costs an index entry per issue (about
    // a tenth of the database at 100×) and an index update when a title, status, owner or due date changes.
    index('issues_team_report').on(t.programTeamId, t.number, t.createdAt, t.closedAt, t.id, t.title, t.category, t.status, t.ownerId, t.reporterId, t.dueDate),
    index('issues_team_status_activity').on(t.programTeamId, t.status, t.updatedAt),
    // Matches /issue list's order (ranked first, then newest activity) so a page is read in index
    // order instead of sorting every open issue of the team.
    index('issues_team_list_order').on(t.programTeamId, sql`(${t.priority} is null)`, t.priority, sql`${t.updatedAt} desc`, sql`${t.id} desc`),
    index('issues_workspace_activity').on(t.workspaceId, t.updatedAt),
    index('issues_owner').on(t.workspaceId, t.ownerId),
    // Digests (src/features/digest/queries.ts) count and list from these without reading a team's
    // history: status counts and the blocked list (number order), issues opened or closed in a period,
    // and three small partial indexes of open issues with a due date, without an owner, or ranked (the
    // condition's literal list must match the queries' text for SQLite to use them).
    index('issues_team_status_number').on(t.programTeamId, t.status, t.number, t.createdAt),
    index('issues_team_created').on(t.programTeamId, t.createdAt),
    index('issues_team_closed').on(t.programTeamId, t.closedAt, t.status),
    index('issues_open_due')
      .on(t.programTeamId, t.dueDate, t.number)
      .where(sql`${t.status} not in ('resolved', 'dropped') and ${t.dueDate} is not null`),
    index('issues_open_unowned')
      .on(t.programTeamId, t.number)
      .where(sql`${t.status} not in ('resolved', 'dropped') and ${t.ownerId} is null`),
    index('issues_open_ranked')
      .on(t.programTeamId, t.priority, t.number)
      .where(sql`${t.status} not in ('resolved', 'dropped') and ${t.priority} is not null`),
    // The vote form's issue select: a team's open issues in number order, read a page at a time, closed ones never read.
    index('issues_open_number')
      .on(t.programTeamId, t.number)
      .where(sql`${t.status} not in ('resolved', 'dropped')`),
  ],
);

export const issueEvents = sqliteTable(
  'issue_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    // The issue's team, copied on insert (an issue never changes team) so a team's events are read
    // from an index without looking up each issue.
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'restrict' }),
    actorId: text('actor_id').notNull(),
    kind: text('kind').notNull(),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    // An issue's events in (created_at, id) order. Kind and values make it covering for reports, which
    // read the status changes of a page of issues: an event is recognised as a status change without
    // reading its row (at 100× data, a third less time reading a quarter's changes).
    index('issue_events_issue').on(t.issueId, t.createdAt, t.id, t.kind, t.fromValue, t.toValue),
    // Digests read a team's status changes since a period's start from this index alone, in (created_at,
    // id) order, whatever the team's history before it or other teams' events; the trailing columns make
    // it covering (at 100× data that halves the time of reading a week's events), kind included for the
    // reports' and trend charts' resolved counts.
    index('issue_events_team_since').on(t.programTeamId, t.createdAt, t.id, t.issueId, t.kind, t.fromValue, t.toValue),
  ],
);

export const meetings = sqliteTable(
  'meetings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    number: integer('number').notNull(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    startsAt: integer('starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    location: text('location').notNull().default(''),
    // A video-call link, kept apart from the place so calendars get it as URL and edits can prefill it.
    link: text('link'),
    agenda: text('agenda').notNull().default(''),
    timeZone: text('time_zone').notNull(),
    status: text('status').notNull().default('scheduled'),
    creatorId: text('creator_id').notNull(),
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
    // Bumped on every edit or cancellation: calendar clients use it to replace the event.
    sequence: integer('sequence').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    cancelledAt: integer('cancelled_at'),
    // Who cancelled: the announcement is re-rendered from the database at send time (outbox refresh) and says so.
    cancelledBy: text('cancelled_by'),
  },
  (t) => [
    uniqueIndex('meetings_number').on(t.workspaceId, t.number),
    index('meetings_team_start').on(t.programTeamId, t.startsAt),
    // `/meeting list` across all teams: the meetings ahead of a workspace, soonest first, without reading its history.
    index('meetings_workspace_upcoming').on(t.workspaceId, t.status, t.startsAt),
  ],
);

export const meetingRsvps = sqliteTable(
  'meeting_rsvps',
  {
    workspaceId: workspace(),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    answer: text('answer').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('meeting_rsvps_unique').on(t.meetingId, t.userId),
    // `/meeting show` answers in its ack: counts per answer from this index alone, and the first
    // names of each answer along it, however many people answered.
    index('meeting_rsvps_answer').on(t.meetingId, t.answer, t.updatedAt, t.userId),
  ],
);

export const votes = sqliteTable(
  'votes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    number: integer('number').notNull(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'restrict' }),
    question: text('question').notNull(),
    method: text('method').notNull(),
    maxChoices: integer('max_choices').notNull().default(1),
    eligibility: text('eligibility').notNull(),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull().default(false),
    resultsVisibility: text('results_visibility').notNull(),
    closesAt: integer('closes_at'),
    status: text('status').notNull().default('open'),
    creatorId: text('creator_id').notNull(),
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
    resultJson: text('result_json'),
    createdAt: createdAt(),
    closedAt: integer('closed_at'),
    // The electorate's size at its last successful count, and when: for "everyone" votes the
    // channel's members, so digests show the same turnout as the ballot, and a vote whose channel
    // can no longer be listed (the bot was removed) still closes against the last known electorate.
    electorateSize: integer('electorate_size'),
    electorateCountedAt: integer('electorate_counted_at'),
    // Which key its anonymous ballots are keyed with, fixed when the vote opens (src/features/vote/rules.ts
    // `voteBallotKey`): 1 = the deployment's key (votes opened before per-workspace keys), 2 = the
    // workspace's own key derived from it. A vote open across the switch keeps its scheme, so nobody
    // gets a second ballot and the Home still knows who voted.
    ballotKeyScheme: integer('ballot_key_scheme').notNull().default(1),
  },
  (t) => [
    uniqueIndex('votes_number').on(t.workspaceId, t.number),
    index('votes_team_status').on(t.programTeamId, t.status),
    index('votes_status_closes').on(t.status, t.closesAt),
    // A digest's "votes closed this week" by range, not by every vote the team ever closed.
    index('votes_team_status_closed').on(t.programTeamId, t.status, t.closedAt),
    // Open votes in the digest's order (deadline first, none last), so it reads only those it shows.
    index('votes_team_open_order').on(t.programTeamId, t.status, sql`(${t.closesAt} is null)`, t.closesAt, t.number),
  ],
);

export const voteOptions = sqliteTable(
  'vote_options',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    label: text('label').notNull(),
    issueId: integer('issue_id').references(() => issues.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('vote_options_position').on(t.voteId, t.position)],
);

export const ballots = sqliteTable(
  'ballots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    // Who the ballot belongs to: `user:U123`, `org:7`, or, for anonymous votes, a keyed hash, so that
    // the database alone does not say who voted for what.
    voterKey: text('voter_key').notNull(),
    organisationId: integer('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    // The person who cast it; null when the vote is anonymous.
    castBy: text('cast_by'),
    // A keyed hash of the person who cast it, to tell a voter "you replaced a colleague's ballot" without storing who.
    castByHash: text('cast_by_hash').notNull(),
    choicesJson: text('choices_json').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('ballots_voter').on(t.voteId, t.voterKey),
    // A vote's ballots; with the organisation, reports count a page of votes' ballots per organisation
    // from this index alone (at 100× data, 0.1 s for the quarter's million ballots instead of 0.3 s).
    index('ballots_vote_organisation').on(t.voteId, t.organisationId),
  ],
);

export const digestSchedules = sqliteTable(
  'digest_schedules',
  {
    workspaceId: workspace(),
    // A program team's digest; the key `*` is the coordinators' roll-up.
    scope: text('scope').notNull(),
    cron: text('cron').notNull(),
    timeZone: text('time_zone').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('digest_schedules_scope').on(t.workspaceId, t.scope)],
);

export const digestRuns = sqliteTable(
  'digest_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    scope: text('scope').notNull(),
    // The scheduled instant this run is for: the unique key that makes a scheduled digest go out once.
    scheduledFor: integer('scheduled_for').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    claimedBy: text('claimed_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('digest_runs_once').on(t.workspaceId, t.scope, t.scheduledFor)],
);

export const digestSubscriptions = sqliteTable(
  'digest_subscriptions',
  {
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('digest_subscriptions_user').on(t.workspaceId, t.userId)],
);

/*
 * Messages that must reach Slack (announcements, reminders, digests, results) are written here in
 * the same transaction as the change that causes them, then delivered by the outbox worker. The
 * dedupe key makes enqueuing idempotent; `not_before` schedules (meeting reminders).
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    dedupeKey: text('dedupe_key').notNull(),
    method: text('method').notNull(),
    payloadJson: text('payload_json').notNull(),
    notBefore: integer('not_before').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    resultJson: text('result_json'),
    createdAt: createdAt(),
    sentAt: integer('sent_at'),
    // A coalesced refresh (see src/outbox/outbox.ts) asked for again while it was being sent: send it once more afterwards.
    refreshAgain: integer('refresh_again').notNull().default(0),
    // 0: what a person waits for (answers, reminders, digests); 1: refreshes of messages already shown. Lower goes first.
    priority: integer('priority').notNull().default(0),
    // Wall-clock ms before which this row may not be sent again (a refresh just sent; rate pacing). Real time, not the app's clock.
    pacedUntil: integer('paced_until'),
  },
  (t) => [
    uniqueIndex('outbox_dedupe').on(t.workspaceId, t.dedupeKey),
    index('outbox_due').on(t.status, t.notBefore),
    index('outbox_paced').on(t.status, t.pacedUntil),
  ],
);

/*
 * Slack's rate limits as the outbox spends them, shared by every instance on this database: a token
 * bucket per workspace and limit (a Web API method, or `chat.postMessage:<channel>`), and the time
 * before which Slack said, with 429 Retry-After, not to call again. Times are real (wall-clock) ms.
 */
export const slackRateBuckets = sqliteTable(
  'slack_rate_buckets',
  {
    workspaceId: workspace(),
    bucket: text('bucket').notNull(),
    tokens: real('tokens').notNull(),
    updatedAt: integer('updated_at').notNull(),
    blockedUntil: integer('blocked_until').notNull().default(0),
  },
  (t) => [uniqueIndex('slack_rate_buckets_key').on(t.workspaceId, t.bucket)],
);

/* Request idempotency: Events API redeliveries (event_id) and double submissions (view id, click). */
export const processedRequests = sqliteTable(
  'processed_requests',
  {
    workspaceId: workspace(),
    key: text('key').notNull(),
    // What the first arrival produced (e.g. an issue id), so a repeat can answer exactly as the first did.
    result: text('result'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('processed_requests_key').on(t.workspaceId, t.key), index('processed_requests_age').on(t.createdAt)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome').notNull(),
    detail: text('detail'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_recent').on(t.workspaceId, t.createdAt)],
);

/* `/report schedule quarterly`: a coordinator's standing order for a report by direct message. */
export const reportSchedules = sqliteTable(
  'report_schedules',
  {
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    // Only 'quarterly' for now: the collaborative reports to its funders by quarter.
    cadence: text('cadence').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('report_schedules_user').on(t.workspaceId, t.userId)],
);

/*
 * One row per scheduled report and period (`2026-Q4`): the claim that makes it go out once. An
 * instance claims it with a lease, delivers, then marks it sent; a claim whose instance died is
 * taken over once its lease has run out.
 */
export const reportRuns = sqliteTable(
  'report_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    period: text('period').notNull(),
    status: text('status').notNull(),
    claimedBy: text('claimed_by').notNull(),
    leaseUntil: integer('lease_until').notNull(),
    attempts: integer('attempts').notNull().default(1),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: integer('sent_at'),
  },
  (t) => [uniqueIndex('report_runs_once').on(t.workspaceId, t.userId, t.period)],
);

/*
 * One row per person who has opened Alliance's Home tab: only they get republished. `version` is
 * bumped (by triggers in migration `home_triggers`, in the same transaction as every write that
 * changes what a Home shows) and `published_version` records the version last handed to the outbox
 * for publishing, so a Home is stale exactly when version > published_version. Many changes in a
 * burst are many bumps of one row: one publish (see src/features/home/refresh.ts).
 */
export const homeTabs = sqliteTable(
  'home_tabs',
  {
    workspaceId: workspace(),
    userId: text('user_id').notNull(),
    // Remembered at each open and click (admins and guests come from users.info), so changes that
    // only coordinators see mark only coordinators' Homes, and a Home renders without calling Slack.
    isCoordinator: integer('is_coordinator', { mode: 'boolean' }).notNull().default(false),
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    isExternal: integer('is_external', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    publishedVersion: integer('published_version').notNull().default(0),
    // When the publisher first saw the current change (0: publish at once); it waits for the burst to settle.
    seenAt: integer('seen_at'),
    // The outcome of the person's last click on their Home ("Your ballot on V-3 is recorded"), shown on top.
    noticeJson: text('notice_json'),
    openedAt: integer('opened_at').notNull(),
    publishedAt: integer('published_at'),
  },
  (t) => [
    uniqueIndex('home_tabs_user').on(t.workspaceId, t.userId),
    index('home_tabs_stale').on(t.workspaceId, t.seenAt).where(sql`${t.version} > ${t.publishedVersion}`),
  ],
);

/**
 * How many issues each team has in each status, kept by triggers (migration `issue_status_counts`)
 * in the same transaction as every insert, status change and delete of an issue: the control room
 * reads a team's open and blocked counts here instead of counting tens of thousands of index entries.
 */
export const issueStatusCounts = sqliteTable(
  'issue_status_counts',
  {
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [uniqueIndex('issue_status_counts_team_status').on(t.programTeamId, t.status)],
);

/**
 * How many members each team has, kept by triggers (migration `team_member_counts`) in the same
 * transaction as every membership insert and delete: `/team list` answers in its ack, so it reads
 * one row per team here instead of counting every membership.
 */
export const teamMemberCounts = sqliteTable('team_member_counts', {
  programTeamId: integer('program_team_id')
    .primaryKey()
    .references(() => programTeams.id, { onDelete: 'cascade' }),
  count: integer('count').notNull().default(0),
});

/** Home publishes handed to the outbox per workspace in the current minute, shared by every instance. */
export const homePublishRate = sqliteTable('home_publish_rate', {
  workspaceId: text('team_id').primaryKey(),
  windowStart: integer('window_start').notNull(),
  sent: integer('sent').notNull().default(0),
});

/*
 * Goals (`/goal`, G-n per workspace): a program team's measure ("Clinical placement slots: 22 → 40
 * by 2027-06-30") or milestone ("State approves the SPT curriculum by 2027-03-01"). Pace is
 * computed from the goal and its readings (src/features/goal/pace.ts), never stored.
 */
export const goals = sqliteTable(
  'goals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    number: integer('number').notNull(),
    programTeamId: integer('program_team_id')
      .notNull()
      .references(() => programTeams.id, { onDelete: 'restrict' }),
    /** 'measure' or 'milestone'. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** Measures only ('' for milestones, and allowed empty for a count of things named by the goal). */
    unit: text('unit').notNull().default(''),
    baseline: real('baseline'),
    target: real('target'),
    /** 'up' or 'down' (measures); null for milestones. */
    direction: text('direction'),
    /** The straight line of pace runs from the baseline on this date to the target on the target date. */
    startDate: text('start_date').notNull(),
    targetDate: text('target_date').notNull(),
    /** 'open', 'achieved' or 'dropped'. */
    status: text('status').notNull().default('open'),
    ownerId: text('owner_id').notNull(),
    organisationId: integer('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    creatorId: text('creator_id').notNull(),
    closeNote: text('close_note'),
    // The team-channel announcement, kept current by chat.update on every reading and change (ts set once posted).
    announcementChannelId: text('announcement_channel_id'),
    announcementTs: text('announcement_ts'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [uniqueIndex('goals_number').on(t.workspaceId, t.number), index('goals_team_status').on(t.programTeamId, t.status, t.number)],
);

/**
 * Every reading ever recorded. A reading for a date that already has one supersedes it (the old row
 * keeps its value and gets `superseded_at`), so history is never overwritten; at most one current
 * reading per goal and date.
 */
export const goalReadings = sqliteTable(
  'goal_readings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    goalId: integer('goal_id')
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    asOf: text('as_of').notNull(),
    /** Measures: the value; milestones: 1 when done. */
    value: real('value').notNull(),
    note: text('note').notNull().default(''),
    recordedBy: text('recorded_by').notNull(),
    createdAt: createdAt(),
    supersededAt: integer('superseded_at'),
  },
  (t) => [
    index('goal_readings_goal').on(t.goalId, t.asOf, t.id),
    uniqueIndex('goal_readings_current').on(t.goalId, t.asOf).where(sql`${t.supersededAt} is null`),
  ],
);

/** What happened to a goal besides readings (created, edited fields, linked issues, closed), for `/goal show`. */
export const goalEvents = sqliteTable(
  'goal_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    goalId: integer('goal_id')
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    actorId: text('actor_id').notNull(),
    kind: text('kind').notNull(),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('goal_events_goal').on(t.goalId, t.createdAt)],
);

export const goalIssues = sqliteTable(
  'goal_issues',
  {
    workspaceId: workspace(),
    goalId: integer('goal_id')
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    linkedBy: text('linked_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('goal_issues_unique').on(t.goalId, t.issueId), index('goal_issues_issue').on(t.issueId)],
);

/** A vote started "for goal G-3": one goal per vote, shown on its ballot. */
export const goalVotes = sqliteTable(
  'goal_votes',
  {
    workspaceId: workspace(),
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    goalId: integer('goal_id')
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('goal_votes_vote').on(t.voteId), index('goal_votes_goal').on(t.goalId)],
);

/**
 * The stale reminder's claim: one row per goal and stale period (the date its last reading, or its
 * start, was as of). Inserted in the same immediate transaction that queues the direct message, so
 * a restart or a second instance finds the claim and sends nothing more for that period.
 */
export const goalStaleReminders = sqliteTable(
  'goal_stale_reminders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: workspace(),
    goalId: integer('goal_id')
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    staleSince: text('stale_since').notNull(),
    ownerId: text('owner_id').notNull(),
    claimedBy: text('claimed_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('goal_stale_reminders_once').on(t.goalId, t.staleSince)],
);

/*
 * Distribution mode (installs from Slack over OAuth): one row per workspace that installed the app.
 * The whole installation @slack/oauth hands us (bot token, refresh token, expiry, scopes) is kept
 * encrypted (AES-256-GCM, src/oauth/crypto.ts) in `installation_enc`; the plain columns are what
 * we look up and show. An uninstall (or tokens_revoked) clears `installation_enc` at once and sets
 * `uninstalled_at`; the workspace's data is purged after the retention period unless it reinstalls.
 */
export const slackInstallations = sqliteTable(
  'slack_installations',
  {
    workspaceId: workspace(),
    enterpriseId: text('enterprise_id'),
    teamName: text('team_name'),
    appId: text('app_id'),
    botUserId: text('bot_user_id'),
    installerUserId: text('installer_user_id').notNull(),
    scopes: text('scopes').notNull().default(''),
    installationEnc: text('installation_enc'),
    tokenExpiresAt: integer('token_expires_at'),
    installedAt: integer('installed_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    uninstalledAt: integer('uninstalled_at'),
  },
  (t) => [uniqueIndex('slack_installations_workspace').on(t.workspaceId)],
);

/**
 * OAuth `state` values handed out by /slack/install, each good once for ten minutes (stored by
 * hash, so the table alone cannot be used to complete someone's install).
 */
export const oauthStates = sqliteTable('oauth_states', {
  stateHash: text('state_hash').primaryKey(),
  installOptionsJson: text('install_options_json').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

/**
 * A workspace's own settings (`/team settings`); a null column means the deployment's default
 * (`time_zone` null: ALLIANCE_TIMEZONE). Digest schedules are per workspace already (digest_schedules).
 */
export const workspaceSettings = sqliteTable('workspace_settings', {
  workspaceId: text('team_id').primaryKey(),
  timeZone: text('time_zone'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Check values of the deployment's keys, one row per key (`ballot_key`): HMAC-SHA256 of a fixed label
 * under the key, which reveals nothing of it. A start with another key than the one this database
 * was used with is refused (src/features/vote/ballot-key.ts), so instances never run on different keys.
 */
export const keyChecks = sqliteTable('key_checks', {
  name: text('name').primaryKey(),
  checkValue: text('check_value').notNull(),
  storedAt: integer('stored_at').notNull(),
});
