/**
 * The signed-request builders moved to `src/fake-slack/slack-request.ts` so the browser sandbox
 * (a shipped module) can use them too; tests keep importing them from here.
 */
export * from '../../src/fake-slack/slack-request.js';
