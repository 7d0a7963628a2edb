/**
 * End to end, the filter bar with two IVS channels (the channel select appears only then): the
 * local stack with two simulated channels, more than 20 destinations across them, the admin UI in
 * the system's Chromium. Each select is found by its label and narrows the rows; "All …" and
 * "Clear filters" bring them back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startConsoleE2e, type ConsoleE2e } from '../support/console-e2e';
import { LOCAL_CHANNEL_ARN, type LocalStack } from '../../scripts/local-stack';
import { QUIET_LOG } from '../support/local-stack-harness';
import { waitFor } from '../support/wait';

const SECOND_CHANNEL_ARN = 'arn:aws:ivs:us-east-1:000000000000:channel/second';

describe('the filter bar with two channels', () => {
  let e2e: ConsoleE2e;
  let stack: LocalStack;
  let page: Page;

  beforeAll(async () => {
    e2e = await startConsoleE2e(
      'filter-bar-e2e',
      {
        channelArns: [LOCAL_CHANNEL_ARN, SECOND_CHANNEL_ARN],
        timescale: 1000,
        reconcileIntervalSeconds: 1,
        log: QUIET_LOG,
      },
      { timeoutMs: 20_000 },
    );
    ({ stack, page } = e2e);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 30_000);

  it('filters by channel, platform and status, each select by its label, and clears them', async () => {
    const byChannel = new Map<string, string[]>([
      [LOCAL_CHANNEL_ARN, []],
      [SECOND_CHANNEL_ARN, []],
    ]);
    for (let i = 0; i < 22; i++) {
      const channelArn = i % 2 === 0 ? LOCAL_CHANNEL_ARN : SECOND_CHANNEL_ARN;
      const created = await fetch(`${stack.url}/stream-destinations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          platform: i % 3 === 0 ? 'youtube' : 'twitch',
          name: `Filter ${i}`,
          streamKey: `filter-e2e-key-${i}-abcdefgh`,
          channelArn,
        }),
      });
      expect(created.status).toBe(201);
      byChannel.get(channelArn)!.push(((await created.json()) as { id: string }).id);
    }
    const rows = page.locator('[data-testid="destination-row"]');
    const shownIds = async (): Promise<string[]> =>
      (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''))).sort();
    await page.goto(`${stack.url}/`);
    await waitFor(async () => (await rows.count()) === 22, { what: '22 rows' });

    // Each select by its label, "any" first and then every value.
    const channel = page.getByRole('combobox', { name: 'Channel', exact: true });
    const optionTexts = (name: string): Promise<string[]> =>
      page.getByRole('combobox', { name, exact: true }).locator('option').allTextContents();
    expect(await optionTexts('Channel')).toEqual(['All channels', 'local', 'second']);
    expect((await optionTexts('Platform'))[0]).toBe('All platforms');
    expect(await optionTexts('Platform')).toContain('Twitch');
    expect((await optionTexts('Status'))[0]).toBe('All statuses');
    expect(await optionTexts('Status')).toContain('Inactive');

    await channel.selectOption({ label: 'second' });
    await waitFor(async () => (await rows.count()) === 11, { what: 'the 11 rows of the second channel' });
    expect(await shownIds()).toEqual([...byChannel.get(SECOND_CHANNEL_ARN)!].sort());
    expect(await page.getByTestId('filter-count').textContent()).toBe('Showing 11 of 22');

    // Channel and platform together: the second channel's YouTube rows (i = 3, 9, 15, 21).
    await page.getByRole('combobox', { name: 'Platform', exact: true }).selectOption('youtube');
    await waitFor(async () => (await rows.count()) === 4, { what: 'the 4 YouTube rows of the second channel' });
    expect(new Set(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-platform'))))).toEqual(new Set(['youtube']));

    await channel.selectOption({ label: 'All channels' });
    await waitFor(async () => (await rows.count()) === 8, { what: 'the 8 YouTube rows' });
    await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('active');
    await page.getByTestId('filter-empty').waitFor();
    await page.getByTestId('filter-clear').click();
    await waitFor(async () => (await rows.count()) === 22, { what: 'all 22 rows again' });
    expect(await channel.inputValue()).toBe('');
    expect(e2e.chromium.uncaught).toEqual([]);
  }, 90_000);
});
