import { migrateDatabase, openDatabase } from '../src/db/open.js';
import { prng } from '../test/rig/prng.js';

export interface SeedSize {
  teams: number;
  issues: number;
  meetings: number;
  votes: number;
  ballots: number;
  people: number;
  organisations: number;
}

/** The brief's 1× database; growth runs multiply everything but the team count. */
export const baseSize: SeedSize = { teams: 10, issues: 5000, meetings: 200, votes: 200, ballots: 20_000, people: 1000, organisations: 30 };

export const scaled = (factor: number): SeedSize => ({
  teams: baseSize.teams,
  issues: Math.max(20, Math.round(baseSize.issues * factor)),
  meetings: Math.max(2, Math.round(baseSize.meetings * factor)),
  votes: Math.max(2, Math.round(baseSize.votes * factor)),
  ballots: Math.max(10, Math.round(baseSize.ballots * factor)),
  people: Math.max(20, Math.round(baseSize.people * Math.min(factor, 10))),
  organisations: baseSize.organisations,
});

export const TEAM_KEYS = ['CNA', 'MA', 'SPT', 'PHLEB', 'RESP', 'RAD', 'SURG', 'PHARM', 'DENT', 'EMT'];
export const benchUser = (i: number) => `U0BENCH${String(i).padStart(6, '0')}`;
export const benchChannel = (teamIndex: number) => `C0BENCH${String(teamIndex).padStart(3, '0')}`;

const STATUSES = ['open', 'open', 'open', 'in_progress', 'blocked', 'resolved', 'dropped'];
const CATEGORIES = ['awareness', 'recruitment', 'training_program', 'curriculum', 'incumbent_worker_training', 'work_based_learning', 'youth_exposure', 'marketing', 'other'];


/**
 * Fills a migrated database with a realistic collaborative: teams with linked channels and members,
 * organisations, issues with history, meetings with RSVPs, votes with ballots. Raw prepared
 * statements in one transaction per table: seeding is setup, not what we measure.
 */
export function seedDatabase(path: string, workspaceId: string, size: SeedSize, now: Date): { teamIds: number[] } {
  const { db, sqlite, close } = openDatabase(path);
  migrateDatabase(db);
  const rand = prng(42);
  const at = now.getTime();
  const day = 86_400_000;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const teamIds: number[] = [];
  sqlite.transaction(() => {
    const team = sqlite.prepare(
      `insert into program_teams (team_id, key, name, description, created_at) values (?, ?, ?, '', ?)
       on conflict do update set name = excluded.name returning id`,
    );
    const channel = sqlite.prepare(`insert or ignore into team_channels (team_id, channel_id, program_team_id, linked_by, created_at) values (?, ?, ?, 'U0BENCHADM', ?)`);
    for (let t = 0; t < size.teams; t++) {
      const key = TEAM_KEYS[t] ?? `T${t}`;
      const row = team.get(workspaceId, key, `Occupation ${key}`, at) as { id: number };
      teamIds.push(row.id);
      channel.run(workspaceId, benchChannel(t), row.id, at);
    }
    const org = sqlite.prepare(`insert or ignore into organisations (team_id, name, name_key, created_at) values (?, ?, ?, ?)`);
    for (let o = 0; o < size.organisations; o++) org.run(workspaceId, `Organisation ${o}`, `organisation ${o}`, at);
    const orgIds = (sqlite.prepare(`select id from organisations where team_id = ?`).all(workspaceId) as Array<{ id: number }>).map((r) => r.id);
    const person = sqlite.prepare(`insert or ignore into people (team_id, user_id, organisation_id, updated_by, updated_at) values (?, ?, ?, 'U0BENCHADM', ?)`);
    const member = sqlite.prepare(`insert or ignore into team_members (team_id, program_team_id, user_id, created_at) values (?, ?, ?, ?)`);
    for (let p = 0; p < size.people; p++) {
      person.run(workspaceId, benchUser(p), pick(orgIds), at);
      member.run(workspaceId, teamIds[p % teamIds.length], benchUser(p), at);
    }
  })();
  sqlite.transaction(() => {
    const issue = sqlite.prepare(
      `insert into issues (team_id, program_team_id, number, title, details, category, status, owner_id, due_date, reporter_id, priority, created_at, updated_at, closed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const event = sqlite.prepare(`insert into issue_events (team_id, issue_id, program_team_id, actor_id, kind, from_value, to_value, note, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const numbers = new Map<number, number>();
    for (let i = 0; i < size.issues; i++) {
      const teamId = teamIds[i % teamIds.length] as number;
      const number = (numbers.get(teamId) ?? 0) + 1;
      numbers.set(teamId, number);
      const status = pick(STATUSES);
      const created = at - Math.floor(rand() * 120) * day;
      const updated = created + Math.floor(rand() * (at - created));
      const due = rand() < 0.4 ? new Date(at + Math.floor((rand() - 0.3) * 60) * day).toISOString().slice(0, 10) : null;
      const closed = status === 'resolved' || status === 'dropped' ? updated : null;
      const result = issue.run(
        workspaceId, teamId, number, `Issue ${number}: clinical placement capacity for students`, 'Details of the issue, a few sentences long.',
        pick(CATEGORIES), status, rand() < 0.7 ? benchUser(Math.floor(rand() * size.people)) : null, due,
        benchUser(Math.floor(rand() * size.people)), rand() < 0.02 ? Math.ceil(rand() * 10) : null, created, updated, closed,
      );
      event.run(workspaceId, result.lastInsertRowid, teamId, benchUser(0), 'created', null, 'open', null, created);
      if (status !== 'open') event.run(workspaceId, result.lastInsertRowid, teamId, benchUser(1), 'status', 'open', status, null, updated);
    }
  })();
  sqlite.transaction(() => {
    const meeting = sqlite.prepare(
      `insert into meetings (team_id, number, program_team_id, title, starts_at, duration_minutes, location, agenda, time_zone, status, creator_id, sequence, created_at, updated_at)
       values (?, ?, ?, ?, ?, 60, 'Zoom', 'Agenda', 'America/Detroit', 'scheduled', ?, 0, ?, ?)`,
    );
    const rsvp = sqlite.prepare(`insert or ignore into meeting_rsvps (team_id, meeting_id, user_id, answer, updated_at) values (?, ?, ?, ?, ?)`);
    for (let m = 0; m < size.meetings; m++) {
      const result = meeting.run(workspaceId, m + 1, teamIds[m % teamIds.length], `Team meeting ${m + 1}`, at + Math.floor((rand() - 0.5) * 60) * day, benchUser(0), at, at);
      for (let r = 0; r < 10; r++) rsvp.run(workspaceId, result.lastInsertRowid, benchUser(Math.floor(rand() * size.people)), pick(['going', 'maybe', 'declined']), at);
    }
    const vote = sqlite.prepare(
      `insert into votes (team_id, number, program_team_id, question, method, max_choices, eligibility, anonymous, results_visibility, closes_at, status, creator_id, created_at)
       values (?, ?, ?, ?, 'single', 1, 'everyone', 0, 'live', ?, ?, ?, ?)`,
    );
    const option = sqlite.prepare(`insert into vote_options (team_id, vote_id, position, label) values (?, ?, ?, ?)`);
    const ballot = sqlite.prepare(
      `insert or ignore into ballots (team_id, vote_id, voter_key, cast_by, cast_by_hash, choices_json, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const perVote = Math.max(1, Math.floor(size.ballots / size.votes));
    for (let v = 0; v < size.votes; v++) {
      const open = rand() < 0.5;
      const result = vote.run(workspaceId, v + 1, teamIds[v % teamIds.length], `Which priority first? (${v + 1})`, open ? at + 7 * day : at - 3 * day, open ? 'open' : 'closed', benchUser(0), at - 10 * day);
      const optionIds: number[] = [];
      for (let o = 0; o < 4; o++) optionIds.push(Number(option.run(workspaceId, result.lastInsertRowid, o, `Option ${o + 1}`).lastInsertRowid));
      for (let b = 0; b < perVote; b++) {
        const user = benchUser((v * perVote + b) % Math.max(size.people, perVote));
        ballot.run(workspaceId, result.lastInsertRowid, `user:${user}`, user, `h${user}`, JSON.stringify([pick(optionIds)]), at, at);
      }
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.exec('analyze');
  close();
  return { teamIds };
}
