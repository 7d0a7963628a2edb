import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { MutantResult, MutantStatus, MutationTestResult } from 'mutation-testing-report-schema';
import { MUTATION_GROUPS, formatTable, summarise } from '../../scripts/mutation-by-file';

const root = resolve(import.meta.dirname, '../..');

function mutant(id: string, status: MutantStatus): MutantResult {
  return {
    id,
    mutatorName: 'ConditionalExpression',
    replacement: 'true',
    status,
    location: { start: { line: 1, column: 1 }, end: { line: 1, column: 5 } },
  };
}

function report(files: Record<string, MutantStatus[]>): MutationTestResult {
  return {
    schemaVersion: '1',
    thresholds: { high: 80, low: 60 },
    files: Object.fromEntries(
      Object.entries(files).map(([name, statuses]) => [
        name,
        { language: 'typescript', source: 'x', mutants: statuses.map((s, i) => mutant(`${name}#${i}`, s)) },
      ]),
    ),
  };
}

describe('mutation testing by file', () => {
  it('puts every lambdas/core file in exactly one group', () => {
    const coreFiles = readdirSync(join(root, 'lambdas/core'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `lambdas/core/${f}`)
      .sort();
    const grouped = MUTATION_GROUPS.flatMap((g) => g.files);
    expect([...grouped].sort()).toEqual(coreFiles);
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('names only test files that exist, and gives every group some', () => {
    for (const group of MUTATION_GROUPS) {
      expect(group.tests.length).toBeGreaterThan(0);
      for (const test of group.tests) expect({ test, exists: existsSync(join(root, test)) }).toEqual({ test, exists: true });
    }
    expect(new Set(MUTATION_GROUPS.map((g) => g.name)).size).toBe(MUTATION_GROUPS.length);
  });

  it('adds the groups up into one score: detected over valid mutants', () => {
    const { files, total } = summarise([
      report({ 'lambdas/core/a.ts': ['Killed', 'Killed', 'Timeout', 'Survived'] }),
      report({ 'lambdas/core/b.ts': ['Killed', 'NoCoverage', 'CompileError', 'Ignored'] }),
    ]);
    expect(files.map((f) => [f.file, f.score])).toEqual([
      ['lambdas/core/a.ts', 75],
      ['lambdas/core/b.ts', 50],
    ]);
    // 4 detected of 6 valid: compile errors and ignored mutants do not count.
    expect(total).toEqual({ file: 'all files', killed: 3, timeout: 1, survived: 1, noCoverage: 1, score: (4 / 6) * 100 });
  });

  it('counts a file reported twice once, from the later report', () => {
    const { total } = summarise([
      report({ 'lambdas/core/a.ts': ['Survived', 'Survived'] }),
      report({ 'lambdas/core/a.ts': ['Killed', 'Survived'] }),
    ]);
    expect(total).toMatchObject({ killed: 1, survived: 1, score: 50 });
  });

  it('prints one row per file and the total last', () => {
    const table = formatTable(summarise([report({ 'lambdas/core/a.ts': ['Killed', 'Survived'] })]));
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^file\s+\| score %/);
    expect(rows[2]).toMatch(/^lambdas\/core\/a\.ts \|\s+50\.00 \|\s+1 \|\s+0 \|\s+1 \|\s+0$/);
    expect(rows[rows.length - 1]).toMatch(/^all files\s+\|\s+50\.00 \|/);
  });
});
