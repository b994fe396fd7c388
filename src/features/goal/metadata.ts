import { z } from 'zod';
import { decodeJson, decodeValue } from '../../slack/payload.js';
import type { Result } from '../../domain/result.js';

/*
 * What goal forms and buttons carry between Slack and us: client-held, so parsed, never trusted. The
 * ids they name are looked up and permission-checked again by the service.
 */
const slackId = z.string().regex(/^[A-Z0-9]{2,20}$/);

/** The channel the form was opened in; always written, so anything else is a changed form. */
const newGoal = z.object({ c: slackId }).strict();
export const newGoalMetadata = (channelId: string): string => JSON.stringify({ c: channelId });
export const parseNewGoalMetadata = (raw: unknown): Result<{ c: string }> => decodeJson(newGoal, raw);

const goalRef = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict();
export const goalMetadata = (goalId: number): string => JSON.stringify({ id: goalId });
export const parseGoalMetadata = (raw: unknown): Result<{ id: number }> => decodeJson(goalRef, raw);

/** A goal button's value: the goal id. */
export const parseGoalButton = (raw: unknown): Result<string> => decodeValue(z.string().regex(/^[1-9]\d{0,14}$/), raw);
