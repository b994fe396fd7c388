/**
 * The bot scopes an install from Slack asks for: the same as manifest.yml's (which says why each is
 * needed); test/unit/oauth.test.ts fails when the two differ.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'users:read',
  'im:write',
  'files:write',
  'channels:read',
  'groups:read',
  'channels:history',
  'groups:history',
  'im:history',
] as const;
