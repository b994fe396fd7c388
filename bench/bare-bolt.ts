import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

/**
 * The baseline: a bare Bolt app on the same HTTP receiver that acks every command with a fixed
 * text and every action or submission with an empty ack. Every figure is reported against it.
 */
const port = Number(process.env.PORT ?? 3100);
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? '',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? 'https://slack.com/api/' },
});
app.command(/.*/, async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'ok' });
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
app.view(/.*/, async ({ ack }) => {
  await ack();
});
await app.start(port);
process.stdout.write(`bare bolt listening on ${port}\n`);
const stop = () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
