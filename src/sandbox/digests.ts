import type { DigestContext } from './server.js';
import { CHANNELS, PEOPLE } from './workspace.js';

/** The coordinator's "Send digests now": the production `/digest send all`, then delivery. */
export async function sendDigestsNow({ alliance, slack, now }: DigestContext): Promise<string> {
  const reply = await slack.command('/digest', 'send all', { userId: PEOPLE.coordinator.id, channelId: CHANNELS.coordinators.id });
  await alliance.drainOutbox(now);
  const text = (reply.json as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : `The digest command answered with HTTP ${reply.status}.`;
}

