/**
 * Synthetic bot output that uses every block and element the sandbox draws, and a test-only Bolt
 * listener set that opens a modal with every input type and records what the page submits.
 */
import type { App } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';

export const ALL_INPUTS_CALLBACK = 'sandbox_test_all_inputs';
export const OPEN_ALL_INPUTS = 'sandbox_test_open_modal';
export const MARK_DONE = 'sandbox_test_done';

/** 2023-11-14 22:13:20 UTC: 5:13 PM in Detroit, 4:13 PM in Chicago. */
export const DATE_UNIX = 1_700_000_000;

const option = (value: string, text = value) => ({ text: { type: 'plain_text' as const, text }, value });

export function everyBlockMessage(channelId: string): { text: string; blocks: unknown[] } {
  return {
    text: 'Synthetic message with every block',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Every block :tada:' } },
      {
        type: 'section',
        block_id: 'mrkdwn',
        text: {
          type: 'mrkdwn',
          text: [
            '*bold* _italic_ ~struck~ `code` <https://example.org|a link> <@U0HFH0001> <#' + channelId + '>',
            '• first item\n• second item',
            '&gt; quoted line',
            '```const x = 1 < 2;```',
            'Due <!date^' + DATE_UNIX + '^{date_short} at {time}|Nov 14, 2023>',
            'Not markup: &lt;b&gt;bold?&lt;/b&gt; <script>alert(1)</script>',
          ].join('\n'),
        },
      },
      {
        type: 'section',
        block_id: 'fields',
        fields: [
          { type: 'mrkdwn', text: '*Team*\nCNA' },
          { type: 'mrkdwn', text: '*Owner*\n<@U0COR0001>' },
        ],
        accessory: { type: 'overflow', action_id: 'sandbox_test_overflow', options: [option('edit', 'Edit'), option('close', 'Close issue')] },
      },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Context with *mrkdwn*' }, { type: 'plain_text', text: 'and plain text' }] },
      { type: 'image', image_url: 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', alt_text: 'a pixel', title: { type: 'plain_text', text: 'An image' } },
      {
        type: 'actions',
        block_id: 'buttons',
        elements: [
          { type: 'button', action_id: OPEN_ALL_INPUTS, text: { type: 'plain_text', text: 'Open the form' }, style: 'primary', value: 'open' },
          { type: 'button', action_id: 'sandbox_test_danger', text: { type: 'plain_text', text: 'Delete' }, style: 'danger', value: 'delete-42',
            confirm: { title: { type: 'plain_text', text: 'Sure?' }, text: { type: 'mrkdwn', text: 'Delete *it*?' }, confirm: { type: 'plain_text', text: 'Yes, delete' }, deny: { type: 'plain_text', text: 'Keep' } } },
          { type: 'static_select', action_id: 'sandbox_test_static', placeholder: { type: 'plain_text', text: 'Pick a team' }, options: [option('CNA'), option('MA')] },
          { type: 'multi_static_select', action_id: 'sandbox_test_multi', placeholder: { type: 'plain_text', text: 'Pick several' }, options: [option('a'), option('b')] },
          { type: 'users_select', action_id: 'sandbox_test_user', placeholder: { type: 'plain_text', text: 'Pick a person' } },
          { type: 'datepicker', action_id: 'sandbox_test_date', initial_date: '2025-03-01' },
          { type: 'timepicker', action_id: 'sandbox_test_time', initial_time: '09:30' },
        ],
      },
      {
        type: 'actions',
        block_id: 'choices',
        elements: [
          { type: 'checkboxes', action_id: 'sandbox_test_checkboxes', options: [option('x', 'Check me')] },
          { type: 'radio_buttons', action_id: 'sandbox_test_radio', options: [option('r1', 'Radio one'), option('r2', 'Radio two')] },
        ],
      },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'rich ', style: { bold: true } }, { type: 'emoji', name: 'wave' }] }] },
      { type: 'video', title: { type: 'plain_text', text: 'v' }, video_url: 'https://example.org/v', thumbnail_url: 'https://example.org/t.png', alt_text: 'v' },
    ],
  };
}

export function allInputsModal(): ModalView {
  return {
    type: 'modal',
    callback_id: ALL_INPUTS_CALLBACK,
    private_metadata: 'meta-1',
    title: { type: 'plain_text', text: 'Every input' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Fill *everything*.' } },
      { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'title', max_length: 80 } },
      { type: 'input', block_id: 'details', optional: true, label: { type: 'plain_text', text: 'Details' }, hint: { type: 'plain_text', text: 'Several lines are fine' }, element: { type: 'plain_text_input', action_id: 'details', multiline: true } },
      { type: 'input', block_id: 'due', label: { type: 'plain_text', text: 'Due date' }, element: { type: 'datepicker', action_id: 'due' } },
      { type: 'input', block_id: 'at', label: { type: 'plain_text', text: 'Time' }, element: { type: 'timepicker', action_id: 'at', initial_time: '10:00' } },
      { type: 'input', block_id: 'team', label: { type: 'plain_text', text: 'Team' }, element: { type: 'static_select', action_id: 'team', options: [option('CNA', 'CNA · Nursing'), option('MA', 'MA · Medical')] } },
      { type: 'input', block_id: 'tags', label: { type: 'plain_text', text: 'Tags' }, element: { type: 'multi_static_select', action_id: 'tags', options: [option('funding', 'Funding'), option('placements', 'Placements'), option('data', 'Data')] } },
      { type: 'input', block_id: 'owner', label: { type: 'plain_text', text: 'Owner' }, element: { type: 'users_select', action_id: 'owner' } },
      { type: 'input', block_id: 'watchers', optional: true, label: { type: 'plain_text', text: 'Watchers' }, element: { type: 'multi_users_select', action_id: 'watchers' } },
      { type: 'input', block_id: 'flags', optional: true, label: { type: 'plain_text', text: 'Flags' }, element: { type: 'checkboxes', action_id: 'flags', options: [option('urgent', 'Urgent'), option('public', 'Public')] } },
      { type: 'input', block_id: 'method', label: { type: 'plain_text', text: 'Method' }, element: { type: 'radio_buttons', action_id: 'method', options: [option('simple', 'Simple'), option('ranked', 'Ranked')] } },
      { type: 'input', block_id: 'link', optional: true, label: { type: 'plain_text', text: 'Link' }, element: { type: 'url_text_input', action_id: 'link' } },
      { type: 'input', block_id: 'count', label: { type: 'plain_text', text: 'Count' }, element: { type: 'number_input', action_id: 'count', is_decimal_allowed: false } },
    ] as KnownBlock[],
  };
}

export interface Recorded {
  actions: Array<Record<string, unknown>>;
  submissions: Array<{ values: unknown; privateMetadata: string; user: string }>;
}

/** Registers the test-only listeners; what they see lands in the returned record. */
export function syntheticListeners(recorded: Recorded): (app: App) => void {
  return (app) => {
    app.action(/^sandbox_test_/, async ({ ack, body, action, client, respond }) => {
      await ack();
      recorded.actions.push({ ...(action as unknown as Record<string, unknown>), user: body.user.id });
      if ((action as { action_id?: string }).action_id === MARK_DONE) {
        await respond({ replace_original: true, text: `Done by <@${body.user.id}>` });
      }
      if ((action as { action_id?: string }).action_id === OPEN_ALL_INPUTS && 'trigger_id' in body) {
        await client.views.open({ trigger_id: body.trigger_id, view: allInputsModal() });
      }
    });
    app.view(ALL_INPUTS_CALLBACK, async ({ ack, view, body }) => {
      recorded.submissions.push({ values: view.state.values, privateMetadata: view.private_metadata, user: body.user.id });
      const title = view.state.values.title?.title?.value ?? '';
      if (title.trim().length < 3) {
        await ack({ response_action: 'errors', errors: { title: 'Give the title at least 3 characters.' } });
        return;
      }
      await ack({
        response_action: 'update',
        view: { type: 'modal', title: { type: 'plain_text', text: 'Saved' }, close: { type: 'plain_text', text: 'Done' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Saved *${title}*.` } }] },
      });
    });
  };
}
