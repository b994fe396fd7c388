/**
 * Every slash command, action, block, view callback and shortcut id the app uses, in one place.
 * `manifest.yml` must declare the commands and shortcuts listed here; a test checks both ways.
 * Inputs use block_id === action_id so reading `view.state.values[id][id]` is one lookup.
 */
export const CommandNames = {
  team: '/team',
  issue: '/issue',
  meeting: '/meeting',
  vote: '/vote',
  digest: '/digest',
  report: '/report',
  goal: '/goal',
} as const;
export type CommandName = (typeof CommandNames)[keyof typeof CommandNames];

export const ShortcutIds = {
  logAsIssue: 'log_as_issue',
} as const;

export const ViewIds = {
  internalError: 'internal_error',
  /** The coordinator's digest preview opened from the Home tab (no submit button, so no listener). */
  homeDigestPreview: 'home_digest_preview',
  issueNew: 'issue_new',
  issueEdit: 'issue_edit',
  /* The confirmation a submitted issue form turns into (no submit button, so no listener). */
  formDone: 'form_done',
  meetingNew: 'meeting_new',
  meetingEdit: 'meeting_edit',
  voteNew: 'vote_new',
  voteRank: 'vote_rank',
  goalNew: 'goal_new',
  goalEdit: 'goal_edit',
  goalReading: 'goal_reading',
} as const;

export const ActionIds = {
  /* /issue */
  issueStart: 'issue_start',
  issueResolve: 'issue_resolve',
  issueAssignMe: 'issue_assign_me',
  issueListPage: 'issue_list_page',
  issueListPrevPage: 'issue_list_prev_page',
  /** The overflow menu on each line of `/issue list` (Start, Resolve, Assign to me, Show; Reopen when closed). */
  issueListMenu: 'issue_list_menu',
  /* /meeting */
  meetingRsvp: 'meeting_rsvp',
  meetingIcs: 'meeting_ics',
  /* /vote */
  voteChoose: 'vote_choose',
  voteRankOpen: 'vote_rank_open',
  voteResults: 'vote_results',
  /** Prefix: one Remove button per chosen option in a several-options confirmation (`vote_remove_<option id>`). */
  voteRemove: 'vote_remove',
  /* Home tab (its ballot, issue and RSVP buttons reuse the ids above) */
  homeNewIssue: 'home_new_issue',
  homeNewMeeting: 'home_new_meeting',
  homeNewVote: 'home_new_vote',
  homeDigestPreview: 'home_digest_preview',
  homeDigestSend: 'home_digest_send',
  /* /goal */
  goalRecordReading: 'goal_record_reading',
  goalMarkDone: 'goal_mark_done',
} as const;
export type ActionId = (typeof ActionIds)[keyof typeof ActionIds];

/** Block ids of /issue messages (action ids must be unique only within their block). */
export const IssueBlockIds = {
  actions: 'issue_actions',
  detailActions: 'issue_detail_actions',
  listNav: 'issue_list_nav',
} as const;

/** Modal input ids (block_id === action_id). */
export const InputIds = {
  issueTitle: 'issue_title',
  issueDetails: 'issue_details',
  issueCategory: 'issue_category',
  issueTeam: 'issue_team',
  issueOwner: 'issue_owner',
  issueDue: 'issue_due',
  meetingTeam: 'meeting_team',
  meetingTitle: 'meeting_title',
  meetingDate: 'meeting_date',
  meetingTime: 'meeting_time',
  meetingDuration: 'meeting_duration',
  meetingPlace: 'meeting_place',
  meetingLink: 'meeting_link',
  meetingAgenda: 'meeting_agenda',
  voteTeam: 'vote_team',
  voteQuestion: 'vote_question',
  voteOptions: 'vote_options',
  voteIssues: 'vote_issues',
  voteMethod: 'vote_method',
  voteMaxChoices: 'vote_max_choices',
  voteEligibility: 'vote_eligibility',
  voteAnonymous: 'vote_anonymous',
  voteVisibility: 'vote_visibility',
  voteCloseDate: 'vote_close_date',
  voteCloseTime: 'vote_close_time',
  voteRankPrefix: 'vote_rank_',
  voteGoal: 'vote_goal',
  goalTeam: 'goal_team',
  goalKind: 'goal_kind',
  goalName: 'goal_name',
  goalUnit: 'goal_unit',
  goalBaseline: 'goal_baseline',
  goalTarget: 'goal_target',
  goalTargetDate: 'goal_target_date',
  goalOwner: 'goal_owner',
  goalOrganisation: 'goal_organisation',
  goalValue: 'goal_value',
  goalAsOf: 'goal_as_of',
  goalNote: 'goal_note',
} as const;

/** Block ids of /goal messages. */
export const GoalBlockIds = {
  actions: 'goal_actions',
} as const;
