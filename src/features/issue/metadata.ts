import { z } from 'zod';
import { decodeJson, decodeValue } from '../../slack/payload.js';
import { LIST_SCOPES } from './model.js';
import type { PageToken } from './views.js';

/*
 * What the issue forms and buttons carry between Slack and us. Slack signs the requests, but a
 * button's value and a view's private_metadata are still client-held: parse them, never trust them.
 */

const slackId = z.string().regex(/^[A-Z0-9]{2,20}$/);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/);

const newMetadata = z.object({
  /** Where the form was opened. */
  c: slackId.optional(),
  /** The logged message, for the message shortcut: its ts and the thread to reply in. */
  ts: ts.optional(),
  th: ts.optional(),
});
export type NewIssueMetadata = { channelId?: string; messageTs?: string; threadTs?: string };

export function newIssueMetadata(m: NewIssueMetadata): string {
  return JSON.stringify({
    ...(m.channelId === undefined ? {} : { c: m.channelId }),
    ...(m.messageTs === undefined ? {} : { ts: m.messageTs }),
    ...(m.threadTs === undefined ? {} : { th: m.threadTs }),
  });
}

export function parseNewIssueMetadata(text: string): NewIssueMetadata | undefined {
  const decoded = decodeJson(newMetadata, text === '' ? '{}' : text);
  if (!decoded.ok) return undefined;
  const { c, ts: messageTs, th } = decoded.value;
  return { ...(c === undefined ? {} : { channelId: c }), ...(messageTs === undefined ? {} : { messageTs }), ...(th === undefined ? {} : { threadTs: th }) };
}

const editMetadata = z.object({ id: z.number().int().positive() });

export const editIssueMetadata = (issueId: number): string => JSON.stringify({ id: issueId });

export function parseEditIssueMetadata(text: string): number | undefined {
  const decoded = decodeJson(editMetadata, text);
  return decoded.ok ? decoded.value.id : undefined;
}

/** A list page button: the teams, the filter and the page. Bounded so a forged value cannot ask for absurd work. */
export const pageTokenSchema = z.object({
  t: z.array(z.number().int().positive()).min(1).max(100).nullable(),
  s: z.enum(LIST_SCOPES),
  p: z.number().int().min(1).max(100_000),
});

export function parsePageToken(text: string | undefined): PageToken | undefined {
  const decoded = decodeJson(pageTokenSchema, text);
  return decoded.ok ? decoded.value : undefined;
}

/** An issue button's value: the issue id. */
export function parseIssueId(text: string | undefined): number | undefined {
  const decoded = decodeValue(z.string().regex(/^[1-9]\d{0,14}$/), text);
  return decoded.ok ? Number(decoded.value) : undefined;
}
