/**
 * Real media behind the simulated ECS: while a simulated pass-through task is RUNNING, an ffmpeg
 * process does what the task's container does in AWS — copy the IVS channel's HLS (`-c copy`) to
 * the destination's RTMP(S) URL and key, starting again with backoff when either side drops.
 *
 * Why a simulated task plus a local process, rather than a local engine of its own: the reconciler
 * then drives the very ECS engine it drives in AWS (`lambdas/adapters/ecs`: the task definition,
 * the SSM SecureString, RunTask's clientToken, the task lifecycle and a task that stops by
 * itself), and the media part is the same ffmpeg copy the container runs. Like the container, the
 * process takes everything from the task: `SOURCE_URL` and `RTMP_URL` from the task definition's
 * environment and the stream key from the SSM parameter named in its `secrets`, resolved by the
 * simulated ECS agent when the task starts. The key is never read from the destination item here.
 * Without ffmpeg the simulated tasks still run (simulated media), as the MediaLive channels do.
 */
import type { Log } from '../../../lambdas/core/ports';
import { TAG_DESTINATION } from '../../../lambdas/core/ports';
import { qualifyId } from '../../../lambdas/core/relay-router';
import type { EcsSimulator, SimTask } from '../../../lambdas/testing/ecs-simulator';
import { ECS_ENGINE_NAME } from '../../../lambdas/adapters/ecs/relay-engine';
import { STREAM_KEY_VARIABLE, tagRecord } from '../../../lambdas/adapters/ecs/requests';
import { FfmpegRelay } from './relay';
import { RelayFleet, type LaunchedRelay } from './relay-fleet';
import type { MediaTools } from './tools';

export interface EcsRelaysOptions {
  ecs: EcsSimulator;
  tools: MediaTools;
  log: Log;
  /** How often the simulated tasks are compared with the running processes. Default 500 ms. */
  intervalMs?: number;
}

/** A copy per RUNNING simulated task, keyed by the relay id the router records (`ecs:<task ARN>`). */
export class EcsRelays extends RelayFleet<SimTask> {
  constructor(options: EcsRelaysOptions) {
    super({
      label: 'Local pass-through relays',
      log: options.log,
      intervalMs: options.intervalMs ?? 500,
      running: () =>
        new Map(
          [...options.ecs.tasks.values()]
            .filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.resolvedEnvironment !== undefined)
            .map((t) => [qualifyId(ECS_ENGINE_NAME, t.taskArn as string), t]),
        ),
      launch: (_relayId, task) => Promise.resolve(launch(options, task)),
    });
  }
}

function launch(options: EcsRelaysOptions, task: SimTask): LaunchedRelay | undefined {
  const env = task.resolvedEnvironment as Record<string, string>;
  const destinationId = tagRecord(task.tags)[TAG_DESTINATION] ?? 'unknown';
  const streamKey = env[STREAM_KEY_VARIABLE];
  const sourceUrl = env.SOURCE_URL;
  const rtmpUrl = env.RTMP_URL;
  if (streamKey === undefined || sourceUrl === undefined || rtmpUrl === undefined) return undefined;
  const relay = new FfmpegRelay({
    ffmpegPath: options.tools.ffmpeg,
    destinationId,
    mode: 'passthrough',
    // Not used by a copy; FfmpegRelay takes them for transcoding.
    profile: '1080p30-6000',
    platform: 'custom',
    sourceUrl,
    rtmpUrl,
    streamKey,
    log: options.log,
  });
  const view = { channelId: task.taskArn as string, destinationId, mode: 'passthrough' as const, profile: null, rtmpUrl };
  return { relay, view };
}
