import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDeploymentConfig } from '../../../scripts/deploy/config';
import { declaredVariables } from '../../../scripts/deploy/terraform';
import { onlyDeclared, terraformVariables } from '../../../scripts/deploy/terraform-vars';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const INFRA = join(ROOT, 'infra');

const everySetting = resolveDeploymentConfig({
  fileSettings: {
    alarmEmail: 'ops@example.com',
    adminUsers: ['a@example.com'],
    tags: { team: 'video' },
    prices: { mediaLiveInputPerHour: 0.25 },
  },
  fileLabel: 'test',
  env: {},
});

describe('the deploy and infra/ agree', () => {
  it('passes every setting to a variable infra/ declares', async () => {
    const variables = terraformVariables(
      everySetting,
      { api: join(ROOT, 'dist/lambda.zip'), monitor: join(ROOT, 'dist/monitor.zip') },
      INFRA,
    );
    const { undeclared } = onlyDeclared(variables, await declaredVariables(INFRA));
    expect(undeclared).toEqual([]);
  });

  it('passes price overrides as the prices map, and none when the defaults stand', () => {
    const zips = { api: join(ROOT, 'dist/lambda.zip'), monitor: join(ROOT, 'dist/monitor.zip') };
    expect(terraformVariables(everySetting, zips, INFRA).prices).toEqual({ mediaLiveInputPerHour: 0.25 });
    const defaults = resolveDeploymentConfig({ fileSettings: {}, fileLabel: 'test', env: {} });
    expect(terraformVariables(defaults, zips, INFRA)).not.toHaveProperty('prices');
  });

  it('gives zip paths that match the defaults infra/ assumes', () => {
    const variables = terraformVariables(
      everySetting,
      { api: join(ROOT, 'dist/lambda.zip'), monitor: join(ROOT, 'dist/monitor.zip') },
      INFRA,
    );
    expect(variables).toMatchObject({ api_lambda_zip_path: '../dist/lambda.zip', monitor_lambda_zip_path: '../dist/monitor.zip' });
  });

  it('reads only outputs infra/ defines', async () => {
    const outputs = await readFile(join(INFRA, 'outputs.tf'), 'utf8');
    for (const name of [
      'admin_url',
      'api_url',
      'site_bucket_name',
      'cloudfront_distribution_id',
      'cognito_issuer',
      'cognito_client_id',
      'cognito_domain',
      'cognito_scopes',
      'ivs_channel_arns',
      'ivs_ingest_endpoint',
      'ivs_stream_key',
      'enable_stream_restreaming',
    ]) {
      expect(outputs).toContain(`output "${name}"`);
    }
  });
});
