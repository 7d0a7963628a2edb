/**
 * End to end, an exhausted MediaLive channel quota (issue 9, item 5): the local stack with its
 * simulated MediaLive allowed no channel at all, a transcode destination, the channel live, and
 * the admin UI in the system's Chromium. The row shows the error with AWS's fix, and a link to the
 * Service Quotas page of MediaLive in the IVS channel's region. Every wait is for a state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import type { Log } from '../../lambdas/core/ports';
import { launchChromium } from '../../scripts/lib/chromium';
import { LOCAL_CHANNEL_ARN, startLocalStack, type LocalStack } from '../../scripts/local-stack';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NAME = 'Over quota';
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('an exhausted MediaLive quota in the admin UI', () => {
  let work: string;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'quota-e2e-'));
    const dist = join(work, 'dist');
    await execa('vite', ['build', 'frontend', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      preferLocal: true,
      stdin: 'ignore',
    });
    stack = await startLocalStack({
      port: 0,
      rtmpPort: 0,
      realMedia: false,
      dataDir: join(work, 'data'),
      distDir: dist,
      buildUiIfMissing: false,
      timescale: 1000,
      reconcileIntervalSeconds: 1,
      mediaLiveQuotas: { maxChannels: 0 },
      log: quiet,
      print: () => undefined,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('shows the quota error with the fix and a link to MediaLive’s Service Quotas page in the channel’s region', async () => {
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        platform: 'custom',
        name: NAME,
        rtmpUrl: 'rtmp://127.0.0.1:9/live',
        streamKey: 'quota-e2e-key-1a2b3c4d',
        mode: 'transcode',
      }),
    });
    expect(created.status).toBe(201);
    const live = await fetch(`${stack.url}/_local/ivs/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(live.status).toBe(200);

    await page.goto(`${stack.url}/`);
    const row = page.locator('[data-testid="destination-row"][data-status="error"]').filter({ hasText: NAME });
    await row.waitFor();
    const error = row.getByTestId('last-error');
    expect(await error.textContent()).toMatch(
      /MediaLive CreateChannel: an account quota is exhausted.*request a quota increase in Service Quotas/,
    );
    const link = error.getByTestId('quota-link');
    expect(await link.textContent()).toBe('Request a MediaLive quota increase');
    expect(await link.getAttribute('href')).toBe(
      'https://us-east-1.console.aws.amazon.com/servicequotas/home/services/medialive/quotas?region=us-east-1',
    );
    expect(LOCAL_CHANNEL_ARN).toMatch(/^arn:aws:ivs:us-east-1:/); // the region the link names
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
