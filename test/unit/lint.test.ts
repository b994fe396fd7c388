import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the linter (npm run lint, part of npm test)', () => {
  it('refuses a floating promise, an unused parameter, and a suppression that does not say why or suppresses nothing', async () => {
    const eslint = new ESLint({ cwd: root, ignore: false });
    const [result] = await eslint.lintFiles([join(root, 'test', 'lint-fixtures', 'careless.ts')]);
    // An unused suppression is reported without a rule id (linterOptions.reportUnusedDisableDirectives).
    const found = (result?.messages ?? []).map((m) => `${m.line}:${m.ruleId ?? (m.message.startsWith('Unused eslint-disable') ? 'unused-disable' : m.message)}`).sort();
    expect(found).toEqual(['10:@typescript-eslint/no-floating-promises', '14:@eslint-community/eslint-comments/require-description', '14:unused-disable', '9:@typescript-eslint/no-unused-vars'].sort());
  }, 120_000);
});
