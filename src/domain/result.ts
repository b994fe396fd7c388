/** What a service returns instead of throwing for things a person can fix. */
export type ProblemCode = 'invalid' | 'not_found' | 'forbidden' | 'conflict' | 'closed';

export interface Problem {
  code: ProblemCode;
  /** Plain text for the person who asked; rendering escapes it for mrkdwn. */
  message: string;
  /** For modal submissions: the input block the message belongs beside. */
  field?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem; problems?: Problem[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (code: ProblemCode, message: string, field?: string): { ok: false; problem: Problem } => ({
  ok: false,
  problem: field === undefined ? { code, message } : { code, message, field },
});

/** Several field problems at once, so a modal shows every error beside its field in one go. */
export const failMany = (problems: Problem[]): { ok: false; problem: Problem; problems: Problem[] } => {
  const [first] = problems;
  if (first === undefined) throw new Error('failMany needs at least one problem');
  return { ok: false, problem: first, problems };
};

export type Clock = () => Date;
