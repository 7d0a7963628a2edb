/**
 * The import boundaries and typed rules of eslint.config.js are on: linting a source that crosses one fails with
 * the rule's message. (npm run lint applies them to the real tree; this proves they would catch a
 * crossing rather than silently matching no file.)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** One instance: typed linting starts a TypeScript project service once. */
const eslint = new ESLint({ cwd: ROOT });

async function ruleMessages(file: string, source: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

const restrictedImports = (file: string, source: string) => ruleMessages(file, source, 'no-restricted-imports');

describe('ESLint import boundaries', () => {
  it('keep lambdas/core free of the AWS SDK, adapters, node:crypto and testing code', async () => {
    const messages = await restrictedImports(
      'lambdas/core/errors.ts',
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { randomUUID } from 'node:crypto';",
        "import { readEnvironment } from '../adapters/environment';",
        "import { ManualClock } from '../testing/manual-clock';",
        'export const used = [DynamoDBClient, randomUUID, readEnvironment, ManualClock];',
        '',
      ].join('\n'),
    );

    expect(messages).toHaveLength(4);
    expect(messages.join('\n')).toMatch(/lambdas\/core is pure: AWS calls/);
    expect(messages.join('\n')).toMatch(/IdGenerator/);
    expect(messages.join('\n')).toMatch(/must not import adapters/);
    expect(messages.join('\n')).toMatch(/never shipped/);
  }, 60_000);

  it.each([['lambdas/api/handler.ts'], ['lambdas/monitor/handler.ts'], ['lambdas/adapters/environment.ts']])(
    'keep %s free of lambdas/testing',
    async (file) => {
      const messages = await restrictedImports(file, "import { AwsSimulator } from '../testing';\nexport const used = AwsSimulator;\n");

      expect(messages).toEqual([expect.stringContaining('never shipped')]);
    },
    60_000,
  );

  it('let tests import the simulator', async () => {
    expect(
      await restrictedImports(
        'test/support/system.ts',
        "import { AwsSimulator } from '../../lambdas/testing';\nexport const used = AwsSimulator;\n",
      ),
    ).toEqual([]);
  }, 60_000);

  it('refuse a non-null assertion and a switch that misses a case in shipped code', async () => {
    const source = [
      "type Kind = 'a' | 'b';",
      'export function f(kind: Kind, map: Map<string, number>): number {',
      '  switch (kind) {',
      "    case 'a':",
      "      return map.get('x')!;",
      '  }',
      '  return 0;',
      '}',
      '',
    ].join('\n');

    expect(await ruleMessages('lambdas/core/errors.ts', source, '@typescript-eslint/no-non-null-assertion')).toHaveLength(1);
    expect(await ruleMessages('lambdas/core/errors.ts', source, '@typescript-eslint/switch-exhaustiveness-check')).toHaveLength(1);
  }, 60_000);
});
