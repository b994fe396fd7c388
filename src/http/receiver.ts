import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, BufferedIncomingMessage, Logger, Receiver } from '@slack/bolt';
import { HTTPModuleFunctions, HTTPResponseAck } from '../slack/bolt.js';

/** Put in Bolt's `context` of every request this receiver dispatches: tells whether it was acked. */
export interface AckProbe {
  ackProbe: () => boolean;
}

/**
 * Bolt's HTTPReceiver, minus the work our HTTP server has already done: the server reads the body
 * once, checks timestamp and signature (the one verifier, `server.ts`) and parses it once
 * (`envelope.ts`); this receiver hands that parsed body to Bolt as its HTTPReceiver would
 * (same ack object, same 3-second unhandled-request answer, same error handling), instead of
 * Bolt reading, verifying and parsing it all again. The server owns listening, so start/stop are no-ops.
 */
export class ScreenedReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly logger: Logger) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** `req` has been verified and `body` parsed by the server; `rawBody` is the bytes that were signed. */
  dispatch(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, rawBody: Buffer): void {
    if (body.type === 'url_verification') {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    const app = this.app;
    if (app === undefined) throw new Error('ScreenedReceiver used before Bolt initialised it');
    const buffered: BufferedIncomingMessage = Object.assign(req, { rawBody });
    const ack = new HTTPResponseAck({ logger: this.logger, processBeforeResponse: false, httpRequest: buffered, httpRequestBody: body, httpResponse: res });
    // Bolt's ack throws ReceiverMultipleAckError on a second call; the probe tells without calling it.
    const bound = ack.bind();
    let acked = false;
    const ackFn = (response?: unknown): Promise<void> => {
      acked = true;
      return bound(response);
    };
    const probe: AckProbe = { ackProbe: () => acked };
    const retryNum = HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req);
    const retryReason = HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req);
    app
      .processEvent({
        body,
        ack: ackFn,
        ...(retryNum === undefined ? {} : { retryNum }),
        ...(retryReason === undefined ? {} : { retryReason }),
        customProperties: probe,
      })
      .catch(async (error: unknown) => {
        // What HTTPReceiver does: answer 500 (or 401 for an authorisation error) unless already answered.
        const handled = await HTTPModuleFunctions.defaultProcessEventErrorHandler({ error: error as Error, logger: this.logger, request: req, response: res, storedResponse: undefined });
        if (handled) ack.ack();
      })
      .catch((error: unknown) => {
        this.logger.error('could not answer a request that failed', error);
      });
  }
}
