/**
 * End to end with real media: the local stack with ffmpeg (ingest, test pattern, the relay behind
 * the simulated MediaLive channel), a local RTMP sink that refuses any other stream key, and the
 * admin UI in the system's Chromium. A destination added in the UI with the wrong key shows a red
 * health dot and the refusal; with the right key a green one and the bit rate; its history shows
 * the failure, the recovery and the two alerts the stack's webhook (a receiver on loopback) got,
 * red then green; once the stream ends
 * it counts down the grace period beside the health, and "End now" stops it. Every wait is for a
 * state, never a fixed time.
 *
 * Screenshots: test/support/browser.ts (UPDATE_SCREENSHOTS=1 replaces the ones in README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startConsoleE2e, type ConsoleE2e } from '../support/console-e2e';
import type { LocalStack } from '../../scripts/local-stack';
import type { RtmpSink } from '../../scripts/local/media/sink';
import { screenshot } from '../support/browser';
import { QUIET_LOG } from '../support/local-stack-harness';
import { waitFor } from '../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const KEY = 'e2e_health_sink_key_3b7c';
const WRONG_KEY = 'e2e_health_wrong_key_9d2e';
const NAME = 'Local sink';

describe('health in the admin UI with real media', () => {
  let e2e: ConsoleE2e;
  let stack: LocalStack;
  let sink: RtmpSink;
  let page: Page;
  let webhook: WebhookReceiver;

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    e2e = await startConsoleE2e(
      'health-e2e',
      {
        alertWebhookUrl: webhook.url,
        realMedia: true,
        timescale: 1000,
        // Long enough to see the countdown; "End now" ends it.
        graceSeconds: 45,
        reconcileIntervalSeconds: 1,
        log: QUIET_LOG,
      },
      { timeoutMs: 20_000 },
    );
    ({ stack, page } = e2e);
    sink = await e2e.harness.startSink({ streamKey: KEY });
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
    await webhook?.stop();
  }, 30_000);

  it('shows a red dot and the refusal for a refused key, and a green one with the bit rate for the right key', async () => {
    await page.goto(`${stack.url}/`);
    await page.getByTestId('empty-state').waitFor();

    await page.getByTestId('add-destination').click();
    const form = page.getByTestId('destination-form');
    await form.getByLabel('Platform', { exact: true }).selectOption('custom');
    await form.getByLabel('Name', { exact: true }).fill(NAME);
    await form.getByLabel('Ingest URL', { exact: true }).fill(sink.rtmpUrl);
    await form.getByLabel('Stream key', { exact: true }).fill(WRONG_KEY);
    await form.getByTestId('save-destination').click();
    await form.waitFor({ state: 'detached' });

    expect((await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' })).status).toBe(200);
    const row = page.locator('[data-testid="destination-row"]').filter({ hasText: NAME });
    const failing = row.locator('[data-testid="health"][data-health="failing"]');
    await failing.waitFor({ timeout: 60_000 });
    await expect(failing.getByTestId('health-message').textContent()).resolves.toMatch(/refused the stream/);
    const dot = await failing.locator('.health-dot').evaluate((el) => getComputedStyle(el).backgroundColor);
    const danger = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--danger)';
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(dot).toBe(danger);
    await screenshot(page, 'destination-health-failing');

    // The right key, through the edit form: the dot turns green with the measured bit rate.
    await row.getByRole('button', { name: /Edit/ }).click();
    await form.getByLabel('Stream key', { exact: true }).fill(KEY);
    await form.getByTestId('save-destination').click();
    // The destination is live: the form warns that saving restarts it, and saves on the second press.
    await form.getByTestId('restart-warning').waitFor();
    await form.getByTestId('save-destination').click();
    await form.waitFor({ state: 'detached' });
    const ok = row.locator('[data-testid="health"][data-health="ok"]');
    await ok.waitFor({ timeout: 60_000 });
    await expect(ok.getByTestId('health-bitrate').textContent()).resolves.toMatch(/\d+(\.\d)? (k|M)bit\/s/);
    await screenshot(page, 'destination-health-ok');
    expect(await row.textContent()).not.toContain(KEY);

    // The red alert was answered by a green one: the edit fixed it (the restarted relay starts
    // without a health, and the gate remembers that the last alert said failing).
    await waitFor(() => webhook.received.length >= 2 || undefined, { timeoutMs: 30_000, what: 'the recovered alert at the webhook' });
    expect(webhook.received.map((r) => r.body.text)).toEqual([
      expect.stringMatching(/^🔴 Local sink \(custom\) is failing/),
      expect.stringMatching(/^🟢 Local sink \(custom\) recovered: /),
    ]);
    // Its history, newest first: the recovery and its alert, the edit, the refusal and its alert.
    await row.getByRole('button', { name: `History of ${NAME}` }).click();
    const history = page.getByTestId('history-dialog');
    await history.getByTestId('history-list').waitFor();
    const seen = await history.getByTestId('history-event').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')));
    for (const kind of ['created', 'running', 'health-failing', 'health-recovered', 'alert-sent', 'edited']) expect(seen).toContain(kind);
    expect(seen.indexOf('health-recovered')).toBeLessThan(seen.indexOf('edited'));
    expect(seen.indexOf('edited')).toBeLessThan(seen.lastIndexOf('alert-sent'));
    expect(seen.filter((k) => k === 'alert-sent')).toHaveLength(2);
    await waitFor(
      async () => {
        const texts = await history.locator('[data-kind="alert-sent"]').allTextContents();
        return (
          texts.some((t) => t.includes('Alert sent (recovered) to webhook.')) &&
          texts.some((t) => t.includes('Alert sent (failing) to webhook.'))
        );
      },
      { what: 'both alerts in the history' },
    );
    expect(await history.textContent()).not.toContain(KEY);
    await screenshot(page, 'history');
    await page.keyboard.press('Escape');
    await history.waitFor({ state: 'detached' });

    // The stream ends: a countdown beside the health, and "End now" stops the destination at once.
    await page.getByRole('switch', { name: 'Go live' }).click();
    await page.locator('[data-testid="channel-status"][data-state="OFFLINE"]').waitFor();
    const countdown = row.getByTestId('grace-countdown');
    await countdown.waitFor();
    expect(await countdown.textContent()).toMatch(/^Stream ended — stopping in 0:[0-4]\d$/);
    expect(await row.getByTestId('health').count()).toBe(1);
    await screenshot(page, 'grace-countdown');
    await page.getByTestId('end-grace-button').click();
    await page.locator('[data-testid="destination-row"][data-status="inactive"]').filter({ hasText: NAME }).waitFor();
    expect(await row.getByTestId('grace-countdown').count()).toBe(0);
    expect(e2e.chromium.uncaught).toEqual([]);
  }, 240_000);
});
