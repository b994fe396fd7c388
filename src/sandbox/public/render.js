// Block Kit and mrkdwn renderer for the Alliance sandbox page.
//
// Every node is built with createElement/textContent: text from the bot or from people never
// goes through innerHTML, so a message cannot inject markup. Whatever is not understood is shown
// as a visible placeholder, never dropped.

/** A few emoji the bot and people use; others stay as :shortcode: text. */
const EMOJI = {
  wave: '👋', white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', warning: '⚠️', mag: '🔍', no_entry: '⛔',
  lock: '🔒', unlock: '🔓', information_source: 'ℹ️', thinking_face: '🤔', office: '🏢', star: '⭐', link: '🔗',
  broken_chain: '⛓️‍💥', calendar: '📆', date: '📅', spiral_calendar_pad: '🗓️', ballot_box_with_ballot: '🗳️',
  bar_chart: '📊', memo: '📝', pushpin: '📌', round_pushpin: '📍', bell: '🔔', alarm_clock: '⏰', clock3: '🕒',
  hourglass: '⌛', hourglass_flowing_sand: '⏳', tada: '🎉', rocket: '🚀', bulb: '💡', fire: '🔥', eyes: '👀',
  thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎', raised_hand: '✋', question: '❓', exclamation: '❗',
  red_circle: '🔴', large_green_circle: '🟢', large_yellow_circle: '🟡', large_blue_circle: '🔵', white_circle: '⚪',
  speech_balloon: '💬', clipboard: '📋', inbox_tray: '📥', outbox_tray: '📤', email: '📧', envelope: '✉️',
  busts_in_silhouette: '👥', bust_in_silhouette: '👤', handshake: '🤝', hospital: '🏥', school: '🏫', books: '📚',
  chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', construction: '🚧', sparkles: '✨', trophy: '🏆',
  medal: '🏅', first_place_medal: '🥇', second_place_medal: '🥈', third_place_medal: '🥉', arrow_right: '➡️',
  arrows_counterclockwise: '🔄', repeat: '🔁', heavy_plus_sign: '➕', heavy_minus_sign: '➖', pencil2: '✏️',
  wastebasket: '🗑️', file_folder: '📁', page_facing_up: '📄', paperclip: '📎', newspaper: '📰', zap: '⚡',
  no_entry_sign: '🚫', heavy_multiplication_x: '✖️', small_blue_diamond: '🔹', small_orange_diamond: '🔸',
  checkered_flag: '🏁', stopwatch: '⏱️', sunrise: '🌅', crossed_fingers: '🤞', ok_hand: '👌', muscle: '💪',
  // Used by the features' views (grep src/features for :name:).
  new: '🆕', dart: '🎯', scissors: '✂️', grey_question: '❔', incoming_envelope: '📨', octagonal_sign: '🛑',
};

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    // Through the CSSOM: the page's CSP forbids style attributes.
    else if (key === 'style') node.style.cssText = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function decodeEntities(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// Dates: <!date^unix^format^link|fallback>, shown in the VIEWER's time zone.

const ordinal = (n) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};

function partsIn(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', hour: 'numeric', minute: '2-digit', second: '2-digit', hour12: true,
  }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type)?.value ?? '';
  const monthNum = new Intl.DateTimeFormat('en-US', { timeZone, month: '2-digit' }).format(date);
  const dayNum = new Intl.DateTimeFormat('en-US', { timeZone, day: '2-digit' }).format(date);
  return {
    year: get('year'), month: get('month'), day: Number(get('day')), weekday: get('weekday'),
    hour: get('hour'), minute: get('minute'), second: get('second'), period: get('dayPeriod'), monthNum, dayNum,
  };
}

function dayKey(date, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

export function formatSlackDate(unixSeconds, format, timeZone, now = new Date()) {
  const date = new Date(unixSeconds * 1000);
  const p = partsIn(date, timeZone);
  const dateLong = `${p.weekday}, ${p.month} ${ordinal(p.day)}, ${p.year}`;
  const dateMid = `${p.month} ${ordinal(p.day)}, ${p.year}`;
  const dateShort = `${p.month.slice(0, 3)} ${p.day}, ${p.year}`;
  const relative = () => {
    const today = dayKey(now, timeZone);
    const key = dayKey(date, timeZone);
    const shift = (days) => dayKey(new Date(now.getTime() + days * 86_400_000), timeZone);
    if (key === today) return 'today';
    if (key === shift(-1)) return 'yesterday';
    if (key === shift(1)) return 'tomorrow';
    return undefined;
  };
  const ago = () => {
    const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
    const abs = Math.abs(seconds);
    const [n, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
    const label = `${n} ${unit}${n === 1 ? '' : 's'}`;
    return seconds >= 0 ? `${label} ago` : `in ${label}`;
  };
  const tokens = {
    date_num: `${p.year}-${p.monthNum}-${p.dayNum}`,
    date: dateMid,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: relative() ?? dateMid,
    date_short_pretty: relative() ?? dateShort,
    date_long_pretty: relative() ?? dateLong,
    time: `${p.hour}:${p.minute} ${p.period}`,
    time_secs: `${p.hour}:${p.minute}:${p.second} ${p.period}`,
    ago: ago(),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, name) => tokens[name] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// mrkdwn

const INLINE_PATTERNS = [
  { kind: 'code', re: /`([^`\n]+)`/ },
  { kind: 'angle', re: /<([^<>\n]+)>/ },
  { kind: 'bold', re: /(?<![\w*])\*(?=\S)([^*\n]*?\S|\S)\*(?![\w*])/ },
  { kind: 'italic', re: /(?<![\w_])_(?=\S)([^_\n]*?\S|\S)_(?![\w_])/ },
  { kind: 'strike', re: /(?<![\w~])~(?=\S)([^~\n]*?\S|\S)~(?![\w~])/ },
];

function textNode(text) {
  return document.createTextNode(emojify(decodeEntities(text)));
}

function angleToken(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const person = ctx.people.get(id);
    return el('span', { class: 'mention', 'data-user': id, text: `@${person?.name ?? (label ? decodeEntities(label) : id)}` });
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const channel = ctx.channels.get(id);
    return el('span', { class: 'mention channel-mention', 'data-channel': id, text: `#${channel?.name ?? (label ? decodeEntities(label) : id)}` });
  }
  if (target.startsWith('!date^')) {
    const [, unix, format, link] = target.split('^');
    const seconds = Number(unix);
    if (!Number.isFinite(seconds)) return textNode(label ?? inner);
    const shown = formatSlackDate(seconds, decodeEntities(format ?? '{date}'), ctx.timeZone, ctx.now());
    const node = el('time', { class: 'slack-date', datetime: new Date(seconds * 1000).toISOString(), 'data-tz': ctx.timeZone, title: label ? decodeEntities(label) : '' }, [shown]);
    return link ? el('a', { href: safeUrl(decodeEntities(link)), target: '_blank', rel: 'noopener noreferrer' }, [node]) : node;
  }
  if (target.startsWith('!subteam^')) return el('span', { class: 'mention', text: label ? decodeEntities(label) : '@group' });
  if (target.startsWith('!')) return el('span', { class: 'mention special-mention', text: `@${target.slice(1)}` });
  const url = decodeEntities(target);
  return el('a', { href: safeUrl(url), target: '_blank', rel: 'noopener noreferrer' }, [label === undefined ? url : emojify(decodeEntities(label))]);
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Only web and mail links are clickable; anything else (javascript:, data:) becomes inert. */
export function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : '#unsafe-link';
}

export function renderInline(text, ctx) {
  const fragment = document.createDocumentFragment();
  let rest = text;
  while (rest.length > 0) {
    let best;
    for (const pattern of INLINE_PATTERNS) {
      const match = pattern.re.exec(rest);
      if (match && (best === undefined || match.index < best.match.index)) best = { pattern, match };
    }
    if (best === undefined) {
      fragment.append(textNode(rest));
      break;
    }
    const { pattern, match } = best;
    if (match.index > 0) fragment.append(textNode(rest.slice(0, match.index)));
    const inner = match[1];
    if (pattern.kind === 'code') fragment.append(el('code', {}, [decodeEntities(inner)]));
    else if (pattern.kind === 'angle') fragment.append(angleToken(inner, ctx));
    else {
      const tag = { bold: 'strong', italic: 'em', strike: 's' }[pattern.kind];
      fragment.append(el(tag, {}, [renderInline(inner, ctx)]));
    }
    rest = rest.slice(match.index + match[0].length);
  }
  return fragment;
}

/** Renders a mrkdwn string: code blocks, block quotes, then inline formatting. */
export function renderMrkdwn(text, ctx) {
  const root = el('div', { class: 'mrkdwn' });
  const pieces = String(text).split(/```/);
  pieces.forEach((piece, index) => {
    if (index % 2 === 1 && index < pieces.length - 1) {
      root.append(el('pre', { class: 'code-block' }, [decodeEntities(piece.replace(/^\n/, ''))]));
      return;
    }
    // An unclosed ``` stays literal; the newline right after a closing fence is part of the fence.
    const chunk = index % 2 === 1 ? `\`\`\`${piece}` : index > 0 ? piece.replace(/^\n/, '') : piece;
    const lines = chunk.split('\n');
    let quote;
    let paragraph = [];
    const flush = () => {
      if (paragraph.length === 0) return;
      root.append(el('span', { class: 'mrkdwn-text' }, [renderInline(paragraph.join('\n'), ctx)]));
      paragraph = [];
    };
    for (const line of lines) {
      const quoted = /^(&gt;|>) ?(.*)$/.exec(line);
      if (quoted) {
        flush();
        if (quote === undefined) {
          quote = el('blockquote');
          root.append(quote);
        } else quote.append('\n');
        quote.append(renderInline(quoted[2], ctx));
        continue;
      }
      quote = undefined;
      paragraph.push(line);
    }
    flush();
  });
  return root;
}

export function renderText(textObject, ctx) {
  if (textObject === undefined || textObject === null) return el('span');
  if (typeof textObject === 'string') return renderMrkdwn(textObject, ctx);
  if (textObject.type === 'mrkdwn') return renderMrkdwn(textObject.text ?? '', ctx);
  return el('span', { class: 'plain' }, [textObject.emoji === false ? textObject.text ?? '' : emojify(textObject.text ?? '')]);
}

const plainOf = (textObject) => (textObject && typeof textObject.text === 'string' ? emojify(textObject.text) : '');

// ---------------------------------------------------------------------------------------------
// Elements

let autoId = 0;
const nextId = (prefix) => `${prefix}${(autoId += 1)}`;

function optionLabel(option) {
  return plainOf(option.text);
}

function allOptions(element) {
  if (Array.isArray(element.options)) return element.options;
  if (Array.isArray(element.option_groups)) return element.option_groups.flatMap((g) => g.options ?? []);
  return [];
}

function optionNodes(element, selected) {
  const build = (option) => el('option', { value: option.value, selected: selected.includes(option.value) }, [optionLabel(option)]);
  if (Array.isArray(element.option_groups)) {
    return element.option_groups.map((group) => el('optgroup', { label: plainOf(group.label) }, (group.options ?? []).map(build)));
  }
  return allOptions(element).map(build);
}

const optionOut = (option) => ({ text: option.text, value: option.value });

/**
 * Builds one interactive element. `surface.fire(action)` sends a block action (messages, and
 * actions blocks in modals); `surface.field(blockId, actionId, read)` registers a value reader
 * for view.state.values.
 */
export function renderElement(element, blockId, ctx, surface, { inInput = false } = {}) {
  const actionId = element.action_id ?? nextId('auto_');
  const fire = (extra) => surface.fire({ type: element.type, action_id: actionId, block_id: blockId, ...extra });
  const dispatch = !inInput || surface.dispatchInInputs?.has(blockId);
  const field = (read) => surface.field(blockId, actionId, () => ({ type: element.type, ...read() }));
  const selectedValues = () => [
    ...(element.initial_option ? [element.initial_option.value] : []),
    ...(element.initial_options ?? []).map((o) => o.value),
  ];
  const peopleOptions = () => [...ctx.people.values()].filter((p) => !p.bot);

  switch (element.type) {
    case 'button': {
      const node = el('button', {
        type: 'button',
        class: `bk-button${element.style ? ` bk-${element.style}` : ''}`,
        'data-action-id': actionId,
        // What a screen reader says instead of the text, as in Slack's clients.
        ...(typeof element.accessibility_label === 'string' ? { 'aria-label': element.accessibility_label } : {}),
        onclick: () =>
          confirmThen(element.confirm, ctx, () => {
            if (element.url) window.open(safeUrl(element.url), '_blank', 'noopener');
            fire({ ...(element.value === undefined ? {} : { value: element.value }), text: element.text });
          }),
      }, [plainOf(element.text)]);
      return node;
    }
    case 'static_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      const kind = element.type;
      const options =
        kind === 'static_select'
          ? optionNodes(element, selectedValues())
          : kind === 'users_select'
            ? peopleOptions().map((p) => el('option', { value: p.id, selected: p.id === element.initial_user }, [`${p.realName ?? p.name}`]))
            : [...ctx.channels.values()].map((c) => el('option', { value: c.id, selected: c.id === (element.initial_conversation ?? element.initial_channel) }, [`#${c.name}`]));
      const hasInitial = selectedValues().length > 0 || element.initial_user || element.initial_conversation || element.initial_channel;
      const select = el('select', { class: 'bk-select', 'data-action-id': actionId }, [
        el('option', { value: '', disabled: true, selected: !hasInitial }, [plainOf(element.placeholder) || 'Select an item']),
        ...options,
      ]);
      const read = () => {
        const value = select.value;
        if (kind === 'static_select') {
          const option = allOptions(element).find((o) => o.value === value);
          return { selected_option: option ? optionOut(option) : null };
        }
        if (kind === 'users_select') return { selected_user: value || null };
        if (kind === 'channels_select') return { selected_channel: value || null };
        return { selected_conversation: value || null };
      };
      field(read);
      if (dispatch) select.addEventListener('change', () => fire(read()));
      return select;
    }
    case 'multi_static_select':
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select': {
      const kind = element.type;
      const options =
        kind === 'multi_static_select'
          ? optionNodes(element, selectedValues())
          : kind === 'multi_users_select'
            ? peopleOptions().map((p) => el('option', { value: p.id, selected: (element.initial_users ?? []).includes(p.id) }, [p.realName ?? p.name]))
            : [...ctx.channels.values()].map((c) => el('option', { value: c.id, selected: (element.initial_conversations ?? element.initial_channels ?? []).includes(c.id) }, [`#${c.name}`]));
      const select = el('select', { class: 'bk-select bk-multi', multiple: true, size: Math.min(6, Math.max(3, options.length)), 'data-action-id': actionId, title: plainOf(element.placeholder) }, options);
      const read = () => {
        const values = [...select.selectedOptions].map((o) => o.value);
        if (kind === 'multi_static_select') return { selected_options: allOptions(element).filter((o) => values.includes(o.value)).map(optionOut) };
        if (kind === 'multi_users_select') return { selected_users: values };
        if (kind === 'multi_channels_select') return { selected_channels: values };
        return { selected_conversations: values };
      };
      field(read);
      if (dispatch) select.addEventListener('change', () => fire(read()));
      return el('div', { class: 'bk-multi-wrap' }, [select, el('div', { class: 'hint', text: 'Ctrl/⌘-click to pick several' })]);
    }
    case 'overflow': {
      const menu = el('div', { class: 'overflow-menu', hidden: true });
      for (const option of element.options ?? []) {
        menu.append(el('button', {
          type: 'button',
          class: 'overflow-item',
          onclick: () => {
            menu.hidden = true;
            confirmThen(element.confirm, ctx, () => fire({ selected_option: optionOut(option) }));
          },
        }, [optionLabel(option)]));
      }
      const toggle = el('button', { type: 'button', class: 'bk-overflow', 'aria-label': 'More options', 'data-action-id': actionId, onclick: () => (menu.hidden = !menu.hidden) }, ['⋯']);
      return el('span', { class: 'overflow-wrap' }, [toggle, menu]);
    }
    case 'datepicker': {
      const input = el('input', { type: 'date', class: 'bk-input', value: element.initial_date ?? '', 'data-action-id': actionId, 'aria-label': plainOf(element.placeholder) || 'Date' });
      const read = () => ({ selected_date: input.value || null });
      field(read);
      if (dispatch) input.addEventListener('change', () => fire(read()));
      return input;
    }
    case 'timepicker': {
      const input = el('input', { type: 'time', class: 'bk-input', value: element.initial_time ?? '', 'data-action-id': actionId, 'aria-label': plainOf(element.placeholder) || 'Time' });
      const read = () => ({ selected_time: input.value || null, ...(element.timezone ? { timezone: element.timezone } : {}) });
      field(read);
      if (dispatch) input.addEventListener('change', () => fire(read()));
      return input;
    }
    case 'datetimepicker': {
      const input = el('input', { type: 'datetime-local', class: 'bk-input', 'data-action-id': actionId });
      if (element.initial_date_time) input.value = localInputValue(element.initial_date_time, ctx.timeZone);
      const read = () => ({ selected_date_time: input.value ? unixFromLocal(input.value, ctx.timeZone) : null });
      field(read);
      if (dispatch) input.addEventListener('change', () => fire(read()));
      return input;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const radio = element.type === 'radio_buttons';
      const name = nextId('group_');
      const initial = radio ? (element.initial_option ? [element.initial_option.value] : []) : (element.initial_options ?? []).map((o) => o.value);
      const inputs = [];
      const read = () => {
        const chosen = (element.options ?? []).filter((_option, i) => inputs[i].checked).map(optionOut);
        return radio ? { selected_option: chosen[0] ?? null } : { selected_options: chosen };
      };
      const list = el('div', { class: `bk-choices ${element.type}`, 'data-action-id': actionId }, (element.options ?? []).map((option) => {
        const input = el('input', { type: radio ? 'radio' : 'checkbox', name, value: option.value, checked: initial.includes(option.value) });
        if (dispatch) input.addEventListener('change', () => fire(read()));
        inputs.push(input);
        return el('label', { class: 'bk-choice' }, [input, el('span', {}, [renderText(option.text, ctx), option.description ? el('div', { class: 'hint' }, [renderText(option.description, ctx)]) : null])]);
      }));
      field(read);
      return list;
    }
    case 'plain_text_input':
    case 'number_input':
    case 'url_text_input':
    case 'email_text_input': {
      const multiline = element.type === 'plain_text_input' && element.multiline === true;
      const type = { number_input: 'number', url_text_input: 'url', email_text_input: 'email' }[element.type] ?? 'text';
      const attrs = {
        class: 'bk-input',
        'data-action-id': actionId,
        placeholder: plainOf(element.placeholder),
        maxlength: element.max_length,
        minlength: element.min_length,
        ...(type === 'number' ? { step: element.is_decimal_allowed ? 'any' : '1', min: element.min_value, max: element.max_value } : {}),
      };
      const input = multiline ? el('textarea', { ...attrs, rows: 4 }) : el('input', { ...attrs, type });
      input.value = element.initial_value ?? '';
      const read = () => ({ value: input.value === '' ? null : input.value });
      field(read);
      if (dispatch && inInput) input.addEventListener('change', () => fire(read()));
      return input;
    }
    case 'image':
      return imageNode(element.image_url, element.alt_text, 'bk-image-small');
    case 'external_select':
    case 'multi_external_select':
    case 'rich_text_input':
    case 'file_input':
    case 'workflow_button':
      return placeholder(`element: ${element.type}`);
    default:
      return placeholder(`element: ${element.type}`);
  }
}

/** An image block shows a URL, or a file uploaded to Slack (`slack_file`), which the sandbox serves itself. */
function imageSource(block) {
  if (typeof block.slack_file?.id === 'string') return `/sandbox/files/${encodeURIComponent(block.slack_file.id)}`;
  return block.image_url;
}

function imageNode(url, alt, cls) {
  const allowed = /^https?:|^data:/i.test(url ?? '') || (url ?? '').startsWith('/sandbox/files/');
  const img = el('img', { src: allowed ? url : '', alt: alt ?? '', class: cls, loading: 'lazy' });
  img.addEventListener('error', () => img.replaceWith(el('span', { class: `${cls} image-missing`, text: `🖼 ${alt ?? 'image'}` })));
  return img;
}

/** Offset (minutes) of a zone at an instant, e.g. -240 for Detroit in summer. */
function offsetMinutes(timeZone, date) {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function unixFromLocal(value, timeZone) {
  const guess = Date.parse(`${value}:00Z`);
  return Math.round((guess - offsetMinutes(timeZone, new Date(guess)) * 60_000) / 1000);
}

function localInputValue(unix, timeZone) {
  const date = new Date(unix * 1000 + offsetMinutes(timeZone, new Date(unix * 1000)) * 60_000);
  return date.toISOString().slice(0, 16);
}

function confirmThen(confirm, ctx, go) {
  if (!confirm) return go();
  ctx.confirm(confirm, go);
}

export function placeholder(what) {
  return el('div', { class: 'unsupported', text: `[unsupported ${what}]` });
}

// ---------------------------------------------------------------------------------------------
// Blocks

function richTextNode(element, ctx) {
  switch (element.type) {
    case 'rich_text_section':
      return el('span', {}, (element.elements ?? []).map((e) => richInline(e, ctx)));
    case 'rich_text_list':
      return el(element.style === 'ordered' ? 'ol' : 'ul', {}, (element.elements ?? []).map((e) => el('li', {}, [richTextNode(e, ctx)])));
    case 'rich_text_quote':
      return el('blockquote', {}, (element.elements ?? []).map((e) => richInline(e, ctx)));
    case 'rich_text_preformatted':
      return el('pre', { class: 'code-block' }, (element.elements ?? []).map((e) => richInline(e, ctx)));
    default:
      return placeholder(`rich text: ${element.type}`);
  }
}

function richInline(e, ctx) {
  let node;
  if (e.type === 'text') node = document.createTextNode(e.text ?? '');
  else if (e.type === 'link') node = el('a', { href: safeUrl(e.url ?? ''), target: '_blank', rel: 'noopener noreferrer' }, [e.text ?? e.url ?? '']);
  else if (e.type === 'user') node = el('span', { class: 'mention', text: `@${ctx.people.get(e.user_id)?.name ?? e.user_id}` });
  else if (e.type === 'channel') node = el('span', { class: 'mention', text: `#${ctx.channels.get(e.channel_id)?.name ?? e.channel_id}` });
  else if (e.type === 'emoji') node = document.createTextNode(EMOJI[e.name] ?? `:${e.name}:`);
  else return placeholder(`rich text: ${e.type}`);
  const style = e.style ?? {};
  if (style.code) node = el('code', {}, [node]);
  if (style.bold) node = el('strong', {}, [node]);
  if (style.italic) node = el('em', {}, [node]);
  if (style.strike) node = el('s', {}, [node]);
  return node;
}

function renderBlock(block, index, ctx, surface) {
  const blockId = block.block_id ?? `auto_block_${index}`;
  const wrap = (cls, children) => el('div', { class: `block ${cls}`, 'data-block-id': blockId, 'data-block-type': block.type }, children);
  switch (block.type) {
    case 'section': {
      const body = el('div', { class: 'section-body' }, [
        block.text ? renderText(block.text, ctx) : null,
        Array.isArray(block.fields) ? el('div', { class: 'fields' }, block.fields.map((f) => el('div', { class: 'field' }, [renderText(f, ctx)]))) : null,
      ]);
      const accessory = block.accessory ? el('div', { class: 'accessory' }, [block.accessory.type === 'image' ? imageNode(block.accessory.image_url, block.accessory.alt_text, 'bk-accessory-image') : renderElement(block.accessory, blockId, ctx, surface)]) : null;
      return wrap('section', [body, accessory]);
    }
    case 'header':
      return wrap('header', [el('h3', {}, [plainOf(block.text)])]);
    case 'divider':
      return wrap('divider', [el('hr')]);
    case 'context':
      return wrap('context', (block.elements ?? []).map((e) => (e.type === 'image' ? imageNode(e.image_url, e.alt_text, 'bk-context-image') : renderText(e, ctx))));
    case 'image':
      return wrap('image', [block.title ? el('div', { class: 'image-title', text: plainOf(block.title) }) : null, imageNode(imageSource(block), block.alt_text, 'bk-image')]);
    case 'actions':
      return wrap('actions', (block.elements ?? []).map((e) => renderElement(e, blockId, ctx, surface)));
    case 'input': {
      if (block.dispatch_action) (surface.dispatchInInputs ??= new Set()).add(blockId);
      const error = surface.errors?.[blockId];
      return wrap(`input${error ? ' has-error' : ''}`, [
        el('label', { class: 'input-label' }, [plainOf(block.label), block.optional ? el('span', { class: 'optional', text: ' (optional)' }) : null]),
        block.element ? renderElement(block.element, blockId, ctx, surface, { inInput: true }) : placeholder('input without element'),
        block.hint ? el('div', { class: 'hint', text: plainOf(block.hint) }) : null,
        el('div', { class: 'field-error', role: 'alert', 'data-error-for': blockId, hidden: !error, text: error ?? '' }),
      ]);
    }
    case 'rich_text':
      return wrap('rich-text', (block.elements ?? []).map((e) => richTextNode(e, ctx)));
    default:
      return el('div', { class: 'block unsupported', 'data-block-type': String(block.type), text: `[unsupported block: ${String(block.type)}]` });
  }
}

export function renderBlocks(blocks, ctx, surface) {
  const container = el('div', { class: 'blocks' });
  blocks.forEach((block, index) => {
    try {
      container.append(renderBlock(block ?? {}, index, ctx, surface));
    } catch (error) {
      container.append(el('div', { class: 'block unsupported', text: `[block ${index} could not be drawn: ${error instanceof Error ? error.message : String(error)}]` }));
    }
  });
  return container;
}

/**
 * Slack keeps what a person entered in a modal's inputs across views.update (and response_action
 * "update") when the new view has the same block_id and action_id; apps rely on it (and change a
 * block_id on purpose to refill a field). Returns the blocks with those entries as initial values.
 */
export function carryValues(blocks, values) {
  const initialFrom = (element, v) => {
    switch (v.type ?? element.type) {
      case 'plain_text_input':
      case 'number_input':
      case 'url_text_input':
      case 'email_text_input':
        return { initial_value: v.value ?? undefined };
      case 'static_select':
      case 'radio_buttons':
        return { initial_option: v.selected_option ?? undefined };
      case 'multi_static_select':
      case 'checkboxes':
        return { initial_options: v.selected_options ?? [] };
      case 'users_select':
        return { initial_user: v.selected_user ?? undefined };
      case 'multi_users_select':
        return { initial_users: v.selected_users ?? [] };
      case 'conversations_select':
        return { initial_conversation: v.selected_conversation ?? undefined };
      case 'multi_conversations_select':
        return { initial_conversations: v.selected_conversations ?? [] };
      case 'channels_select':
        return { initial_channel: v.selected_channel ?? undefined };
      case 'multi_channels_select':
        return { initial_channels: v.selected_channels ?? [] };
      case 'datepicker':
        return { initial_date: v.selected_date ?? undefined };
      case 'timepicker':
        return { initial_time: v.selected_time ?? undefined };
      case 'datetimepicker':
        return { initial_date_time: v.selected_date_time ?? undefined };
      default:
        return {};
    }
  };
  return blocks.map((block) => {
    const element = block?.type === 'input' ? block.element : undefined;
    const entered = element?.action_id === undefined ? undefined : values?.[block.block_id]?.[element.action_id];
    if (entered === undefined || (entered.type !== undefined && entered.type !== element.type)) return block;
    const carried = { ...element, ...initialFrom(element, entered) };
    // An emptied field stays empty rather than falling back to the app's initial value.
    for (const key of Object.keys(carried)) if (carried[key] === undefined) delete carried[key];
    return { ...block, element: carried };
  });
}

/** A surface collects value readers so a submission (or an action) can send view.state.values. */
export function createSurface({ fire, errors = {} }) {
  const readers = [];
  return {
    errors,
    fire,
    field: (blockId, actionId, read) => readers.push({ blockId, actionId, read }),
    values() {
      const values = {};
      for (const { blockId, actionId, read } of readers) (values[blockId] ??= {})[actionId] = read();
      return values;
    },
  };
}
