import type { Actor } from '../../domain/actor.js';
import { fail, failMany, ok, type Problem, type Result } from '../../domain/result.js';
import type { Storage } from '../../db/storage.js';
import { enqueue, enqueueRefresh, replacePending, type OutboxMessage } from '../../outbox/outbox.js';
import { claimRequest, forgetRequest, recordRequestResult, requestResult } from '../../slack/dedupe.js';
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
  type ListScope,
  type Status,
} from './model.js';
import type { Issue, IssueEventRow, IssueFilter, IssuePatch, IssueRepository } from './repository.js';
import { todayIn } from '../../time/zone.js';
import type { WorkspaceZones } from '../team/zones.js';

/** Outbox follow-up kind: the announcement was posted; remember its channel and ts. */
export const ISSUE_ANNOUNCED = 'issue.announced';

/** Outbox refresh kind of the team-channel announcement (target `issue-card:<issueId>`). */
export const ISSUE_CARD_REFRESH = 'issue-card';

const announceKey = (issueId: number, channelId: string): string => `issue-new:${issueId}:${channelId}`;
/** One thread reply per status change, whether queued at the change or caught up after the post. */
const statusReplyKey = (eventId: number): string => `issue-status-reply:${eventId}`;

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
  announcement(issue: Issue, today: string, comments: number): { text: string; blocks: unknown[] };
  loggedReply(issue: Issue): { text: string };
  statusReply(issue: Issue, change: { actorId: string; toValue: string | null; note: string | null }): { text: string };
}

/** A change worked out from the issue as it is inside the write lock: the fields to set and the history lines. */
interface Plan {
  patch: Omit<IssuePatch, 'updatedAt'>;
  events: Array<{ kind: string; fromValue?: string | null; toValue?: string | null; note?: string | null }>;
  /** What changed, said for people (the edit form's answer). */
  changed?: string[];
}

export interface IssueServiceDeps {
  db: Storage;
  issues: IssueRepository;
  teamRepository: TeamRepository;
  teams: TeamService;
  /** The deployment's zone (ALLIANCE_TIMEZONE): every workspace's when `zones` is not given (tests). */
  timeZone: string;
  /** Each workspace's own zone ("today" for due dates and overdue), resolved once per call. */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  messages: IssueMessages;
}

const problem = (field: DraftField, message: string): Problem => ({ code: 'invalid', message, field });

/** Logging, tracking and closing issues: the rules, independent of Slack. */
export class IssueService {
  constructor(private readonly deps: IssueServiceDeps) {}

  /** Today's date (YYYY-MM-DD) in the workspace's zone: "due before today" is overdue there. */
  async today(workspaceId: string, now: Date): Promise<string> {
    return todayIn(now, await this.zoneOf(workspaceId));
  }

  private async zoneOf(workspaceId: string): Promise<string> {
    return this.deps.zones === undefined ? this.deps.timeZone : await this.deps.zones.zoneFor(workspaceId);
  }

  async teamOfChannel(workspaceId: string, channelId: string): Promise<ProgramTeam | undefined> {
    return await this.deps.teamRepository.byChannel(workspaceId, channelId);
  }

  async teamChoices(workspaceId: string): Promise<ProgramTeam[]> {
    return await this.deps.teamRepository.teams(workspaceId);
  }

  /** Checks every field and returns every problem, so a modal shows them all beside their fields at once. `today` is the workspace's. */
  validateDraft(draft: IssueDraft, today: string, previousDue: string | null = null): Result<IssueDraft> {
    const problems: Problem[] = [];
    const title = normaliseTitle(draft.title);
    if (title === '') problems.push(problem('title', 'Give the issue a title: one line that says what is wrong or needed.'));
    else if (title.length > MAX_TITLE) problems.push(problem('title', `A title can be at most ${MAX_TITLE} characters; this one has ${title.length}. Put the rest in the details.`));
    const details = draft.details.trim();
    if (details.length > MAX_DETAILS) problems.push(problem('details', `Details can be at most ${MAX_DETAILS} characters; these have ${details.length}.`));
    if (!isCategory(draft.category)) problems.push(problem('category', 'Pick a category from the list.'));
    if (draft.dueDate !== null) {
      if (!isCalendarDate(draft.dueDate)) problems.push(problem('due', `"${draft.dueDate}" is not a date. Use YYYY-MM-DD, for example ${today}.`));
      // An edit may keep a due date that has since passed; a new or changed date must not be in the past.
      else if (draft.dueDate !== previousDue && draft.dueDate < today) {
        problems.push(problem('due', `The due date ${draft.dueDate} is in the past; today is ${today}.`));
      }
    }
    if (draft.ownerId !== null && !/^[UW][A-Z0-9]+$/.test(draft.ownerId)) problems.push(problem('owner', 'Pick the owner from the people list.'));
    if (problems.length > 0) return failMany(problems);
    return ok({ ...draft, title, details });
  }

  /** Everything a new issue needs, checked before anything slow (a permalink) or lasting happens. */
  async validateNew(workspaceId: string, teamId: number | undefined, draft: IssueDraft, now: Date): Promise<Result<{ team: ProgramTeam; draft: IssueDraft }>> {
    const problems: Problem[] = [];
    const team = teamId === undefined ? undefined : await this.deps.teamRepository.byId(teamId);
    if (team === undefined || team.workspaceId !== workspaceId) problems.push(problem('team', 'Pick the team this issue belongs to.'));
    const valid = this.validateDraft(draft, await this.today(workspaceId, now));
    if (!valid.ok) problems.push(...(valid.problems ?? [valid.problem]));
    if (problems.length > 0 || team === undefined || !valid.ok) return failMany(problems);
    return ok({ team, draft: valid.value });
  }

  /**
   * Logs an issue, records "created" in its history and queues the team announcement (and the
   * thread reply for a logged message) in the same transaction. `requestKey` makes a repeated
   * submission of the same form create nothing: the first arrival stores the issue id with the
   * key, so `duplicate` names exactly the issue it made.
   */
  async create(
    actor: Actor,
    teamId: number | undefined,
    draft: IssueDraft,
    now: Date,
    options: { source?: IssueSource; requestKey?: string; validated?: { team: ProgramTeam; draft: IssueDraft } } = {},
  ): Promise<Result<{ issue: Issue; duplicate: boolean; announcedIn: string[] }>> {
    // A form checks its fields before it answers: what it checked is not read and checked again.
    const checked = options.validated !== undefined ? ok(options.validated) : await this.validateNew(actor.workspaceId, teamId, draft, now);
    if (!checked.ok) return checked;
    const { team, draft: valid } = checked.value;
    const { db, issues } = this.deps;
    const at = now.getTime();
    const today = await this.today(actor.workspaceId, now);
    // PostgreSQL may run this more than once (SERIALIZABLE, re-run on conflict): database work only.
    const created = await db.transaction(
      async (): Promise<{ issue: Issue; channel: string | undefined } | { duplicateOf: string | undefined }> => {
        if (options.requestKey !== undefined && !(await claimRequest(db, actor.workspaceId, options.requestKey, now))) {
          return { duplicateOf: await requestResult(db, actor.workspaceId, options.requestKey) };
        }
        // The team's first linked channel is its channel: one announcement, kept current by chat.update.
        const channel = (await this.deps.teamRepository.channelsOf(team.id))[0];
        const row = await issues.insert({
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
          announcementChannelId: channel ?? null,
          createdAt: at,
        });
        if (options.requestKey !== undefined) await recordRequestResult(db, actor.workspaceId, options.requestKey, String(row.id));
        await issues.addEvent({ workspaceId: actor.workspaceId, issueId: row.id, programTeamId: row.programTeamId, actorId: actor.userId, kind: 'created', toValue: formatKey(team.key, row.number), createdAt: at });
        const issue: Issue = { ...row, teamKey: team.key, teamName: team.name };
        if (channel !== undefined) {
          const message = this.deps.messages.announcement(issue, today, 0);
          await this.queue(
            {
              workspaceId: actor.workspaceId,
              dedupeKey: announceKey(row.id, channel),
              method: 'chat.postMessage',
              args: { channel, ...message },
              notBefore: now,
              followUp: { kind: ISSUE_ANNOUNCED, ref: `${row.id}:${row.updatedAt}` },
            },
            now,
          );
        }
        if (options.source !== undefined) {
          const reply = this.deps.messages.loggedReply(issue);
          await this.queue(
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
        return { issue, channel };
      },
      // What logging contends for is the team's next number: other teams' issues need not wait for it.
      { turn: `issue-number:${team.id}` },
    );
    if ('issue' in created) return ok({ issue: created.issue, duplicate: false, announcedIn: created.channel === undefined ? [] : [created.channel] });
    const earlier = created.duplicateOf === undefined ? undefined : await issues.get(Number(created.duplicateOf));
    if (earlier === undefined || earlier.workspaceId !== actor.workspaceId) return fail('conflict', 'This form was already submitted, so nothing new was logged.');
    return ok({ issue: earlier, duplicate: true, announcedIn: [] });
  }

  /**
   * The link to a logged message, fetched after the form was answered (Slack may be slow). The
   * announcement is refreshed to show it; no history line, since nobody changed the issue.
   */
  async setPermalink(issueId: number, permalink: string, now: Date): Promise<Issue | undefined> {
    const { db, issues } = this.deps;
    return await db.transaction(async () => {
      const fresh = await issues.get(issueId);
      if (fresh === undefined || fresh.sourcePermalink === permalink) return fresh;
      const patch: IssuePatch = { sourcePermalink: permalink, updatedAt: nextUpdatedAt(fresh, now) };
      await issues.update(fresh.id, patch);
      const issue = { ...fresh, ...patch };
      await this.refreshAnnouncement(fresh, issue, now);
      return issue;
    });
  }

  /**
   * Outbox follow-up after the announcement was posted: stores where it is, then catches up on
   * what happened while it was in flight (a chat.update if the issue changed, and the thread
   * replies of status changes made before there was a thread). Runs inside the outbox's transaction.
   */
  async recordAnnouncement(ref: string, result: Record<string, unknown>, now: Date): Promise<void> {
    const [idText, updatedAtText] = ref.split(':');
    const id = Number(idText);
    const { channel, ts } = result;
    if (!Number.isSafeInteger(id) || typeof channel !== 'string' || typeof ts !== 'string') return;
    const updatedAt = await this.deps.issues.setAnnouncement(id, channel, ts);
    if (updatedAt === undefined) return;
    const statusEvents = await this.deps.issues.statusEvents(id);
    // Usually nothing happened while the post was in flight: then there is nothing to catch up on.
    if (String(updatedAt) === updatedAtText && statusEvents.length === 0) return;
    const issue = await this.deps.issues.get(id);
    if (issue === undefined) return;
    if (String(issue.updatedAt) !== updatedAtText) await this.queueAnnouncementUpdate(issue, now);
    for (const event of statusEvents) await this.queueStatusReply(issue, event.id, event, now);
  }

  /** An issue by its key as typed (`cna-3` works too). */
  async find(workspaceId: string, keyText: string | undefined): Promise<Result<Issue>> {
    if (keyText === undefined || keyText === '') return fail('invalid', 'Say which issue: its key looks like CNA-3 (see /issue list).');
    const key = parseIssueKey(keyText);
    if (key === undefined) return fail('invalid', `"${keyText}" is not an issue key. Issue keys look like CNA-3 (see /issue list).`);
    const issue = await this.deps.issues.byKey(workspaceId, key.teamKey, key.number);
    if (issue === undefined) return fail('not_found', `There is no issue ${formatKey(key.teamKey, key.number)}. See /issue list for the issues.`);
    return ok(issue);
  }

  async byId(workspaceId: string, id: number): Promise<Result<Issue>> {
    const issue = await this.deps.issues.byId(workspaceId, id);
    return issue === undefined ? fail('not_found', 'That issue no longer exists.') : ok(issue);
  }

  async history(issue: Issue): Promise<IssueEventRow[]> {
    return await this.deps.issues.events(issue.id);
  }

  /**
   * Which issues `/issue list` shows when the person named no team: the channel's team, else the
   * teams they are on, else (a newcomer) every team. `mine` looks across every team.
   */
  async listFor(actor: Actor, teamKey: string | undefined, scope: ListScope, channelId: string, now: Date): Promise<Result<ListPage>> {
    if (teamKey !== undefined) {
      const team = await this.deps.teams.resolveTeam(actor.workspaceId, teamKey, channelId);
      if (!team.ok) return team;
      return await this.page(actor, { teamIds: [team.value.id], scope }, 1, now);
    }
    if (scope === 'mine') return await this.page(actor, { teamIds: undefined, scope }, 1, now);
    const channelTeam = await this.teamOfChannel(actor.workspaceId, channelId);
    if (channelTeam !== undefined) return await this.page(actor, { teamIds: [channelTeam.id], scope }, 1, now);
    const mine = await this.deps.teamRepository.teamsOf(actor.workspaceId, actor.userId);
    if (mine.length > 0) return await this.page(actor, { teamIds: mine.map((t) => t.id), scope }, 1, now);
    const page = await this.page(actor, { teamIds: undefined, scope }, 1, now);
    return page.ok ? ok({ ...page.value, fellBack: true }) : page;
  }

  /** One page of a list; a page past the end shows the last page (issues may have closed meanwhile). */
  async page(actor: Actor, query: { teamIds: number[] | undefined; scope: ListScope }, page: number, now: Date): Promise<Result<ListPage>> {
    const teams = await this.deps.teamRepository.teams(actor.workspaceId);
    const teamIds = query.teamIds?.filter((id) => teams.some((t) => t.id === id));
    if (teamIds !== undefined && teamIds.length === 0) return fail('not_found', 'Those teams no longer exist. Try /issue list again.');
    const today = await this.today(actor.workspaceId, now);
    const filter: IssueFilter = {
      workspaceId: actor.workspaceId,
      scope: query.scope,
      userId: actor.userId,
      today,
      ...(teamIds === undefined ? {} : { teamIds }),
    };
    const total = await this.deps.issues.count(filter);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pageCount);
    const offset = (current - 1) * PAGE_SIZE;
    const label = teamIds === undefined ? 'all teams' : teams.filter((t) => teamIds.includes(t.id)).map((t) => t.key).join(', ');
    return ok({ issues: await this.deps.issues.list(filter, offset, PAGE_SIZE), total, page: current, pageCount, offset, scope: query.scope, teamIds, label, fellBack: false, today });
  }

  /** The reporter, the owner, members of the issue's team and coordinators may change an issue. */
  async mayChange(actor: Actor, issue: Issue): Promise<boolean> {
    if (actor.isCoordinator && !actor.isExternal) return true;
    if (issue.reporterId === actor.userId || issue.ownerId === actor.userId) return true;
    return await this.deps.teamRepository.isMember(issue.programTeamId, actor.userId);
  }

  /** Refuses politely and writes the refusal to the audit log; undefined means go ahead. */
  async refuse(actor: Actor, issue: Issue, action: string, now: Date): Promise<{ ok: false; problem: Problem } | undefined> {
    if (await this.mayChange(actor, issue)) return undefined;
    const key = formatKey(issue.teamKey, issue.number);
    await this.deps.teams.auditRefusal(actor, action, key, 'not the reporter, the owner, on the team or a coordinator', now);
    return fail(
      'forbidden',
      `Only ${issue.teamKey} team members, the reporter, the owner and coordinators can change ${key}. Join the team with /team join ${issue.teamKey} if you work on it.`,
    );
  }

  /*
   * Every change below re-reads the issue inside its transaction and decides from that
   * row: another instance may have changed it since the caller looked it up, and the history's
   * "from" value, the permission check and "nothing changed" must describe the issue as it is.
   * The `issue` argument only names which issue.
   */

  async setStatus(actor: Actor, issue: Issue, status: Status, note: string, now: Date): Promise<Result<{ issue: Issue; changed: boolean }>> {
    if (note.length > MAX_COMMENT) return fail('invalid', `A note can be at most ${MAX_COMMENT} characters; this one has ${note.length}.`);
    const at = now.getTime();
    return await this.change(actor, issue, 'issue.status', now, (fresh) => {
      if (fresh.status === status) return ok({ patch: {}, events: [] });
      const closedAt = isClosed(status) ? (isClosed(fresh.status) ? fresh.closedAt : at) : null;
      return ok({ patch: { status, closedAt }, events: [{ kind: 'status', fromValue: fresh.status, toValue: status, note: note === '' ? null : note }] });
    });
  }

  async assign(actor: Actor, issue: Issue, ownerId: string | null, now: Date): Promise<Result<{ issue: Issue; changed: boolean }>> {
    return await this.change(actor, issue, 'issue.assign', now, (fresh) =>
      ok(fresh.ownerId === ownerId ? { patch: {}, events: [] } : { patch: { ownerId }, events: [{ kind: 'owner', fromValue: fresh.ownerId, toValue: ownerId }] }),
    );
  }

  async setDue(actor: Actor, issue: Issue, dueText: string | null, now: Date): Promise<Result<{ issue: Issue; changed: boolean }>> {
    if (dueText !== null) {
      const today = await this.today(actor.workspaceId, now);
      if (!isCalendarDate(dueText)) return fail('invalid', `"${dueText}" is not a date. Use YYYY-MM-DD, for example ${today}, or "none" to clear it.`);
      if (dueText < today) return fail('invalid', `The due date ${dueText} is in the past; today is ${today}.`);
    }
    return await this.change(actor, issue, 'issue.due', now, (fresh) =>
      ok(fresh.dueDate === dueText ? { patch: {}, events: [] } : { patch: { dueDate: dueText }, events: [{ kind: 'due', fromValue: fresh.dueDate, toValue: dueText }] }),
    );
  }

  async comment(actor: Actor, issue: Issue, text: string, now: Date): Promise<Result<Issue>> {
    const trimmed = text.trim();
    if (trimmed === '') return fail('invalid', `Write the comment after the key: /issue comment ${formatKey(issue.teamKey, issue.number)} what happened`);
    if (trimmed.length > MAX_COMMENT) return fail('invalid', `A comment can be at most ${MAX_COMMENT} characters; this one has ${trimmed.length}.`);
    const done = await this.change(actor, issue, 'issue.comment', now, () => ok({ patch: {}, events: [{ kind: 'comment', note: trimmed }] }));
    return done.ok ? ok(done.value.issue) : done;
  }

  /** The edit modal: every changed field becomes one line of history; an unchanged form changes nothing. */
  /**
   * With `requestKey` (the form's view id and hash), a repeated submission of the same form changes
   * nothing and answers exactly as the first did: the first records the fields it changed under the
   * key, in its own transaction. A submission refused (field errors, no permission) claims nothing.
   */
  async edit(actor: Actor, issue: Issue, draft: IssueDraft, now: Date, requestKey?: string): Promise<Result<{ issue: Issue; changed: string[] }>> {
    if (requestKey === undefined) return await this.editOnce(actor, issue, draft, now);
    const { db, issues } = this.deps;
    return await db.transaction(async (): Promise<Result<{ issue: Issue; changed: string[] }>> => {
      if (!(await claimRequest(db, actor.workspaceId, requestKey, now))) {
        const fresh = await issues.byId(actor.workspaceId, issue.id);
        if (fresh === undefined) return fail('not_found', 'That issue no longer exists.');
        return ok({ issue: fresh, changed: JSON.parse((await requestResult(db, actor.workspaceId, requestKey)) ?? '[]') as string[] });
      }
      // The change's own transaction joins this one: the claim and the edit commit (or re-run) together.
      const edited = await this.editOnce(actor, issue, draft, now);
      if (edited.ok) await recordRequestResult(db, actor.workspaceId, requestKey, JSON.stringify(edited.value.changed));
      else await forgetRequest(db, actor.workspaceId, requestKey);
      return edited;
    });
  }

  private async editOnce(actor: Actor, issue: Issue, draft: IssueDraft, now: Date): Promise<Result<{ issue: Issue; changed: string[] }>> {
    const today = await this.today(actor.workspaceId, now);
    const done = await this.change(actor, issue, 'issue.edit', now, (fresh) => {
      const valid = this.validateDraft(draft, today, fresh.dueDate);
      if (!valid.ok) return valid;
      const next = valid.value;
      const plan: Required<Plan> = { patch: {}, events: [], changed: [] };
      if (next.title !== fresh.title) {
        plan.patch.title = next.title;
        plan.events.push({ kind: 'title', fromValue: fresh.title, toValue: next.title });
        plan.changed.push('title');
      }
      if (next.details !== fresh.details) {
        plan.patch.details = next.details;
        plan.events.push({ kind: 'details', fromValue: null, toValue: null });
        plan.changed.push('details');
      }
      if (next.category !== fresh.category) {
        plan.patch.category = next.category;
        plan.events.push({ kind: 'category', fromValue: fresh.category, toValue: next.category });
        plan.changed.push(`category (${categoryLabel(next.category)})`);
      }
      if (next.ownerId !== fresh.ownerId) {
        plan.patch.ownerId = next.ownerId;
        plan.events.push({ kind: 'owner', fromValue: fresh.ownerId, toValue: next.ownerId });
        plan.changed.push('owner');
      }
      if (next.dueDate !== fresh.dueDate) {
        plan.patch.dueDate = next.dueDate;
        plan.events.push({ kind: 'due', fromValue: fresh.dueDate, toValue: next.dueDate });
        plan.changed.push('due date');
      }
      return ok(plan);
    });
    return done.ok ? ok({ issue: done.value.issue, changed: done.value.changedFields }) : done;
  }

  /**
   * Read, check, decide and write in one transaction (SQLite: under the write lock; PostgreSQL:
   * SERIALIZABLE, re-run from the read on conflict), then queue the announcement's chat.update and,
   * for a status change, its thread reply in the same transaction. `plan` must be pure: it may run
   * again.
   */
  private async change(
    actor: Actor,
    issue: Issue,
    action: string,
    now: Date,
    plan: (fresh: Issue) => Result<Plan>,
  ): Promise<Result<{ issue: Issue; changed: boolean; changedFields: string[] }>> {
    const { db, issues } = this.deps;
    const at = now.getTime();
    return await db.transaction(async (): Promise<Result<{ issue: Issue; changed: boolean; changedFields: string[] }>> => {
      const fresh = await issues.byId(actor.workspaceId, issue.id);
      if (fresh === undefined) return fail('not_found', 'That issue no longer exists.');
      const refused = await this.refuse(actor, fresh, action, now);
      if (refused !== undefined) return refused;
      const planned = plan(fresh);
      if (!planned.ok) return planned;
      const { events, changed = [] } = planned.value;
      if (events.length === 0) return ok({ issue: fresh, changed: false, changedFields: changed });
      const patch: IssuePatch = { ...planned.value.patch, updatedAt: nextUpdatedAt(fresh, now) };
      await issues.update(fresh.id, patch);
      const updated: Issue = { ...fresh, ...patch };
      for (const event of events) {
        const row = { workspaceId: actor.workspaceId, issueId: fresh.id, programTeamId: fresh.programTeamId, actorId: actor.userId, createdAt: at, fromValue: null, toValue: null, note: null, ...event };
        const eventId = await issues.addEvent(row);
        if (event.kind === 'status') await this.queueStatusReply(updated, eventId, row, now);
      }
      // After the history is written: the announcement shows the comment count.
      await this.refreshAnnouncement(fresh, updated, now);
      return ok({ issue: updated, changed: true, changedFields: changed });
    });
  }

  /**
   * The issue's goals changed (`/goal link` / `unlink`): its announcement is redrawn so the card
   * names them. No history line (the goal's history records the link). Call inside the linking
   * transaction.
   */
  async goalLinksChanged(issueId: number, now: Date): Promise<void> {
    const fresh = await this.deps.issues.get(issueId);
    if (fresh === undefined) return;
    const patch: IssuePatch = { updatedAt: nextUpdatedAt(fresh, now) };
    await this.deps.issues.update(fresh.id, patch);
    await this.refreshAnnouncement(fresh, { ...fresh, ...patch }, now);
  }

  /**
   * Brings the team-channel announcement up to date. Posted already: the card's coalesced refresh
   * (one row per issue, rendered from the database when sent, so a burst of changes is one
   * chat.update showing the last of them and an older state never lands after a newer one).
   * Not posted yet: the queued post is rewritten.
   */
  private async refreshAnnouncement(_before: Issue, issue: Issue, now: Date): Promise<void> {
    if (issue.announcementChannelId === null) return;
    if (issue.announcementTs !== null) {
      await this.queueAnnouncementUpdate(issue, now);
      return;
    }
    const message = this.deps.messages.announcement(issue, await this.today(issue.workspaceId, now), await this.deps.issues.commentCount(issue.id));
    await replacePending(this.deps.db, issue.workspaceId, announceKey(issue.id, issue.announcementChannelId), { channel: issue.announcementChannelId, ...message }, now);
  }

  private async queueAnnouncementUpdate(issue: Issue, now: Date): Promise<void> {
    if (issue.announcementChannelId === null || issue.announcementTs === null) return;
    await enqueueRefresh(this.deps.db, { workspaceId: issue.workspaceId, kind: ISSUE_CARD_REFRESH, ref: String(issue.id) }, now);
  }

  /** The announcement as it should look now; the outbox renders it when it sends the card's refresh. */
  async renderAnnouncement(issueId: number, now: Date): Promise<Record<string, unknown> | undefined> {
    const issue = await this.deps.issues.get(issueId);
    if (issue === undefined || issue.announcementChannelId === null || issue.announcementTs === null) return undefined;
    const message = this.deps.messages.announcement(issue, await this.today(issue.workspaceId, now), await this.deps.issues.commentCount(issue.id));
    return { channel: issue.announcementChannelId, ts: issue.announcementTs, ...message };
  }

  /** "Hannah moved CNA-3 to Resolved: note" under the announcement; waits for the follow-up when there is no thread yet. */
  private async queueStatusReply(issue: Issue, eventId: number, change: { actorId: string; toValue: string | null; note: string | null }, now: Date): Promise<void> {
    if (issue.announcementChannelId === null || issue.announcementTs === null) return;
    const reply = this.deps.messages.statusReply(issue, change);
    await this.queue(
      {
        workspaceId: issue.workspaceId,
        dedupeKey: statusReplyKey(eventId),
        method: 'chat.postMessage',
        args: { channel: issue.announcementChannelId, thread_ts: issue.announcementTs, ...reply },
        notBefore: now,
      },
      now,
    );
  }

  private async queue(message: OutboxMessage, now: Date): Promise<void> {
    await enqueue(this.deps.db, message, now);
  }
}

/**
 * updated_at moves forward on every change, even two in the same millisecond (or under a fixed
 * test clock), so it can key exactly one announcement update per change.
 */
function nextUpdatedAt(issue: Issue, now: Date): number {
  return Math.max(now.getTime(), issue.updatedAt + 1);
}
