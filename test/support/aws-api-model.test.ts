/**
 * The request validator over AWS's vendored models: that it reads every model it is given, that
 * each kind of check can fail (so a passing request means something), and that the fixtures are
 * what their README says.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { ALL_MODELS, ECS_MODEL, MODELS_DIR, modelViolations, type ServiceModel } from './aws-api-model';
import { AWS_API_NEWER_MEMBERS } from './aws-api-constraints';
import { compileModelPattern } from './model-pattern';

const MODEL_FILES = readdirSync(MODELS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** A small model in botocore's format with one operation whose input has one member of each kind. */
function model(shapes: ServiceModel['shapes']): ServiceModel {
  return {
    metadata: { serviceId: 'Test', apiVersion: '2024-01-01' },
    operations: { Op: { name: 'Op', input: { shape: 'OpRequest' } } },
    shapes,
  };
}

const TEST_MODEL = model({
  OpRequest: {
    type: 'structure',
    required: ['Name'],
    members: {
      Name: { shape: 'Name' },
      Secret: { shape: 'Secret' },
      Count: { shape: 'Count' },
      Ratio: { shape: 'Ratio' },
      Tags: { shape: 'Tags' },
      Labels: { shape: 'Labels' },
      Body: { shape: 'Body' },
      At: { shape: 'At' },
      Choice: { shape: 'Choice' },
      Java: { shape: 'Java' },
    },
  },
  Name: { type: 'string', min: 1, max: 8, pattern: '^[a-z]+$' },
  Secret: { type: 'string', enum: ['A', 'B'], sensitive: true },
  Count: { type: 'integer', min: 1, max: 10 },
  Ratio: { type: 'double', min: 0, max: 1 },
  Tags: { type: 'list', member: { shape: 'Name' }, max: 2 },
  Labels: { type: 'map', key: { shape: 'Name' }, value: { shape: 'Name' }, min: 1 },
  Body: { type: 'blob', max: 4 },
  At: { type: 'timestamp' },
  Choice: { type: 'structure', union: true, members: { A: { shape: 'Name' }, B: { shape: 'Count' } } },
  // Possessive quantifier: Java only.
  Java: { type: 'string', pattern: '^a*+$' },
});

const check = (params: unknown): string[] => modelViolations('Test', TEST_MODEL, 'Op', params);

describe('the model validator', () => {
  it('accepts a request that fits every constraint', () => {
    expect(
      check({
        Name: 'abc',
        Secret: 'A',
        Count: 10,
        Ratio: 0.5,
        Tags: ['a', 'b'],
        Labels: { k: 'v' },
        Body: new Uint8Array(4),
        At: new Date(0),
        Choice: { B: 1 },
      }),
    ).toEqual([]);
  });

  it('rejects values outside min and max: numbers by value, strings by length, lists and maps by entries, blobs by bytes', () => {
    expect(check({ Name: '', Count: 0, Ratio: 1.5, Tags: ['a', 'b', 'c'], Labels: {}, Body: new Uint8Array(5) })).toEqual([
      'Op.Name: length 0 is below the minimum 1',
      'Op.Name: does not match the pattern ^[a-z]+$',
      'Op.Count: value 0 is below the minimum 1',
      'Op.Ratio: value 1.5 is above the maximum 1',
      'Op.Tags: length 3 is above the maximum 2',
      'Op.Labels: number of entries 0 is below the minimum 1',
      'Op.Body: size 5 is above the maximum 4',
    ]);
  });

  it('counts string length in Unicode code points, as the model’s length trait does', () => {
    expect(check({ Name: 'a'.repeat(9) })).toEqual(['Op.Name: length 9 is above the maximum 8']);
    expect(
      modelViolations(
        'Test',
        model({ OpRequest: { type: 'structure', members: { S: { shape: 'S' } } }, S: { type: 'string', max: 2 } }),
        'Op',
        { S: '😀😀' },
      ),
    ).toEqual([]);
  });

  it('rejects an unknown enum value without printing a sensitive one', () => {
    const found = check({ Name: 'abc', Secret: 'stream-key-value' });
    expect(found).toEqual(['Op.Secret: the (sensitive) value is not one of A, B']);
    expect(found.join()).not.toContain('stream-key-value');
  });

  it('checks members of lists and maps, and map keys', () => {
    expect(check({ Name: 'abc', Tags: ['ok', 'NO'], Labels: { Bad: 'ok', ok: 'Bad' } })).toEqual([
      'Op.Tags[1]: does not match the pattern ^[a-z]+$',
      'Op.Labels{key "Bad"}: does not match the pattern ^[a-z]+$',
      'Op.Labels["ok"]: does not match the pattern ^[a-z]+$',
    ]);
  });

  it('rejects missing required members, unknown members, wrong types and a union with two members', () => {
    expect(check({ Extra: 1, Count: 1.5, Ratio: '1', At: {}, Choice: { A: 'a', B: 1 } })).toEqual([
      'Op.Name: required member is missing',
      'Op.Extra: unknown member',
      'Op.Count: expected an integer, got 1.5',
      'Op.Ratio: expected a number, got "1"',
      'Op.At: expected a timestamp',
      'Op.Choice: a union takes exactly one member, got 2',
    ]);
    expect(check(undefined)).toEqual(['Op: the request is empty']);
  });

  it('reports a pattern it cannot compile instead of skipping it', () => {
    expect(check({ Name: 'abc', Java: 'aaa' })).toEqual([
      expect.stringMatching(/^Op\.Java: the pattern \^a\*\+\$ cannot be compiled in JavaScript \(.+\), so the value is unchecked$/),
    ]);
  });
});

describe('model patterns in JavaScript', () => {
  it('compiles every pattern of every vendored model', () => {
    const failures: string[] = [];
    let count = 0;
    for (const m of ALL_MODELS) {
      for (const [name, shape] of Object.entries(m.model().shapes)) {
        if (shape.pattern === undefined) continue;
        count += 1;
        const compiled = compileModelPattern(shape.pattern);
        if (!compiled.ok) failures.push(`${m.service} ${name} ${shape.pattern}: ${compiled.reason}`);
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(100);
  });

  it('rewrites the Java spellings the models use: leading inline flags and escaped punctuation', () => {
    const flags = compileModelPattern('(?i)all|[0-9]{12}'); // SSM AccountId
    expect(flags.ok && [flags.regex.test('ALL'), flags.regex.flags]).toEqual([true, 'iu']);
    const escaped = compileModelPattern('^[\\w\\.\\-\\:\\/ ]*$'); // SSM DocumentDisplayName
    expect(escaped.ok && [escaped.regex.test('My doc: v1.0/x-y'), escaped.regex.test('a;b')]).toEqual([true, false]);
    const dash = compileModelPattern('^[0-9a-f]{8}\\-[0-9a-f]{4}$'); // "\-" outside a class
    expect(dash.ok && [dash.regex.test('0123abcd-ef01'), dash.regex.test('0123abcd_ef01')]).toEqual([true, false]);
  });

  it('matches anywhere in the value unless the pattern is anchored (Smithy’s pattern trait)', () => {
    const unanchored = compileModelPattern('[0-9]+');
    expect(unanchored.ok && unanchored.regex.test('abc1')).toBe(true);
  });

  it.each([
    ['class intersection', '[a-z&&[^x]]'],
    ['a nested class', '[a-z[0-9]]'],
    ['\\v', '^\\v$'],
    ['inline flags after the start', 'a(?i)b'],
    ['a possessive quantifier', 'a++'],
    ['an atomic group', '(?>a)'],
    ['\\Z', 'a\\Z'],
    ['a POSIX class', '\\p{Alpha}'],
  ])('refuses %s, which JavaScript would read differently or not at all', (_what, pattern) => {
    expect(compileModelPattern(pattern)).toEqual({ ok: false, reason: expect.any(String) });
  });
});

describe('the vendored models', () => {
  it('are the files the validators read, each in the README, none over 300 KB, without documentation strings', () => {
    expect(ALL_MODELS.map((m) => m.file.pathname.split('/').pop()).sort()).toEqual(MODEL_FILES);
    const readme = readFileSync(new URL('README.md', MODELS_DIR), 'utf8');
    for (const file of MODEL_FILES) {
      expect(readme).toContain(`\`${file}\``);
      expect(statSync(new URL(file, MODELS_DIR)).size).toBeLessThan(300_000);
      expect(readFileSync(new URL(file, MODELS_DIR), 'utf8')).not.toContain('"documentation"');
    }
    expect(readFileSync(new URL('LICENSE', MODELS_DIR), 'utf8')).toContain('Apache License');
    expect(readFileSync(new URL('NOTICE', MODELS_DIR), 'utf8')).toContain('Botocore');
  });

  it('lack the members aws-api-constraints.ts adds as newer, which the loaded model then has', () => {
    const raw = JSON.parse(readFileSync(ECS_MODEL.file, 'utf8')) as ServiceModel;
    for (const path of Object.keys(AWS_API_NEWER_MEMBERS.ECS ?? {})) {
      const [shape, member] = path.split('.') as [string, string];
      expect(raw.shapes[shape]?.members?.[member]).toBeUndefined();
      expect(ECS_MODEL.model().shapes[shape]?.members?.[member]).toBeDefined();
    }
    expect(ECS_MODEL.violations('RunTask', { taskDefinition: 'td', clientToken: 'x'.repeat(65) })).toEqual([
      'RunTask.clientToken: length 65 is above the maximum 64',
    ]);
  });
});
