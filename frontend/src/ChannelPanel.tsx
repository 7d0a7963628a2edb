import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiClient, type ChannelStatusView, type ChannelView } from './api';
import { channelLabel } from './format';
import { PreviewPlayer } from './PreviewPlayer';

interface ChannelPanelsProps {
  api: ApiClient;
  channels: readonly ChannelStatusView[];
}

/** Per IVS channel: a live preview and the encoder settings (server, stream key on demand). */
export function ChannelPanels({ api, channels }: ChannelPanelsProps) {
  return (
    <section class="channel-panels" aria-label="IVS channels">
      {channels.map((channel) => (
        <ChannelPanel key={channel.channelArn} api={api} channel={channel} many={channels.length > 1} />
      ))}
    </section>
  );
}

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : 'The request failed.';
}

function ChannelPanel({ api, channel, many }: { api: ApiClient; channel: ChannelStatusView; many: boolean }) {
  const [info, setInfo] = useState<ChannelView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [open, setOpen] = useState(false);
  const label = channelLabel(channel.channelArn);
  const live = channel.state === 'LIVE';

  // Asked when the panel is first opened, not on every page load: each answer is an IVS GetChannel,
  // and IVS's request rates are per account.
  useEffect(() => {
    if (!open || info !== null) return;
    let current = true;
    setError(null);
    api.channel(channel.channelId).then(
      (view) => current && setInfo(view),
      (cause: unknown) => current && setError(messageOf(cause)),
    );
    return () => {
      current = false;
    };
  }, [api, channel.channelId, open, info]);

  return (
    <details
      class="panel channel-panel"
      data-testid="channel-panel"
      data-channel-id={channel.channelId}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary>
        <h2 class="channel-panel-title">{many ? `Channel ${label}: preview and encoder settings` : 'Preview and encoder settings'}</h2>
      </summary>
      {error && (
        <p class="row-error" role="alert">
          {error}
        </p>
      )}
      {info && (
        <div class="channel-panel-body">
          <div class="channel-preview">
            <h3>Preview</h3>
            {!live ? (
              <p class="muted" data-testid="preview-offline">
                The channel is offline; the preview plays once it is live.
              </p>
            ) : previewing ? (
              <>
                <PreviewPlayer url={info.playbackUrl} label={`IVS channel ${label}`} />
                <button type="button" class="btn btn-small" onClick={() => setPreviewing(false)}>
                  Close preview
                </button>
              </>
            ) : (
              <button type="button" class="btn" onClick={() => setPreviewing(true)} data-testid="preview-button">
                Play preview
              </button>
            )}
            <p class="row-note">A muted player of the channel's playback URL; IVS bills its viewing like any viewer's.</p>
          </div>
          <EncoderSettings api={api} channel={channel} server={info.ingestServer} />
        </div>
      )}
    </details>
  );
}

function EncoderSettings({ api, channel, server }: { api: ApiClient; channel: ChannelStatusView; server: string }) {
  const [key, setKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const reveal = (): void => {
    setBusy(true);
    setMessage(null);
    api
      .channelStreamKey(channel.channelId)
      .then((view) => setKey(view.streamKey))
      .catch((cause: unknown) => setMessage(messageOf(cause)))
      .finally(() => setBusy(false));
  };
  const copy = (text: string, what: string): void => {
    navigator.clipboard.writeText(text).then(
      () => setMessage(`${what} copied.`),
      () => setMessage(`Could not copy; select the ${what.toLowerCase()} and copy it by hand.`),
    );
  };

  return (
    <div class="encoder-settings" data-testid="encoder-settings">
      <h3>Encoder settings</h3>
      <p class="row-note">In OBS: Settings → Stream → Service “Custom”, then these two.</p>
      <dl>
        <dt>Server</dt>
        <dd>
          <code data-testid="ingest-server">{server}</code>{' '}
          <button type="button" class="btn btn-small" onClick={() => copy(server, 'Server')}>
            Copy
          </button>
        </dd>
        <dt>Stream key</dt>
        <dd>
          {key === null ? (
            <>
              <code aria-label="Stream key hidden">••••••••••••</code>{' '}
              <button type="button" class="btn btn-small" disabled={busy} onClick={reveal} data-testid="reveal-stream-key">
                {busy ? 'Revealing…' : 'Reveal'}
              </button>
            </>
          ) : (
            <>
              <code data-testid="ivs-stream-key">{key}</code>{' '}
              <button type="button" class="btn btn-small" onClick={() => copy(key, 'Stream key')} data-testid="copy-stream-key">
                Copy
              </button>{' '}
              <button type="button" class="btn btn-small" onClick={() => setKey(null)}>
                Hide
              </button>
            </>
          )}
        </dd>
      </dl>
      <p class="row-note">Anyone with the stream key can stream to this channel, and so to every destination. Keep it private.</p>
      {message && (
        <p class="row-note" role="status" data-testid="encoder-message">
          {message}
        </p>
      )}
    </div>
  );
}
