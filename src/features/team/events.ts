import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Storage } from '../../db/storage.js';
import type { Clock } from '../../domain/result.js';
import { enqueue } from '../../outbox/outbox.js';
import type { Kicker } from '../../outbox/kicker.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { ActorResolver } from '../../slack/actor.js';
import { retryWhileBusy } from '../../slack/busy-retry.js';
import type { TeamRepository } from './repository.js';
import { guestJoinMessage } from './service.js';

const memberJoined = z.object({
  type: z.literal('member_joined_channel'),
  user: z.string().min(1),
  channel: z.string().min(1),
  team: z.string().optional(),
});

/** users.info for an event: after the ack, so as long as the Web API client's own timeout. */
const USERS_INFO_AFTER_ACK_MS = 10_000;

export interface TeamEventDeps {
  actors: ActorResolver;
  db: Storage;
  repo: TeamRepository;
  outbox: Kicker;
  now: Clock;
}

/**
 * Joining a team's linked channel makes a person a member of the team, with a short private
 * welcome; a partner-workspace guest is told that a coordinator adds them instead. Redeliveries of the same event change nothing: membership is a set, and the welcome's
 * outbox key is the team, the person and the event's id.
 */
export function registerTeamEvents(app: App, deps: TeamEventDeps): void {
  app.event('member_joined_channel', async ({ event, body, context }) => {
    const parsed = memberJoined.safeParse(event);
    if (!parsed.success) return;
    const workspaceId = typeof body.team_id === 'string' ? body.team_id : parsed.data.team;
    if (workspaceId === undefined || parsed.data.user === context.botUserId) return;
    const team = await deps.repo.byChannel(workspaceId, parsed.data.channel);
    if (team === undefined) return;
    // Events are answered already, so Slack gets the client's full timeout to say who this is.
    const actor = await deps.actors.resolve(workspaceId, parsed.data.user, { deadlineMs: USERS_INFO_AFTER_ACK_MS });
    const now = deps.now();
    const eventId = typeof (body as { event_id?: unknown }).event_id === 'string' ? (body as { event_id: string }).event_id : undefined;
    if (actor.isExternal) {
      // A partner-workspace guest (or someone Slack would not describe) in the channel is not made a team member.
      // Another instance may hold the write lock longer than the busy timeout; the event is acked
      // already, so wait it out rather than lose the welcome.
      const queued = await retryWhileBusy(() =>
        deps.db.transaction(
          async () =>
            await enqueue(
              deps.db,
              {
                workspaceId,
                // The event's id, not the time: a redelivery handled by another instance (the first
                // died before recording the event) must not tell the guest twice; a later rejoin is a new event.
                dedupeKey: `welcome:${team.id}:${parsed.data.user}:${eventId ?? now.getTime()}`,
                method: 'chat.postEphemeral',
                args: { channel: parsed.data.channel, user: parsed.data.user, text: `:wave: This channel is the *${escapeMrkdwn(team.key)}* · ${escapeMrkdwn(team.name)} program team. ${escapeMrkdwn(guestJoinMessage(actor, team.key))}` },
                notBefore: now,
              },
              now,
            ),
        ),
      );
      if (queued) deps.outbox.kick();
      return;
    }
    // As above: the membership and its welcome must not be lost to another instance's write lock.
    const queued = await retryWhileBusy(() =>
      deps.db.transaction(async () => {
        const added = await deps.repo.addMember(workspaceId, team.id, parsed.data.user, now.getTime());
        if (!added) return false;
        return await enqueue(
          deps.db,
          {
            workspaceId,
            dedupeKey: `welcome:${team.id}:${parsed.data.user}:${now.getTime()}`,
            method: 'chat.postEphemeral',
            args: {
              channel: parsed.data.channel,
              user: parsed.data.user,
              text: `:wave: Welcome! This channel is the *${escapeMrkdwn(team.key)}* · ${escapeMrkdwn(team.name)} program team, and you are now a member. Try \`/issue list\`, \`/meeting list\` or \`/team help\`.`,
            },
            notBefore: now,
          },
          now,
        );
      }),
    );
    if (queued) deps.outbox.kick();
  });
}
