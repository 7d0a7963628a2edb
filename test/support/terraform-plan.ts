/**
 * Plans a Terraform module offline (`terraform test` with its mock_provider, `command = plan`) and
 * returns what the plan holds: every resource's and data source's planned values by address, and
 * the outputs. Used by tests that compare the Terraform code with the TypeScript code.
 */
import { execa } from 'execa';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformEnv } from '../../scripts/lib/terraform-env';

const terraformBin = process.env.TERRAFORM_BIN || 'terraform';

export interface PlannedModule {
  /** Planned values (`change.after`) by address, e.g. `aws_lambda_function.this["api"]`. */
  resources: Map<string, Record<string, unknown>>;
  outputs: Record<string, unknown>;
}

interface TestPlanMessage {
  type: string;
  test_plan?: {
    resource_changes?: { address: string; change: { after?: Record<string, unknown> } }[];
    output_changes?: Record<string, { after?: unknown }>;
  };
}

/**
 * Runs one `tests/<file>.tftest.hcl` of a copy of `moduleDir` (without its .terraform/ and lock
 * file) and returns the plan of its first run.
 */
export async function planModule(moduleDir: string, testFile: string): Promise<PlannedModule> {
  const dir = await mkdtemp(join(tmpdir(), 'terraform-plan-'));
  try {
    await cp(moduleDir, dir, {
      recursive: true,
      filter: (src) => !/[\\/](\.terraform|examples)([\\/]|$)/.test(src.slice(moduleDir.length)) && !src.endsWith('.terraform.lock.hcl'),
    });
    const env = await terraformEnv();
    await execa(terraformBin, [`-chdir=${dir}`, 'init', '-backend=false', '-input=false', '-no-color'], { env });
    const run = await execa(terraformBin, [`-chdir=${dir}`, 'test', '-json', '-verbose', '-no-color', `-filter=${testFile}`], {
      env,
      reject: false,
      maxBuffer: 512 * 1024 * 1024,
    });
    for (const line of run.stdout.split('\n')) {
      if (!line.includes('"test_plan"')) continue;
      const message = JSON.parse(line) as TestPlanMessage;
      if (message.type !== 'test_plan' || !message.test_plan?.resource_changes) continue;
      const resources = new Map(message.test_plan.resource_changes.map((r) => [r.address, r.change.after ?? {}]));
      const outputs = Object.fromEntries(Object.entries(message.test_plan.output_changes ?? {}).map(([k, v]) => [k, v.after]));
      return { resources, outputs };
    }
    throw new Error(`terraform test printed no plan for ${testFile} (exit ${run.exitCode}):\n${run.stdout.slice(-4000)}\n${run.stderr}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The first `regex("…")` in the `variable "<name>"` block of a variables.tf, as a JavaScript RegExp. */
export function variableRegex(variablesTf: string, name: string): RegExp {
  const start = variablesTf.indexOf(`variable "${name}" {`);
  if (start < 0) throw new Error(`variable "${name}" not found`);
  const next = variablesTf.indexOf('\nvariable "', start + 1);
  const block = variablesTf.slice(start, next < 0 ? undefined : next);
  const literal = /regex\("((?:[^"\\]|\\.)*)"/.exec(block)?.[1];
  if (literal === undefined) throw new Error(`variable "${name}" has no regex(...) validation`);
  // An HCL string literal: \\ is one backslash, \" a quote. RE2 and JavaScript agree on the
  // syntax these patterns use (classes, anchors, groups, {m,n}).
  return new RegExp(literal.replace(/\\(["\\])/g, '$1'));
}
