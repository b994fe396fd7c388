import { teamOfToken } from './oauth.js';
import { validateModal } from '../block-kit-limits.js';
import { newId, newViewHash, type FakeState, type Json } from '../state.js';
import { fail, invalidArguments, ok, str, type MethodHandler, type MethodResult } from './common.js';

/** Slack allows a modal stack of at most three views. */
const MAX_STACK = 3;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkView(view: unknown, expectedType: 'modal' | 'home'): MethodResult | Json {
  if (!isObject(view)) return invalidArguments(['missing required field: view']);
  if (view.type !== expectedType) return invalidArguments([`view.type must be "${expectedType}"`]);
  const problems = validateModal(view);
  return problems.length > 0 ? invalidArguments(problems) : view;
}

function isResult(v: MethodResult | Json): v is MethodResult {
  return 'ok' in v;
}

/** Consumes a trigger: Slack lets each trigger_id open exactly one view. */
function checkTrigger(state: FakeState, args: Json): MethodResult | undefined {
  const trigger = str(args, 'trigger_id');
  if (!trigger) return invalidArguments(['missing required field: trigger_id']);
  if (state.usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
  return undefined;
}

function rememberOwner(state: FakeState, trigger: string, viewId: string): void {
  const owner = state.triggerOwners.get(trigger);
  if (owner !== undefined) state.viewOwners.set(viewId, owner);
}

function buildView(state: FakeState, input: Json, id: string, extra: Json, token?: string): Json {
  // The workspace whose token opened it (distribution mode: several workspaces).
  const teamId = teamOfToken(state, token) ?? state.teamId;
  return {
    id,
    team_id: teamId,
    type: input.type,
    title: input.title ?? null,
    submit: input.submit ?? null,
    close: input.close ?? null,
    blocks: input.blocks ?? [],
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: input.external_id ?? '',
    state: { values: {} },
    hash: newViewHash(state),
    clear_on_close: input.clear_on_close === true || input.clear_on_close === 'true',
    notify_on_close: input.notify_on_close === true || input.notify_on_close === 'true',
    previous_view_id: null,
    root_view_id: id,
    app_id: state.appId,
    app_installed_team_id: teamId,
    bot_id: state.botId,
    ...extra,
  };
}

function externalIdTaken(state: FakeState, externalId: unknown, exceptId?: string): boolean {
  if (typeof externalId !== 'string' || externalId === '') return false;
  for (const [id, v] of state.views) if (id !== exceptId && v.external_id === externalId) return true;
  return false;
}

function lastModal(state: FakeState): Json | undefined {
  let last: Json | undefined;
  for (const v of state.views.values()) if (v.type === 'modal') last = v;
  return last;
}

function stackDepth(state: FakeState, view: Json | undefined): number {
  let depth = 0;
  let cursor = view;
  while (cursor) {
    depth += 1;
    cursor = typeof cursor.previous_view_id === 'string' ? state.views.get(cursor.previous_view_id) : undefined;
  }
  return depth;
}

const open: MethodHandler = (args, { state, token }) => {
  const triggerProblem = checkTrigger(state, args);
  if (triggerProblem) return triggerProblem;
  const view = checkView(args.view, 'modal');
  if (isResult(view)) return view;
  if (externalIdTaken(state, view.external_id)) return fail('duplicate_external_id');
  state.usedTriggers.add(String(args.trigger_id));
  const id = newId(state, 'V');
  const built = buildView(state, view, id, {}, token);
  state.views.set(id, built);
  rememberOwner(state, String(args.trigger_id), id);
  return ok({ view: built });
};

const push: MethodHandler = (args, { state, token }) => {
  const triggerProblem = checkTrigger(state, args);
  if (triggerProblem) return triggerProblem;
  const view = checkView(args.view, 'modal');
  if (isResult(view)) return view;
  const previous = lastModal(state);
  if (stackDepth(state, previous) >= MAX_STACK) return fail('push_limit_reached');
  if (externalIdTaken(state, view.external_id)) return fail('duplicate_external_id');
  state.usedTriggers.add(String(args.trigger_id));
  const id = newId(state, 'V');
  const built = buildView(state, view, id, {
    previous_view_id: previous?.id ?? null,
    root_view_id: previous?.root_view_id ?? id,
  }, token);
  state.views.set(id, built);
  rememberOwner(state, String(args.trigger_id), id);
  return ok({ view: built });
};

const update: MethodHandler = (args, { state, token }) => {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (!viewId && !externalId) return invalidArguments(['either view_id or external_id is required']);
  const existing = viewId
    ? state.views.get(viewId)
    : [...state.views.values()].find((v) => v.external_id === externalId);
  if (!existing) return fail('not_found');
  const hash = str(args, 'hash');
  if (hash && hash !== existing.hash) return fail('hash_conflict');
  const view = checkView(args.view, existing.type === 'home' ? 'home' : 'modal');
  if (isResult(view)) return view;
  const id = String(existing.id);
  const built = buildView(state, view, id, {
    previous_view_id: existing.previous_view_id,
    root_view_id: existing.root_view_id,
    external_id: view.external_id ?? existing.external_id,
  }, token);
  state.views.set(id, built);
  return ok({ view: built });
};

const publish: MethodHandler = (args, { state, token }) => {
  const userId = str(args, 'user_id');
  if (!userId) return invalidArguments(['missing required field: user_id']);
  if (!state.users.has(userId)) return fail('user_not_found');
  const view = checkView(args.view, 'home');
  if (isResult(view)) return view;
  const existingId = state.homeViewIds.get(userId);
  const existing = existingId ? state.views.get(existingId) : undefined;
  const hash = str(args, 'hash');
  if (hash && existing && hash !== existing.hash) return fail('hash_conflict');
  // A user's App Home keeps one view id across publishes, as in Slack.
  const id = existingId ?? newId(state, 'V');
  const built = buildView(state, view, id, {}, token);
  state.views.set(id, built);
  state.homeViewIds.set(userId, id);
  return ok({ view: built });
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
