import type { Actor } from '../../domain/actor.js';
import { fail, failMany, ok, type Problem, type Result } from '../../domain/result.js';
import type { Db } from '../../db/open.js';
import { enqueue, type OutboxMessage } from '../../outbox/outbox.js';
import { claimRequest } from '../../slack/dedupe.js';
import type { ProgramTeam, TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import {
  categoryLabel,
  formatKey,
  isCalendarDate,
  isCategory,
  isClosed,
  MAX_COMMENT,
  MAX_DETAILS,
  MAX_TITLE,
  normaliseTitle,
  PAGE_SIZE,
  parseIssueKey,
  todayIn,
  type ListScope,
  type Status,
} from './model.js';
import type { Issue, IssueEventRow, IssueFilter, IssuePatch, IssueRepository, NewIssueEvent } from './repository.js';

/** The fields a person fills in, as typed; the service validates all of them at once. */
export interface IssueDraft {
  title: string;
  details: string;
  category: string;
  ownerId: string | null;
  dueDate: string | null;
}

/** Field names of draft problems; the modal maps them to its input blocks. */
export type DraftField = 'title' | 'details' | 'category' | 'team' | 'owner' | 'due';

export interface IssueSource {
  channelId: string;
  ts: string;
  /** Where the "logged as" reply goes: the message's thread, or the message itself. */
  threadTs: string;
  permalink: string | null;
}

export interface ListPage {
  issues: Issue[];
  total: number;
  /** 1-based. */
  page: number;
  pageCount: number;
  offset: number;
  scope: ListScope;
  /** The teams listed; undefined means every team. */
  teamIds: number[] | undefined;
  /** "CNA", "CNA, MA" or "all teams". */
  label: string;
  /** Set when the person named no team and is on none, so we fell back to every team. */
  fellBack: boolean;
  today: string;
}

/** What the announcement and the thread reply need to render; kept out of the service so it stays Slack-free. */
export interface IssueMessages {
  announcement(issue: Issue, today: string): { text: string; blocks: unknown[] };
  loggedReply(issue: Issue): { text: string };
}

export interface IssueServiceDeps {
  db: Db;
  issues: IssueRepository;
  teamRepository: TeamRepository;
  teams: TeamService;
  timeZone: string;
  messages: IssueMessages;
}

const problem = (field: DraftField, message: string): Problem => ({ code: 'invalid', message, field });

/** Logging, tracking and closing issues: the rules, independent of Slack. */
export class IssueService {
  constructor(private readonly deps: IssueServiceDeps) {}

  today(now: Date): string {
    return todayIn(now, this.deps.timeZone);
  }

  teamOfChannel(workspaceId: string, channelId: string): ProgramTeam | undefined {
    return this.deps.teamRepository.byChannel(workspaceId, channelId);
  }

  teamChoices(workspaceId: string): ProgramTeam[] {
    return this.deps.teamRepository.list(workspaceId);
  }

  /** Checks every field and returns every problem, so a modal shows them all beside their fields at once. */
  validateDraft(draft: IssueDraft, now: Date, previousDue: string | null = null): Result<IssueDraft> {
    const problems: Problem[] = [];
    const title = normaliseTitle(draft.title);
    if (title === '') problems.push(problem('title', 'Give the issue a title: one line that says what is wrong or needed.'));
    else if (title.length > MAX_TITLE) problems.push(problem('title', `A title can be at most ${MAX_TITLE} characters; this one has ${title.length}. Put the rest in the details.`));
    const details = draft.details.trim();
    if (details.length > MAX_DETAILS) problems.push(problem('details', `Details can be at most ${MAX_DETAILS} characters; these have ${details.length}.`));
    if (!isCategory(draft.category)) problems.push(problem('category', 'Pick a category from the list.'));
    if (draft.dueDate !== null) {
      if (!isCalendarDate(draft.dueDate)) problems.push(problem('due', `"${draft.dueDate}" is not a date. Use YYYY-MM-DD, for example ${this.today(now)}.`));
      // An edit may keep a due date that has since passed; a new or changed date must not be in the past.
      else if (draft.dueDate !== previousDue && draft.dueDate < this.today(now)) {
        problems.push(problem('due', `The due date ${draft.dueDate} is in the past; today is ${this.today(now)}.`));
      }
    }
    if (draft.ownerId !== null && !/^[UW][A-Z0-9]+$/.test(draft.ownerId)) problems.push(problem('owner', 'Pick the owner from the people list.'));
    if (problems.length > 0) return failMany(problems);
    return ok({ ...draft, title, details });
  }

  /** Everything a new issue needs, checked before anything slow (a permalink) or lasting happens. */
  validateNew(workspaceId: string, teamId: number | undefined, draft: IssueDraft, now: Date): Result<{ team: ProgramTeam; draft: IssueDraft }> {
    const problems: Problem[] = [];
    const team = teamId === undefined ? undefined : this.deps.teamRepository.byId(teamId);
    if (team === undefined || team.workspaceId !== workspaceId) problems.push(problem('team', 'Pick the team this issue belongs to.'));
    const valid = this.validateDraft(draft, now);
    if (!valid.ok) problems.push(...(valid.problems ?? [valid.problem]));
    if (problems.length > 0 || team === undefined || !valid.ok) return failMany(problems);
    return ok({ team, draft: valid.value });
  }

  /**
   * Logs an issue, records "created" in its history and queues the team announcement (and the
   * thread reply for a logged message) in the same transaction. `requestKey` makes a repeated
   * submission of the same form create nothing: `duplicate` then names the issue it made.
   */
  create(
    actor: Actor,
    teamId: number | undefined,
    draft: IssueDraft,
    now: Date,
    options: { source?: IssueSource; requestKey?: string } = {},
  ): Result<{ issue: Issue; duplicate: boolean; announcedIn: string[] }> {
    const checked = this.validateNew(actor.workspaceId, teamId, draft, now);
    if (!checked.ok) return checked;
    const { team, draft: valid } = checked.value;
    const { db, issues } = this.deps;
    const at = now.getTime();
    const created = db.transaction(
      () => {
        if (options.requestKey !== undefined && !claimRequest(db, actor.workspaceId, options.requestKey, now)) return undefined;
        const row = issues.insert({
          workspaceId: actor.workspaceId,
          programTeamId: team.id,
          title: valid.title,
          details: valid.details,
          category: valid.category,
          ownerId: valid.ownerId,
          dueDate: valid.dueDate,
          reporterId: actor.userId,
          sourcePermalink: options.source?.permalink ?? null,
          sourceChannelId: options.source?.channelId ?? null,
          sourceTs: options.source?.ts ?? null,
          createdAt: at,
        });
        issues.addEvent({ workspaceId: actor.workspaceId, issueId: row.id, actorId: actor.userId, kind: 'created', toValue: formatKey(team.key, row.number), createdAt: at });
        const issue: Issue = { ...row, teamKey: team.key, teamName: team.name };
        const channels = this.deps.teamRepository.channelsOf(team.id);
        for (const channel of channels) {
          const message = this.deps.messages.announcement(issue, this.today(now));
          this.queue({ workspaceId: actor.workspaceId, dedupeKey: `issue-new:${row.id}:${channel}`, method: 'chat.postMessage', args: { channel, ...message }, notBefore: now }, now);
        }
        if (options.source !== undefined) {
          const reply = this.deps.messages.loggedReply(issue);
          this.queue(
            {
              workspaceId: actor.workspaceId,
              dedupeKey: `issue-logged:${row.id}`,
              method: 'chat.postMessage',
              args: { channel: options.source.channelId, thread_ts: options.source.threadTs, ...reply },
              notBefore: now,
            },
            now,
          );
        }
        return { issue, channels };
      },
      { behavior: 'immediate' },
    );
    if (created !== undefined) return ok({ issue: created.issue, duplicate: false, announcedIn: created.channels });
    const earlier = issues.latestByReporter(actor.workspaceId, actor.userId, team.id, valid.title);
    if (earlier === undefined) return fail('conflict', 'This form was already submitted, so nothing new was logged.');
    return ok({ issue: earlier, duplicate: true, announcedIn: [] });
  }

  /** An issue by its key as typed (`cna-3` works too). */
  find(workspaceId: string, keyText: string | undefined): Result<Issue> {
    if (keyText === undefined || keyText === '') return fail('invalid', 'Say which issue: its key looks like CNA-3 (see /issue list).');
    const key = parseIssueKey(keyText);
    if (key === undefined) return fail('invalid', `"${keyText}" is not an issue key. Issue keys look like CNA-3 (see /issue list).`);
    const issue = this.deps.issues.byKey(workspaceId, key.teamKey, key.number);
    if (issue === undefined) return fail('not_found', `There is no issue ${formatKey(key.teamKey, key.number)}. See /issue list for the issues.`);
    return ok(issue);
  }

  byId(workspaceId: string, id: number): Result<Issue> {
    const issue = this.deps.issues.byId(workspaceId, id);
    return issue === undefined ? fail('not_found', 'That issue no longer exists.') : ok(issue);
  }

  history(issue: Issue): IssueEventRow[] {
    return this.deps.issues.events(issue.id);
  }

  /**
   * Which issues `/issue list` shows when the person named no team: the channel's team, else the
   * teams they are on, else (a newcomer) every team. `mine` looks across every team.
   */
  listFor(actor: Actor, teamKey: string | undefined, scope: ListScope, channelId: string, now: Date): Result<ListPage> {
    if (teamKey !== undefined) {
      const team = this.deps.teams.resolveTeam(actor.workspaceId, teamKey, channelId);
      if (!team.ok) return team;
      return this.page(actor, { teamIds: [team.value.id], scope }, 1, now);
    }
    if (scope === 'mine') return this.page(actor, { teamIds: undefined, scope }, 1, now);
    const channelTeam = this.teamOfChannel(actor.workspaceId, channelId);
    if (channelTeam !== undefined) return this.page(actor, { teamIds: [channelTeam.id], scope }, 1, now);
    const mine = this.deps.teamRepository.teamsOf(actor.workspaceId, actor.userId);
    if (mine.length > 0) return this.page(actor, { teamIds: mine.map((t) => t.id), scope }, 1, now);
    const page = this.page(actor, { teamIds: undefined, scope }, 1, now);
    return page.ok ? ok({ ...page.value, fellBack: true }) : page;
  }

  /** One page of a list; a page past the end shows the last page (issues may have closed meanwhile). */
  page(actor: Actor, query: { teamIds: number[] | undefined; scope: ListScope }, page: number, now: Date): Result<ListPage> {
    const teams = this.deps.teamRepository.list(actor.workspaceId);
    const teamIds = query.teamIds?.filter((id) => teams.some((t) => t.id === id));
    if (teamIds !== undefined && teamIds.length === 0) return fail('not_found', 'Those teams no longer exist. Try /issue list again.');
    const today = this.today(now);
    const filter: IssueFilter = {
      workspaceId: actor.workspaceId,
      scope: query.scope,
      userId: actor.userId,
      today,
      ...(teamIds === undefined ? {} : { teamIds }),
    };
    const total = this.deps.issues.count(filter);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pageCount);
    const offset = (current - 1) * PAGE_SIZE;
    const label = teamIds === undefined ? 'all teams' : teams.filter((t) => teamIds.includes(t.id)).map((t) => t.key).join(', ');
    return ok({ issues: this.deps.issues.list(filter, offset, PAGE_SIZE), total, page: current, pageCount, offset, scope: query.scope, teamIds, label, fellBack: false, today });
  }

  /** The reporter, the owner, members of the issue's team and coordinators may change an issue. */
  mayChange(actor: Actor, issue: Issue): boolean {
    if (actor.isCoordinator && !actor.isExternal) return true;
    if (issue.reporterId === actor.userId || issue.ownerId === actor.userId) return true;
    return this.deps.teamRepository.isMember(issue.programTeamId, actor.userId);
  }

  /** Refuses politely and writes the refusal to the audit log; undefined means go ahead. */
  refuse(actor: Actor, issue: Issue, action: string, now: Date): { ok: false; problem: Problem } | undefined {
    if (this.mayChange(actor, issue)) return undefined;
    const key = formatKey(issue.teamKey, issue.number);
    this.deps.teams.auditRefusal(actor, action, key, 'not the reporter, the owner, on the team or a coordinator', now);
    return fail(
      'forbidden',
      `Only ${issue.teamKey} team members, the reporter, the owner and coordinators can change ${key}. Join the team with /team join ${issue.teamKey} if you work on it.`,
    );
  }

  setStatus(actor: Actor, issue: Issue, status: Status, note: string, now: Date): Result<{ issue: Issue; changed: boolean }> {
    const refused = this.refuse(actor, issue, 'issue.status', now);
    if (refused !== undefined) return refused;
    if (note.length > MAX_COMMENT) return fail('invalid', `A note can be at most ${MAX_COMMENT} characters; this one has ${note.length}.`);
    if (issue.status === status) return ok({ issue, changed: false });
    const at = now.getTime();
    const closedAt = isClosed(status) ? (isClosed(issue.status) ? issue.closedAt : at) : null;
    return ok({
      issue: this.apply(issue, { status, closedAt, updatedAt: at }, [
        { workspaceId: actor.workspaceId, issueId: issue.id, actorId: actor.userId, kind: 'status', fromValue: issue.status, toValue: status, note: note === '' ? null : note, createdAt: at },
      ]),
      changed: true,
    });
  }

  assign(actor: Actor, issue: Issue, ownerId: string | null, now: Date): Result<{ issue: Issue; changed: boolean }> {
    const refused = this.refuse(actor, issue, 'issue.assign', now);
    if (refused !== undefined) return refused;
    if (issue.ownerId === ownerId) return ok({ issue, changed: false });
    const at = now.getTime();
    return ok({
      issue: this.apply(issue, { ownerId, updatedAt: at }, [
        { workspaceId: actor.workspaceId, issueId: issue.id, actorId: actor.userId, kind: 'owner', fromValue: issue.ownerId, toValue: ownerId, createdAt: at },
      ]),
      changed: true,
    });
  }

  setDue(actor: Actor, issue: Issue, dueText: string | null, now: Date): Result<{ issue: Issue; changed: boolean }> {
    if (dueText !== null) {
      if (!isCalendarDate(dueText)) return fail('invalid', `"${dueText}" is not a date. Use YYYY-MM-DD, for example ${this.today(now)}, or "none" to clear it.`);
      if (dueText < this.today(now)) return fail('invalid', `The due date ${dueText} is in the past; today is ${this.today(now)}.`);
    }
    const refused = this.refuse(actor, issue, 'issue.due', now);
    if (refused !== undefined) return refused;
    if (issue.dueDate === dueText) return ok({ issue, changed: false });
    const at = now.getTime();
    return ok({
      issue: this.apply(issue, { dueDate: dueText, updatedAt: at }, [
        { workspaceId: actor.workspaceId, issueId: issue.id, actorId: actor.userId, kind: 'due', fromValue: issue.dueDate, toValue: dueText, createdAt: at },
      ]),
      changed: true,
    });
  }

  comment(actor: Actor, issue: Issue, text: string, now: Date): Result<Issue> {
    const trimmed = text.trim();
    if (trimmed === '') return fail('invalid', `Write the comment after the key: /issue comment ${formatKey(issue.teamKey, issue.number)} what happened`);
    if (trimmed.length > MAX_COMMENT) return fail('invalid', `A comment can be at most ${MAX_COMMENT} characters; this one has ${trimmed.length}.`);
    const refused = this.refuse(actor, issue, 'issue.comment', now);
    if (refused !== undefined) return refused;
    const at = now.getTime();
    return ok(this.apply(issue, { updatedAt: at }, [{ workspaceId: actor.workspaceId, issueId: issue.id, actorId: actor.userId, kind: 'comment', note: trimmed, createdAt: at }]));
  }

  /** The edit modal: every changed field becomes one line of history; an unchanged form changes nothing. */
  edit(actor: Actor, issue: Issue, draft: IssueDraft, now: Date): Result<{ issue: Issue; changed: string[] }> {
    const refused = this.refuse(actor, issue, 'issue.edit', now);
    if (refused !== undefined) return refused;
    const valid = this.validateDraft(draft, now, issue.dueDate);
    if (!valid.ok) return valid;
    const at = now.getTime();
    const next = valid.value;
    const patch: IssuePatch = { updatedAt: at };
    const events: NewIssueEvent[] = [];
    const changed: string[] = [];
    const event = (kind: string, fromValue: string | null, toValue: string | null) =>
      events.push({ workspaceId: actor.workspaceId, issueId: issue.id, actorId: actor.userId, kind, fromValue, toValue, createdAt: at });
    if (next.title !== issue.title) {
      patch.title = next.title;
      event('title', issue.title, next.title);
      changed.push('title');
    }
    if (next.details !== issue.details) {
      patch.details = next.details;
      event('details', null, null);
      changed.push('details');
    }
    if (next.category !== issue.category) {
      patch.category = next.category;
      event('category', issue.category, next.category);
      changed.push(`category (${categoryLabel(next.category)})`);
    }
    if (next.ownerId !== issue.ownerId) {
      patch.ownerId = next.ownerId;
      event('owner', issue.ownerId, next.ownerId);
      changed.push('owner');
    }
    if (next.dueDate !== issue.dueDate) {
      patch.dueDate = next.dueDate;
      event('due', issue.dueDate, next.dueDate);
      changed.push('due date');
    }
    if (events.length === 0) return ok({ issue, changed });
    return ok({ issue: this.apply(issue, patch, events), changed });
  }

  private apply(issue: Issue, patch: IssuePatch, events: NewIssueEvent[]): Issue {
    this.deps.db.transaction(
      () => {
        this.deps.issues.update(issue.id, patch);
        for (const event of events) this.deps.issues.addEvent(event);
      },
      { behavior: 'immediate' },
    );
    return { ...issue, ...patch };
  }

  private queue(message: OutboxMessage, now: Date): void {
    enqueue(this.deps.db, message, now);
  }
}
