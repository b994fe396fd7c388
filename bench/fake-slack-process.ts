import { startFakeSlack } from '../src/fake-slack/server.js';

/**
 * The fake Slack as its own process for the benchmark, so the load generator, the app and Slack
 * never share an event loop. Configured by BENCH_FAKE (JSON: token, team, people, channels);
 * listens on PORT. Rate limits are off: the benchmark measures the app, not Slack's pace.
 */
interface FakeConfig {
  token: string;
  teamId: string;
  users: string[];
  channels: Array<{ id: string; name: string; members?: string[] }>;
}

const config = JSON.parse(process.env.BENCH_FAKE ?? '{}') as FakeConfig;
const fake = await startFakeSlack({
  botToken: config.token,
  teamId: config.teamId,
  teamName: 'Bench',
  port: Number(process.env.PORT ?? 0),
  rateLimits: false,
  users: config.users.map((id, i) => ({ id, name: `person${i}`, tz: 'America/Detroit' })),
  channels: config.channels,
});
process.stdout.write(`fake slack on ${fake.url}\n`);
const stop = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
