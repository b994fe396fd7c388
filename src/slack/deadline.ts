/** A Web API call made before the ack did not answer in time; the person is told, nothing is stored. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Slack waits 3 seconds for an ack, but the Web API client's own timeout is 10 seconds (it must
 * let slow jobs finish). A call made before the ack races this deadline instead, so a hung Slack
 * still gets an answer in time. The losing call keeps running; its outcome is handled (ignored).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
