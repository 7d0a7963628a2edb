/**
 * End to end, the console during a show: the local stack with real media (ffmpeg ingest, HLS,
 * test pattern) on free ports, the admin UI built fresh, driven in the system's Chromium
 * (CHROMIUM_PATH). Start disabled with its reason while offline, the encoder settings with the
 * IVS stream key revealed on demand, a preview player showing moving video, the warning before an
 * edit restarts a live destination, and after the stream ends the countdown and "End now".
 *
 * Screenshots go to test-results/screenshots/; with UPDATE_SCREENSHOTS=1 they replace the
 * committed ones in docs/screenshots/ (shown in README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startConsoleE2e, type ConsoleE2e } from '../support/console-e2e';
import type { LocalStack } from '../../scripts/local-stack';
import { screenshot } from '../support/browser';
import { waitFor } from '../support/wait';

/** Long enough to see the countdown and press "End now" well before it runs out. */
const GRACE_SECONDS = 40;
const NAME = 'Studio';
const STREAM_KEY = 'studio-e2e-key-5a6b7c8d';
const NEW_KEY = 'studio-e2e-key-9e8f7a6b';
const DESKTOP = { width: 1280, height: 900 };

describe('the console during a show, on the local stack with real media', () => {
  let e2e: ConsoleE2e;
  let stack: LocalStack;
  let page: Page;
  const requests: string[] = [];
  const failed: string[] = [];

  const shot = (name: string): Promise<void> => screenshot(page, name);
  const row = (status?: string) =>
    page
      .locator(status ? `[data-testid="destination-row"][data-status="${status}"]` : '[data-testid="destination-row"]')
      .filter({ hasText: NAME });
  const channelState = (state: 'LIVE' | 'OFFLINE') => page.locator(`[data-testid="channel-status"][data-state="${state}"]`);

  beforeAll(async () => {
    e2e = await startConsoleE2e(
      'console-live-e2e',
      {
        realMedia: true,
        timescale: 10,
        graceSeconds: GRACE_SECONDS,
        reconcileIntervalSeconds: 0.5,
      },
      { viewport: DESKTOP, timeoutMs: 30_000 },
    );
    ({ stack, page } = e2e);
    expect(stack.settings.media.real).toBe(true);
    page.on('request', (request) => requests.push(request.url()));
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 30_000);

  it('disables Start offline, reveals the encoder settings, previews, warns before a restart, counts down and ends the grace period', async () => {
    const [ingest] = stack.settings.media.ingests;
    if (!ingest) throw new Error('the local stack has no ingest');
    // A destination on this machine; nothing listens there, which the relay retries quietly.
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        platform: 'custom',
        name: NAME,
        rtmpUrl: 'rtmp://127.0.0.1:9/live',
        streamKey: STREAM_KEY,
        profile: '480p30-2000',
        // MediaLive on purpose: the restart warning below names its one-to-three-minute gap
        // (pass-through, the default, warns of a few seconds).
        mode: 'transcode',
      }),
    });
    expect(created.status).toBe(201);

    // ---- offline: Start is disabled, and says why
    await page.goto(`${stack.url}/`);
    await channelState('OFFLINE').waitFor();
    await row('inactive').waitFor();
    const start = page.getByRole('button', { name: `Start ${NAME}` });
    expect(await start.isDisabled()).toBe(true);
    expect(await start.getAttribute('title')).toMatch(/IVS channel is offline/);
    expect(await row().getByTestId('start-blocked-reason').textContent()).toMatch(/IVS channel is offline/);
    expect(requests.some((url) => /hls\.light/.test(url))).toBe(false); // the player is not in the first load

    // ---- encoder settings: the server at once, the key only on "Reveal"
    const panel = page.getByTestId('channel-panel');
    await panel.locator('summary').click();
    await panel.getByTestId('ingest-server').waitFor();
    expect(await panel.getByTestId('ingest-server').textContent()).toBe(ingest.server);
    expect(await panel.getByTestId('ivs-stream-key').count()).toBe(0);
    await panel.getByTestId('preview-offline').waitFor();
    await panel.getByTestId('reveal-stream-key').click();
    await panel.getByTestId('ivs-stream-key').waitFor();
    expect(await panel.getByTestId('ivs-stream-key').textContent()).toBe(ingest.streamKey);
    await shot('encoder-settings');
    await panel.getByRole('button', { name: 'Hide' }).click();
    await panel.getByTestId('ivs-stream-key').waitFor({ state: 'detached' });

    // ---- go live (the test pattern): Start is no longer blocked by the channel
    await page.getByRole('switch', { name: 'Go live' }).click();
    await channelState('LIVE').waitFor();
    await row('active').waitFor({ timeout: 60_000 });
    expect(await row().getByTestId('start-blocked-reason').count()).toBe(0);

    // ---- the preview plays the channel, and the picture moves
    await panel.getByTestId('preview-button').click();
    const video = panel.getByTestId('preview-video');
    await waitFor(async () => (await video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.currentTime > 0)) === true, {
      what: 'the preview playing',
      timeoutMs: 45_000,
    });
    expect(requests.some((url) => /hls\.light/.test(url))).toBe(true); // loaded on demand
    expect(requests.some((url) => url.endsWith('/_local/hls/local/index.m3u8'))).toBe(true);
    const first = await video.screenshot();
    const playedFrom = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await video.screenshot();
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(playedFrom);
    expect(first.equals(second)).toBe(false);
    await shot('preview');

    // ---- an edit that restarts a live destination warns first, with the gap
    await page.getByRole('button', { name: `Edit ${NAME}` }).click();
    const form = page.getByTestId('destination-form');
    await form.getByLabel('Stream key', { exact: true }).fill(NEW_KEY);
    await form.getByTestId('save-destination').click();
    const warning = form.getByTestId('restart-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/restarts it: its MediaLive channel stops and starts again .* about one to three minutes/);
    const before = ((await (await fetch(`${stack.url}/stream-destinations`)).json()) as any).destinations[0];
    expect(before.streamKeyMasked).toBe('••••7c8d'); // nothing saved yet
    await shot('restart-warning');
    expect(await form.getByTestId('save-destination').textContent()).toBe('Save and restart');
    await form.getByTestId('save-destination').click();
    await form.waitFor({ state: 'detached' });
    const after = ((await (await fetch(`${stack.url}/stream-destinations`)).json()) as any).destinations[0];
    expect(after.streamKeyMasked).toBe('••••7a6b');
    await waitFor(() => stack.simulator.runningChannels().some((c) => stack.simulator.streamKeyMatches(c.id, NEW_KEY)), {
      what: 'the destination restarted with the new key',
      timeoutMs: 60_000,
    });
    await row('active').waitFor({ timeout: 60_000 });

    // ---- the stream ends: a countdown per running destination, and "End now" stops it at once
    await page.getByRole('switch', { name: 'Go live' }).click();
    await channelState('OFFLINE').waitFor();
    const countdown = row('active').getByTestId('grace-countdown');
    await countdown.waitFor();
    expect(await countdown.textContent()).toMatch(/^Stream ended — stopping in 0:[0-4]\d$/);
    const shown = await countdown.textContent();
    await waitFor(async () => (await countdown.textContent()) !== shown, { what: 'the countdown ticking' });
    await page.getByTestId('grace-period').waitFor();
    const status = (await (await fetch(`${stack.url}/stream-status`)).json()) as any;
    const offlineSince = Date.parse(status.channels[0].since);
    expect(Date.parse(status.channels[0].stopsAt) - offlineSince).toBe(GRACE_SECONDS * 1000);

    await page.getByTestId('end-grace-button').click();
    await row('inactive').waitFor();
    const stoppedAt = e2e.harness.logs.filter((l) => l.message === 'Stopped relay').at(-1)?.at;
    expect(stoppedAt).toBeDefined();
    expect(stoppedAt! - offlineSince).toBeLessThan(GRACE_SECONDS * 1000);
    expect(stack.simulator.runningChannels()).toEqual([]);
    await page.getByTestId('grace-period').waitFor({ state: 'detached' });
    expect(await row().getByTestId('grace-countdown').count()).toBe(0);
    expect(await page.getByRole('button', { name: `Start ${NAME}` }).isDisabled()).toBe(true);

    // ---- no key in a log line; the page raised no errors
    const logged = JSON.stringify(e2e.harness.logs);
    for (const secret of [STREAM_KEY, NEW_KEY, ingest.streamKey]) expect(logged).not.toContain(secret);
    // A live HLS playlist or segment can be missing for a moment (just live, or a segment already
    // rotated out); the player retries. Nothing else may fail.
    expect(failed.filter((f) => !/^404 \/_local\/hls\/local\//.test(f))).toEqual([]);
    expect(e2e.chromium.errors.filter((e) => !(e.startsWith('Failed to load resource') && failed.length > 0))).toEqual([]);
  }, 300_000);
});
