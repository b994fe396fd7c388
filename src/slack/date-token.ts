import { DateFormats, formatIn, type Instant } from '../time/zone.js';
import { escapeMrkdwn } from './mrkdwn.js';

/**
 * Slack date token "<!date^UNIX^FORMAT|FALLBACK>": every reader sees the instant in their own Slack
 * time zone; the fallback shows where tokens are unsupported (notifications, old clients).
 */
export function slackDateToken(at: Instant, format: string, fallback: string): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('at is not a valid date');
  // "^" separates token fields and "|"/"<"/">" end the token, so a format containing them would
  // corrupt the message; the format is developer-supplied, so fail loudly.
  if (/[\^|<>\r\n]/.test(format)) throw new RangeError('format must not contain ^ | < > or newlines');
  const safeFallback = fallback
    // Remove token delimiters first so the entity escapes below cannot be affected.
    .replace(/[|^]/g, '')
    .replace(/[\r\n]+/g, ' ');
  return `<!date^${Math.floor(ms / 1000)}^${format}|${escapeMrkdwn(safeFallback)}>`;
}

/** How a date shows: Slack's token format, and the fallback's format in the given zone. */
const STYLES = {
  /** "Thu, Mar 12 at 2:00 PM" for the reader; fallback "Thu 12 Mar, 14:00". */
  short: { token: '{date_short_pretty} at {time}', fallback: DateFormats.weekdayDayTime },
  /** "Thursday, March 12th at 2:00 PM"; fallback "Thu 12 Mar 2026, 14:00 EDT". */
  long: { token: '{date_long_pretty} at {time}', fallback: DateFormats.weekdayDateTimeZone },
  /** "2:00 PM"; fallback "14:00 EDT". */
  time: { token: '{time}', fallback: DateFormats.timeZone },
} as const;

export type SlackDateStyle = keyof typeof STYLES;

/** A date token whose fallback text is the instant in `timeZone` (the collaborative's, or the scheduler's). */
export function slackDate(at: Instant, timeZone: string, style: SlackDateStyle = 'short'): string {
  const { token, fallback } = STYLES[style];
  return slackDateToken(at, token, formatIn(at, timeZone, fallback));
}
