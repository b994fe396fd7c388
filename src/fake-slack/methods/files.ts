import { newId, resolveChannel, type FakeState, type Json } from '../state.js';
import type { StoredFile } from '../types.js';
import { storeMessage } from './chat.js';
import { fail, invalidArguments, num, ok, str, type MethodContext, type MethodHandler } from './common.js';

export const UPLOAD_PATH = '/upload/';
export const DOWNLOAD_PATH = '/files/';

/** Stores the bytes sent to an upload_url; false when Slack never handed out that URL. */
export function receiveUpload(state: FakeState, fileId: string, content: Buffer): boolean {
  const pending = state.pendingUploads.get(fileId);
  if (!pending) return false;
  pending.content = content;
  return true;
}

export function findFile(state: FakeState, fileId: string): StoredFile | undefined {
  return state.files.find((f) => f.id === fileId);
}

function fileObject(ctx: MethodContext, f: StoredFile): Json {
  const url = `${ctx.origin}${DOWNLOAD_PATH}${f.id}`;
  return {
    id: f.id,
    name: f.filename,
    title: f.title ?? f.filename,
    size: f.content.length,
    user: ctx.state.botUserId,
    url_private: url,
    url_private_download: url,
    permalink: `https://${ctx.state.domain}.slack.com/files/${ctx.state.botUserId}/${f.id}/${f.filename ?? 'file'}`,
    channels: f.channels,
  };
}

const getUploadURLExternal: MethodHandler = (args, { state, origin }) => {
  const filename = str(args, 'filename');
  const length = num(args, 'length');
  if (!filename || length === undefined) return invalidArguments(['filename and length are required']);
  const fileId = newId(state, 'F');
  state.pendingUploads.set(fileId, { filename, length });
  return ok({ upload_url: `${origin}${UPLOAD_PATH}${fileId}`, file_id: fileId });
};

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const completeUploadExternal: MethodHandler = (args, ctx) => {
  const { state } = ctx;
  const entries = Array.isArray(args.files) ? args.files.filter(isObject) : [];
  if (entries.length === 0) return invalidArguments(['missing required field: files']);
  for (const e of entries) {
    if (!state.pendingUploads.get(String(e.id))?.content) return fail('file_not_found');
  }
  const rawChannel = str(args, 'channel_id') ?? str(args, 'channels');
  const channel = rawChannel ? resolveChannel(state, rawChannel) : undefined;
  if (rawChannel && !channel) return fail('channel_not_found');
  const threadTs = str(args, 'thread_ts');
  const initialComment = str(args, 'initial_comment');
  const stored: StoredFile[] = entries.map((e) => {
    const id = String(e.id);
    const pending = state.pendingUploads.get(id);
    state.pendingUploads.delete(id);
    const file: StoredFile = {
      id,
      title: typeof e.title === 'string' ? e.title : pending?.filename,
      filename: pending?.filename,
      content: pending?.content ?? Buffer.alloc(0),
      channels: channel ? [channel] : [],
      threadTs,
      initialComment,
    };
    state.files.push(file);
    return file;
  });
  if (channel) {
    // Sharing files to a channel shows up there as a message carrying them, initial_comment as text.
    storeMessage(state, {
      channel,
      text: initialComment ?? '',
      blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
      threadTs,
      ephemeral: false,
      files: stored.map((f) => f.id),
    });
  }
  return ok({ files: stored.map((f) => fileObject(ctx, f)) });
};

const info: MethodHandler = (args, ctx) => {
  const file = findFile(ctx.state, str(args, 'file') ?? '');
  return file ? ok({ file: fileObject(ctx, file) }) : fail('file_not_found');
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadURLExternal,
  'files.completeUploadExternal': completeUploadExternal,
  'files.info': info,
};
