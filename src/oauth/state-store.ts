import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidStateError, type InstallURLOptions, type StateStore } from '@slack/oauth';
import { and, eq, gt, lt } from 'drizzle-orm';
import { oauthStates } from '../db/schema.js';
import { affectedRows, type Session } from '../db/storage.js';

/** How long a person has between opening /slack/install and coming back from Slack. */
export const STATE_TTL_MS = 10 * 60 * 1000;

const hashOf = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * The OAuth `state`: random, signed with SLACK_STATE_SECRET, stored (by hash) until it is used
 * once or expires. @slack/oauth's default state store is stateless (a signed timestamp), so the
 * same redirect URL would work again for ten minutes; this one refuses a replay, a forged or
 * altered state, and a state from before a restart of another instance alike, since every
 * instance shares the table. (InstallProvider also checks that the state matches the browser's
 * cookie, so a state cannot be used from another browser.)
 */
export class OneTimeStateStore implements StateStore {
  constructor(private readonly deps: { storage: Session; stateSecret: string }) {}

  private sign(nonce: string): string {
    return createHmac('sha256', this.deps.stateSecret).update(nonce).digest('base64url');
  }

  async generateStateParam(installOptions: InstallURLOptions, now: Date): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    const state = `${nonce}.${this.sign(nonce)}`;
    const at = now.getTime();
    // Expired states are cleared as new ones are made; the table stays small.
    await this.deps.storage.db.delete(oauthStates).where(lt(oauthStates.expiresAt, at)).run();
    await this.deps.storage.db
      .insert(oauthStates)
      .values({ stateHash: hashOf(state), installOptionsJson: JSON.stringify(installOptions), expiresAt: at + STATE_TTL_MS })
      .run();
    return state;
  }

  async verifyStateParam(now: Date, state: string): Promise<InstallURLOptions> {
    const [nonce, signature] = state.split('.');
    const expected = nonce === undefined ? '' : this.sign(nonce);
    if (signature === undefined || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      throw new InvalidStateError('The OAuth state was not issued by this app');
    }
    const row = await this.deps.storage.db.select().from(oauthStates).where(and(eq(oauthStates.stateHash, hashOf(state)), gt(oauthStates.expiresAt, now.getTime()))).get();
    // Used once: whoever deletes it wins; a replay (or a second tab) finds nothing.
    const claimed = row === undefined ? 0 : affectedRows(await this.deps.storage.db.delete(oauthStates).where(eq(oauthStates.stateHash, row.stateHash)).run());
    if (row === undefined || claimed !== 1) throw new InvalidStateError('The OAuth state has expired or was already used');
    return JSON.parse(row.installOptionsJson) as InstallURLOptions;
  }
}
