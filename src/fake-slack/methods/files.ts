import { newId, resolveChannel, type FakeState, type Json } from '../state.js';
import type { StoredFile } from '../types.js';
import { storeMessage } from './chat.js';
import { fail, invalidArguments, num, ok, str, type MethodContext, type MethodHandler, type MethodResult } from './common.js';

export const UPLOAD_PATH = '/upload/';
export const DOWNLOAD_PATH = '/files/';

/** Slack's largest file (1 GB); the fake's can be lowered per test through `state.maxFileBytes`. */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Slack refuses a file's alt text over 1,000 characters (`alt_txt_too_large`). */
export const MAX_ALT_TEXT = 1000;

export type UploadOutcome = { ok: true } | { ok: false; status: number; error: string };

/**
 * Stores the bytes sent to an upload_url, as Slack's upload service does: the URL works once, for
 * a file Slack handed it out for, and the bytes must be exactly the `length` declared to
 * files.getUploadURLExternal.
 */
export function receiveUpload(state: FakeState, fileId: string, content: Buffer): UploadOutcome {
  const pending = state.pendingUploads.get(fileId);
  if (!pending) return { ok: false, status: 404, error: 'file_not_found' };
  if (pending.content !== undefined) return { ok: false, status: 410, error: 'upload_url_already_used' };
  if (content.length !== pending.length) return { ok: false, status: 400, error: `size_mismatch: got ${content.length} bytes, length was ${pending.length}` };
  pending.content = content;
  return { ok: true };
}

const isImageName = (name: string | undefined): boolean => /\.(png|jpe?g|gif|webp)$/i.test(name ?? '');

function collectSlackFiles(node: unknown, found: Array<{ path: string; ref: Record<string, unknown> }>, path: string): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => collectSlackFiles(child, found, `${path}[${i}]`));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'image' && typeof obj.slack_file === 'object' && obj.slack_file !== null) found.push({ path: `${path}.slack_file`, ref: obj.slack_file as Record<string, unknown> });
  for (const [key, value] of Object.entries(obj)) if (key !== 'slack_file') collectSlackFiles(value, found, `${path}.${key}`);
}

/**
 * Image blocks (and image elements) that show an uploaded file name it by `slack_file.id` or
 * `slack_file.url`; Slack refuses the message with invalid_blocks unless that file exists (its
 * upload completed) and is an image.
 */
export function fileReferenceProblems(state: FakeState, blocks: unknown): MethodResult | undefined {
  const refs: Array<{ path: string; ref: Record<string, unknown> }> = [];
  collectSlackFiles(blocks, refs, 'blocks');
  const problems: string[] = [];
  for (const { path, ref } of refs) {
    const id = typeof ref.id === 'string' ? ref.id : undefined;
    const url = typeof ref.url === 'string' ? ref.url : undefined;
    if ((id === undefined) === (url === undefined)) {
      problems.push(`${path}: give exactly one of id and url`);
      continue;
    }
    const file = id !== undefined ? findFile(state, id) : state.files.find((f) => url !== undefined && (url.endsWith(`/${f.id}`) || url.includes(`/${f.id}/`)));
    if (file === undefined) problems.push(`${path}: no file ${id ?? url ?? ''} (upload it and complete the upload first)`);
    else if (!isImageName(file.filename)) problems.push(`${path}: file ${file.id} is not an image`);
  }
  if (problems.length === 0) return undefined;
  return fail('invalid_blocks', { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
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
    ...(f.altText === undefined ? {} : { alt_txt: f.altText }),
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
  if (!Number.isInteger(length) || length <= 0) return fail('missing_argument');
  if (length > (state.maxFileBytes ?? MAX_FILE_BYTES)) return fail('file_upload_size_restricted');
  const altText = str(args, 'alt_txt') ?? str(args, 'alt_text');
  if (altText !== undefined && altText.length > MAX_ALT_TEXT) return fail('alt_txt_too_large');
  const fileId = newId(state, 'F');
  state.pendingUploads.set(fileId, { filename, length, ...(altText === undefined ? {} : { altText }) });
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
      ...(pending?.altText === undefined ? {} : { altText: pending.altText }),
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
