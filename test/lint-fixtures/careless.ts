/*
 * Code the linter must refuse (test/unit/lint.test.ts lints this file on purpose; `eslint .` skips
 * this folder). Each line below breaks one rule the project relies on.
 */
async function save(): Promise<void> {
  await Promise.resolve();
}

export function handler(unusedInput: string): void {
  save();
}

export function quiet(): number {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-return
  return JSON.parse('1') as number;
}
