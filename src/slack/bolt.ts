import { createRequire } from 'node:module';
import type * as Bolt from '@slack/bolt';

/**
 * The few runtime values the app takes from Bolt, loaded from their own files rather than from
 * `@slack/bolt`: the package's index also loads its Express receiver (express and about 115
 * modules it needs, mime-db's table among them), which an app behind its own HTTP server
 * (src/http/server.ts) never uses; that was about 4 MB of idle memory (README, Performance).
 * Types still come from `@slack/bolt`. test/unit/startup-modules.test.ts checks that each of these is
 * the very object the index exports, so a Bolt upgrade that moves a file fails there.
 */
const load = createRequire(import.meta.url);

export const App = (load('@slack/bolt/dist/App.js') as { default: typeof Bolt.App }).default;
export type App = Bolt.App;
export const SocketModeReceiver = (load('@slack/bolt/dist/receivers/SocketModeReceiver.js') as { default: typeof Bolt.SocketModeReceiver }).default;
export type SocketModeReceiver = Bolt.SocketModeReceiver;
export const { ErrorCode } = load('@slack/bolt/dist/errors.js') as { ErrorCode: typeof Bolt.ErrorCode };
export const HTTPModuleFunctions = load('@slack/bolt/dist/receivers/HTTPModuleFunctions.js') as typeof Bolt.HTTPModuleFunctions;
export const { HTTPResponseAck } = load('@slack/bolt/dist/receivers/HTTPResponseAck.js') as { HTTPResponseAck: typeof Bolt.HTTPResponseAck };
export type HTTPResponseAck = Bolt.HTTPResponseAck;
