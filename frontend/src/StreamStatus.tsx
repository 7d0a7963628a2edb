import type { ChannelStatusView, LocalMediaLiveChannel } from './api';
import type { LocalMediaConfig } from './config';
import { channelLabel, formatClock, formatCountdown, timeInState } from './format';

interface StreamStatusProps {
  channels: readonly ChannelStatusView[] | null;
  now: number;
  /** Ends the channel's grace period now (POST /channels/{channelId}/end-grace). */
  onEndGrace?: (channel: ChannelStatusView) => void;
  /** Channel ARNs with an end-grace request on its way. */
  ending?: ReadonlySet<string>;
}

/** LIVE since … / OFFLINE for every tracked IVS channel. */
export function StreamStatus({ channels, now, onEndGrace, ending }: StreamStatusProps) {
  if (channels === null) return null;
  if (channels.length === 0) {
    return (
      <section class="streams" aria-label="Stream status">
        <p class="muted">No IVS channel is tracked. Set IVS_CHANNEL_ARNS (or the deployment's channel list).</p>
      </section>
    );
  }
  const many = channels.length > 1;
  return (
    <section class="streams" aria-label="Stream status">
      {channels.map((channel) => {
        const live = channel.state === 'LIVE';
        const duration = timeInState(channel.since, now);
        return (
          <div
            key={channel.channelArn}
            class={live ? 'stream stream-live' : 'stream'}
            data-testid="channel-status"
            data-channel-arn={channel.channelArn}
            data-state={channel.state}
            title={channel.channelArn}
          >
            <span class="stream-dot" aria-hidden="true" />
            <span class="stream-state">{live ? 'LIVE' : 'OFFLINE'}</span>
            {live && channel.since && (
              <span class="stream-since">
                since {formatClock(channel.since, now)}
                {duration && ` (${duration})`}
              </span>
            )}
            {!live && channel.since && duration && <span class="stream-since">for {duration}</span>}
            <span class="stream-channel">
              {many ? channelLabel(channel.channelArn) : `IVS channel ${channelLabel(channel.channelArn)}`}
            </span>
            {!live && channel.stopsAt && Date.parse(channel.stopsAt) > now && (
              <span class="stream-grace" data-testid="grace-period">
                Grace period: running destinations stop in {formatCountdown(Date.parse(channel.stopsAt) - now)}
                {onEndGrace && (
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={ending?.has(channel.channelArn) ?? false}
                    aria-label={`End the grace period of ${channelLabel(channel.channelArn)} now`}
                    data-testid="end-grace-button"
                    onClick={() => onEndGrace(channel)}
                  >
                    End now
                  </button>
                )}
              </span>
            )}
          </div>
        );
      })}
    </section>
  );
}

interface LocalBannerProps {
  channels: readonly ChannelStatusView[] | null;
  /** The simulator's MediaLive channels, null until loaded (or when the server does not list them). */
  mediaLive: readonly LocalMediaLiveChannel[] | null;
  now: number;
  /** Target state while a go-live / end-stream request is on its way, by channel ARN. */
  pending: Readonly<Record<string, boolean>>;
  onToggle: (channelArn: string, live: boolean) => void;
  /** Real media (ffmpeg) or why it is simulated; absent from older local stacks. */
  media?: LocalMediaConfig;
}

/** The local stack's banner: the simulated IVS stream can be switched on and off here. */
export function LocalBanner({ channels, mediaLive, now, pending, onToggle, media }: LocalBannerProps) {
  const list = channels ?? [];
  const many = list.length > 1;
  return (
    <section class="local-banner" data-testid="local-banner" aria-label="Local mode">
      <p>
        <strong>Local mode</strong> — simulated IVS and MediaLive
        {media && (media.real ? ', real media (ffmpeg)' : ', simulated media')}
      </p>
      {media?.real && media.ingests.length > 0 && (
        <ul class="local-ingest" data-testid="local-ingest">
          {media.ingests.map((ingest) => (
            <li key={ingest.channelArn}>
              {many && <span>{channelLabel(ingest.channelArn)}: </span>}
              Push with OBS or ffmpeg — Server <code>{ingest.server}</code> Stream key <code>{ingest.streamKey}</code> · HLS{' '}
              <a href={ingest.playbackUrl}>{ingest.playbackUrl}</a> · “Go live” pushes a test pattern when no encoder is connected.
            </li>
          ))}
        </ul>
      )}
      {media && !media.real && media.reason && (
        <p class="muted" data-testid="local-media-simulated">
          Media is simulated: {media.reason}.
        </p>
      )}
      <div class="local-switches">
        {list.map((channel) => {
          const target = pending[channel.channelArn];
          const live = target ?? channel.state === 'LIVE';
          const name = many ? `Go live on ${channelLabel(channel.channelArn)}` : 'Go live';
          return (
            <label class="switch" key={channel.channelArn}>
              <input
                type="checkbox"
                role="switch"
                checked={live}
                disabled={target !== undefined}
                aria-label={name}
                data-testid="go-live-switch"
                data-channel-arn={channel.channelArn}
                onChange={(event) => onToggle(channel.channelArn, event.currentTarget.checked)}
              />
              <span class="switch-track" aria-hidden="true" />
              <span>{live ? `${many ? channelLabel(channel.channelArn) + ': ' : ''}Live · switch off to end the stream` : name}</span>
            </label>
          );
        })}
      </div>
      {mediaLive && (
        <details class="local-medialive" data-testid="simulated-medialive">
          <summary>Simulated MediaLive: {mediaLive.length === 0 ? 'no channels' : summarize(mediaLive)}</summary>
          {mediaLive.length > 0 && (
            <ul>
              {mediaLive.map((channel) => {
                const duration = timeInState(channel.stateSince, now);
                return (
                  <li key={channel.id} data-testid="simulated-channel" data-state={channel.state}>
                    <code>{channel.name ?? channel.id}</code> {channel.state}
                    {duration && <span class="muted"> for {duration}</span>}
                  </li>
                );
              })}
            </ul>
          )}
        </details>
      )}
    </section>
  );
}

/** "3 channels: 2 RUNNING, 1 IDLE". */
function summarize(list: readonly LocalMediaLiveChannel[]): string {
  const counts = new Map<string, number>();
  for (const channel of list) counts.set(channel.state, (counts.get(channel.state) ?? 0) + 1);
  const parts = [...counts].map(([state, count]) => `${count} ${state}`);
  return `${list.length} channel${list.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
