import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProviderMirror, terraformEnv } from '../../../scripts/lib/terraform-env';

let root: string;
const mirrorAt = async (...parts: string[]) => {
  await mkdir(join(root, ...parts, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64'), { recursive: true });
  return join(root, ...parts);
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mirror-search-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findProviderMirror', () => {
  it('finds a mirror a few levels down', async () => {
    await mkdir(join(root, 'empty', 'deeper'), { recursive: true });
    const mirror = await mirrorAt('tools', 'tf-plugins');

    expect(await findProviderMirror([root])).toBe(mirror);
  });

  it('does not search deeper than asked, nor inside node_modules', async () => {
    await mirrorAt('a', 'b', 'c', 'd');
    await mirrorAt('node_modules', 'x');

    expect(await findProviderMirror([root], 3)).toBeUndefined();
  });

  it('skips roots that do not exist', async () => {
    const mirror = await mirrorAt('m');
    expect(await findProviderMirror([join(root, 'missing'), root])).toBe(mirror);
  });
});

describe('terraformEnv', () => {
  it('writes a CLI configuration for TF_PLUGIN_MIRROR', async () => {
    const mirror = await mirrorAt('m');

    const env = await terraformEnv({ TF_PLUGIN_MIRROR: mirror });

    expect(await readFile(env.TF_CLI_CONFIG_FILE!, 'utf8')).toContain(`path    = ${JSON.stringify(mirror)}`);
  });

  it('leaves the registry alone when asked not to look for a mirror and none is named (the deploy)', async () => {
    const env = await terraformEnv({ PATH: '/usr/bin' }, { discoverMirror: false });

    expect(env.TF_CLI_CONFIG_FILE).toBeUndefined();
  });
});
