import { describe, expect, it } from '@jest/globals';
import { formatPlanSummary, removesRestreaming, summarizePlan, type PlanJson } from '../../../scripts/deploy/plan-summary';

const change = (address: string, actions: string[], mode = 'managed') => ({
  address,
  type: /(aws_[a-z0-9_]+)\.[\w-]+(\[[^\]]*\])?$/.exec(address)![1]!,
  mode,
  change: { actions },
});

const PLAN: PlanJson = {
  resource_changes: [
    change('module.stream_restreaming[0].aws_lambda_function.api', ['update']),
    change('module.stream_restreaming[0].aws_lambda_function.monitor', ['update']),
    change('aws_cognito_user.admin["a@example.com"]', ['create']),
    change('module.stream_restreaming[0].aws_dynamodb_table.destinations', ['delete']),
    change('module.stream_restreaming[0].aws_iam_role.api', ['delete']),
    change('aws_cloudfront_distribution.this', ['delete', 'create']),
    change('aws_s3_bucket.site', ['create', 'delete']),
    change('aws_ivs_channel.this[0]', ['no-op']),
    change('data.aws_caller_identity.current', ['read'], 'data'),
  ],
};

describe('summarizePlan', () => {
  it('counts per action and resource type, and names every destroyed and replaced resource', () => {
    const summary = summarizePlan(PLAN);

    expect(summary.counts).toEqual({
      create: { aws_cognito_user: 1 },
      update: { aws_lambda_function: 2 },
      replace: { aws_cloudfront_distribution: 1, aws_s3_bucket: 1 },
      delete: { aws_dynamodb_table: 1, aws_iam_role: 1 },
    });
    expect(summary.destroyed).toEqual([
      'module.stream_restreaming[0].aws_dynamodb_table.destinations',
      'module.stream_restreaming[0].aws_iam_role.api',
    ]);
    expect(summary.replaced).toEqual(['aws_cloudfront_distribution.this', 'aws_s3_bucket.site']);
  });

  it('formats the counts and lists every destroy by address', () => {
    expect(formatPlanSummary(summarizePlan(PLAN))).toBe(
      [
        'Plan: 1 to create, 2 to change, 2 to replace, 2 to destroy.',
        '  create   aws_cognito_user ×1',
        '  change   aws_lambda_function ×2',
        '  replace  aws_cloudfront_distribution ×1, aws_s3_bucket ×1',
        '  destroy  aws_dynamodb_table ×1, aws_iam_role ×1',
        '  Replaced (destroyed, then created again):',
        '    - aws_cloudfront_distribution.this',
        '    - aws_s3_bucket.site',
        '  Destroyed:',
        '    - module.stream_restreaming[0].aws_dynamodb_table.destinations',
        '    - module.stream_restreaming[0].aws_iam_role.api',
      ].join('\n'),
    );
  });

  it('tells when the plan removes the restreaming control plane', () => {
    expect(removesRestreaming(summarizePlan(PLAN))).toBe(true);
    expect(removesRestreaming(summarizePlan({ resource_changes: [change('aws_ivs_channel.this[0]', ['delete'])] }))).toBe(false);
    expect(removesRestreaming(summarizePlan({}))).toBe(false);
  });
});
