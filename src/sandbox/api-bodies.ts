import { z } from 'zod';

/* What the sandbox page sends; parsed before anything is done with it. */
export const person = z.string().regex(/^U[A-Z0-9]+$/);
const optionSchema = z.object({ value: z.string(), text: z.object({ type: z.string(), text: z.string() }).optional() });
const actionSchema = z.object({
  type: z.string(),
  action_id: z.string(),
  block_id: z.string(),
  value: z.string().optional(),
  text: z.unknown().optional(),
  selected_option: optionSchema.nullable().optional(),
  selected_options: z.array(optionSchema).optional(),
  selected_date: z.string().nullable().optional(),
  selected_time: z.string().nullable().optional(),
  selected_user: z.string().nullable().optional(),
  selected_users: z.array(z.string()).optional(),
  selected_conversation: z.string().nullable().optional(),
  selected_channel: z.string().nullable().optional(),
});
const stateValues = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
export const bodies = {
  send: z.object({ as: person, channel: z.string().min(1), text: z.string().min(1).max(40_000), threadTs: z.string().optional() }),
  action: z.object({
    as: person,
    channel: z.string().optional(),
    messageTs: z.string().optional(),
    viewId: z.string().optional(),
    action: actionSchema,
    values: stateValues.optional(),
  }),
  submit: z.object({ as: person, viewId: z.string().min(1), values: stateValues }),
  close: z.object({ as: person, viewId: z.string().min(1) }),
  shortcut: z.object({ as: person, channel: z.string().min(1), messageTs: z.string().min(1), callbackId: z.string().min(1) }),
  digests: z.object({ as: person, channel: z.string().min(1) }),
  homeOpened: z.object({ as: person }),
};
