import { afterEach, describe, expect, it } from 'vitest';
import type { StartOptions } from '../../src/alliance.js';
import { auditLog } from '../../src/db/schema.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { startHarness, type Harness } from '../rig/harness.js';

const SLOW = 'shutdown_slow_work';

/** A button that acks first and then does its work, like every button in the app; `gate` holds the work. */
function slowButton(gate: Promise<void>): NonNullable<StartOptions['extraListeners']> {
  return (app, deps) => {
    app.action(SLOW, async ({ ack, body }) => {
      await ack();
      await gate;
      await deps.db.insert(auditLog).values({ workspaceId: WORKSPACE_ID, actorId: body.user.id, action: 'probe.after-ack', target: 'work', outcome: 'done', createdAt: deps.now().getTime() }).run();
    });
  };
}

const click = (h: Harness) => h.slack.blockAction({ actionId: SLOW, blockId: 'b', value: '1', userId: PEOPLE.trainer.id, channelId: CHANNELS.general.id });
/** Read through the harness's own connection, which stays open after the app stopped. */
const afterAckRows = async (h: Harness): Promise<number> => (await h.query<{ n: number }>("select count(*) as n from audit_log where action = 'probe.after-ack'"))[0]?.n ?? 0;

/** Issue #16, item 6: a click acked just before a deploy is not lost. */
describe('stopping while work acked before the stop is still running', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('waits for that work to finish before closing the database, so what it writes is kept', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    h = await startHarness({ extraListeners: slowButton(gate) });
    const acked = await click(h);
    expect(acked.status).toBe(200);
    let stopped = false;
    const stopping = h.alliance.stop().then(() => {
      stopped = true;
    });
    // The HTTP side is done (the click was answered); the stop must still be waiting on the work.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(await afterAckRows(h)).toBe(1);
    expect(h.logs.filter((l) => l.includes('"msg":"listener failed"') || l.includes('not open'))).toEqual([]);
  });

  it('does not wait forever for work that never ends: it stops after the bound and says so', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    h = await startHarness({ extraListeners: slowButton(gate), workDrainMs: 500 });
    expect((await click(h)).status).toBe(200);
    await h.alliance.stop();
    expect(h.logs.some((l) => l.includes('"msg":"stopping with work still running"') && l.includes('"left":1'))).toBe(true);
    open();
  });
});
