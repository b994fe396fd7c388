import { createHmac, randomBytes } from 'node:crypto';
import type { PreparedRequest } from './load.js';

/** Signed Slack-shaped requests, built ahead so the load loop only sends bytes. */
export class Signer {
  private seq = 0;

  constructor(
    private readonly secret: string,
    private readonly teamId: string,
    private readonly responseUrl: () => string,
  ) {}

  private sign(body: string): PreparedRequest {
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', this.secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    return {
      path: '/slack/events',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
      body,
    };
  }

  private trigger(): string {
    this.seq++;
    return `${Date.now()}.${this.seq}.${randomBytes(8).toString('hex')}`;
  }

  command(command: string, text: string, userId: string, channelId: string): PreparedRequest {
    return this.sign(
      new URLSearchParams({
        token: 'legacy',
        team_id: this.teamId,
        team_domain: 'bench',
        channel_id: channelId,
        channel_name: channelId.toLowerCase(),
        user_id: userId,
        user_name: userId.toLowerCase(),
        command,
        text,
        api_app_id: 'A0BENCH',
        is_enterprise_install: 'false',
        response_url: this.responseUrl(),
        trigger_id: this.trigger(),
      }).toString(),
    );
  }

  blockAction(o: { actionId: string; blockId: string; value: string; userId: string; channelId: string; messageTs: string }): PreparedRequest {
    this.seq++;
    const payload = {
      type: 'block_actions',
      user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: this.teamId },
      api_app_id: 'A0BENCH',
      token: 'legacy',
      container: { type: 'message', message_ts: o.messageTs, channel_id: o.channelId, is_ephemeral: false },
      trigger_id: this.trigger(),
      team: { id: this.teamId, domain: 'bench' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: o.channelId, name: o.channelId.toLowerCase() },
      message: { type: 'message', ts: o.messageTs, text: 'ballot', bot_id: 'B0FAKEBOT1', blocks: [] },
      response_url: this.responseUrl(),
      actions: [{ action_id: o.actionId, block_id: o.blockId, type: 'button', value: o.value, text: { type: 'plain_text', text: 'x' }, action_ts: `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}` }],
    };
    return this.sign(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  viewSubmission(o: { callbackId: string; userId: string; values: Record<string, Record<string, Record<string, unknown>>>; privateMetadata: string }): PreparedRequest {
    this.seq++;
    const id = `V0B${this.seq.toString(36).toUpperCase()}${randomBytes(3).toString('hex').toUpperCase()}`;
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: 'bench' },
      user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: this.teamId },
      api_app_id: 'A0BENCH',
      token: 'legacy',
      trigger_id: this.trigger(),
      view: {
        id,
        team_id: this.teamId,
        type: 'modal',
        blocks: [],
        private_metadata: o.privateMetadata,
        callback_id: o.callbackId,
        state: { values: o.values },
        hash: `${Date.now()}.${this.seq}`,
        title: { type: 'plain_text', text: 'Bench' },
        root_view_id: id,
        app_id: 'A0BENCH',
        bot_id: 'B0FAKEBOT1',
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.sign(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }
}
