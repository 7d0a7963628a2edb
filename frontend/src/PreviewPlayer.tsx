import { useEffect, useRef, useState } from 'preact/hooks';

interface PreviewPlayerProps {
  /** The channel's HLS playback URL (IVS GetChannel `playbackUrl`; locally /_local/hls/<id>/index.m3u8). */
  url: string;
  label: string;
}

/** After a fatal error (the stream not there yet, a network drop) the player tries again after this. */
const RETRY_MS = 2000;

/**
 * A muted live preview of an IVS channel. HLS plays natively where the browser can (Safari);
 * elsewhere through hls.js over Media Source Extensions, loaded on first use as its own chunk so
 * the console's first load does not carry it. The light build is enough: a preview needs no
 * subtitles, alternate audio or DRM. `enableWorker: false` keeps it inside the site's
 * Content-Security-Policy (a worker would be created from a blob: URL).
 */
export function PreviewPlayer({ url, label }: PreviewPlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    let stopped = false;
    let cleanup: () => void = () => undefined;
    let retry: number | undefined;

    const play = (): void => {
      void element.play().catch(() => undefined); // muted autoplay is allowed; a refusal leaves the controls
    };
    const start = async (): Promise<void> => {
      if (element.canPlayType('application/vnd.apple.mpegurl') === 'probably') {
        element.src = url;
        play();
        cleanup = () => element.removeAttribute('src');
        return;
      }
      const { default: Hls } = await import('hls.js/light');
      if (stopped) return;
      if (!Hls.isSupported()) {
        setProblem('This browser cannot play HLS (no Media Source Extensions).');
        return;
      }
      const hls = new Hls({ enableWorker: false, lowLatencyMode: true });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        setProblem(null);
        play();
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        setProblem('No picture yet; trying again…');
        hls.destroy();
        if (!stopped) retry = window.setTimeout(() => void start(), RETRY_MS);
      });
      hls.loadSource(url);
      hls.attachMedia(element);
      cleanup = () => hls.destroy();
    };
    void start().catch((error: unknown) => setProblem(error instanceof Error ? error.message : 'The player failed to load.'));
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      cleanup();
    };
  }, [url]);

  return (
    <div class="preview">
      <video ref={video} class="preview-video" muted playsInline controls aria-label={`Preview of ${label}`} data-testid="preview-video" />
      {problem && (
        <p class="row-note" role="status">
          {problem}
        </p>
      )}
    </div>
  );
}
