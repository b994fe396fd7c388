/*
 * One "instance" for test/e2e/postgres-instances.test.ts: its own process and connection pool on
 * the shared PostgreSQL database, doing what Alliance's writes do: numbering issues max+1 per team
 * inside a transaction, and claiming each scheduled digest minute with a unique insert. Prints one
 * JSON line per committed write, so a killed instance's completed work can be counted.
 * Usage: tsx test/rig/pg-instance.ts <DATABASE_URL> <instance> <writes> <teamId> <firstMinuteMs> <minutes>
 */
import { eq, max } from 'drizzle-orm';
import { digestRuns, issues } from '../../src/db/schema.js';
import { postgresStorage } from '../../src/db/storage-pg.js';

const [url, instance, writesText, teamText, firstMinuteText, minutesText] = process.argv.slice(2);
const storage = postgresStorage(url as string, { max: 4 });
const teamId = Number(teamText);
const writes = Number(writesText);
const firstMinute = Number(firstMinuteText);
const minutes = Number(minutesText);
const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ instance, ...line })}\n`);

async function newIssue(i: number): Promise<void> {
  const number = await storage.transaction(async (tx) => {
    const next = await tx.select({ n: max(issues.number) }).from(issues).where(eq(issues.programTeamId, teamId)).get();
    const n = (next?.n ?? 0) + 1;
    await tx
      .insert(issues)
      .values({ workspaceId: 'T0PG', programTeamId: teamId, number: n, title: `${instance}-${i}`, category: 'other', status: 'open', reporterId: 'U1', createdAt: i, updatedAt: i })
      .run();
    return n;
  });
  out({ issue: number, title: `${instance}-${i}` });
}

async function claimMinute(at: number): Promise<void> {
  const claimed = await storage.transaction(async (tx) => {
    const row = await tx
      .insert(digestRuns)
      .values({ workspaceId: 'T0PG', scope: 'team:CNA', scheduledFor: at, periodStart: at - 1, periodEnd: at, claimedBy: String(instance), createdAt: at })
      .onConflictDoNothing()
      .returning({ id: digestRuns.id })
      .get();
    return row !== undefined;
  });
  if (claimed) out({ digest: at });
}

const work: Array<Promise<void>> = [];
for (let i = 0; i < writes; i++) work.push(newIssue(i));
for (let m = 0; m < minutes; m++) work.push(claimMinute(firstMinute + m * 60_000));
await Promise.all(work);
await storage.close();
out({ done: true });
