/**
 * Teardown of the runtime resources: what the Lambdas create at run time (MediaLive channels and
 * inputs; the pass-through relays' ECS tasks, task definitions and SSM stream-key parameters),
 * which Terraform does not know and
 * so never deletes. `--destroy` and switching restreaming off run it before Terraform changes
 * anything (so nothing keeps billing even when Terraform then fails) and once more afterwards (to
 * catch what a still-deployed Lambda created in between).
 *
 * Each kind of resource is one `TeardownEngine`; another engine's cleanup is added by appending
 * it to the list `runtimeTeardownEngines` returns.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { mediaLiveTeardown, type WaitOptions } from './teardown-medialive';
import { relayTeardown } from './teardown-relays';

/** A resource the teardown could not remove, and why. */
export interface Leftover {
  /** Kind and id, e.g. `MediaLive channel 1234567 (ivs-restreaming-abc)`. */
  resource: string;
  reason: string;
}

export interface TeardownReport {
  /** Resources removed, described like `Leftover.resource`. */
  removed: string[];
  leftovers: Leftover[];
}

export interface TeardownEngine {
  /** Shown in progress lines and the summary, e.g. `MediaLive`. */
  name: string;
  /** Stops and deletes every resource of the project; never throws for one resource's failure. */
  teardown(progress: (message: string) => void): Promise<TeardownReport>;
}

export interface RuntimeTeardownOptions extends WaitOptions {
  projectName: string;
  region: string;
  medialive: MediaLiveClient;
  ecs: ECSClient;
  ssm: SSMClient;
}

/**
 * The engines for what the deployed Lambdas can create. The relays' engine runs whether or not
 * the deployment has relays (`create_relays`): without its cluster and parameters it finds nothing.
 */
export function runtimeTeardownEngines(options: RuntimeTeardownOptions): TeardownEngine[] {
  return [mediaLiveTeardown(options), relayTeardown(options)];
}

/** Runs every engine in turn; one engine's failure becomes a leftover, the others still run. */
export async function runTeardown(engines: readonly TeardownEngine[], progress: (message: string) => void): Promise<TeardownReport> {
  const report: TeardownReport = { removed: [], leftovers: [] };
  for (const engine of engines) {
    try {
      const part = await engine.teardown((message) => progress(`${engine.name}: ${message}`));
      report.removed.push(...part.removed);
      report.leftovers.push(...part.leftovers);
    } catch (error) {
      report.leftovers.push({
        resource: `every ${engine.name} resource`,
        reason: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      });
    }
  }
  return report;
}

/** Lines listing what the teardown could not remove, for the terminal. */
export function describeLeftovers(leftovers: readonly Leftover[]): string {
  return leftovers.map((l) => `  - ${l.resource}: ${l.reason}`).join('\n');
}
