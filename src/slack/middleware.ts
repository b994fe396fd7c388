import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware, RespondFn } from '@slack/bolt';
import { ErrorCode } from './bolt.js';
import type { ModalView } from '@slack/types';
import type { AppLogger } from '../logger.js';
import { busyRetryOf, isDatabaseBusy } from './busy-retry.js';
import { ViewIds } from './ids.js';

/** An error that already has the reference the person was shown, so the log line can carry it. */
export class ReferencedError extends Error {
  constructor(
    readonly reference: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ReferencedError';
  }
}

export const newReference = (): string => `ERR-${randomBytes(3).toString('hex').toUpperCase()}`;

interface Described {
  kind: string;
  what: string;
  userId: string | undefined;
  workspaceId: string | undefined;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** Names a request for the log line: command, action, view callback or event type. */
export function describeRequest(body: unknown): Described {
  const b = obj(body);
  const user = obj(b.user);
  const team = obj(b.team);
  const userId = str(b.user_id) ?? str(user.id) ?? str(obj(b.event).user);
  const workspaceId = str(b.team_id) ?? str(team.id);
  if (typeof b.command === 'string') return { kind: 'command', what: `${b.command} ${(str(b.text) ?? '').split(/\s+/)[0] ?? ''}`.trim(), userId, workspaceId };
  const type = str(b.type) ?? 'unknown';
  if (type === 'block_actions') {
    const first = obj(Array.isArray(b.actions) ? b.actions[0] : undefined);
    return { kind: 'action', what: str(first.action_id) ?? '?', userId, workspaceId };
  }
  if (type === 'view_submission' || type === 'view_closed') return { kind: type, what: str(obj(b.view).callback_id) ?? '?', userId, workspaceId };
  if (type === 'message_action' || type === 'shortcut') return { kind: 'shortcut', what: str(b.callback_id) ?? '?', userId, workspaceId };
  if (type === 'event_callback') return { kind: 'event', what: str(obj(b.event).type) ?? '?', userId, workspaceId };
  return { kind: type, what: type, userId, workspaceId };
}

export const errorModal = (reference: string): ModalView => ({
  type: 'modal',
  callback_id: ViewIds.internalError,
  title: { type: 'plain_text', text: 'Something went wrong' },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:warning: Sorry, that did not work and nothing was saved. Please try again; if it keeps failing, give a coordinator this reference: \`${reference}\`.`,
      },
    },
  ],
});

export const errorText = (reference: string): string =>
  `:warning: Sorry, something went wrong on our side and your request did not complete. Please try again; if it keeps failing, give a coordinator this reference: \`${reference}\`.`;

type Ack = (response?: unknown) => Promise<void>;

function ackOf(args: AnyMiddlewareArgs): Ack | undefined {
  if (!('ack' in args)) return undefined;
  const ack: unknown = args.ack;
  return typeof ack === 'function' ? (ack as Ack) : undefined;
}

function ackProbeOf(context: Record<string, unknown>): (() => boolean) | undefined {
  const probe = context.ackProbe;
  return typeof probe === 'function' ? (probe as () => boolean) : undefined;
}

function respondOf(args: AnyMiddlewareArgs): RespondFn | undefined {
  return 'respond' in args && typeof args.respond === 'function' ? args.respond : undefined;
}

const isMultipleAck = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && (error as { code: unknown }).code === ErrorCode.ReceiverMultipleAckError;

/**
 * Acks with `body` unless a listener already did; tells which happened. Our HTTP receiver puts an
 * `ackProbe` in the context (src/http/receiver.ts), so the common case asks instead of provoking
 * and catching Bolt's ReceiverMultipleAckError (an Error with a stack trace, on every request).
 */
async function ackIfNotYet(ack: Ack, body: unknown, probe: (() => boolean) | undefined): Promise<boolean> {
  if (probe?.() === true) return false;
  try {
    await ack(body);
    return true;
  } catch (error) {
    if (isMultipleAck(error)) return false;
    throw error;
  }
}

/**
 * The one error path: whatever a listener throws, the person still gets an answer with a
 * reference (in the ack when it has not gone yet, else through response_url or a DM), and the
 * error goes on to `app.error` carrying that reference. Requests nobody handled (an unknown
 * action id, a stale button) get a polite answer instead of Slack's timeout. Each request is
 * logged once with what, who, outcome and milliseconds.
 */
export function requestGuard(logger: AppLogger): Middleware<AnyMiddlewareArgs> {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs) => {
    const started = performance.now();
    const described = describeRequest(args.body);
    const ack = ackOf(args);
    const probe = ackProbeOf(args.context);
    try {
      await args.next();
      if (ack !== undefined) {
        const unhandled = await ackIfNotYet(ack, unhandledAckBody(described), probe);
        if (unhandled) {
          logger.event('warn', 'request had no listener', { ...described, outcome: 'unhandled', ms: elapsed(started) });
          return;
        }
      }
      logger.event('info', 'request', { ...described, outcome: 'ok', ms: elapsed(started) });
    } catch (error) {
      // Another process holds the write lock and nothing has been answered: run it again shortly (busy-retry.ts).
      const busyRetry = busyRetryOf(args.context);
      if (busyRetry !== undefined && isDatabaseBusy(error) && busyRetry.mayRetry()) {
        busyRetry.retry();
        return;
      }
      const reference = error instanceof ReferencedError ? error.reference : newReference();
      logger.event('info', 'request', { ...described, outcome: 'error', reference, ms: elapsed(started) });
      await tellPerson(args, described, ack, probe, reference, logger);
      throw error instanceof ReferencedError ? error : new ReferencedError(reference, error);
    }
  };
}

function unhandledAckBody(described: Described): unknown {
  if (described.kind === 'command') {
    return { response_type: 'ephemeral', text: ':thinking_face: Alliance does not know that command here. Try `/team help`.' };
  }
  if (described.kind === 'view_submission') {
    return { response_action: 'update', view: errorModal('this form is out of date; open it again') };
  }
  return undefined;
}

async function tellPerson(
  args: AnyMiddlewareArgs & AllMiddlewareArgs,
  described: Described,
  ack: Ack | undefined,
  probe: (() => boolean) | undefined,
  reference: string,
  logger: AppLogger,
): Promise<void> {
  try {
    if (ack !== undefined) {
      const body =
        described.kind === 'command'
          ? { response_type: 'ephemeral', text: errorText(reference) }
          : described.kind === 'view_submission'
            ? { response_action: 'update', view: errorModal(reference) }
            : undefined;
      if (await ackIfNotYet(ack, body, probe)) {
        if (described.kind === 'command' || described.kind === 'view_submission') return;
      }
    }
    const respond = respondOf(args);
    if (respond !== undefined) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: errorText(reference) });
      return;
    }
    if (described.userId !== undefined && described.kind !== 'event') {
      await args.client.chat.postMessage({ channel: described.userId, text: errorText(reference) });
    }
  } catch (replyError) {
    // The original error is what matters; a failed apology is logged beside it, not instead of it.
    logger.event('warn', 'could not tell the person about an error', { reference, error: replyError });
  }
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 10) / 10;
