import { describe, expect, it } from 'vitest';
import { validateMessage, validateModal } from '../../src/fake-slack/block-kit-limits.js';

type Json = Record<string, unknown>;

const x = (n: number): string => 'x'.repeat(n);
const plain = (text: string): Json => ({ type: 'plain_text', text });
const mrkdwn = (text: string): Json => ({ type: 'mrkdwn', text });
const section = (text: string): Json => ({ type: 'section', text: mrkdwn(text) });
const button = (actionId: string, extra: Json = {}): Json => ({
  type: 'button',
  action_id: actionId,
  text: plain('Go'),
  ...extra,
});
const option = (text: string, value: string): Json => ({ text: plain(text), value });
const options = (n: number): Json[] => Array.from({ length: n }, (_, i) => option(`o${i}`, `v${i}`));
const actions = (...elements: Json[]): Json => ({ type: 'actions', elements });
const modal = (extra: Json = {}): Json => ({
  type: 'modal',
  title: plain('Title'),
  blocks: [section('hi')],
  ...extra,
});

interface Case {
  rule: string;
  target: 'message' | 'modal';
  ok: Json;
  bad: Json;
  problem: string;
}

/** Builds the "exactly at the limit" and "one past it" payloads from one builder. */
function atLimit(rule: string, target: Case['target'], max: number, build: (n: number) => Json, problem: string): Case {
  return { rule, target, ok: build(max), bad: build(max + 1), problem };
}
const msg = (...blocks: Json[]): Json => ({ blocks });

const cases: Case[] = [
  atLimit('message max 50 blocks', 'message', 50, (n) => ({ blocks: Array.from({ length: n }, () => ({ type: 'divider' })) }), 'blocks: must have at most 50'),
  atLimit('message text max 40000 chars', 'message', 40_000, (n) => ({ text: x(n) }), 'text: must be at most 40000'),
  atLimit('modal max 100 blocks', 'modal', 100, (n) => modal({ blocks: Array.from({ length: n }, () => ({ type: 'divider' })) }), 'blocks: must have at most 100'),
  atLimit('modal title max 24', 'modal', 24, (n) => modal({ title: plain(x(n)) }), 'title.text'),
  atLimit('modal submit max 24', 'modal', 24, (n) => modal({ submit: plain(x(n)) }), 'submit.text'),
  atLimit('modal close max 24', 'modal', 24, (n) => modal({ close: plain(x(n)) }), 'close.text'),
  atLimit('private_metadata max 3000', 'modal', 3000, (n) => modal({ private_metadata: x(n) }), 'private_metadata'),
  atLimit('callback_id max 255', 'modal', 255, (n) => modal({ callback_id: x(n) }), 'callback_id'),
  atLimit('section text max 3000', 'message', 3000, (n) => msg(section(x(n))), 'blocks[0].text.text'),
  atLimit('section max 10 fields', 'message', 10, (n) => msg({ type: 'section', fields: Array.from({ length: n }, () => mrkdwn('f')) }), 'blocks[0].fields'),
  atLimit('section field max 2000', 'message', 2000, (n) => msg({ type: 'section', fields: [mrkdwn(x(n))] }), 'blocks[0].fields[0].text'),
  atLimit('header text max 150', 'message', 150, (n) => msg({ type: 'header', text: plain(x(n)) }), 'blocks[0].text.text'),
  atLimit('context max 10 elements', 'message', 10, (n) => msg({ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('c')) }), 'blocks[0].elements'),
  atLimit('actions max 25 elements', 'message', 25, (n) => msg(actions(...Array.from({ length: n }, (_, i) => button(`b${i}`)))), 'blocks[0].elements'),
  atLimit('button text max 75', 'message', 75, (n) => msg(actions(button('a', { text: plain(x(n)) }))), 'elements[0].text.text'),
  atLimit('button value max 2000', 'message', 2000, (n) => msg(actions(button('a', { value: x(n) }))), 'elements[0].value'),
  atLimit('button url max 3000', 'message', 3000, (n) => msg(actions(button('a', { url: x(n) }))), 'elements[0].url'),
  atLimit('action_id max 255', 'message', 255, (n) => msg(actions(button(x(n)))), 'elements[0].action_id'),
  atLimit('block_id max 255', 'message', 255, (n) => msg({ ...section('s'), block_id: x(n) }), 'blocks[0].block_id'),
  atLimit('static_select max 100 options', 'message', 100, (n) => msg(actions({ type: 'static_select', action_id: 's', options: options(n) })), 'elements[0].options'),
  atLimit('option text max 75', 'message', 75, (n) => msg(actions({ type: 'static_select', action_id: 's', options: [option(x(n), 'v')] })), 'options[0].text.text'),
  atLimit('option value max 150', 'message', 150, (n) => msg(actions({ type: 'static_select', action_id: 's', options: [option('t', x(n))] })), 'options[0].value'),
  atLimit('overflow max 5 options', 'message', 5, (n) => msg(actions({ type: 'overflow', action_id: 'o', options: options(n) })), 'elements[0].options'),
  {
    rule: 'overflow min 2 options',
    target: 'message',
    ok: msg(actions({ type: 'overflow', action_id: 'o', options: options(2) })),
    bad: msg(actions({ type: 'overflow', action_id: 'o', options: options(1) })),
    problem: 'must have at least 2',
  },
  atLimit('input label max 2000', 'modal', 2000, (n) => modal({ submit: plain('Save'), blocks: [{ type: 'input', label: plain(x(n)), element: { type: 'plain_text_input', action_id: 'i' } }] }), 'blocks[0].label.text'),
  atLimit('plain_text_input max_length max 3000', 'modal', 3000, (n) => modal({ submit: plain('Save'), blocks: [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'i', max_length: n } }] }), 'element.max_length'),
  {
    rule: 'header text must be plain_text',
    target: 'message',
    ok: msg({ type: 'header', text: plain('H') }),
    bad: msg({ type: 'header', text: mrkdwn('H') }),
    problem: 'blocks[0].text.type',
  },
  {
    rule: 'text object type must be plain_text or mrkdwn',
    target: 'message',
    ok: msg({ type: 'section', text: mrkdwn('ok') }),
    bad: msg({ type: 'section', text: { type: 'markdown', text: 'no' } }),
    problem: 'blocks[0].text.type',
  },
  {
    rule: 'text object text must be non-empty',
    target: 'message',
    ok: msg(section('a')),
    bad: msg(section('')),
    problem: 'non-empty',
  },
  {
    rule: 'unknown block types are refused',
    target: 'message',
    ok: msg({ type: 'divider' }),
    bad: msg({ type: 'carousel' }),
    problem: 'unknown block type',
  },
  {
    rule: 'unknown element types are refused',
    target: 'message',
    ok: msg(actions(button('a'))),
    bad: msg(actions({ type: 'slider', action_id: 'a' })),
    problem: 'unknown element type',
  },
  {
    rule: 'elements are refused in blocks that cannot hold them',
    target: 'message',
    ok: msg(actions({ type: 'datepicker', action_id: 'd' })),
    bad: msg(actions({ type: 'plain_text_input', action_id: 'd' })),
    problem: 'not allowed in a actions block',
  },
  {
    rule: 'block_ids are unique within a message',
    target: 'message',
    ok: msg({ ...section('a'), block_id: 'one' }, { ...section('b'), block_id: 'two' }),
    bad: msg({ ...section('a'), block_id: 'one' }, { ...section('b'), block_id: 'one' }),
    problem: 'duplicate block_id "one"',
  },
  {
    rule: 'block_ids are unique within a view',
    target: 'modal',
    ok: modal({ blocks: [{ ...section('a'), block_id: 'one' }, { ...section('b'), block_id: 'two' }] }),
    bad: modal({ blocks: [{ ...section('a'), block_id: 'one' }, { ...section('b'), block_id: 'one' }] }),
    problem: 'duplicate block_id',
  },
  {
    rule: 'action_ids are unique within a block (but may repeat across blocks)',
    target: 'message',
    ok: msg(actions(button('same')), actions(button('same'))),
    bad: msg(actions(button('same'), button('same'))),
    problem: 'duplicate action_id "same"',
  },
  {
    rule: 'a modal with input blocks needs a submit button',
    target: 'modal',
    ok: modal({ submit: plain('Save'), blocks: [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'i' } }] }),
    bad: modal({ blocks: [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'i' } }] }),
    problem: 'submit: is required',
  },
  {
    rule: 'a modal needs a title',
    target: 'modal',
    ok: modal(),
    bad: { type: 'modal', blocks: [] },
    problem: 'title: is required',
  },
];

function validate(target: Case['target'], payload: Json): string[] {
  return target === 'message' ? validateMessage(payload) : validateModal(payload);
}

describe('Block Kit limits', () => {
  describe.each(cases)('$rule', (c) => {
    it('accepts the payload at the limit', () => {
      expect(validate(c.target, c.ok)).toEqual([]);
    });
    it('refuses the payload past the limit with a pointed problem', () => {
      const problems = validate(c.target, c.bad);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toContain(c.problem);
    });
  });

  it('accepts a realistic modal with several input kinds', () => {
    const view = modal({
      callback_id: 'issue_create',
      submit: plain('Create'),
      close: plain('Cancel'),
      private_metadata: JSON.stringify({ team: 'T1' }),
      blocks: [
        { type: 'header', text: plain('New issue') },
        { type: 'input', block_id: 'title', label: plain('Title'), element: { type: 'plain_text_input', action_id: 'v', max_length: 200 } },
        { type: 'input', block_id: 'due', label: plain('Due'), optional: true, element: { type: 'datepicker', action_id: 'v' } },
        { type: 'input', block_id: 'owner', label: plain('Owner'), element: { type: 'users_select', action_id: 'v' } },
        { type: 'input', block_id: 'prio', label: plain('Priority'), element: { type: 'static_select', action_id: 'v', options: options(3) } },
        { type: 'context', elements: [mrkdwn('_Visible to the team_'), { type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a' }] },
      ],
    });
    expect(validateModal(view)).toEqual([]);
  });

  it('accepts a home tab view without a title', () => {
    expect(validateModal({ type: 'home', blocks: [section('Home')] })).toEqual([]);
  });

  it('refuses views that are not modal or home', () => {
    expect(validateModal({ type: 'dialog', blocks: [] })[0]).toContain('type');
    expect(validateModal('nope')).toEqual(['view: must be an object']);
  });

  it('refuses blocks that are not an array', () => {
    expect(validateMessage({ blocks: { type: 'divider' } })).toEqual(['blocks: must be an array']);
  });
});
