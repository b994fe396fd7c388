import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { WebClient } from '@slack/web-api';

/**
 * Uploads one file the way Slack wants it now (files.upload is retired): `files.getUploadURLExternal`
 * with the exact size, the bytes POSTed to the one-time upload URL it returns, then
 * `files.completeUploadExternal`, which shares it in a channel (or keeps it private to the app when
 * no channel is given, for an image block to reference). This is what `files.uploadV2` in
 * @slack/web-api does, written out so a large CSV streams from disk instead of being read into memory,
 * and so a failure says which step failed.
 */
export interface UploadSource {
  filename: string;
  title: string;
  /** Alt text for images (Slack's `alt_txt`, up to 1,000 characters). */
  altText?: string;
  /** The bytes, or a file on disk to stream. */
  content: Buffer | { path: string };
}

export interface UploadedFile {
  id: string;
}

export class UploadError extends Error {
  constructor(
    readonly step: 'files.getUploadURLExternal' | 'upload' | 'files.completeUploadExternal',
    readonly reason: string,
  ) {
    super(`${step} failed: ${reason}`);
    this.name = 'UploadError';
  }
}

const UPLOAD_TIMEOUT_MS = 60_000;
/** A rate-limited call is tried again after Slack's Retry-After, this often, waiting at most this long in all. */
const RATE_LIMIT_RETRIES = 3;
const RATE_LIMIT_MAX_WAIT_MS = 30_000;

/**
 * The app's client fails fast on 429 (so nobody's 3-second answer waits); work that runs after the
 * answer (an upload, a report's summary) waits for Slack's Retry-After instead, a few times, rather
 * than lose what it was sending.
 */
export async function politely<T>(call: () => Promise<T>): Promise<T> {
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const e = error as { code?: unknown; retryAfter?: unknown };
      const waitMs = typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : 1000;
      if (e.code !== 'slack_webapi_rate_limited_error' || attempt >= RATE_LIMIT_RETRIES || waited + waitMs > RATE_LIMIT_MAX_WAIT_MS) throw error;
      waited += waitMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

function slackReason(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

function postBytes(url: string, source: Buffer | { path: string }, length: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': length }, timeout: UPLOAD_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new UploadError('upload', `HTTP ${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new UploadError('upload', 'timed out')));
    req.on('error', (error) => reject(error instanceof UploadError ? error : new UploadError('upload', error.message)));
    if (Buffer.isBuffer(source)) req.end(source);
    else createReadStream(source.path).on('error', (error) => req.destroy(error)).pipe(req);
  });
}

export async function uploadFile(client: WebClient, file: UploadSource, share: { channelId?: string; initialComment?: string; threadTs?: string } = {}): Promise<UploadedFile> {
  const length = Buffer.isBuffer(file.content) ? file.content.length : (await stat(file.content.path)).size;
  let target: { upload_url?: string; file_id?: string };
  try {
    target = await politely(() => client.files.getUploadURLExternal({ filename: file.filename, length, ...(file.altText === undefined ? {} : { alt_txt: file.altText }) }));
  } catch (error) {
    throw new UploadError('files.getUploadURLExternal', slackReason(error));
  }
  if (target.upload_url === undefined || target.file_id === undefined) throw new UploadError('files.getUploadURLExternal', 'no upload_url in the answer');
  await postBytes(target.upload_url, file.content, length);
  try {
    const fileId = target.file_id;
    await politely(() =>
      client.files.completeUploadExternal({
        files: [{ id: fileId, title: file.title }],
        ...(share.channelId === undefined ? {} : { channel_id: share.channelId }),
        ...(share.initialComment === undefined ? {} : { initial_comment: share.initialComment }),
        ...(share.threadTs === undefined ? {} : { thread_ts: share.threadTs }),
      } as Parameters<WebClient['files']['completeUploadExternal']>[0]),
    );
  } catch (error) {
    throw new UploadError('files.completeUploadExternal', slackReason(error));
  }
  return { id: target.file_id };
}
