/**
 * Block Kit validation that mirrors what Slack refuses with `invalid_blocks` / `invalid_arguments`.
 * Limits come from the Block Kit reference; the fake Slack uses them so that a payload Slack
 * would reject fails in tests too, instead of only in production.
 */

export const LIMITS = {
  messageBlocks: 50,
  messageText: 40_000,
  modalBlocks: 100,
  homeBlocks: 100,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  staticSelectOptions: 100,
  optionGroups: 100,
  overflowMinOptions: 2,
  overflowMaxOptions: 5,
  checkboxOptions: 10,
  radioOptions: 10,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMaxLength: 3000,
  imageUrl: 3000,
  imageAltText: 2000,
  imageTitle: 2000,
  markdownBlockText: 12_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

type Json = Record<string, unknown>;
type BlockKind = 'section' | 'actions' | 'input' | 'context';

interface Ctx {
  problems: string[];
  blockIds: Set<string>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function report(ctx: Ctx, path: string, problem: string): void {
  ctx.problems.push(`${path}: ${problem}`);
}

function checkString(ctx: Ctx, value: unknown, path: string, max: number, required = false): void {
  if (value === undefined) {
    if (required) report(ctx, path, 'is required');
    return;
  }
  if (typeof value !== 'string') {
    report(ctx, path, 'must be a string');
    return;
  }
  if (required && value.length === 0) report(ctx, path, 'must not be empty');
  if (value.length > max) report(ctx, path, `must be at most ${max} characters (got ${value.length})`);
}

interface TextRule {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

function checkText(ctx: Ctx, value: unknown, path: string, rule: TextRule): void {
  if (value === undefined) {
    if (rule.required) report(ctx, path, 'is required');
    return;
  }
  if (!isObject(value)) {
    report(ctx, path, 'must be a text object');
    return;
  }
  const { type, text } = value;
  if (type !== 'plain_text' && type !== 'mrkdwn') {
    report(ctx, `${path}.type`, `must be "plain_text" or "mrkdwn" (got ${JSON.stringify(type)})`);
  } else if (rule.plainOnly && type !== 'plain_text') {
    report(ctx, `${path}.type`, 'must be "plain_text"');
  }
  if (typeof text !== 'string' || text.length === 0) {
    report(ctx, `${path}.text`, 'must be a non-empty string');
    return;
  }
  if (text.length > rule.max) report(ctx, `${path}.text`, `must be at most ${rule.max} characters (got ${text.length})`);
}

function checkArray(ctx: Ctx, value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) {
    report(ctx, path, 'must be an array');
    return [];
  }
  if (value.length < min) report(ctx, path, `must have at least ${min} item(s) (got ${value.length})`);
  if (value.length > max) report(ctx, path, `must have at most ${max} items (got ${value.length})`);
  return value;
}

function checkOption(ctx: Ctx, option: unknown, path: string, plainOnly: boolean): void {
  if (!isObject(option)) {
    report(ctx, path, 'must be an option object');
    return;
  }
  checkText(ctx, option.text, `${path}.text`, { max: LIMITS.optionText, plainOnly, required: true });
  checkString(ctx, option.value, `${path}.value`, LIMITS.optionValue, true);
  checkText(ctx, option.description, `${path}.description`, { max: LIMITS.optionDescription, plainOnly });
  checkString(ctx, option.url, `${path}.url`, LIMITS.buttonUrl);
}

function checkOptions(ctx: Ctx, value: unknown, path: string, min: number, max: number, plainOnly = true): void {
  checkArray(ctx, value, path, min, max).forEach((o, i) => checkOption(ctx, o, `${path}[${i}]`, plainOnly));
}

function checkConfirm(ctx: Ctx, value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    report(ctx, path, 'must be a confirm object');
    return;
  }
  checkText(ctx, value.title, `${path}.title`, { max: LIMITS.confirmTitle, plainOnly: true, required: true });
  checkText(ctx, value.text, `${path}.text`, { max: LIMITS.confirmText, required: true });
  checkText(ctx, value.confirm, `${path}.confirm`, { max: LIMITS.confirmButton, plainOnly: true, required: true });
  checkText(ctx, value.deny, `${path}.deny`, { max: LIMITS.confirmButton, plainOnly: true, required: true });
}

type ElementCheck = (ctx: Ctx, el: Json, path: string) => void;

interface ElementRule {
  allowedIn: readonly BlockKind[];
  check?: ElementCheck;
}

const INTERACTIVE: readonly BlockKind[] = ['section', 'actions', 'input'];

function selectWithOptions(maxOptions: number): ElementCheck {
  return (ctx, el, path) => {
    checkText(ctx, el.placeholder, `${path}.placeholder`, { max: LIMITS.placeholder, plainOnly: true });
    if (el.option_groups !== undefined) {
      checkArray(ctx, el.option_groups, `${path}.option_groups`, 1, LIMITS.optionGroups).forEach((g, i) => {
        const gp = `${path}.option_groups[${i}]`;
        if (!isObject(g)) return report(ctx, gp, 'must be an option group');
        checkText(ctx, g.label, `${gp}.label`, { max: LIMITS.optionText, plainOnly: true, required: true });
        checkOptions(ctx, g.options, `${gp}.options`, 1, maxOptions);
      });
    } else {
      checkOptions(ctx, el.options, `${path}.options`, 1, maxOptions);
    }
  };
}

function placeholderOnly(ctx: Ctx, el: Json, path: string): void {
  checkText(ctx, el.placeholder, `${path}.placeholder`, { max: LIMITS.placeholder, plainOnly: true });
}

function textInput(ctx: Ctx, el: Json, path: string): void {
  placeholderOnly(ctx, el, path);
  for (const key of ['max_length', 'min_length'] as const) {
    const v = el[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) report(ctx, `${path}.${key}`, 'must be a non-negative integer');
    else if (v > LIMITS.plainTextInputMaxLength) {
      report(ctx, `${path}.${key}`, `must be at most ${LIMITS.plainTextInputMaxLength} (got ${v})`);
    }
  }
}

/** Which element types exist and where Slack lets them appear. */
export const ELEMENT_RULES: Record<string, ElementRule> = {
  button: {
    allowedIn: ['section', 'actions'],
    check: (ctx, el, path) => {
      checkText(ctx, el.text, `${path}.text`, { max: LIMITS.buttonText, plainOnly: true, required: true });
      checkString(ctx, el.value, `${path}.value`, LIMITS.buttonValue);
      checkString(ctx, el.url, `${path}.url`, LIMITS.buttonUrl);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        report(ctx, `${path}.style`, 'must be "primary" or "danger"');
      }
    },
  },
  static_select: { allowedIn: INTERACTIVE, check: selectWithOptions(LIMITS.staticSelectOptions) },
  multi_static_select: { allowedIn: INTERACTIVE, check: selectWithOptions(LIMITS.staticSelectOptions) },
  overflow: {
    allowedIn: ['section', 'actions'],
    check: (ctx, el, path) =>
      checkOptions(ctx, el.options, `${path}.options`, LIMITS.overflowMinOptions, LIMITS.overflowMaxOptions),
  },
  checkboxes: {
    allowedIn: INTERACTIVE,
    check: (ctx, el, path) => checkOptions(ctx, el.options, `${path}.options`, 1, LIMITS.checkboxOptions, false),
  },
  radio_buttons: {
    allowedIn: INTERACTIVE,
    check: (ctx, el, path) => checkOptions(ctx, el.options, `${path}.options`, 1, LIMITS.radioOptions, false),
  },
  plain_text_input: { allowedIn: ['input'], check: textInput },
  email_text_input: { allowedIn: ['input'], check: placeholderOnly },
  url_text_input: { allowedIn: ['input'], check: placeholderOnly },
  number_input: { allowedIn: ['input'], check: placeholderOnly },
  rich_text_input: { allowedIn: ['input'], check: placeholderOnly },
  file_input: { allowedIn: ['input'] },
  datepicker: { allowedIn: INTERACTIVE, check: placeholderOnly },
  timepicker: { allowedIn: INTERACTIVE, check: placeholderOnly },
  datetimepicker: { allowedIn: ['actions', 'input'] },
  external_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  multi_external_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  users_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  multi_users_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  conversations_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  multi_conversations_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  channels_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  multi_channels_select: { allowedIn: INTERACTIVE, check: placeholderOnly },
  image: {
    allowedIn: ['section', 'context'],
    check: (ctx, el, path) => {
      if (el.slack_file === undefined) checkString(ctx, el.image_url, `${path}.image_url`, LIMITS.imageUrl, true);
      checkString(ctx, el.alt_text, `${path}.alt_text`, LIMITS.imageAltText, true);
    },
  },
};

function checkElement(ctx: Ctx, el: unknown, path: string, kind: BlockKind, actionIds: Set<string>): void {
  if (!isObject(el)) {
    report(ctx, path, 'must be an element object');
    return;
  }
  const type = typeof el.type === 'string' ? el.type : '';
  const rule = ELEMENT_RULES[type];
  if (!rule) {
    report(ctx, `${path}.type`, `unknown element type ${JSON.stringify(el.type)}`);
    return;
  }
  if (!rule.allowedIn.includes(kind)) {
    report(ctx, `${path}.type`, `element "${type}" is not allowed in a ${kind} block`);
    return;
  }
  if (el.action_id !== undefined) {
    checkString(ctx, el.action_id, `${path}.action_id`, LIMITS.actionId);
    if (typeof el.action_id === 'string') {
      // Slack only demands uniqueness inside the containing block; two blocks may reuse an action_id.
      if (actionIds.has(el.action_id)) report(ctx, `${path}.action_id`, `duplicate action_id "${el.action_id}" in block`);
      actionIds.add(el.action_id);
    }
  }
  checkConfirm(ctx, el.confirm, `${path}.confirm`);
  rule.check?.(ctx, el, path);
}

type BlockCheck = (ctx: Ctx, block: Json, path: string) => void;

const noCheck: BlockCheck = () => undefined;

/** Known block types; anything else is refused the way Slack refuses it. */
export const BLOCK_RULES: Record<string, BlockCheck> = {
  section: (ctx, b, path) => {
    if (b.text === undefined && b.fields === undefined) report(ctx, path, 'a section needs "text" or "fields"');
    checkText(ctx, b.text, `${path}.text`, { max: LIMITS.sectionText });
    if (b.fields !== undefined) {
      checkArray(ctx, b.fields, `${path}.fields`, 1, LIMITS.sectionFields).forEach((f, i) =>
        checkText(ctx, f, `${path}.fields[${i}]`, { max: LIMITS.sectionFieldText, required: true }),
      );
    }
    if (b.accessory !== undefined) checkElement(ctx, b.accessory, `${path}.accessory`, 'section', new Set());
  },
  header: (ctx, b, path) =>
    checkText(ctx, b.text, `${path}.text`, { max: LIMITS.headerText, plainOnly: true, required: true }),
  context: (ctx, b, path) => {
    checkArray(ctx, b.elements, `${path}.elements`, 1, LIMITS.contextElements).forEach((el, i) => {
      const ep = `${path}.elements[${i}]`;
      if (isObject(el) && el.type === 'image') checkElement(ctx, el, ep, 'context', new Set());
      else checkText(ctx, el, ep, { max: LIMITS.sectionText, required: true });
    });
  },
  actions: (ctx, b, path) => {
    const actionIds = new Set<string>();
    checkArray(ctx, b.elements, `${path}.elements`, 1, LIMITS.actionsElements).forEach((el, i) =>
      checkElement(ctx, el, `${path}.elements[${i}]`, 'actions', actionIds),
    );
  },
  input: (ctx, b, path) => {
    checkText(ctx, b.label, `${path}.label`, { max: LIMITS.inputLabel, plainOnly: true, required: true });
    checkText(ctx, b.hint, `${path}.hint`, { max: LIMITS.inputHint, plainOnly: true });
    if (b.element === undefined) report(ctx, `${path}.element`, 'is required');
    else checkElement(ctx, b.element, `${path}.element`, 'input', new Set());
  },
  divider: noCheck,
  image: (ctx, b, path) => {
    if (b.slack_file === undefined) checkString(ctx, b.image_url, `${path}.image_url`, LIMITS.imageUrl, true);
    checkString(ctx, b.alt_text, `${path}.alt_text`, LIMITS.imageAltText, true);
    checkText(ctx, b.title, `${path}.title`, { max: LIMITS.imageTitle, plainOnly: true });
  },
  markdown: (ctx, b, path) => checkString(ctx, b.text, `${path}.text`, LIMITS.markdownBlockText, true),
  rich_text: (ctx, b, path) => {
    checkArray(ctx, b.elements, `${path}.elements`, 1, Number.MAX_SAFE_INTEGER);
  },
  file: noCheck,
  video: noCheck,
};

function checkBlocks(ctx: Ctx, blocks: unknown, max: number): void {
  checkArray(ctx, blocks, 'blocks', 0, max).forEach((block, i) => {
    const path = `blocks[${i}]`;
    if (!isObject(block)) {
      report(ctx, path, 'must be a block object');
      return;
    }
    const rule = typeof block.type === 'string' ? BLOCK_RULES[block.type] : undefined;
    if (!rule) {
      report(ctx, `${path}.type`, `unknown block type ${JSON.stringify(block.type)}`);
      return;
    }
    if (block.block_id !== undefined) {
      checkString(ctx, block.block_id, `${path}.block_id`, LIMITS.blockId);
      if (typeof block.block_id === 'string') {
        if (ctx.blockIds.has(block.block_id)) report(ctx, `${path}.block_id`, `duplicate block_id "${block.block_id}"`);
        ctx.blockIds.add(block.block_id);
      }
    }
    rule(ctx, block, path);
  });
}

function newCtx(): Ctx {
  return { problems: [], blockIds: new Set() };
}

export function validateMessage(args: { text?: unknown; blocks?: unknown }): string[] {
  const ctx = newCtx();
  if (args.text !== undefined && args.text !== null) {
    if (typeof args.text !== 'string') report(ctx, 'text', 'must be a string');
    else if (args.text.length > LIMITS.messageText) {
      report(ctx, 'text', `must be at most ${LIMITS.messageText} characters (got ${args.text.length})`);
    }
  }
  if (args.blocks !== undefined && args.blocks !== null) checkBlocks(ctx, args.blocks, LIMITS.messageBlocks);
  return ctx.problems;
}

export function validateModal(view: unknown): string[] {
  const ctx = newCtx();
  if (!isObject(view)) return ['view: must be an object'];
  if (view.type !== 'modal' && view.type !== 'home') {
    report(ctx, 'type', `must be "modal" or "home" (got ${JSON.stringify(view.type)})`);
    return ctx.problems;
  }
  const isModal = view.type === 'modal';
  if (isModal) {
    checkText(ctx, view.title, 'title', { max: LIMITS.viewTitle, plainOnly: true, required: true });
    checkText(ctx, view.submit, 'submit', { max: LIMITS.viewButton, plainOnly: true });
    checkText(ctx, view.close, 'close', { max: LIMITS.viewButton, plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    // Slack refuses a modal with input blocks but no submit button: the user could never send it.
    if (hasInput && view.submit === undefined) report(ctx, 'submit', 'is required when the view has input blocks');
  }
  checkString(ctx, view.private_metadata, 'private_metadata', LIMITS.privateMetadata);
  checkString(ctx, view.callback_id, 'callback_id', LIMITS.callbackId);
  checkString(ctx, view.external_id, 'external_id', LIMITS.externalId);
  if (view.blocks === undefined) report(ctx, 'blocks', 'is required');
  else checkBlocks(ctx, view.blocks, isModal ? LIMITS.modalBlocks : LIMITS.homeBlocks);
  return ctx.problems;
}
