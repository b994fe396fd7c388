import type { KnownBlock } from '@slack/types';
import type { Actor } from '../../domain/actor.js';
import { goalDigestItems } from '../goal/digest.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { AppLogger } from '../../logger.js';
import { enqueue } from '../../outbox/outbox.js';
import { todayIn } from '../../time/zone.js';
import type { WorkspaceZones } from '../team/zones.js';
import type { TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import {
  buildRollupTeam,
  buildTeamDigest,
  eligibleVoters,
  LISTED_ITEMS,
  LOW_TURNOUT_READ,
  LOW_TURNOUT_SHARE,
  UPCOMING_MEETING_DAYS,
  type Period,
  type RollupTeam,
  type TeamDigest,
} from './content.js';
import {
  listTeams,
  lowTurnoutVotes,
  nextMeetingAt,
  statusChangesSince,
  teamElectorate,
  teamFigures,
  teamLists,
  type DigestTeam,
  type StatusChanges,
  type TeamFigures,
} from './queries.js';
import { ROLLUP_SCOPE, type DigestRepository } from './repository.js';
import {
  DEFAULT_DIGEST_CRON,
  DIGEST_CATCH_UP_GRACE_MS,
  describeSchedule,
  digestPeriod,
  dueRun,
  nextRuns,
  parseSchedule,
  previousPeriod,
  previousRun,
} from './schedule.js';
import { rollupView, schedulesView, teamDigestView, type RenderedMessage, type ScheduleEntry } from './views.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Team figures already counted in this run, by team and periods: a scheduled run builds each
 * team's digest and then the roll-up, which reuses them instead of counting every team again.
 */
export type FiguresMemo = Map<string, TeamFigures>;

/** Lets pending requests run between two teams' digests, so a long digest run never blocks Slack's. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface EffectiveSchedule {
  scope: string;
  cron: string;
  timeZone: string;
  isDefault: boolean;
  /** When a coordinator last set it (0 for the default): runs scheduled before then are not caught up. */
  updatedAt: number;
}

/** What a digest is about: one team, or the roll-up of all teams. */
export type DigestTarget = { kind: 'team'; team: DigestTeam } | { kind: 'rollup' };

export interface Delivery {
  /** A channel id, or a user id for a direct message. */
  channel: string;
  message: RenderedMessage;
}

export interface DigestServiceDeps {
  repo: DigestRepository;
  teamRepository: TeamRepository;
  teams: TeamService;
  /** ALLIANCE_TIMEZONE, the deployment's zone: every workspace's when `zones` is not given (tests, benches). */
  timeZone: string;
  /**
   * Each workspace's own zone: the zone of its default schedules, the zone a schedule set with
   * `/digest schedule` is stored in, and how its digests count days ("today", overdue) and show times.
   */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  configCoordinators: readonly string[];
}

const scopeOf = (target: DigestTarget): string => (target.kind === 'team' ? target.team.key : ROLLUP_SCOPE);
const targetName = (target: DigestTarget): string => (target.kind === 'team' ? target.team.key : 'the roll-up');

/** Digests: what they say, when they go, and to whom. Plain TypeScript; `now` is always passed in. */
export class DigestService {
  constructor(private readonly deps: DigestServiceDeps) {}

  get repo(): DigestRepository {
    return this.deps.repo;
  }

  /** The zone the workspace's digests are in (its own, else the deployment's). */
  async zoneOf(workspaceId: string): Promise<string> {
    return this.deps.zones === undefined ? this.deps.timeZone : await this.deps.zones.zoneFor(workspaceId);
  }

  /** The stored schedule (in the zone it was set in), else the default in the workspace's zone (`zone` when already resolved). */
  async effectiveSchedule(workspaceId: string, scope: string, zone?: string): Promise<EffectiveSchedule> {
    const stored = await this.deps.repo.schedule(workspaceId, scope);
    if (stored === undefined) return { scope, cron: DEFAULT_DIGEST_CRON, timeZone: zone ?? (await this.zoneOf(workspaceId)), isDefault: true, updatedAt: 0 };
    return { scope, cron: stored.cron, timeZone: stored.timeZone, isDefault: false, updatedAt: stored.updatedAt };
  }

  /** A team by KEY, the roll-up for `all`/`rollup`, or the channel's linked team when no word is given. */
  async resolveTarget(workspaceId: string, word: string | undefined, channelId: string): Promise<Result<DigestTarget>> {
    const lower = word?.toLowerCase();
    if (lower === 'all' || lower === 'rollup' || lower === 'roll-up') return ok({ kind: 'rollup' });
    const team = await this.deps.teams.resolveTeam(workspaceId, word, channelId);
    if (!team.ok) return team;
    return ok({ kind: 'team', team: { id: team.value.id, key: team.value.key, name: team.value.name, createdAt: team.value.createdAt } });
  }

  private async figures(team: DigestTeam, period: Period, previous: Period, timeZone: string, memo?: FiguresMemo, changes?: () => Promise<StatusChanges>): Promise<TeamFigures> {
    const key = `${team.id}:${period.start}:${period.end}:${previous.start}:${previous.end}:${timeZone}`;
    const known = memo?.get(key);
    if (known !== undefined) return known;
    const figures = await teamFigures(this.deps.repo.database, team.id, period, previous, todayIn(period.end, timeZone), await changes?.());
    memo?.set(key, figures);
    return figures;
  }

  /** `timeZone` is the team's workspace's: "today" (overdue) and goal dates are counted there. */
  async teamDigest(team: DigestTeam, period: Period, previous: Period, timeZone: string, memo?: FiguresMemo): Promise<TeamDigest> {
    const db = this.deps.repo.database;
    const lists = await teamLists(db, team.id, {
      period,
      today: todayIn(period.end, timeZone),
      meetingsFrom: period.end,
      meetingsUntil: period.end + UPCOMING_MEETING_DAYS * DAY_MS,
      limit: LISTED_ITEMS,
    });
    const digest = buildTeamDigest(team, await this.figures(team, period, previous, timeZone, memo), lists, await teamElectorate(db, team.id), period, previous);
    return { ...digest, goals: await goalDigestItems(db, team.id, period, timeZone) };
  }

  /** One team's roll-up line: its figures, next meeting and low-turnout votes, none of its lists. */
  async rollupTeam(team: DigestTeam, period: Period, previous: Period, timeZone: string, memo?: FiguresMemo, changes?: () => Promise<StatusChanges>): Promise<RollupTeam> {
    const db = this.deps.repo.database;
    const electorate = await teamElectorate(db, team.id);
    const low = await lowTurnoutVotes(db, team.id, (vote) => eligibleVoters(electorate, vote), LOW_TURNOUT_SHARE, LOW_TURNOUT_READ);
    const next = await nextMeetingAt(db, team.id, period.end, period.end + UPCOMING_MEETING_DAYS * DAY_MS);
    const line = buildRollupTeam(team, await this.figures(team, period, previous, timeZone, memo, changes), period, next, low, electorate);
    return { ...line, goals: await goalDigestItems(db, team.id, period, timeZone) };
  }

  /**
   * Every team's status changes since the roll-up's period start, read in one pass over the events
   * the first time a team's figures are not already known (then each team takes its own).
   */
  private workspaceChanges(workspaceId: string, period: Period): (team: DigestTeam) => () => Promise<StatusChanges> {
    let byTeam: Map<number, StatusChanges> | undefined;
    return (team) => async () => {
      byTeam ??= await statusChangesSince(this.deps.repo.database, { workspace: workspaceId }, period.start);
      return byTeam.get(team.id) ?? { changedIssues: [], statusChanges: [] };
    };
  }

  async render(workspaceId: string, target: DigestTarget, period: Period, previous: Period, memo?: FiguresMemo, zone?: string): Promise<RenderedMessage> {
    const tz = zone ?? (await this.zoneOf(workspaceId));
    if (target.kind === 'team') return teamDigestView(await this.teamDigest(target.team, period, previous, tz, memo), tz);
    const changes = this.workspaceChanges(workspaceId, period);
    const teams: RollupTeam[] = [];
    for (const team of await listTeams(this.deps.repo.database, workspaceId)) teams.push(await this.rollupTeam(team, period, previous, tz, memo, changes(team)));
    return rollupView(teams, period, tz);
  }

  /** As `render`, but yielding to the event loop between teams of the roll-up (for the job). */
  private async renderYielding(workspaceId: string, target: DigestTarget, period: Period, previous: Period, memo: FiguresMemo, zone: string): Promise<RenderedMessage> {
    if (target.kind === 'team') return await this.render(workspaceId, target, period, previous, memo, zone);
    const teams: RollupTeam[] = [];
    const changes = this.workspaceChanges(workspaceId, period);
    for (const team of await listTeams(this.deps.repo.database, workspaceId)) {
      await breathe();
      teams.push(await this.rollupTeam(team, period, previous, zone, memo, changes(team)));
    }
    return rollupView(teams, period, zone);
  }

  /**
   * The period an on-demand digest covers: one schedule interval ending now (the last 7 days for
   * the weekly default), and the interval before it for the comparisons.
   */
  async onDemandPeriods(workspaceId: string, target: DigestTarget, now: Date): Promise<{ period: Period; previous: Period }> {
    const schedule = await this.effectiveSchedule(workspaceId, scopeOf(target));
    const latest = previousRun(schedule.cron, schedule.timeZone, now);
    const length = latest === null ? 7 * DAY_MS : latest.getTime() - digestPeriod(schedule.cron, schedule.timeZone, latest).start.getTime();
    const end = now.getTime();
    return { period: { start: end - length, end }, previous: { start: end - 2 * length, end: end - length } };
  }

  async preview(workspaceId: string, target: DigestTarget, now: Date): Promise<RenderedMessage> {
    const { period, previous } = await this.onDemandPeriods(workspaceId, target, now);
    return await this.render(workspaceId, target, period, previous);
  }

  /** Who receives the roll-up: every coordinator named in the config or stored, and every subscriber. */
  async rollupRecipients(workspaceId: string): Promise<string[]> {
    return [...new Set([...(await this.deps.teams.coordinators(workspaceId, this.deps.configCoordinators)), ...(await this.deps.repo.subscribers(workspaceId))])];
  }

  async deliveries(workspaceId: string, target: DigestTarget, message: RenderedMessage): Promise<Delivery[]> {
    const channels = target.kind === 'team' ? await this.deps.teamRepository.channelsOf(target.team.id) : await this.rollupRecipients(workspaceId);
    return channels.map((channel) => ({ channel, message }));
  }

  /** `/digest send`: coordinators only; queued now under keys distinct from the scheduled run's. */
  async sendNow(actor: Actor, word: string | undefined, channelId: string, now: Date): Promise<Result<{ sent: Array<{ name: string; to: string[] }> }>> {
    const refused = await this.deps.teams.requireCoordinator(actor, 'digest.send', word, now);
    if (refused !== undefined) return refused;
    const ws = actor.workspaceId;
    let targets: DigestTarget[];
    if (word?.toLowerCase() === 'all') {
      targets = [...(await listTeams(this.deps.repo.database, ws)).map((team): DigestTarget => ({ kind: 'team', team })), { kind: 'rollup' }];
    } else {
      const target = await this.resolveTarget(ws, word, channelId);
      if (!target.ok) return target;
      targets = [target.value];
    }
    const planned: Array<{ target: DigestTarget; deliveries: Delivery[] }> = [];
    for (const target of targets) planned.push({ target, deliveries: await this.deliveries(ws, target, await this.preview(ws, target, now)) });
    const [only] = planned;
    if (planned.length === 1 && only !== undefined && only.deliveries.length === 0) {
      return only.target.kind === 'team'
        ? fail('invalid', `${only.target.team.key} has no linked channel to send its digest to. Link one with /team link ${only.target.team.key} in that channel.`)
        : fail('invalid', 'Nobody gets the roll-up yet: name coordinators with /team coordinator add @person, or subscribe with /digest subscribe.');
    }
    await this.deps.repo.database.transaction(async () => {
      for (const { target, deliveries } of planned) {
        for (const d of deliveries) {
          await enqueue(
            this.deps.repo.database,
            {
              workspaceId: ws,
              // A manual send is not the scheduled digest: its own key, so it never blocks or replaces that one.
              dedupeKey: `digest-send:${scopeOf(target)}:${now.getTime()}:${d.channel}`,
              method: 'chat.postMessage',
              args: messageArgs(d),
              notBefore: now,
            },
            now,
          );
        }
      }
      await this.deps.teamRepository.audit({ workspaceId: ws, actorId: actor.userId, action: 'digest.send', target: word ?? planned.map((p) => targetName(p.target)).join(' '), outcome: 'done', createdAt: now.getTime() });
    });
    return ok({ sent: planned.map((p) => ({ name: targetName(p.target), to: p.deliveries.map((d) => d.channel) })) });
  }

  async schedules(workspaceId: string, now: Date): Promise<RenderedMessage> {
    const scopes = [
      ...(await listTeams(this.deps.repo.database, workspaceId)).map((t): { scope: string; teamKey: string | null } => ({ scope: t.key, teamKey: t.key })),
      { scope: ROLLUP_SCOPE, teamKey: null },
    ];
    const entries: ScheduleEntry[] = [];
    const zone = await this.zoneOf(workspaceId);
    for (const { scope, teamKey } of scopes) {
      const s = await this.effectiveSchedule(workspaceId, scope, zone);
      const next = nextRuns(s.cron, s.timeZone, now, 1)[0];
      entries.push({ teamKey, cron: s.cron, description: describeSchedule(s.cron), isDefault: s.isDefault, next: next === undefined ? null : next.getTime() });
    }
    return schedulesView(entries, zone);
  }

  /** `/digest schedule KEY|rollup <cron|default>`: coordinators only; validated before anything is stored. */
  async setSchedule(actor: Actor, target: DigestTarget, expression: string, now: Date): Promise<Result<{ schedule: EffectiveSchedule; next: Date[] }>> {
    const scope = scopeOf(target);
    const refused = await this.deps.teams.requireCoordinator(actor, 'digest.schedule', `${scope} ${expression}`, now);
    if (refused !== undefined) return refused;
    const ws = actor.workspaceId;
    let cron = DEFAULT_DIGEST_CRON;
    const reset = expression.trim().toLowerCase() === 'default';
    if (!reset) {
      const parsed = parseSchedule(expression);
      if (!parsed.ok) return fail('invalid', parsed.message);
      cron = parsed.cron;
    }
    // Stored with the workspace's zone of the moment: a later change of the workspace's zone leaves it as set.
    const zone = await this.zoneOf(ws);
    await this.deps.repo.database.transaction(async () => {
      // A schedule set to the default is still stored, so its change time stops catch-up of runs before it.
      await this.deps.repo.setSchedule({ workspaceId: ws, scope, cron, timeZone: zone, updatedBy: actor.userId, updatedAt: now.getTime() });
      await this.deps.teamRepository.audit({ workspaceId: ws, actorId: actor.userId, action: 'digest.schedule', target: `${scope} ${cron}`, outcome: 'done', createdAt: now.getTime() });
    });
    const schedule = await this.effectiveSchedule(ws, scope);
    return ok({ schedule, next: nextRuns(cron, schedule.timeZone, now, 3) });
  }

  async subscribe(actor: Actor, now: Date): Promise<Result<{ added: boolean; isCoordinator: boolean }>> {
    if (actor.isExternal) {
      await this.deps.teams.auditRefusal(actor, 'digest.subscribe', undefined, actor.unverified === true ? 'identity unverified (users.info failed)' : 'external user', now);
      if (actor.unverified === true) return fail('forbidden', 'Slack did not confirm who you are in time, so the roll-up cannot be set up for you right now. Please try again in a moment.');
      return fail('forbidden', 'The roll-up is for people in this workspace, so it cannot go to a Slack Connect guest. Your team’s digest is posted in its channel.');
    }
    const added = await this.deps.repo.subscribe(actor.workspaceId, actor.userId, now.getTime());
    const isCoordinator = (await this.deps.teams.coordinators(actor.workspaceId, this.deps.configCoordinators)).includes(actor.userId);
    return ok({ added, isCoordinator });
  }

  async unsubscribe(actor: Actor): Promise<{ removed: boolean; isCoordinator: boolean }> {
    const removed = await this.deps.repo.unsubscribe(actor.workspaceId, actor.userId);
    const isCoordinator = (await this.deps.teams.coordinators(actor.workspaceId, this.deps.configCoordinators)).includes(actor.userId);
    return { removed, isCoordinator };
  }

  /**
   * The scheduled job's work for one workspace at `now`: for each team and the roll-up, the run
   * that is due (at most `graceMs` old) and not yet claimed is built, then claimed and queued in
   * one transaction (the unique claim lets one instance win). Returns what it queued. It yields to
   * the event loop before each team (and each team of the roll-up), so requests are answered while
   * a long run goes on.
   */
  async runDue(
    workspaceId: string,
    now: Date,
    options: {
      instanceId: string;
      logger: AppLogger;
      graceMs?: number;
      /** The team's trend chart as an image block (uploaded to Slack), its weeks in `timeZone` (the workspace's); a failure leaves the chart out, never the digest. */
      trendBlock?: (team: DigestTeam, runAt: number, timeZone: string) => Promise<KnownBlock>;
    },
  ): Promise<DigestRunSummary> {
    const graceMs = options.graceMs ?? DIGEST_CATCH_UP_GRACE_MS;
    const teams = await listTeams(this.deps.repo.database, workspaceId);
    const firstTeamAt = teams.reduce((min, t) => Math.min(min, t.createdAt), Number.POSITIVE_INFINITY);
    const targets: Array<{ target: DigestTarget; existsSince: number }> = [
      ...teams.map((team): { target: DigestTarget; existsSince: number } => ({ target: { kind: 'team', team }, existsSince: team.createdAt })),
      // The roll-up exists from the first team on: a fresh install does not send last Monday's,
      // and with no team at all (firstTeamAt is Infinity) there is nothing to roll up.
      { target: { kind: 'rollup' }, existsSince: firstTeamAt },
    ];
    const summary: DigestRunSummary = { sent: [], failed: [] };
    const memo: FiguresMemo = new Map();
    // One zone for the whole run: the workspace's, read once.
    const zone = await this.zoneOf(workspaceId);
    for (const { target, existsSince } of targets) {
      await breathe();
      const scope = scopeOf(target);
      try {
        const schedule = await this.effectiveSchedule(workspaceId, scope, zone);
        const run = dueRun(schedule.cron, schedule.timeZone, now, graceMs);
        // A run from before the schedule was set, or before the team existed, is not caught up:
        // changing a schedule takes effect from its next run instead of firing one that has passed.
        if (run === null || run.getTime() < Math.max(schedule.updatedAt, existsSince)) continue;
        if (await this.deps.repo.isClaimed(workspaceId, scope, run.getTime())) continue;
        const period = digestPeriod(schedule.cron, schedule.timeZone, run);
        const previous = previousPeriod(schedule.cron, schedule.timeZone, run);
        const message = await this.renderYielding(workspaceId, target, { start: period.start.getTime(), end: period.end.getTime() }, { start: previous.start.getTime(), end: previous.end.getTime() }, memo, zone);
        const deliveries = await this.deliveries(workspaceId, target, message);
        let chart: KnownBlock | undefined;
        if (target.kind === 'team' && deliveries.length > 0 && options.trendBlock !== undefined) {
          try {
            chart = await options.trendBlock(target.team, run.getTime(), zone);
          } catch (error) {
            options.logger.event('warn', 'digest trend chart left out', { job: 'digest', scope, error });
          }
        }
        // The claim and the messages commit together: a claimed run always has its messages queued.
        const claimed = await this.deps.repo.database.transaction(async () => {
          const won = await this.deps.repo.claim({
            workspaceId,
            scope,
            scheduledFor: run.getTime(),
            periodStart: period.start.getTime(),
            periodEnd: period.end.getTime(),
            claimedBy: options.instanceId,
            createdAt: now.getTime(),
          });
          // Another instance (or an earlier tick) claimed it between our check and this transaction.
          if (!won) return false;
          for (const d of deliveries) {
            await enqueue(
              this.deps.repo.database,
              {
                workspaceId,
                dedupeKey: `digest:${scope}:${run.toISOString()}:${d.channel}`,
                method: 'chat.postMessage',
                // Should Slack refuse the chart's image block (the file not found), the digest goes without it.
                ...(chart === undefined ? { args: messageArgs(d) } : { args: messageArgs(withChart(d, chart)), fallbackArgs: messageArgs(d) }),
                notBefore: now,
              },
              now,
            );
          }
          return true;
        });
        if (!claimed) continue;
        summary.sent.push({ scope, scheduledFor: run.toISOString(), recipients: deliveries.length });
        options.logger.event(deliveries.length === 0 ? 'warn' : 'info', deliveries.length === 0 ? 'digest had nowhere to go' : 'digest queued', {
          job: 'digest',
          scope,
          scheduledFor: run.toISOString(),
          recipients: deliveries.length,
        });
      } catch (error) {
        // One team's broken schedule or data must not stop the others' digests.
        summary.failed.push(scope);
        options.logger.event('error', 'digest failed', { job: 'digest', scope, error });
      }
    }
    return summary;
  }
}

export interface DigestRunSummary {
  sent: Array<{ scope: string; scheduledFor: string; recipients: number }>;
  failed: string[];
}

/** The digest with its trend chart after the figures (before the closing context line, if any). */
function withChart(d: Delivery, chart: KnownBlock): Delivery {
  const blocks = [...d.message.blocks];
  const at = blocks[blocks.length - 1]?.type === 'context' ? blocks.length - 1 : blocks.length;
  blocks.splice(at, 0, chart);
  return { ...d, message: { ...d.message, blocks } };
}

function messageArgs(d: Delivery): Record<string, unknown> {
  // Digests link to nothing worth a preview; unfurls would push the summary off screen.
  return { channel: d.channel, text: d.message.text, blocks: d.message.blocks, unfurl_links: false, unfurl_media: false };
}

