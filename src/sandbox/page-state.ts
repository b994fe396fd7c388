import { HttpProblem, isObject, SLACKBOT, type Json } from './http.js';
import { SHORTCUT_NAMES, type SandboxContext } from './context.js';
import { CommandNames } from '../slack/ids.js';
import { WORKSPACE_ID } from './workspace.js';

/** What the page draws for one person: their channels' messages (their own ephemerals), modal, Home and Slackbot notices. */
export function createPageState(ctx: SandboxContext) {
  const { fake, notices, viewErrors, people, channels, personById, isCoordinator, modalsOf, version } = ctx;
  // ---- reads ---------------------------------------------------------------------------------

  const fileInfo = (id: string): Json => {
    const file = fake.files.find((f) => f.id === id);
    return {
      id,
      name: file?.filename ?? id,
      title: file?.title ?? file?.filename ?? id,
      size: file?.content.length ?? 0,
      url: `/sandbox/files/${encodeURIComponent(id)}`,
      // Images (report charts) are drawn in the message, as Slack does, with their alt text.
      image: /\.png$/i.test(file?.filename ?? ''),
      alt: file?.altText ?? '',
    };
  };

  const state = async (as: string): Promise<Json> => {
    const me = personById(as);
    if (me === undefined) throw new HttpProblem(404, 'no such person in the sandbox');
    const dm = fake.dmChannelId(as);
    const visible = [...channels.map((c) => c.id), dm];
    const messages: Record<string, Json[]> = {};
    for (const channel of visible) {
      const list: Json[] = fake
        .messages(channel)
        .filter((m) => !m.deleted && (!m.ephemeral || m.user === as))
        .map((m) => ({
          ts: m.ts,
          ...(m.threadTs === undefined ? {} : { threadTs: m.threadTs }),
          text: m.text ?? '',
          ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
          ephemeral: m.ephemeral,
          author: m.author ?? fake.botUserId,
          edited: m.updatedTs !== undefined,
          files: (m.files ?? []).map(fileInfo),
        }));
      for (const n of notices) {
        if (n.user === as && n.channel === channel) list.push({ ts: n.ts, text: n.text, ephemeral: true, author: SLACKBOT, edited: false, files: [] });
      }
      list.sort((a, b) => Number(a.ts) - Number(b.ts));
      messages[channel] = list;
    }
    const modals = modalsOf(as);
    const top = modals.at(-1);
    return {
      version: version(),
      workspace: { id: WORKSPACE_ID, name: 'HCASM' },
      me: { ...me, isCoordinator: await isCoordinator(as) },
      people: [
        ...people.map((p) => ({ id: p.id, name: p.name, realName: p.realName, tz: p.tz, external: 'teamId' in p })),
        { id: fake.botUserId, name: 'Alliance', realName: 'Alliance', tz: 'UTC', bot: true },
        { id: SLACKBOT, name: 'Slackbot', realName: 'Slackbot', tz: 'UTC', bot: true },
      ],
      channels: channels.map((c) => ({ id: c.id, name: c.name })),
      dms: [{ id: dm, name: 'Alliance', userId: fake.botUserId }],
      messages,
      modal: top === undefined ? null : { view: top, errors: viewErrors.get(String(top.id)) ?? {}, depth: modals.length },
      home: isObject(fake.homeView(as)) ? fake.homeView(as) : null,
      commands: Object.values(CommandNames),
      shortcuts: Object.entries(SHORTCUT_NAMES).map(([callbackId, name]) => ({ callbackId, name })),
    };
  };

  return { state };
}
