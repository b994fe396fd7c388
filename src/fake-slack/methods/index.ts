import { appMethods } from './apps.js';
import { authMethods } from './auth.js';
import { chatMethods } from './chat.js';
import type { MethodHandler } from './common.js';
import { conversationMethods } from './conversations.js';
import { fileMethods } from './files.js';
import { oauthMethods } from './oauth.js';
import { userMethods } from './users.js';
import { viewMethods } from './views.js';

export type { MethodContext, MethodHandler, MethodResult } from './common.js';

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  ...authMethods,
  ...appMethods,
  ...chatMethods,
  ...viewMethods,
  ...userMethods,
  ...conversationMethods,
  ...fileMethods,
  ...oauthMethods,
};
