import { Signer } from './payloads.js';
import { freePort, startChild, type Child } from './processes.js';
import { benchChannel, benchUser, TEAM_KEYS } from './seed.js';

export const WORKSPACE = 'T0BENCH';
export const TOKEN = 'xoxb-bench-token';
const SECRET = 'bench-signing-secret-0123456789';
/** The anonymous ballots' key (PostgreSQL requires it in the environment; SQLite gets the same, so both engines run alike). */
const BALLOT_SECRET = 'bench-ballot-secret-0123456789abcdef';

export interface BenchSlack {
  fake: Child;
  fakeUrl: string;
  /** The environment both apps (Alliance and bare Bolt) start with. */
  env: Record<string, string>;
  signer: Signer;
}

/**
 * The fake Slack in its own process (so the app's calls to it never share the load generator's
 * event loop), knowing `people` users; team 0's channel holds the vote burst's `voters` (an
 * "everyone" vote counts the channel). Response URLs are named `<label>-N`.
 */
export async function startBenchSlack(people: number, voters: number, label: string): Promise<BenchSlack> {
  const fakeConfig = {
    token: TOKEN,
    teamId: WORKSPACE,
    users: Array.from({ length: people }, (_, i) => benchUser(i)),
    channels: TEAM_KEYS.map((_, t) => ({ id: benchChannel(t), name: `team-${t}`, ...(t === 0 ? { members: Array.from({ length: voters }, (_, i) => benchUser(i)) } : {}) })),
  };
  const fake = await startChild('bench/fake-slack-process.ts', { BENCH_FAKE: JSON.stringify(fakeConfig) }, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/api/api.test`, { method: 'POST' })).status > 0);
  const fakeOrigin = `http://127.0.0.1:${fake.port}`;
  const fakeUrl = `${fakeOrigin}/api/`;
  const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fakeUrl, HOST: '127.0.0.1', LOG_LEVEL: 'info', ALLIANCE_COORDINATORS: benchUser(0), ALLIANCE_BALLOT_SECRET: BALLOT_SECRET };
  // Slack accepts any response_url it handed out; the fake accepts one it has not seen as well.
  let responses = 0;
  const signer = new Signer(SECRET, WORKSPACE, () => `${fakeOrigin}/respond/${label}-${++responses}`);
  return { fake, fakeUrl, env, signer };
}
