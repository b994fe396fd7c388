import type { CodedError } from '@slack/bolt';
import { ErrorCode } from './bolt.js';
import type { AppLogger } from '../logger.js';
import { describeRequest, ReferencedError } from './middleware.js';

interface ErrorArgs {
  error: CodedError;
  body?: unknown;
}

/** Sorts Slack platform errors from our own before logging, like Bolt's default handler. */
function classify(error: unknown): Record<string, unknown> {
  const coded = error !== null && typeof error === 'object' ? (error as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown; statusCode?: unknown }) : {};
  switch (coded.code) {
    case ErrorCode.AuthorizationError:
      return { kind: 'authorization' };
    case 'slack_webapi_platform_error':
      return { kind: 'slack_platform', slackError: coded.data?.error };
    case 'slack_webapi_rate_limited_error':
      return { kind: 'slack_rate_limited', retryAfter: coded.retryAfter };
    case 'slack_webapi_http_error':
      return { kind: 'slack_http', status: coded.statusCode };
    case 'slack_webapi_request_error':
      return { kind: 'slack_request' };
    default:
      return { kind: 'app' };
  }
}

/** `app.error`: the single place errors from listeners end up; always logged with context. */
export function createErrorHandler(logger: AppLogger): (args: ErrorArgs) => Promise<void> {
  return async ({ error, body }) => {
    // Bolt wraps errors that carry no Slack code in an UnknownError whose `original` is ours.
    const wrapped = (error as { original?: unknown }).original;
    const referenced = error instanceof ReferencedError ? error : wrapped instanceof ReferencedError ? wrapped : undefined;
    const original = referenced?.cause ?? wrapped ?? error;
    logger.event('error', 'listener failed', { reference: referenced?.reference, ...describeRequest(body), ...classify(original), error: original });
  };
}
