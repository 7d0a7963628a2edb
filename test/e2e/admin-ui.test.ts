/**
 * End to end: the local stack (dynalite, API, monitor, simulator) on a free port, the admin UI built
 * fresh, driven by playwright-core in the system's Chromium (test/support/browser.ts; never
 * downloaded). Every wait is for a state, never a fixed time.
 *
 * Screenshots of the main screens go to test-results/screenshots/; with UPDATE_SCREENSHOTS=1 they
 * replace the committed ones in docs/screenshots/ (shown in README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startConsoleE2e, type ConsoleE2e } from '../support/console-e2e';
import type { LocalStack } from '../../scripts/local-stack';
import { waitFor } from '../support/wait';
import { screenshot } from '../support/browser';
import { API_OPERATIONS } from '../../lambdas/api/openapi';

const GRACE_SECONDS = 3;
const NAME = 'YouTube main';
const STREAM_KEY = 'yt-e2e-key-4f3e2d1c0b9a';
const BAD_KEY = 'custom-e2e-key-77aa88bb';
const DESKTOP = { width: 1280, height: 860 };

describe('admin UI on the local stack', () => {
  let e2e: ConsoleE2e;
  let stack: LocalStack;
  let page: Page;

  const shot = (name: string, fullPage = false): Promise<void> => screenshot(page, name, { fullPage });
  const row = (status?: string) =>
    page
      .locator(status ? `[data-testid="destination-row"][data-status="${status}"]` : '[data-testid="destination-row"]')
      .filter({ hasText: NAME });
  const apiDestinations = async (): Promise<any[]> =>
    ((await (await fetch(`${stack.url}/stream-destinations`)).json()) as any).destinations;

  beforeAll(async () => {
    e2e = await startConsoleE2e(
      'admin-ui-e2e',
      {
        // MediaLive 10× faster: create 0.5 s, start 6 s (longer than the UI's 2 s refresh while things change, so
        // "starting" is on screen), stop 3 s.
        timescale: 10,
        graceSeconds: GRACE_SECONDS,
        reconcileIntervalSeconds: 0.5,
      },
      { viewport: DESKTOP, timeoutMs: 20_000 },
    );
    ({ stack, page } = e2e);
  }, 90_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('adds, validates, follows the stream, stops, ends and deletes a destination', async () => {
    // ---- empty state
    await page.goto(`${stack.url}/`);
    await page.getByTestId('empty-state').waitFor();
    await page.locator('[data-testid="channel-status"][data-state="OFFLINE"]').waitFor();
    await page.getByTestId('local-banner').waitFor();
    await shot('empty-state');

    // ---- add a YouTube destination
    await page.getByTestId('add-destination').click();
    const form = page.getByTestId('destination-form');
    await form.getByLabel('Platform', { exact: true }).selectOption('youtube');
    await form.getByLabel('Name', { exact: true }).fill(NAME);
    await form.getByLabel('Stream key', { exact: true }).fill(STREAM_KEY);
    // The relay mode: pass-through preselected (the local stack's default), each with its cost and when to pick it.
    const modes = form.getByTestId('relay-mode');
    expect(await form.getByLabel('Pass-through (copy) (default)').isChecked()).toBe(true);
    expect(await modes.textContent()).toContain('About $0.015 an hour');
    expect(await modes.textContent()).toContain('About $1 an hour');
    expect(await modes.textContent()).toContain('lower bit rate or resolution');
    // This walk-through follows a MediaLive channel (minutes to start, so "starting" is on screen).
    await form.getByLabel('Transcode (MediaLive)').check();
    await form.getByTestId('save-destination').click();
    await form.waitFor({ state: 'detached' });
    await row('inactive').waitFor();
    const [created] = await apiDestinations();
    expect(created).toMatchObject({
      name: NAME,
      platform: 'youtube',
      mode: 'transcode',
      status: 'inactive',
      rtmpUrl: expect.stringMatching(/^rtmps?:\/\/.*youtube/),
    });

    // ---- a bad ingest URL shows the API's own message next to the field
    const badInput = { platform: 'custom', name: 'Bad server', rtmpUrl: 'http://203.0.113.5/live', streamKey: BAD_KEY };
    const direct = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(badInput),
    });
    expect(direct.status).toBe(400);
    const apiMessage: string = ((await direct.json()) as any).error.details.fields.find((f: any) => f.field === 'rtmpUrl').message;

    await page.getByTestId('add-destination').click();
    await form.getByLabel('Platform', { exact: true }).selectOption('custom');
    await form.getByLabel('Name', { exact: true }).fill(badInput.name);
    await form.getByLabel('Ingest URL', { exact: true }).fill(badInput.rtmpUrl);
    await form.getByLabel('Stream key', { exact: true }).fill(BAD_KEY);
    await form.getByTestId('save-destination').click();
    const fieldError = form.getByTestId('field-error-rtmpUrl');
    await fieldError.waitFor();
    expect((await fieldError.textContent())?.trim()).toBe(apiMessage);
    expect(await form.getByLabel('Ingest URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot('form-validation-error');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
    expect((await apiDestinations()).map((d) => d.name)).toEqual([NAME]);

    // ---- the encoder sends more than YouTube takes at 720p30: the row says so and offers transcode
    stack.simulator.setIngest(stack.settings.channelArns[0]!, {
      video: { codec: 'h264', profile: 'high', width: 1280, height: 720, bitrateBps: 12_000_000, framerate: 30 },
      audio: { codec: 'aac', bitrateBps: 160_000, sampleRate: 48_000, channels: 2 },
    });

    // ---- go live: the destination goes starting → active
    expect(await page.getByRole('switch', { name: 'Go live' }).isChecked()).toBe(false);
    await page.getByRole('switch', { name: 'Go live' }).click();
    await page.locator('[data-testid="channel-status"][data-state="LIVE"]').waitFor();
    await row('starting').waitFor();
    await page.getByTestId('starting-note').waitFor();
    await row('active').waitFor();
    expect(stack.simulator.runningChannels()).toHaveLength(1);
    // One MediaLive 1080p destination: $0.996 relay + 2.7 GB out = $1.239/h (docs/costs.md).
    await waitFor(async () => (await page.getByTestId('cost-running').textContent())?.includes('$1.24/h'), { what: 'the running cost' });
    await page.getByTestId('starting-note').waitFor({ state: 'detached' });
    const warning = row().locator('[data-testid="source-warning"][data-code="SOURCE_VIDEO_BITRATE"]');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      'YouTube takes at most 8000 kbit/s of video at this resolution; the IVS source sends 12000 kbit/s. Pass-through sends the stream as it is: use transcode for this destination.',
    );
    expect(await row().getByTestId('source-warning').count()).toBe(1);
    await shot('destinations-active');

    await page.setViewportSize({ width: 390, height: 844 });
    await row('active').waitFor();
    await shot('mobile', true);
    await page.setViewportSize(DESKTOP);

    // ---- stop while live: inactive, and it stays off while the stream goes on
    await page.getByRole('button', { name: `Stop ${NAME}` }).click();
    await row('inactive').waitFor();
    await row().getByTestId('paused-note').waitFor();
    const startsWhenStopped = stack.simulator.stats().totalStarts;
    await stack.waitForMonitorRuns(4);
    const paused = (await apiDestinations())[0];
    expect(paused.status).toBe('inactive');
    expect(stack.simulator.runningChannels()).toEqual([]);
    expect(stack.simulator.stats().totalStarts).toBe(startsWhenStopped);
    expect(await page.locator('[data-testid="channel-status"]').getAttribute('data-state')).toBe('LIVE');
    expect(await row().getAttribute('data-status')).toBe('inactive');

    // ---- a manual start brings it back for this stream
    await page.getByRole('button', { name: `Start ${NAME}` }).click();
    await row('active').waitFor();

    // ---- end the stream: the channel stops only after the grace period
    const goLive = page.getByRole('switch', { name: 'Go live' });
    expect(await goLive.isChecked()).toBe(true);
    await goLive.click();
    await page.locator('[data-testid="channel-status"][data-state="OFFLINE"]').waitFor();
    await row('inactive').waitFor();
    expect(stack.simulator.runningChannels()).toEqual([]);
    const status = (await (await fetch(`${stack.url}/stream-status`)).json()) as any;
    const offlineSince = Date.parse(status.channels[0].since);
    const stoppedAt = e2e.harness.logs.filter((l) => l.message === 'Stopped relay').at(-1)!.at;
    expect(stoppedAt - offlineSince).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);

    // ---- its history, newest first: the whole show so far
    await page.getByRole('button', { name: `History of ${NAME}` }).click();
    const history = page.getByTestId('history-dialog');
    await history.getByTestId('history-list').waitFor();
    const kinds = await history.getByTestId('history-event').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')));
    expect(kinds.at(-1)).toBe('created');
    expect(kinds[0]).toBe('stopped');
    for (const kind of ['starting', 'running', 'stop-requested', 'start-requested']) expect(kinds).toContain(kind);
    expect(kinds.indexOf('start-requested')).toBeLessThan(kinds.indexOf('stop-requested'));
    expect(await history.getByTestId('history-more').count()).toBe(0);
    expect(await history.textContent()).not.toContain(STREAM_KEY);
    await history.getByTestId('history-close').click();
    await history.waitFor({ state: 'detached' });

    // ---- delete, with confirmation
    await page.getByRole('button', { name: `Delete ${NAME}` }).click();
    const dialog = page.getByTestId('confirm-delete');
    await dialog.waitFor();
    await dialog.getByTestId('confirm-delete-button').click();
    await row().waitFor({ state: 'detached' });
    await page.getByTestId('empty-state').waitFor();
    await waitFor(() => stack.simulator.channels().length === 0 && stack.simulator.inputIds().length === 0, {
      what: 'MediaLive channel and input deleted',
    });
    expect(await apiDestinations()).toEqual([]);

    // ---- the key never reached the page or a log line; the page raised no errors
    expect(await page.content()).not.toContain(STREAM_KEY);
    expect(JSON.stringify(e2e.harness.logs)).not.toContain(STREAM_KEY);
    expect(JSON.stringify(e2e.harness.logs)).not.toContain(BAD_KEY);
    expect(e2e.chromium.errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
  }, 180_000);

  it('shows a destination’s history page by page, newest first, with "Load more"', async () => {
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'twitch', name: 'History check', streamKey: 'tw-e2e-history-key-0001' }),
    });
    const { id } = (await created.json()) as { id: string };
    for (let i = 1; i <= 24; i++) {
      const edit = await fetch(`${stack.url}/stream-destinations/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `History check ${i}` }),
      });
      expect(edit.status).toBe(200);
    }
    try {
      const name = 'History check 24';
      await page.goto(`${stack.url}/`);
      const button = page.getByRole('button', { name: `History of ${name}` });
      await button.click();
      const history = page.getByTestId('history-dialog');
      const items = history.getByTestId('history-event');
      await history.getByTestId('history-list').waitFor();
      expect(await items.count()).toBe(20);
      expect(await items.first().textContent()).toContain('Edited: name.');
      await shot('history-pages');
      await history.getByTestId('history-more').click();
      await waitFor(async () => (await items.count()) === 25, { what: 'the second page of the history' });
      expect(await items.last().getAttribute('data-kind')).toBe('created');
      await history.getByTestId('history-more').waitFor({ state: 'detached' });
      const times = await history.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
      expect(times).toEqual([...times].sort().reverse());
      // Escape closes it.
      await page.keyboard.press('Escape');
      await history.waitFor({ state: 'detached' });
    } finally {
      await fetch(`${stack.url}/stream-destinations/${id}`, { method: 'DELETE' });
    }
  }, 60_000);

  it("links to an API reference rendered from the API's own /openapi.json, offline", async () => {
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(stack.url)) external.push(request.url());
    });
    await page.goto(`${stack.url}/`);

    await page.getByTestId('api-reference-link').click();

    await page.waitForURL(/api-reference\.html$/);
    await waitFor(async () => (await page.getByTestId('api-operation').count()) === API_OPERATIONS.length);
    const headings = await page.locator('[data-testid="api-operation"] h2').allInnerTexts();
    expect(headings.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(API_OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`));
    await expect(page.getByText('other fields are refused').first().isVisible()).resolves.toBe(true);
    const json = await page.getByTestId('openapi-json-link').getAttribute('href');
    expect((await fetch(new URL(json ?? '', page.url()).href)).status).toBe(200);
    await shot('api-reference');
    // Nothing from a CDN: every request of the page went to the local stack.
    expect(external).toEqual([]);
    expect(e2e.chromium.errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
  }, 60_000);

  it('polls the destination list with If-None-Match and gets 304 while nothing changed', async () => {
    const polls: { status: number; ifNoneMatch: string | undefined; encoding: string | undefined }[] = [];
    const onResponse = async (response: import('playwright-core').Response): Promise<void> => {
      if (!/\/stream-destinations$/.test(new URL(response.url()).pathname) || response.request().method() !== 'GET') return;
      const request = await response.request().allHeaders();
      polls.push({
        status: response.status(),
        ifNoneMatch: request['if-none-match'],
        encoding: (await response.allHeaders())['content-encoding'],
      });
    };
    page.on('response', onResponse);
    try {
      // Enough destinations for the list to pass gzip's 1 KiB threshold.
      for (const name of ['Poll one', 'Poll two', 'Poll three']) {
        const created = await fetch(`${stack.url}/stream-destinations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ platform: 'twitch', name, streamKey: `poll-e2e-key-${name.length}abcdef` }),
        });
        expect(created.status).toBe(201);
      }
      // The monitor's first pass writes each new destination once (its health); wait until two
      // passes leave the list as it was, so the page's second poll has nothing new to fetch.
      const listEtag = async (): Promise<string | null> => (await fetch(`${stack.url}/stream-destinations`)).headers.get('etag');
      await waitFor(
        async () => {
          const before = await listEtag();
          await stack.waitForMonitorRuns(2);
          return before === (await listEtag());
        },
        { what: 'a settled destination list' },
      );
      await page.goto(`${stack.url}/`);
      await page.locator('[data-testid="destination-row"]').first().waitFor();
      await waitFor(() => polls.length >= 2, { what: 'a second poll of the destination list', timeoutMs: 40_000 });
      expect(polls[0]).toMatchObject({ status: 200, ifNoneMatch: undefined, encoding: 'gzip' });
      expect(polls[1]!.ifNoneMatch).toMatch(/^W\/"/);
      expect(polls[1]!.status).toBe(304);
      expect(await page.locator('[data-testid="destination-row"]').count()).toBe(3);
    } finally {
      page.off('response', onResponse);
      for (const d of await apiDestinations()) await fetch(`${stack.url}/stream-destinations/${d.id}`, { method: 'DELETE' });
    }
  }, 90_000);

  it('filters more than 20 destinations, disables a selection in bulk, returns focus from dialogs, 44 px targets on a phone', async () => {
    const platforms = ['youtube', 'twitch', 'facebook', 'kick', 'custom'] as const;
    const rows = page.locator('[data-testid="destination-row"]');
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.getAttribute('data-testid'));
    try {
      for (let i = 0; i < 25; i++) {
        const platform = platforms[i % platforms.length]!;
        const created = await fetch(`${stack.url}/stream-destinations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            platform,
            name: `Ops ${platform} ${i}`,
            streamKey: `ops-e2e-key-${i}-abcdefgh`,
            ...(platform === 'custom' ? { rtmpUrl: 'rtmps://live.example.com/app' } : {}),
          }),
        });
        expect(created.status).toBe(201);
      }
      await page.goto(`${stack.url}/`);
      await waitFor(async () => (await rows.count()) === 25, { what: '25 rows' });
      expect(await page.getByTestId('cost-running').textContent()).toContain('$0.00/h');
      expect(await page.getByTestId('cost-month').textContent()).toMatch(/This month\s*\$\d+\.\d\d/);

      // ---- search and filter narrow the list
      await page.getByLabel('Search', { exact: true }).fill('kick');
      await waitFor(async () => (await rows.count()) === 5, { what: 'the 5 Kick rows' });
      expect(new Set(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-platform'))))).toEqual(new Set(['kick']));
      expect(await page.getByTestId('filter-count').textContent()).toBe('Showing 5 of 25');
      await page.getByLabel('Search', { exact: true }).fill('');
      await page.getByLabel('Platform', { exact: true }).selectOption('twitch');
      await waitFor(async () => (await rows.count()) === 5, { what: 'the 5 Twitch rows' });
      await page.getByLabel('Status', { exact: true }).selectOption('active');
      await page.getByTestId('filter-empty').waitFor();
      await page.getByLabel('Status', { exact: true }).selectOption('inactive');
      await waitFor(async () => (await rows.count()) === 5, { what: 'the 5 inactive Twitch rows' });

      // ---- bulk disable what the filter shows
      await page.getByLabel('Select all shown destinations').check();
      await page.getByTestId('bulk-bar').waitFor();
      await page.getByTestId('bulk-disable').click();
      await waitFor(async () => (await page.locator('[data-testid="destination-row"][data-enabled="false"]').count()) === 5, {
        what: 'the 5 rows disabled',
      });
      expect(await page.getByTestId('notice').textContent()).toContain('Disabled 5 destinations.');
      const after = await apiDestinations();
      expect(after.filter((d) => !d.enabled).map((d) => d.platform)).toEqual(['twitch', 'twitch', 'twitch', 'twitch', 'twitch']);
      expect(after.filter((d) => d.enabled)).toHaveLength(20);
      await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });

      // ---- focus returns to the control that opened a dialog
      const first = (await rows.first().getByTestId('destination-name').textContent())!;
      await page.getByRole('button', { name: `Edit ${first}`, exact: true }).click();
      await page.getByTestId('destination-form').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('destination-form').waitFor({ state: 'detached' });
      expect(await focused()).toBe(`Edit ${first}`);
      await page.getByRole('button', { name: `Delete ${first}`, exact: true }).click();
      // What has focus at the moment the dialog leaves the DOM, not a frame later: Preact runs an
      // unmounted component's useEffect cleanup after the next paint, and focus sat on <body> until
      // then (the failure seen on a busy machine).
      await page.evaluate(() => {
        (window as any).focusWhenClosed = new Promise<string | null>((done) => {
          const observer = new MutationObserver(() => {
            if (document.querySelector('[data-testid="confirm-delete"]')) return;
            observer.disconnect();
            done(document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);
          });
          observer.observe(document.body, { childList: true, subtree: true });
        });
      });
      await page.getByTestId('confirm-delete').getByRole('button', { name: 'Cancel' }).click();
      expect(await page.evaluate(() => (window as any).focusWhenClosed)).toBe(`Delete ${first}`);
      expect(await focused()).toBe(`Delete ${first}`);

      // A poll re-creates the row while its history is open (it left the search and came back):
      // focus goes to the History button of the row as it is now, not to the element that is gone.
      const firstId = (await apiDestinations()).find((d) => d.name === first).id;
      const rename = async (name: string): Promise<void> => {
        const response = await fetch(`${stack.url}/stream-destinations/${firstId}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        });
        expect(response.status).toBe(200);
        // A poll now, as when the tab comes back into view (the idle interval is 15 s).
        await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      };
      const firstRow = page.locator(`[data-testid="destination-row"][data-id="${firstId}"]`);
      await page.getByLabel('Search', { exact: true }).fill(first);
      await page.getByRole('button', { name: `History of ${first}`, exact: true }).click();
      await page.getByTestId('history-dialog').getByTestId('history-list').waitFor();
      await firstRow.evaluate((el) => el.setAttribute('data-opened-history', ''));
      await rename('Renamed while open');
      await firstRow.waitFor({ state: 'detached' });
      await rename(first);
      await firstRow.waitFor();
      expect(await firstRow.getAttribute('data-opened-history')).toBeNull();
      await page.keyboard.press('Escape');
      await page.getByTestId('history-dialog').waitFor({ state: 'detached' });
      expect(await focused()).toBe(`History of ${first}`);
      await page.getByLabel('Search', { exact: true }).fill('');
      await page.getByTestId('filter-clear').click();
      await waitFor(async () => (await rows.count()) === 25, { what: 'all rows again' });

      // ---- a phone: every control is at least 44 × 44 px
      await page.setViewportSize({ width: 390, height: 844 });
      await rows.first().getByTestId('select-row').check();
      await page.getByTestId('bulk-bar').waitFor();
      const tooSmall = async (): Promise<string[]> =>
        page.locator('button, a.btn, select, input, summary, [role="switch"]').evaluateAll((els) =>
          els
            .filter((el) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed')
            .map((el) => ({ el, box: el.getBoundingClientRect() }))
            .filter(({ box }) => box.width > 0 && box.height > 0 && (box.width < 44 || box.height < 44))
            .map(
              ({ el, box }) => `${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}: ${box.width}×${box.height}`,
            ),
        );
      expect(await tooSmall()).toEqual([]);
      await shot('mobile-filter', false);
      await page.getByTestId('add-destination').click();
      await page.getByTestId('destination-form').waitFor();
      expect(await tooSmall()).toEqual([]);
      await page.getByTestId('destination-form').getByRole('button', { name: 'Cancel' }).click();
      await page.getByTestId('destination-form').waitFor({ state: 'detached' });
      expect(await focused()).toBe('add-destination');
    } finally {
      await page.setViewportSize(DESKTOP);
      for (const d of await apiDestinations()) await fetch(`${stack.url}/stream-destinations/${d.id}`, { method: 'DELETE' });
    }
  }, 120_000);
});
