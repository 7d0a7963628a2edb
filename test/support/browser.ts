/**
 * The system's Chromium (launchChromium: CHROMIUM_PATH, default /usr/bin/chromium; never
 * downloaded) with one page for an e2e test, and the screenshots of the console: to
 * test-results/screenshots/, or with UPDATE_SCREENSHOTS=1 over the committed ones in
 * docs/screenshots/ (shown in README.md).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/chromium';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS']
  ? join(ROOT, 'docs', 'screenshots')
  : join(ROOT, 'test-results', 'screenshots');

export interface BrowserPageOptions {
  viewport?: { width: number; height: number };
  /** The page's default timeout for actions and waits. */
  timeoutMs: number;
}

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Uncaught exceptions in the page. */
  uncaught: string[];
  /** Uncaught exceptions and console errors (a failed request logs one), in order. */
  errors: string[];
  close(): Promise<void>;
}

/** Collects the page's uncaught exceptions into both lists, its console errors into `errors`. */
export function recordPageErrors(page: Page, errors: string[], uncaught: string[] = []): void {
  page.on('pageerror', (error) => {
    uncaught.push(error.message);
    errors.push(error.message);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

/** Chromium and a page with reduced motion that collects its errors. */
export async function openBrowserPage({ viewport = { width: 1280, height: 860 }, timeoutMs }: BrowserPageOptions): Promise<BrowserPage> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport, reducedMotion: 'reduce' });
  page.setDefaultTimeout(timeoutMs);
  const uncaught: string[] = [];
  const errors: string[] = [];
  recordPageErrors(page, errors, uncaught);
  return { browser, page, uncaught, errors, close: () => browser.close() };
}

/** A screenshot of the page (the viewport, or all of it) named `${name}.png` in SCREENSHOTS. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? false, animations: 'disabled' });
}
