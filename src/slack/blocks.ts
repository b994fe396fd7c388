import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { ViewIds } from './ids.js';
import { plain, truncateMrkdwn } from './mrkdwn.js';

/** Slack refuses a section or context text over 3,000 characters. */
export const SECTION_MAX = 3000;

/** A mrkdwn section, cut (never half an entity) to Slack's limit. */
export const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, SECTION_MAX) } });

/** A one-element mrkdwn context line, cut to Slack's limit. */
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SECTION_MAX) }] });

/** What a form turns into after it was submitted: the outcome said plainly (Slack allows 24 characters of title). */
export function doneModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: ViewIds.formDone,
    title: { type: 'plain_text', text: plain(title, 24) },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [section(text)],
  };
}
/** Packs lines into sections under Slack's 3,000-character limit, saying how many were left out. */
export function chunkLines(lines: string[], maxChars: number, maxChunks: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let used = 0;
  for (const line of lines) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= maxChars) {
      current = candidate;
      used++;
      continue;
    }
    if (current !== '') chunks.push(current);
    if (chunks.length === maxChunks) break;
    current = truncateMrkdwn(line, maxChars);
    used++;
  }
  if (current !== '' && chunks.length < maxChunks) chunks.push(current);
  const left = lines.length - used;
  if (left > 0 && chunks.length > 0) {
    const last = chunks.length - 1;
    chunks[last] = truncateMrkdwn(`${chunks[last]}\n…and ${left} more`, maxChars);
  }
  return chunks;
}

export interface TextInputSpec {
  /** The action id; also the block id unless `blockId` says otherwise (one lookup in view.state.values). */
  id: string;
  blockId?: string;
  label: string;
  maxLength: number;
  /** Shown as typed; empty or missing leaves the field blank. Cut to `maxLength`, as Slack requires. */
  initial?: string | undefined;
  placeholder?: string;
  hint?: string | undefined;
  multiline?: boolean;
  optional?: boolean;
}

/** A plain-text input block for a modal. */
export function textInput(spec: TextInputSpec): KnownBlock {
  return {
    type: 'input',
    block_id: spec.blockId ?? spec.id,
    ...(spec.optional === true ? { optional: true } : {}),
    label: { type: 'plain_text', text: spec.label },
    ...(spec.hint === undefined ? {} : { hint: { type: 'plain_text', text: spec.hint } }),
    element: {
      type: 'plain_text_input',
      action_id: spec.id,
      ...(spec.multiline === true ? { multiline: true } : {}),
      max_length: spec.maxLength,
      ...(spec.placeholder === undefined ? {} : { placeholder: { type: 'plain_text', text: spec.placeholder } }),
      ...(spec.initial === undefined || spec.initial === '' ? {} : { initial_value: plain(spec.initial, spec.maxLength) }),
    },
  };
}

export interface SelectInputSpec {
  /** action_id and block_id. */
  id: string;
  label: string;
  /** Slack allows at most 100 options in a static select; callers cut their lists. */
  options: PlainTextOption[];
  /** The value to preselect; nothing is preselected when no option has it. */
  initialValue?: string | undefined;
  hint?: string;
  optional?: boolean;
}

/** A single-choice menu input block for a modal. */
export function selectInput(spec: SelectInputSpec): KnownBlock {
  const initial = spec.initialValue === undefined ? undefined : spec.options.find((o) => o.value === spec.initialValue);
  return {
    type: 'input',
    block_id: spec.id,
    ...(spec.optional === true ? { optional: true } : {}),
    label: { type: 'plain_text', text: spec.label },
    ...(spec.hint === undefined ? {} : { hint: { type: 'plain_text', text: spec.hint } }),
    element: { type: 'static_select', action_id: spec.id, options: spec.options, ...(initial === undefined ? {} : { initial_option: initial }) },
  };
}
