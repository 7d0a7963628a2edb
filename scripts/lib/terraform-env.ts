/**
 * Where Terraform gets the hashicorp/aws provider from.
 *
 * With `TF_PLUGIN_MIRROR` set to a provider mirror directory (the layout
 * `registry.terraform.io/hashicorp/aws/<version>/<os_arch>/...`), we write a CLI configuration
 * that installs providers from that directory only, and point Terraform at it through
 * `TF_CLI_CONFIG_FILE`. Without it, the tests (not the deploy) look for such a mirror on the
 * machine (`findProviderMirror`) so that `npm test` passes offline on a machine that carries one;
 * when there is none, Terraform uses the public registry as usual.
 *
 * Run directly (`tsx scripts/lib/terraform-env.ts`), it prints the mirror found, if any: that is
 * how scripts/terraform-test.sh finds it, so the search lives in one place.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a machine's provider mirror is looked for, a few levels deep. */
export function mirrorSearchRoots(home: string | undefined = homedir()): string[] {
  return ['/opt', '/srv', '/usr/local', '/usr/share', ...(home ? [home] : [])];
}

const SKIPPED = new Set(['node_modules', '.git', 'proc', 'sys']);

/**
 * The first directory under `roots` (at most `maxDepth` levels down) that holds
 * `registry.terraform.io/hashicorp/aws`: a filesystem mirror in Terraform's packed or unpacked
 * layout. Symbolic links are not followed; unreadable directories are skipped.
 */
export async function findProviderMirror(roots: readonly string[] = mirrorSearchRoots(), maxDepth = 3): Promise<string | undefined> {
  let level = roots.filter((root) => existsSync(root));
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth += 1) {
    const next: string[] = [];
    for (const dir of level) {
      if (existsSync(join(dir, 'registry.terraform.io', 'hashicorp', 'aws'))) return dir;
      if (depth === maxDepth) continue;
      try {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (entry.isDirectory() && !SKIPPED.has(entry.name)) next.push(join(dir, entry.name));
        }
      } catch {
        // unreadable: skip
      }
    }
    level = next;
  }
  return undefined;
}

export function cliConfigFor(mirrorDir: string): string {
  const dir = JSON.stringify(resolve(mirrorDir));
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${dir}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
}

/**
 * The environment for a Terraform child process. Throws when TF_PLUGIN_MIRROR names a directory
 * that does not exist, because Terraform would otherwise fail much later with a registry error.
 */
export async function terraformEnv(
  base: NodeJS.ProcessEnv = process.env,
  options: { discoverMirror?: boolean } = {},
): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...base, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const mirror = base.TF_PLUGIN_MIRROR || ((options.discoverMirror ?? true) ? await findProviderMirror() : undefined);
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

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mirror = await findProviderMirror();
  if (mirror) process.stdout.write(`${mirror}\n`);
}
