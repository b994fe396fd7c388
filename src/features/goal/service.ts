import type { Actor } from '../../domain/actor.js';
import { fail, failMany, ok, type Problem, type Result } from '../../domain/result.js';
import type { Storage } from '../../db/storage.js';
import { cancelPending, enqueue } from '../../outbox/outbox.js';
import { claimRequest, recordRequestResult, requestResult } from '../../slack/dedupe.js';
import { formatKey, parseIssueKey } from '../issue/model.js';
import type { IssueRepository } from '../issue/repository.js';
import type { ProgramTeam, TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import type { WorkspaceZones } from '../team/zones.js';
import {
  formatNumber,
  goalKey,
  isCalendarDate,
  isTeamKeyOf,
  MAX_NAME,
  MAX_NOTE,
  normaliseName,
  parseGoalNumber,
  parseNumber,
  todayIn,
  unitProblem,
  type Direction,
  type GoalKind,
} from './model.js';
import { paceOf, type Pace } from './pace.js';
import type { Goal, GoalEvent, GoalPatch, GoalReading, GoalRepository } from './repository.js';

/** The fields a person fills in, as typed (numbers and dates as text); the service checks them all at once. */
export interface GoalDraft {
  kind: string;
  name: string;
  unit: string;
  baseline: string;
  target: string;
  targetDate: string;
  ownerId: string | null;
  organisationId: number | null;
}

/** Field names of draft problems; the modal maps them to its input blocks. */
export type GoalField = 'team' | 'kind' | 'name' | 'unit' | 'baseline' | 'target' | 'targetDate' | 'owner' | 'organisation' | 'value' | 'asOf' | 'note';

interface ValidDraft {
  kind: GoalKind;
  name: string;
  unit: string;
  baseline: number | null;
  target: number | null;
  direction: Direction | null;
  targetDate: string;
  ownerId: string | null;
  organisationId: number | null;
}

export type GoalOutcome = 'achieved' | 'dropped';

/** A goal with everything a list line or digest line shows. */
export interface GoalWithPace {
  goal: Goal;
  pace: Pace;
}

export interface GoalDetail extends GoalWithPace {
  readings: GoalReading[];
  events: GoalEvent[];
  issues: Array<{ issueId: number; key: string; title: string; status: string }>;
}

/** What the channel announcements say; rendered outside so the service stays Slack-free. */
export interface GoalMessages {
  created(goal: Goal, pace: Pace): { text: string; blocks: unknown[] };
  closed(goal: Goal, actorId: string, note: string): { text: string; blocks: unknown[] };
  staleReminder(goal: Goal, pace: Pace): { text: string; blocks: unknown[] };
}

export interface GoalServiceDeps {
  db: Storage;
  goals: GoalRepository;
  issues: IssueRepository;
  teamRepository: TeamRepository;
  teams: TeamService;
  /** The deployment's zone (ALLIANCE_TIMEZONE): every workspace's when `zones` is not given (tests). */
  timeZone: string;
  /** Each workspace's own zone: "today" for pace, start dates, readings and stale periods, resolved once per call. */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  messages: GoalMessages;
  /** Called inside the transaction that links or unlinks an issue, so its card can be redrawn. */
  issueLinksChanged?: (issueId: number, now: Date) => Promise<void>;
}

export type ListScope = 'open' | 'done' | 'all';
export const LIST_SCOPE_STATUSES: Record<ListScope, readonly string[]> = { open: ['open'], done: ['achieved', 'dropped'], all: ['open', 'achieved', 'dropped'] };

/** Outbox follow-up kind: the announcement was posted; remember its channel and ts. */
export const GOAL_ANNOUNCED = 'goal.announced';
const announceKey = (goalId: number): string => `goal-new:${goalId}`;
/** One chat.update per change: updated_at strictly increases per goal. */
const updateKey = (goalId: number, updatedAt: number): string => `goal:${goalId}:update:${updatedAt}`;

const problem = (field: GoalField, message: string): Problem => ({ code: 'invalid', message, field });

/**
 * Goals and their readings: the rules, independent of Slack. Members propose goals and record
 * readings; coordinators and the goal's owner change, link and close them; a person from a
 * partner workspace never changes or closes one. Every refusal is written to the audit log.
 *
 * STABLE API for other features: `withPace(goals, now)`, `teamGoals(programTeamId, now)`,
 * `today(workspaceId, now)`; see also pace.ts (`paceOf`) and repository.ts.
 */
export class GoalService {
  constructor(private readonly deps: GoalServiceDeps) {}

  /** Today's date (YYYY-MM-DD) in the workspace's zone. */
  async today(workspaceId: string, now: Date): Promise<string> {
    return todayIn(now, this.deps.zones === undefined ? this.deps.timeZone : await this.deps.zones.zoneFor(workspaceId));
  }

  get repository(): GoalRepository {
    return this.deps.goals;
  }

  async teamOfChannel(workspaceId: string, channelId: string): Promise<ProgramTeam | undefined> {
    return await this.deps.teamRepository.byChannel(workspaceId, channelId);
  }

  async teamChoices(workspaceId: string): Promise<ProgramTeam[]> {
    return await this.deps.teamRepository.teams(workspaceId);
  }

  async isTeamKey(workspaceId: string, key: string): Promise<boolean> {
    return isTeamKeyOf(await this.teamChoices(workspaceId), key);
  }

  async organisationChoices(workspaceId: string): Promise<Array<{ id: number; name: string }>> {
    return (await this.deps.teams.organisationsInUse(workspaceId)).map((o) => ({ id: o.id, name: o.name }));
  }

  /** A goal by its id as typed (`G-3`, `g3`). */
  async find(workspaceId: string, text: string | undefined): Promise<Result<Goal>> {
    if (text === undefined || text === '') return fail('invalid', 'Say which goal: its id looks like G-3 (see /goal list).');
    const number = parseGoalNumber(text);
    if (number === undefined) return fail('invalid', `"${text}" is not a goal id. Goal ids look like G-3 (see /goal list).`);
    const goal = await this.deps.goals.byNumber(workspaceId, number);
    return goal === undefined ? fail('not_found', `There is no goal G-${number}. See /goal list for the goals.`) : ok(goal);
  }

  async byId(workspaceId: string, id: number): Promise<Result<Goal>> {
    const goal = await this.deps.goals.byId(workspaceId, id);
    return goal === undefined ? fail('not_found', 'That goal no longer exists.') : ok(goal);
  }

  /** Pace for each goal, reading all their current readings in one query; "today" is each goal's workspace's. */
  async withPace(goals: readonly Goal[], now: Date): Promise<GoalWithPace[]> {
    const readings = await this.deps.goals.currentReadings(goals.map((g) => g.id));
    const todays = new Map<string, string>();
    for (const ws of new Set(goals.map((g) => g.workspaceId))) todays.set(ws, await this.today(ws, now));
    return goals.map((goal) => ({ goal, pace: paceOf(goal, readings.get(goal.id) ?? [], todays.get(goal.workspaceId) ?? '') }));
  }

  async teamGoals(programTeamId: number, now: Date, statuses: readonly string[] = ['open']): Promise<GoalWithPace[]> {
    return await this.withPace(await this.deps.goals.ofTeam(programTeamId, statuses), now);
  }

  async paceOf(goal: Goal, now: Date): Promise<Pace> {
    return paceOf(goal, await this.deps.goals.readings(goal.id), await this.today(goal.workspaceId, now));
  }

  async detail(goal: Goal, now: Date): Promise<GoalDetail> {
    return {
      goal,
      pace: await this.paceOf(goal, now),
      readings: await this.deps.goals.allReadings(goal.id),
      events: await this.deps.goals.events(goal.id),
      issues: await this.deps.goals.linkedIssues(goal.id),
    };
  }

  /** `/goal list [KEY] [open|done|all]`: the named team, else the channel's, else the person's teams, else every team. */
  async list(actor: Actor, teamKey: string | undefined, scope: ListScope, channelId: string, now: Date): Promise<Result<{ label: string; goals: GoalWithPace[]; scope: ListScope }>> {
    const statuses = LIST_SCOPE_STATUSES[scope];
    let teams: ProgramTeam[];
    if (teamKey !== undefined) {
      const team = await this.deps.teams.resolveTeam(actor.workspaceId, teamKey, channelId);
      if (!team.ok) return team;
      teams = [team.value];
    } else {
      const channelTeam = await this.teamOfChannel(actor.workspaceId, channelId);
      const mine = await this.deps.teamRepository.teamsOf(actor.workspaceId, actor.userId);
      teams = channelTeam !== undefined ? [channelTeam] : mine.length > 0 ? mine : await this.deps.teamRepository.teams(actor.workspaceId);
    }
    const goals: Goal[] = [];
    for (const team of teams) goals.push(...(await this.deps.goals.ofTeam(team.id, statuses)));
    const everyTeam = await this.deps.teamRepository.teams(actor.workspaceId);
    return ok({ label: teams.length === everyTeam.length && teams.length > 1 ? 'all teams' : teams.map((t) => t.key).join(', '), goals: await this.withPace(goals, now), scope });
  }

  /** Checks every field and returns every problem, so a modal shows them all beside their fields at once. */
  async validateDraft(workspaceId: string, draft: GoalDraft, now: Date, previous?: Goal): Promise<Result<ValidDraft>> {
    const problems: Problem[] = [];
    const today = await this.today(workspaceId, now);
    const kind = previous?.kind ?? draft.kind;
    if (kind !== 'measure' && kind !== 'milestone') problems.push(problem('kind', 'Pick the kind of goal: a measure (a number to move) or a milestone (done or not by a date).'));
    const name = normaliseName(draft.name);
    if (name === '') problems.push(problem('name', 'Give the goal a name, for example "Clinical placement slots".'));
    else if (name.length > MAX_NAME) problems.push(problem('name', `A goal name can be at most ${MAX_NAME} characters; this one has ${name.length}.`));
    const unit = kind === 'measure' ? draft.unit.replace(/\s+/g, ' ').trim() : '';
    const unitWrong = unitProblem(unit);
    if (unitWrong !== undefined) problems.push(problem('unit', unitWrong));
    let baseline: number | null = null;
    let target: number | null = null;
    if (kind === 'measure') {
      baseline = draft.baseline.trim() === '' ? null : (parseNumber(draft.baseline) ?? null);
      target = draft.target.trim() === '' ? null : (parseNumber(draft.target) ?? null);
      if (draft.baseline.trim() === '') problems.push(problem('baseline', 'Give the baseline: where the measure stands at the start, for example 22.'));
      else if (baseline === null) problems.push(problem('baseline', `"${draft.baseline.trim()}" is not a number. Write digits, for example 22 or 12.5.`));
      if (draft.target.trim() === '') problems.push(problem('target', 'Give the target, for example 40.'));
      else if (target === null) problems.push(problem('target', `"${draft.target.trim()}" is not a number. Write digits, for example 40 or 12.5.`));
      else if (baseline !== null && target === baseline) problems.push(problem('target', `The target must differ from the baseline (${formatNumber(baseline)}): a goal moves something.`));
    }
    const targetDate = draft.targetDate.trim();
    if (targetDate === '') problems.push(problem('targetDate', 'Pick the target date.'));
    else if (!isCalendarDate(targetDate)) problems.push(problem('targetDate', `"${targetDate}" is not a date. Use YYYY-MM-DD, for example ${today.slice(0, 4)}-12-31.`));
    // An edit may keep a target date that has since passed; a new or changed one must be in the future.
    else if (targetDate !== previous?.targetDate && targetDate <= today) problems.push(problem('targetDate', `The target date must be in the future; today is ${today}.`));
    if (draft.ownerId !== null && !/^[UW][A-Z0-9]{2,20}$/.test(draft.ownerId)) problems.push(problem('owner', 'Pick the owner from the people list.'));
    if (draft.organisationId !== null && previous !== undefined && !(await this.organisationChoices(previous.workspaceId)).some((o) => o.id === draft.organisationId)) {
      problems.push(problem('organisation', 'Pick the organisation from the list.'));
    }
    if (problems.length > 0) return failMany(problems);
    const direction: Direction | null = kind === 'measure' && baseline !== null && target !== null ? (target > baseline ? 'up' : 'down') : null;
    return ok({ kind: kind as GoalKind, name, unit, baseline, target, direction, targetDate, ownerId: draft.ownerId, organisationId: draft.organisationId });
  }

  /** Everything a new goal needs, checked before anything is stored. */
  async validateNew(actor: Actor, teamId: number | undefined, draft: GoalDraft, now: Date): Promise<Result<{ team: ProgramTeam; draft: ValidDraft }>> {
    const problems: Problem[] = [];
    const team = teamId === undefined ? undefined : await this.deps.teamRepository.byId(teamId);
    if (team === undefined || team.workspaceId !== actor.workspaceId) problems.push(problem('team', 'Pick the team this goal belongs to.'));
    const valid = await this.validateDraft(actor.workspaceId, draft, now);
    if (!valid.ok) problems.push(...(valid.problems ?? [valid.problem]));
    if (draft.organisationId !== null && !(await this.organisationChoices(actor.workspaceId)).some((o) => o.id === draft.organisationId)) problems.push(problem('organisation', 'Pick the organisation from the list.'));
    if (problems.length > 0 || team === undefined || !valid.ok) return failMany(problems);
    return ok({ team, draft: valid.value });
  }

  /**
   * Proposes a goal: any member of the team (or a coordinator). Records "created", queues the team
   * channel's announcement in the same transaction. `requestKey` makes a repeated form submission
   * create nothing new.
   */
  async create(
    actor: Actor,
    teamId: number | undefined,
    draft: GoalDraft,
    now: Date,
    options: { requestKey?: string } = {},
  ): Promise<Result<{ goal: Goal; duplicate: boolean; announcedIn: string | undefined }>> {
    const checked = await this.validateNew(actor, teamId, draft, now);
    if (!checked.ok) return checked;
    const { team, draft: valid } = checked.value;
    if (!actor.isCoordinator && !(await this.deps.teamRepository.isMember(team.id, actor.userId))) {
      await this.deps.teams.auditRefusal(actor, 'goal.new', team.key, 'not on the team or a coordinator', now);
      return fail('forbidden', `Only members of ${team.key} (and coordinators) can propose its goals. Join with /team join ${team.key} first.`);
    }
    const { db, goals } = this.deps;
    const at = now.getTime();
    const today = await this.today(actor.workspaceId, now);
    const created = await db.transaction(async (): Promise<{ goal: Goal; channel: string | undefined } | { duplicateOf: string | undefined }> => {
      if (options.requestKey !== undefined && !(await claimRequest(db, actor.workspaceId, options.requestKey, now))) {
        return { duplicateOf: await requestResult(db, actor.workspaceId, options.requestKey) };
      }
      // The team's first linked channel is its channel: one announcement, kept current by chat.update.
      const channel = (await this.deps.teamRepository.channelsOf(team.id))[0];
      const row = await goals.insert({
        workspaceId: actor.workspaceId,
        programTeamId: team.id,
        kind: valid.kind,
        name: valid.name,
        unit: valid.unit,
        baseline: valid.baseline,
        target: valid.target,
        direction: valid.direction,
        startDate: today,
        targetDate: valid.targetDate,
        ownerId: valid.ownerId ?? actor.userId,
        organisationId: valid.organisationId,
        creatorId: actor.userId,
        announcementChannelId: channel ?? null,
        createdAt: at,
      });
      if (options.requestKey !== undefined) await recordRequestResult(db, actor.workspaceId, options.requestKey, String(row.id));
      await goals.addEvent({ workspaceId: actor.workspaceId, goalId: row.id, actorId: actor.userId, kind: 'created', toValue: goalKey(row), createdAt: at });
      const goal = (await goals.byId(actor.workspaceId, row.id)) as Goal;
      if (channel !== undefined) {
        const message = this.deps.messages.created(goal, paceOf(goal, [], today));
        await enqueue(
          db,
          { workspaceId: actor.workspaceId, dedupeKey: announceKey(row.id), method: 'chat.postMessage', args: { channel, ...message }, notBefore: now, followUp: { kind: GOAL_ANNOUNCED, ref: String(row.id) } },
          now,
        );
      }
      return { goal, channel };
    });
    if ('goal' in created) return ok({ goal: created.goal, duplicate: false, announcedIn: created.channel });
    const earlier = created.duplicateOf === undefined ? undefined : await goals.byId(actor.workspaceId, Number(created.duplicateOf));
    if (earlier === undefined) return fail('conflict', 'This form was already submitted, so nothing new was stored.');
    return ok({ goal: earlier, duplicate: true, announcedIn: undefined });
  }

  /** Members, the owner and coordinators record readings. Refusals are audited. */
  private async refuseReading(actor: Actor, goal: Goal, action: string, now: Date): Promise<{ ok: false; problem: Problem } | undefined> {
    if (actor.isCoordinator || goal.ownerId === actor.userId || (await this.deps.teamRepository.isMember(goal.programTeamId, actor.userId))) return undefined;
    await this.deps.teams.auditRefusal(actor, action, goalKey(goal), 'not on the team, the owner or a coordinator', now);
    return fail('forbidden', `Only members of ${goal.teamKey}, the goal's owner and coordinators can record readings of ${goalKey(goal)}. Join with /team join ${goal.teamKey} first.`);
  }

  /** Coordinators and the goal's owner change and close a goal; never a person from a partner workspace. Refusals are audited. */
  async refuseChange(actor: Actor, goal: Goal, action: string, now: Date): Promise<{ ok: false; problem: Problem } | undefined> {
    if (actor.isExternal) {
      await this.deps.teams.auditRefusal(actor, action, goalKey(goal), 'from a partner workspace', now);
      return fail('forbidden', `People from a partner workspace can follow goals and record readings as team members, but not change or close them. Ask the owner or a coordinator.`);
    }
    if (actor.isCoordinator || goal.ownerId === actor.userId) return undefined;
    await this.deps.teams.auditRefusal(actor, action, goalKey(goal), 'not the owner or a coordinator', now);
    return fail('forbidden', `Only the owner of ${goalKey(goal)} and coordinators can change or close it (/goal show ${goalKey(goal)} says who owns it).`);
  }

  /**
   * Runs a change in a transaction on the goal as it is inside it (another instance may have
   * closed or changed it meanwhile): `not_found` or `closed` when it cannot be changed. `change`
   * only touches the database: PostgreSQL may run it again after a conflict.
   */
  private async changeOpen<T>(goal: Goal, change: (fresh: Goal) => Promise<Result<T>>): Promise<Result<T>> {
    return await this.deps.db.transaction(async () => {
      const fresh = await this.reread(goal);
      return fresh.ok ? await change(fresh.value) : fresh;
    });
  }

  /** The goal as it is inside the write transaction (another instance may have closed it meanwhile). */
  private async reread(goal: Goal): Promise<Result<Goal>> {
    const fresh = await this.deps.goals.byId(goal.workspaceId, goal.id);
    if (fresh === undefined) return fail('not_found', 'That goal no longer exists.');
    return this.refuseClosed(fresh) ?? ok(fresh);
  }

  private refuseClosed(goal: Goal): { ok: false; problem: Problem } | undefined {
    if (goal.status === 'open') return undefined;
    return fail('closed', `${goalKey(goal)} was closed as ${goal.status}, so it takes no more changes.`);
  }

  /**
   * Records a reading of a measure: value as typed, as-of date (today in the collaborative's zone by
   * default; never in the future), note. A reading for a date that already has one replaces it, and
   * the answer says so; the replaced reading stays in the history.
   */
  async record(
    actor: Actor,
    goal: Goal,
    valueText: string,
    asOfText: string | undefined,
    note: string,
    now: Date,
  ): Promise<Result<{ goal: Goal; reading: GoalReading; replaced: GoalReading | undefined; pace: Pace }>> {
    const refused = (await this.refuseReading(actor, goal, 'goal.update', now)) ?? this.refuseClosed(goal);
    if (refused !== undefined) return refused;
    if (goal.kind === 'milestone') return fail('invalid', `${goalKey(goal)} is a milestone: mark it done with /goal done ${goalKey(goal)} instead of recording a number.`);
    const problems: Problem[] = [];
    const value = parseNumber(valueText);
    const today = await this.today(goal.workspaceId, now);
    if (value === undefined) problems.push(problem('value', `"${valueText.trim()}" is not a number. Record the reading as digits, for example /goal update ${goalKey(goal)} 28.`));
    const asOf = asOfText === undefined || asOfText.trim() === '' ? today : asOfText.trim();
    if (!isCalendarDate(asOf)) problems.push(problem('asOf', `"${asOf}" is not a date. Use YYYY-MM-DD, for example "as of ${today}".`));
    else if (asOf > today) problems.push(problem('asOf', `A reading cannot be as of a future date (${asOf}); today is ${today}.`));
    const trimmedNote = note.trim();
    if (trimmedNote.length > MAX_NOTE) problems.push(problem('note', `A note can be at most ${MAX_NOTE} characters; this one has ${trimmedNote.length}.`));
    if (problems.length > 0 || value === undefined) return failMany(problems);
    const { goals } = this.deps;
    return await this.changeOpen(goal, async (fresh) => {
      const { reading, replaced } = await goals.addReading({ workspaceId: fresh.workspaceId, goalId: fresh.id, asOf, value, note: trimmedNote, recordedBy: actor.userId, createdAt: now.getTime() });
      const updatedAt = Math.max(now.getTime(), fresh.updatedAt + 1);
      await goals.update(fresh.id, { updatedAt });
      await this.refreshAnnouncement(fresh, { ...fresh, updatedAt }, now);
      return ok({ goal: fresh, reading, replaced, pace: paceOf(fresh, await goals.readings(fresh.id), today) });
    });
  }

  /** Completes a milestone (owner or coordinator): a reading of "done" and the goal closed as achieved, announced. */
  async done(actor: Actor, goal: Goal, note: string, now: Date): Promise<Result<{ goal: Goal }>> {
    if (goal.kind !== 'milestone') {
      // Not a refusal of the person: the wrong subcommand for a measure.
      return fail('invalid', `${goalKey(goal)} is a measure: record its number with /goal update ${goalKey(goal)} VALUE, or close it with /goal close ${goalKey(goal)} achieved.`);
    }
    return await this.close(actor, goal, 'achieved', note, now);
  }

  /** Closes a goal as achieved or dropped (owner or coordinator) and announces it in the team channel. */
  async close(actor: Actor, goal: Goal, outcome: GoalOutcome, note: string, now: Date): Promise<Result<{ goal: Goal }>> {
    const refused = (await this.refuseChange(actor, goal, `goal.${outcome === 'achieved' && goal.kind === 'milestone' ? 'done' : 'close'}`, now)) ?? this.refuseClosed(goal);
    if (refused !== undefined) return refused;
    const trimmed = note.trim();
    if (trimmed.length > MAX_NOTE) return fail('invalid', `A note can be at most ${MAX_NOTE} characters; this one has ${trimmed.length}.`, 'note');
    const { db, goals } = this.deps;
    const at = now.getTime();
    const today = await this.today(goal.workspaceId, now);
    return await this.changeOpen(goal, async (fresh) => {
      if (fresh.kind === 'milestone' && outcome === 'achieved') {
        await goals.addReading({ workspaceId: fresh.workspaceId, goalId: fresh.id, asOf: today, value: 1, note: trimmed, recordedBy: actor.userId, createdAt: at });
      }
      const patch: GoalPatch = { status: outcome, closeNote: trimmed === '' ? null : trimmed, closedAt: at, updatedAt: Math.max(at, fresh.updatedAt + 1) };
      await goals.update(fresh.id, patch);
      await goals.addEvent({ workspaceId: fresh.workspaceId, goalId: fresh.id, actorId: actor.userId, kind: 'closed', fromValue: 'open', toValue: outcome, note: trimmed === '' ? null : trimmed, createdAt: at });
      const updated: Goal = { ...fresh, ...patch };
      await this.refreshAnnouncement(fresh, updated, now);
      const channel = (await this.deps.teamRepository.channelsOf(fresh.programTeamId))[0];
      if (channel !== undefined) {
        const message = this.deps.messages.closed(updated, actor.userId, trimmed);
        await enqueue(db, { workspaceId: fresh.workspaceId, dedupeKey: `goal-closed:${fresh.id}`, method: 'chat.postMessage', args: { channel, ...message }, notBefore: now }, now);
      }
      return ok({ goal: updated });
    });
  }

  /** Edits a goal's fields (owner or coordinator); each changed field goes into the history. */
  async edit(actor: Actor, goal: Goal, draft: GoalDraft, now: Date): Promise<Result<{ goal: Goal; changed: string[] }>> {
    const refused = (await this.refuseChange(actor, goal, 'goal.edit', now)) ?? this.refuseClosed(goal);
    if (refused !== undefined) return refused;
    const valid = await this.validateDraft(actor.workspaceId, draft, now, goal);
    if (!valid.ok) return valid;
    const v = valid.value;
    const { goals } = this.deps;
    const at = now.getTime();
    return await this.changeOpen(goal, async (fresh) => {
      const fields: Array<[string, keyof GoalPatch, string | number | null, string | number | null]> = [
        ['name', 'name', fresh.name, v.name],
        ['unit', 'unit', fresh.unit, v.unit],
        ['baseline', 'baseline', fresh.baseline, v.baseline],
        ['target', 'target', fresh.target, v.target],
        ['target date', 'targetDate', fresh.targetDate, v.targetDate],
        ['owner', 'ownerId', fresh.ownerId, v.ownerId ?? fresh.ownerId],
        ['organisation', 'organisationId', fresh.organisationId, v.organisationId],
      ];
      const patch: Record<string, unknown> = {};
      const changed: string[] = [];
      for (const [label, key, before, after] of fields) {
        if (before === after) continue;
        patch[key] = after;
        changed.push(label);
        await goals.addEvent({ workspaceId: fresh.workspaceId, goalId: fresh.id, actorId: actor.userId, kind: 'edit', fromValue: `${label}: ${before ?? '—'}`, toValue: String(after ?? '—'), createdAt: at });
      }
      if (changed.length === 0) return ok({ goal: fresh, changed });
      if (v.direction !== fresh.direction) patch.direction = v.direction;
      await goals.update(fresh.id, { ...(patch as Partial<GoalPatch>), updatedAt: Math.max(at, fresh.updatedAt + 1) });
      const updated = (await goals.byId(fresh.workspaceId, fresh.id)) as Goal;
      await this.refreshAnnouncement(fresh, updated, now);
      return ok({ goal: updated, changed });
    });
  }

  /** Ties an issue to a goal (owner or coordinator): the issue's card and `/issue show` then name the goal. */
  async link(actor: Actor, goal: Goal, issueText: string | undefined, now: Date, unlink = false): Promise<Result<{ goal: Goal; issueKey: string; changed: boolean }>> {
    const refused = await this.refuseChange(actor, goal, unlink ? 'goal.unlink' : 'goal.link', now);
    if (refused !== undefined) return refused;
    const key = parseIssueKey(issueText);
    if (key === undefined) return fail('invalid', `${issueText === undefined || issueText === '' ? 'Say which issue' : `"${issueText}" is not an issue key`}: issue keys look like CNA-12 (see /issue list).`);
    const issue = await this.deps.issues.byKey(goal.workspaceId, key.teamKey, key.number);
    const issueKey = formatKey(key.teamKey, key.number);
    if (issue === undefined) return fail('not_found', `There is no issue ${issueKey}. See /issue list for the issues.`);
    const at = now.getTime();
    const changed = await this.deps.db.transaction(async () => {
      const did = unlink
        ? await this.deps.goals.unlink(goal.id, issue.id)
        : await this.deps.goals.link({ workspaceId: goal.workspaceId, goalId: goal.id, issueId: issue.id, linkedBy: actor.userId, createdAt: at });
      if (did) {
        await this.deps.goals.addEvent({ workspaceId: goal.workspaceId, goalId: goal.id, actorId: actor.userId, kind: unlink ? 'unlink' : 'link', toValue: issueKey, createdAt: at });
        await this.deps.issueLinksChanged?.(issue.id, now);
      }
      return did;
    });
    return ok({ goal, issueKey, changed });
  }

  /**
   * Outbox follow-up once the announcement is posted: remembers where, and brings it up to date if
   * the goal changed (a reading, an edit) while it was on its way. Runs inside the outbox's transaction.
   */
  async recordAnnouncement(ref: string, result: Record<string, unknown>, now: Date): Promise<void> {
    const id = Number(ref);
    const { channel, ts } = result;
    if (!Number.isSafeInteger(id) || typeof channel !== 'string' || typeof ts !== 'string') return;
    await this.deps.goals.setAnnouncement(id, channel, ts);
    const goal = await this.deps.goals.get(id);
    if (goal !== undefined && goal.updatedAt !== goal.createdAt) await this.queueAnnouncementUpdate(goal, now);
  }

  /**
   * Keeps the team-channel announcement current. Posted already: one chat.update keyed by the new
   * updated_at, the previous change's update withdrawn if it is still waiting (a late retry must not
   * undo a newer one). Not posted yet: the follow-up catches up once it is.
   */
  private async refreshAnnouncement(before: Goal, goal: Goal, now: Date): Promise<void> {
    if (goal.announcementChannelId === null || goal.announcementTs === null) return;
    await cancelPending(this.deps.db, goal.workspaceId, [updateKey(goal.id, before.updatedAt)]);
    await this.queueAnnouncementUpdate(goal, now);
  }

  private async queueAnnouncementUpdate(goal: Goal, now: Date): Promise<void> {
    if (goal.announcementChannelId === null || goal.announcementTs === null) return;
    const message = this.deps.messages.created(goal, paceOf(goal, await this.deps.goals.readings(goal.id), await this.today(goal.workspaceId, now)));
    await enqueue(
      this.deps.db,
      { workspaceId: goal.workspaceId, dedupeKey: updateKey(goal.id, goal.updatedAt), method: 'chat.update', args: { channel: goal.announcementChannelId, ts: goal.announcementTs, ...message }, notBefore: now },
      now,
    );
  }

  /** The goals an issue is linked to, for the issue's card and `/issue show`. */
  async goalsOfIssue(issueId: number): Promise<Array<{ number: number; name: string }>> {
    return await this.deps.goals.goalsOfIssue(issueId);
  }

  /**
   * Queues one direct message to the owner of each stale open goal, once per stale period: the
   * claim (unique on goal and stale-since date) and the outbox message are written in one
   * transaction, so a restart or a second instance queues nothing more for that period: on
   * PostgreSQL the loser of a race sees the winner's claim when its transaction is re-run (or its
   * insert does nothing), and queues nothing. A new reading starts a new period.
   */
  async queueStaleReminders(workspaceId: string, now: Date, claimedBy: string): Promise<number> {
    const { db, goals } = this.deps;
    let queued = 0;
    for (const { goal, pace } of await this.withPace(await goals.ofWorkspace(workspaceId, ['open']), now)) {
      if (!pace.stale) continue;
      const staleSince = pace.latestAsOf ?? goal.startDate;
      const sent = await db.transaction(async () => {
        if (!(await goals.claimStaleReminder({ workspaceId, goalId: goal.id, staleSince, ownerId: goal.ownerId, claimedBy, createdAt: now.getTime() }))) return false;
        const message = this.deps.messages.staleReminder(goal, pace);
        await enqueue(db, { workspaceId, dedupeKey: `goal-stale:${goal.id}:${staleSince}`, method: 'chat.postMessage', args: { channel: goal.ownerId, ...message }, notBefore: now }, now);
        return true;
      });
      if (sent) queued++;
    }
    return queued;
  }
}
