import { ok, type MethodHandler } from './common.js';
import { teamOfToken } from './oauth.js';

export const authMethods: Record<string, MethodHandler> = {
  'auth.test': (_args, { state, token }) =>
    ok({
      url: `https://${state.domain}.slack.com/`,
      team: state.teamName,
      user: state.users.get(state.botUserId)?.name ?? 'bot',
      team_id: teamOfToken(state, token) ?? state.teamId,
      user_id: state.botUserId,
      bot_id: state.botId,
      is_enterprise_install: false,
    }),
};
