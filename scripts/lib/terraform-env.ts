/**
 * Where Terraform gets the hashicorp/aws provider from.
 *
 * With `TF_PLUGIN_MIRROR` set to a provider mirror directory (the layout
 * `registry.terraform.io/hashicorp/aws/<version>/<os_arch>/...`), we write a CLI configuration
 * that installs providers from that directory only, and point Terraform at it through
 * `TF_CLI_CONFIG_FILE`. Without it, Terraform uses the public registry as usual.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

export function cliConfigFor(mirrorDir: string): string {
  const dir = JSON.stringify(resolve(mirrorDir));
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${dir}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
}

/**
 * The environment for a Terraform child process. Throws when TF_PLUGIN_MIRROR names a directory
 * that does not exist, because Terraform would otherwise fail much later with a registry error.
 */
export async function terraformEnv(base: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...base, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const mirror = base.TF_PLUGIN_MIRROR;
  if (!mirror) return env;
  if (!existsSync(mirror)) {
    throw new Error(
      `TF_PLUGIN_MIRROR is set to "${mirror}", which does not exist. Unset it to use the Terraform registry, or point it at a provider mirror directory.`,
    );
  }
  const dir = join(tmpdir(), 'ivs-restreaming-terraform');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'mirror.tfrc');
  await writeFile(file, cliConfigFor(mirror));
  env.TF_CLI_CONFIG_FILE = file;
  return env;
}
