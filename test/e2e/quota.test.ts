/**
 * End to end, an exhausted MediaLive channel quota (issue 9, item 5): the local stack with its
 * simulated MediaLive allowed no channel at all, a transcode destination, the channel live, and
 * the admin UI in the system's Chromium. The row shows the error with AWS's fix, and a link to the
 * Service Quotas page of MediaLive in the IVS channel's region. Every wait is for a state.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startConsoleE2e, type ConsoleE2e } from '../support/console-e2e';
import { LOCAL_CHANNEL_ARN, type LocalStack } from '../../scripts/local-stack';
import { QUIET_LOG } from '../support/local-stack-harness';

const NAME = 'Over quota';

describe('an exhausted MediaLive quota in the admin UI', () => {
  let e2e: ConsoleE2e;
  let stack: LocalStack;
  let page: Page;

  beforeAll(async () => {
    e2e = await startConsoleE2e(
      'quota-e2e',
      {
        realMedia: false,
        timescale: 1000,
        reconcileIntervalSeconds: 1,
        mediaLiveQuotas: { maxChannels: 0 },
        log: QUIET_LOG,
      },
      { timeoutMs: 20_000 },
    );
    ({ stack, page } = e2e);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
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
    expect(e2e.chromium.uncaught).toEqual([]);
  }, 60_000);
});
