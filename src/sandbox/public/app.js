// The Alliance sandbox page: a small Slack-like workspace. It reads state from /sandbox/api/state
// and turns clicks into calls to /sandbox/api/*, which the sandbox signs and sends to the bot.
import { carryValues, createSurface, el, renderBlocks, renderMrkdwn, renderText } from './render.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const ui = {
  as: params.get('as') ?? localStorage.getItem('sandbox.as') ?? 'U0COORD01',
  channel: params.get('channel') ?? localStorage.getItem('sandbox.channel') ?? 'C0GENERAL',
  /** Inside Alliance's app entry: its Home tab or its Messages tab (the direct messages). */
  appTab: params.get('tab') ?? 'home',
  renderedHome: '',
  threadTs: undefined,
  state: undefined,
  version: -1,
  renderedMessages: '',
  renderedModal: '',
  seen: JSON.parse(localStorage.getItem('sandbox.seen') ?? '{}'),
};

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: ui.as, ...body }) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error ?? `HTTP ${response.status}`);
  return json;
}

function context() {
  const s = ui.state;
  const me = s.me;
  return {
    people: new Map(s.people.map((p) => [p.id, p])),
    channels: new Map(s.channels.map((c) => [c.id, c])),
    timeZone: me.tz,
    now: () => new Date(),
    confirm: showConfirm,
  };
}

// ---- loading and the long poll --------------------------------------------------------------

async function refresh() {
  const state = await api(`/sandbox/api/state?as=${encodeURIComponent(ui.as)}`);
  ui.state = state;
  render();
  document.body.dataset.version = String(state.version);
}

async function pollForever() {
  for (;;) {
    try {
      const { version } = await api(`/sandbox/api/wait?since=${ui.state?.version ?? 0}`);
      if (version !== ui.state?.version) await refresh();
    } catch {
      // The sandbox restarted or the network blinked: wait a moment and look again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await refresh().catch(() => undefined);
    }
  }
}

// ---- rendering ----------------------------------------------------------------------------

const COLOURS = ['#e8912d', '#2bac76', '#1264a3', '#e01e5a', '#6b3fa0', '#36c5f0', '#b5651d', '#4a154b', '#2eb67d'];
const colourFor = (id) => COLOURS[[...id].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % COLOURS.length];

function render() {
  const s = ui.state;
  $('workspace-name').textContent = s.workspace.name;
  renderSwitcher(s);
  renderSidebar(s);
  renderChannel(s);
  renderAppTabs(s);
  renderModal(s);
}

function renderSwitcher(s) {
  const select = $('person-switcher');
  const wanted = s.people.filter((p) => !p.bot).map((p) => `${p.id}:${p.realName}`).join('|');
  if (select.dataset.people !== wanted) {
    select.replaceChildren(...s.people.filter((p) => !p.bot).map((p) => el('option', { value: p.id }, [`${p.realName} (@${p.name})`])));
    select.dataset.people = wanted;
  }
  select.value = ui.as;
  const tz = s.me.tz;
  $('me-meta').textContent = `@${s.me.name} · ${tz}${s.me.isCoordinator ? ' · coordinator' : ''}${s.me.teamId ? ' · partner workspace' : ''}`;
  $('coordinator-tools').hidden = !s.me.isCoordinator;
}

function navButton(id, label) {
  const list = ui.state.messages[id] ?? [];
  const newest = list.at(-1)?.ts ?? '0';
  const unread = id !== ui.channel && Number(newest) > Number(ui.seen[`${ui.as}:${id}`] ?? '0');
  return el('li', {}, [el('button', { type: 'button', class: `${id === ui.channel ? 'active' : ''}${unread ? ' unread' : ''}`, 'data-channel-id': id, onclick: () => selectChannel(id) }, [label])]);
}

function renderSidebar(s) {
  $('channel-list').replaceChildren(...s.channels.map((c) => navButton(c.id, `# ${c.name}`)));
  $('dm-list').replaceChildren(...s.dms.map((d) => navButton(d.id, `● ${d.name}`)));
  $('app-alliance').classList.toggle('active', ui.channel === APP);
}

// ---- the app's own entry: Home and Messages tabs ------------------------------------------

const APP = 'app:alliance';
const dmOf = (s) => s.dms[0]?.id;

/** What the message pane shows: a channel, or inside the app entry its Messages tab (the DM). */
function shownChannel(s) {
  return ui.channel === APP ? dmOf(s) : ui.channel;
}

function renderAppTabs(s) {
  const inApp = ui.channel === APP;
  $('app-tabs').hidden = !inApp;
  for (const tab of document.querySelectorAll('#app-tabs button')) tab.setAttribute('aria-selected', String(inApp && tab.dataset.tab === ui.appTab));
  const home = inApp && ui.appTab === 'home';
  $('composer').hidden = home;
  if (!home) {
    $('home')?.remove();
    $('messages').hidden = false;
    ui.renderedHome = '';
    return;
  }
  $('messages').hidden = true;
  let pane = $('home');
  if (!pane) {
    pane = el('section', { id: 'home', 'aria-label': 'Alliance Home' });
    $('main').append(pane);
  }
  const view = s.home;
  const key = JSON.stringify([ui.as, view?.id, view?.hash, view?.blocks]);
  if (key === ui.renderedHome) return;
  ui.renderedHome = key;
  if (!view) {
    pane.replaceChildren(el('div', { class: 'empty-channel', text: 'Opening your Home…' }));
    return;
  }
  // Drawn with the same Block Kit renderer as messages and modals; clicks go to the app as Home actions.
  const surface = createSurface({ fire: (action) => sendAction(action, { viewId: view.id, surface }) });
  pane.replaceChildren(renderBlocks(view.blocks ?? [], context(), surface));
  pane.dataset.viewHash = view.hash ?? '';
}

/** Slack tells the app each time someone opens its Home tab; the app publishes what it shows. */
function openAppTab(tab) {
  ui.appTab = tab;
  ui.renderedMessages = '';
  render();
  if (tab === 'home') void run(() => api('/sandbox/api/home-opened', {}));
}

function channelLabel(s, id) {
  const channel = s.channels.find((c) => c.id === id);
  if (channel) return `#${channel.name}`;
  const dm = s.dms.find((d) => d.id === id);
  return dm ? dm.name : id;
}

function formatTime(ts, tz) {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(new Date(Number(ts) * 1000));
}

function messageNode(s, m, ctx, replies = []) {
  const author = ctx.people.get(m.author);
  const bot = author?.bot === true;
  // Slackbot (the sandbox's own notices) is not an app: no APP badge, its own initial.
  const slackbot = m.author === 'USLACKBOT';
  const name = author ? author.realName : m.author;
  const surface = createSurface({ fire: (action) => sendAction(action, { messageTs: m.ts, surface }) });
  const content = Array.isArray(m.blocks) && m.blocks.length > 0 ? renderBlocks(m.blocks, ctx, surface) : renderMrkdwn(m.text ?? '', ctx);
  const fileLink = (f) => el('a', { class: 'file', href: f.url, download: f.name }, [f.image ? '🖼 ' : '📄 ', el('span', { class: 'file-name', text: f.title || f.name }), el('span', { class: 'file-size', text: `${f.name} · ${f.size} bytes` })]);
  const files = m.files?.length
    ? el(
        'div',
        { class: 'files' },
        m.files.map((f) => (f.image ? el('figure', { class: 'file-image' }, [el('img', { src: f.url, alt: f.alt || f.title || f.name, loading: 'lazy' }), fileLink(f)]) : fileLink(f))),
      )
    : null;
  const menu = el('div', { class: 'message-menu' }, [
    ...(m.ephemeral ? [] : s.shortcuts.map((sc) => el('button', { type: 'button', 'data-shortcut': sc.callbackId, onclick: () => runShortcut(sc.callbackId, m.ts) }, [sc.name]))),
    m.ephemeral || m.threadTs ? null : el('button', { type: 'button', class: 'reply-in-thread', onclick: () => startThread(m.ts) }, ['Reply in thread']),
  ]);
  const avatar = el('div', { class: `avatar${bot ? ' bot' : ''}`, style: bot ? undefined : `background:${colourFor(m.author)}` }, [slackbot ? 'S' : bot ? 'A' : (author?.name ?? '?').slice(0, 1).toUpperCase()]);
  if (!bot && author === undefined) avatar.textContent = '?';
  const node = el('div', { class: `message${m.ephemeral ? ' ephemeral' : ''}`, 'data-ts': m.ts, 'data-author': m.author }, [
    avatar,
    el('div', { class: 'message-body' }, [
      m.ephemeral ? el('div', { class: 'ephemeral-note', text: 'Only visible to you' }) : null,
      el('div', { class: 'message-meta' }, [
        el('span', { class: 'author', text: name }),
        bot && !slackbot ? el('span', { class: 'app-badge', text: 'APP' }) : null,
        el('span', { class: 'timestamp', text: formatTime(m.ts, s.me.tz) }),
        m.edited ? el('span', { class: 'edited', text: '(edited)' }) : null,
      ]),
      content,
      files,
      replies.length > 0 ? el('div', { class: 'thread', 'data-thread-ts': m.ts }, [el('div', { class: 'thread-label', text: `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}` }), ...replies.map((r) => messageNode(s, r, ctx))]) : null,
    ]),
    menu,
  ]);
  return node;
}

function renderChannel(s) {
  const channel = shownChannel(s);
  $('channel-title').textContent = ui.channel === APP ? 'Alliance' : channelLabel(s, channel);
  $('channel-hint').textContent =
    ui.channel === APP ? (ui.appTab === 'home' ? 'Your Home: what is waiting for you' : 'Your direct messages with the Alliance app') : s.channels.some((c) => c.id === channel) ? 'Everyone in the sandbox is a member' : 'Your direct messages with the Alliance app';
  const list = s.messages[channel] ?? [];
  const key = JSON.stringify([ui.as, channel, s.people.length, list]);
  if (key === ui.renderedMessages) return;
  ui.renderedMessages = key;
  const ctx = context();
  const top = list.filter((m) => !m.threadTs || m.threadTs === m.ts);
  const replies = (ts) => list.filter((m) => m.threadTs === ts && m.ts !== ts);
  const orphans = list.filter((m) => m.threadTs && m.threadTs !== m.ts && !top.some((t) => t.ts === m.threadTs));
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  box.replaceChildren(
    ...(top.length === 0 && orphans.length === 0 ? [el('div', { class: 'empty-channel', text: `This is the very beginning of ${channelLabel(s, channel)}.` })] : []),
    ...top.map((m) => messageNode(s, m, ctx, replies(m.ts))),
    ...orphans.map((m) => messageNode(s, m, ctx)),
  );
  if (atBottom || ui.scrollToBottom) box.scrollTop = box.scrollHeight;
  ui.scrollToBottom = false;
  const newest = list.at(-1)?.ts;
  if (newest) {
    ui.seen[`${ui.as}:${channel}`] = newest;
    localStorage.setItem('sandbox.seen', JSON.stringify(ui.seen));
  }
}

let modalSurface;
function renderModal(s) {
  const backdrop = $('modal-backdrop');
  const modal = s.modal;
  if (modal === null) {
    backdrop.hidden = true;
    ui.renderedModal = '';
    modalSurface = undefined;
    return;
  }
  const view = modal.view;
  const key = `${view.id}:${view.hash}`;
  if (key !== ui.renderedModal) {
    // The same modal updated (not a new one pushed or opened): what was entered stays, as in Slack.
    const entered = ui.renderedModal.startsWith(`${view.id}:`) && modalSurface ? modalSurface.values() : {};
    ui.renderedModal = key;
    const ctx = context();
    modalSurface = createSurface({ fire: (action) => sendAction(action, { viewId: view.id, surface: modalSurface }), errors: modal.errors });
    $('modal-title').textContent = renderText(view.title, ctx).textContent;
    $('modal-body').replaceChildren(renderBlocks(carryValues(view.blocks ?? [], entered), ctx, modalSurface));
    $('modal-close').textContent = renderText(view.close ?? { type: 'plain_text', text: 'Cancel' }, ctx).textContent;
    const submit = $('modal-submit');
    submit.hidden = !view.submit;
    submit.textContent = view.submit ? renderText(view.submit, ctx).textContent : '';
    $('modal').dataset.viewId = view.id;
    $('modal').dataset.callbackId = view.callback_id ?? '';
    backdrop.hidden = false;
  }
  // Errors change without the view changing: update them in place so typed values survive.
  for (const node of document.querySelectorAll('#modal-body .field-error')) {
    const message = modal.errors[node.dataset.errorFor];
    node.textContent = message ?? '';
    node.hidden = !message;
    node.closest('.block')?.classList.toggle('has-error', Boolean(message));
  }
}

// ---- actions ------------------------------------------------------------------------------

async function run(what) {
  try {
    await what();
  } catch (error) {
    showToast(error instanceof Error ? error.message : String(error));
  }
  await refresh().catch(() => undefined);
  // Tests wait on this counter: one more finished action, page redrawn.
  ui.done = (ui.done ?? 0) + 1;
  document.body.dataset.done = String(ui.done);
}

function showToast(text) {
  const toast = el('div', { class: 'unsupported', role: 'alert', style: 'position:fixed;bottom:16px;right:16px;z-index:20', text });
  document.body.append(toast);
  setTimeout(() => toast.remove(), 5000);
}

function sendAction(action, { messageTs, viewId, surface }) {
  return run(() => api('/sandbox/api/action', { channel: shownChannel(ui.state), messageTs, viewId, action, values: surface?.values() }));
}

function runShortcut(callbackId, messageTs) {
  return run(() => api('/sandbox/api/shortcut', { channel: shownChannel(ui.state), messageTs, callbackId }));
}

function startThread(ts) {
  ui.threadTs = ts;
  $('thread-target').hidden = false;
  $('thread-target-text').textContent = 'Replying in thread';
  $('composer-input').focus();
}

function stopThread() {
  ui.threadTs = undefined;
  $('thread-target').hidden = true;
}

function selectChannel(id) {
  ui.channel = id;
  localStorage.setItem('sandbox.channel', id);
  stopThread();
  ui.scrollToBottom = true;
  ui.renderedMessages = '';
  if (id === APP) openAppTab('home');
  else render();
}

function selectPerson(id) {
  ui.as = id;
  localStorage.setItem('sandbox.as', id);
  ui.renderedMessages = '';
  ui.renderedModal = '';
  ui.renderedHome = '';
  stopThread();
  if (ui.channel === APP && ui.appTab === 'home') void run(() => api('/sandbox/api/home-opened', {}));
  else void run(async () => undefined);
}

async function submitComposer(event) {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  const isCommand = text.startsWith('/');
  ui.scrollToBottom = true;
  await run(() => api('/sandbox/api/send', { channel: shownChannel(ui.state), text, threadTs: isCommand ? undefined : ui.threadTs }));
}

function showConfirm(confirm, go) {
  const ctx = context();
  $('confirm-title').textContent = renderText(confirm.title ?? { type: 'plain_text', text: 'Are you sure?' }, ctx).textContent;
  $('confirm-text').replaceChildren(renderText(confirm.text, ctx));
  $('confirm-ok').textContent = renderText(confirm.confirm ?? { type: 'plain_text', text: 'Yes' }, ctx).textContent;
  $('confirm-deny').textContent = renderText(confirm.deny ?? { type: 'plain_text', text: 'Cancel' }, ctx).textContent;
  $('confirm-backdrop').hidden = false;
  const done = (yes) => {
    $('confirm-backdrop').hidden = true;
    $('confirm-ok').onclick = null;
    $('confirm-deny').onclick = null;
    if (yes) go();
  };
  $('confirm-ok').onclick = () => done(true);
  $('confirm-deny').onclick = () => done(false);
}

function closeModal() {
  const viewId = $('modal').dataset.viewId;
  if (viewId) void run(() => api('/sandbox/api/close', { viewId }));
}

function submitModal() {
  const viewId = $('modal').dataset.viewId;
  if (!viewId || !modalSurface) return;
  const values = modalSurface.values();
  void run(() => api('/sandbox/api/submit', { viewId, values }));
}

function wire() {
  $('person-switcher').addEventListener('change', (e) => selectPerson(e.target.value));
  $('composer').addEventListener('submit', submitComposer);
  $('composer-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('thread-cancel').addEventListener('click', stopThread);
  $('modal-x').addEventListener('click', closeModal);
  $('modal-close').addEventListener('click', closeModal);
  $('modal-submit').addEventListener('click', submitModal);
  $('send-digests').addEventListener('click', () => run(() => api('/sandbox/api/digests', { channel: shownChannel(ui.state) })));
  $('app-alliance').addEventListener('click', () => selectChannel(APP));
  for (const tab of document.querySelectorAll('#app-tabs button')) tab.addEventListener('click', () => openAppTab(tab.dataset.tab));
}

wire();
refresh()
  .then(async () => {
    if (ui.channel === APP && ui.appTab === 'home') await run(() => api('/sandbox/api/home-opened', {}));
    document.body.dataset.ready = 'true';
    void pollForever();
  })
  .catch((error) => showToast(`The sandbox did not answer: ${error instanceof Error ? error.message : String(error)}`));
