import type { z } from 'zod';
import { HttpProblem, isObject, type Json } from './http.js';
import type { bodies } from './api-bodies.js';
import { encodeTyped, splitCommand } from './text.js';
import { CommandNames } from '../slack/ids.js';
import { ACK_ANSWER_HEADER } from '../fake-slack/server.js';
import { SHORTCUT_NAMES, type SandboxContext } from './context.js';
import { CHANNELS } from './workspace.js';

/**
 * What the page's buttons and boxes do: each becomes a signed request to /slack/events, shaped as
 * Slack's payloads, plus what Slack's own client would do with the answer (show an ack body, close
 * or update a modal, a Slackbot notice on failure).
 */
export function createPageActions(ctx: SandboxContext) {
  const { fake, deps, viewErrors, bump, directory, personById, isCoordinator, notify, channelName, reportFailure, storedMessage, messagePayload, viewFor, modalsOf, closeView } = ctx;
  // ---- commands and messages -------------------------------------------------------------

  const send = async (body: z.infer<typeof bodies.send>): Promise<Json> => {
    const typed = splitCommand(body.text);
    if (typed === undefined) {
      const text = encodeTyped(body.text, directory);
      const stored = fake.postUserMessage({ channel: body.channel, user: body.as, text, ...(body.threadTs === undefined ? {} : { threadTs: body.threadTs }) });
      return { ok: true, ts: stored.ts };
    }
    const known = Object.values(CommandNames) as string[];
    if (!known.includes(typed.command)) {
      notify(body.as, body.channel, `${typed.command} is not a valid command. Alliance answers ${known.join(', ')}.`);
      return { ok: false };
    }
    const me = personById(body.as);
    const responseUrl = fake.responseUrl(undefined, { channel: body.channel, userId: body.as });
    // What the command's work posts after its ack (a digest preview, say) is shown after the ack's own answer.
    const release = fake.holdResponses(responseUrl);
    try {
      const response = await deps.requester().command(
        typed.command,
        encodeTyped(typed.text, directory),
        { userId: body.as, ...(me === undefined ? {} : { userName: me.name }), channelId: body.channel, channelName: channelName(body.channel) },
        { trigger_id: fake.newTrigger(body.as), response_url: responseUrl },
      );
      reportFailure(body.as, body.channel, typed.command, response);
      // An ack body is the command's answer: Slack shows it exactly as a response_url post.
      if (response.status === 200 && isObject(response.json) && (typeof response.json.text === 'string' || Array.isArray(response.json.blocks))) {
        const posted = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json', [ACK_ANSWER_HEADER]: '1' }, body: JSON.stringify(response.json) });
        if (!posted.ok) notify(body.as, body.channel, `Slack refused the reply to ${typed.command} (${posted.status}: ${await posted.text()}).`);
      }
      return { ok: response.status === 200 };
    } finally {
      release();
    }
  };

  // ---- interactivity -----------------------------------------------------------------------

  const action = async (body: z.infer<typeof bodies.action>): Promise<Json> => {
    const requester = deps.requester();
    const { action: a } = body;
    const common = {
      actionId: a.action_id,
      blockId: a.block_id,
      type: a.type,
      action: Object.fromEntries(Object.entries(a).filter(([key]) => key !== 'action_id' && key !== 'block_id' && key !== 'type')),
      userId: body.as,
      userName: personById(body.as)?.name,
      triggerId: fake.newTrigger(body.as),
      ...(body.values === undefined ? {} : { stateValues: body.values }),
    };
    if (body.viewId !== undefined) {
      const view = viewFor(body.viewId, body.as);
      const response = await requester.blockAction({ ...common, view: view });
      reportFailure(body.as, CHANNELS.general.id, 'That button', response);
      return { ok: response.status === 200 };
    }
    if (body.channel === undefined || body.messageTs === undefined) throw new HttpProblem(400, 'channel and messageTs are required');
    const message = storedMessage(body.channel, body.messageTs);
    if (message === undefined) throw new HttpProblem(404, 'that message is gone');
    const response = await requester.blockAction({
      ...common,
      channelId: body.channel,
      channelName: channelName(body.channel),
      messageTs: message.ts,
      isEphemeral: message.ephemeral,
      ...(message.ephemeral ? {} : { message: messagePayload(message) }),
    });
    reportFailure(body.as, body.channel, 'That button', response);
    return { ok: response.status === 200 };
  };

  const submit = async (body: z.infer<typeof bodies.submit>): Promise<Json> => {
    const view = viewFor(body.viewId, body.as);
    const response = await deps.requester().viewSubmission({
      userId: body.as,
      userName: personById(body.as)?.name,
      view: view,
      values: body.values,
      triggerId: fake.newTrigger(body.as),
    });
    if (response.status !== 200) {
      reportFailure(body.as, CHANNELS.general.id, 'Submitting the form', response);
      return { ok: false };
    }
    const ack = isObject(response.json) ? response.json : {};
    switch (ack.response_action) {
      case 'errors': {
        const errors = isObject(ack.errors) ? Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)])) : {};
        viewErrors.set(body.viewId, errors);
        bump();
        return { ok: true, errors };
      }
      case 'update':
        if (isObject(ack.view)) replaceView(body.viewId, ack.view);
        return { ok: true };
      case 'push':
        if (isObject(ack.view)) pushView(body.viewId, ack.view);
        return { ok: true };
      case 'clear':
        for (const modal of modalsOf(body.as)) closeView(String(modal.id));
        return { ok: true };
      default:
        closeView(body.viewId);
        return { ok: true };
    }
  };

  let viewCounter = 0;
  /**
   * `response_action: update` replaces the whole view, as Slack does: a confirmation without a
   * submit button must not keep the form's ("Log issue"), so only the stack's identity carries over.
   */
  const replaceView = (viewId: string, next: Json): void => {
    const current = fake.views.get(viewId);
    if (!isObject(current)) return;
    const kept = { team_id: current.team_id, app_id: current.app_id, bot_id: current.bot_id, previous_view_id: current.previous_view_id, root_view_id: current.root_view_id };
    fake.views.set(viewId, { ...kept, ...next, id: viewId, state: { values: {} }, hash: `${Date.now()}.sandbox${(viewCounter += 1)}` });
    viewErrors.delete(viewId);
    bump();
  };
  // A pushed view belongs to whoever owns the root of its stack (see ownerOf).
  const pushView = (previousId: string, next: Json): void => {
    const previous = fake.views.get(previousId);
    viewCounter += 1;
    const id = `V0SANDBOX${viewCounter}`;
    fake.views.set(id, {
      ...next,
      id,
      state: { values: {} },
      previous_view_id: previousId,
      root_view_id: isObject(previous) && typeof previous.root_view_id === 'string' ? previous.root_view_id : previousId,
      hash: `${Date.now()}.sandbox${viewCounter}`,
    });
    bump();
  };

  const close = async (body: z.infer<typeof bodies.close>): Promise<Json> => {
    const view = viewFor(body.viewId, body.as);
    closeView(body.viewId);
    // Slack tells the app only when the view asked for it.
    if (view.notify_on_close === true) {
      const response = await deps.requester().viewClosed({ userId: body.as, view: view });
      reportFailure(body.as, CHANNELS.general.id, 'Closing the form', response);
    }
    return { ok: true };
  };

  const shortcut = async (body: z.infer<typeof bodies.shortcut>): Promise<Json> => {
    const message = storedMessage(body.channel, body.messageTs);
    if (message === undefined || message.ephemeral) throw new HttpProblem(404, 'that message is gone');
    const payload = messagePayload(message);
    const response = await deps.requester().messageShortcut({
      callbackId: body.callbackId,
      userId: body.as,
      userName: personById(body.as)?.name,
      channelId: body.channel,
      channelName: channelName(body.channel),
      message: { ...payload, ts: message.ts, text: message.text ?? '', user: String(payload.user) },
      triggerId: fake.newTrigger(body.as),
    });
    reportFailure(body.as, body.channel, SHORTCUT_NAMES[body.callbackId] ?? body.callbackId, response);
    return { ok: response.status === 200 };
  };

  const digests = async (body: z.infer<typeof bodies.digests>): Promise<Json> => {
    if (!(await isCoordinator(body.as))) {
      notify(body.as, body.channel, 'Only coordinators can send digests.');
      return { ok: false };
    }
    const said = await deps.sendDigests();
    notify(body.as, body.channel, said);
    return { ok: true };
  };

  /** Opening Alliance's Home tab: Slack sends the app `app_home_opened` each time, and the app publishes it. */
  const homeOpened = async (body: z.infer<typeof bodies.homeOpened>): Promise<Json> => {
    const home = fake.homeView(body.as);
    const response = await deps.requester().event({
      type: 'app_home_opened',
      user: body.as,
      channel: fake.dmChannelId(body.as),
      tab: 'home',
      ...(isObject(home) ? { view: home } : {}),
    });
    reportFailure(body.as, fake.dmChannelId(body.as), 'Opening the Home tab', response);
    return { ok: response.status === 200 };
  };

  return { send, action, submit, close, shortcut, digests, homeOpened };
}
