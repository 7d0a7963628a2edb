/**
 * Real media behind the simulated MediaLive: while a simulated MediaLive channel is RUNNING, an
 * ffmpeg relay sends what that channel would send — the IVS channel's HLS, encoded with the
 * channel's spec (profile, platform, source type), to the destination's RTMP(S) URL and key. So
 * locally a destination on a real platform key really goes live on that platform, and a local RTMP
 * sink receives what MediaLive would deliver.
 *
 * This follows the engine the reconciler drives today (MediaLive, i.e. `transcode`); it looks at
 * the simulator's channels once a second and starts or stops relays to match. The stream key is
 * read from the destination item and decrypted in memory when a relay starts; the simulator never
 * holds it.
 */
import type { DestinationRepository, Log, StreamKeyDecrypter } from '../../../lambdas/core/ports';
import { TAG_DESTINATION } from '../../../lambdas/core/ports';
import type { AwsSimulator, SimulatedChannel } from '../../../lambdas/testing/simulator';
import { FfmpegRelay } from './relay';
import { RelayFleet, type LaunchedRelay } from './relay-fleet';
import type { MediaTools } from './tools';

export interface MediaLiveRelaysOptions {
  simulator: AwsSimulator;
  destinations: Pick<DestinationRepository, 'get'>;
  cipher: StreamKeyDecrypter;
  tools: MediaTools;
  log: Log;
  /** How often the simulated channels are compared with the running relays. Default 1000 ms. */
  intervalMs?: number;
  /** x264 preset; default veryfast. */
  preset?: string;
}

const RUNNING_STATES = new Set(['RUNNING', 'RECOVERING']);

/** A relay per RUNNING simulated MediaLive channel, keyed by channel id (as the items record it). */
export class MediaLiveRelays extends RelayFleet<SimulatedChannel> {
  constructor(options: MediaLiveRelaysOptions) {
    super({
      label: 'Local relays',
      log: options.log,
      intervalMs: options.intervalMs ?? 1_000,
      running: () =>
        new Map(
          options.simulator
            .channels()
            .filter((c) => RUNNING_STATES.has(c.state) && c.tags[TAG_DESTINATION] !== undefined)
            .map((c) => [c.id, c]),
        ),
      launch: (channelId, channel) => launch(options, channelId, channel),
    });
  }
}

async function launch(options: MediaLiveRelaysOptions, channelId: string, channel: SimulatedChannel): Promise<LaunchedRelay | undefined> {
  const destinationId = channel.tags[TAG_DESTINATION] as string;
  const destination = await options.destinations.get(destinationId);
  if (!destination) return undefined;
  const streamKey = await options.cipher.decrypt(destinationId, destination.streamKeyCiphertext);
  const relay = new FfmpegRelay({
    ffmpegPath: options.tools.ffmpeg,
    destinationId,
    channelArn: destination.channelArn,
    mode: 'transcode',
    profile: channel.spec.profile,
    platform: channel.spec.platform,
    sourceType: channel.spec.sourceType,
    sourceUrl: channel.spec.sourceUrl,
    rtmpUrl: channel.spec.rtmpUrl,
    streamKey,
    log: options.log,
    preset: options.preset,
  });
  const view = { channelId, destinationId, mode: 'transcode' as const, profile: channel.spec.profile, rtmpUrl: channel.spec.rtmpUrl };
  return { relay, view };
}
