/**
 * What every e2e test of the console starts with: the local stack with the admin UI built fresh
 * (local-stack-harness.ts) and a Chromium page (browser.ts). `stop()` closes the browser, then
 * stops the stack and removes its directory.
 */
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../scripts/local-stack';
import { openBrowserPage, type BrowserPage, type BrowserPageOptions } from './browser';
import { startStackHarness, type StackHarness, type StackHarnessOptions } from './local-stack-harness';

export interface ConsoleE2e {
  harness: StackHarness;
  stack: LocalStack;
  chromium: BrowserPage;
  page: Page;
  stop(): Promise<void>;
}

export async function startConsoleE2e(
  name: string,
  stackOptions: Omit<StackHarnessOptions, 'ui'>,
  pageOptions: BrowserPageOptions,
): Promise<ConsoleE2e> {
  const harness = await startStackHarness(name, { ...stackOptions, ui: 'build' });
  let chromium: BrowserPage;
  try {
    chromium = await openBrowserPage(pageOptions);
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return {
    harness,
    stack: harness.stack,
    chromium,
    page: chromium.page,
    stop: async () => {
      await chromium.close();
      await harness.stop();
    },
  };
}
