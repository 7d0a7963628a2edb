import { useEffect, useState } from 'preact/hooks';
import type { ApiClient, CostReport, DestinationView } from './api';
import { runningCost } from '../../lambdas/core/costs';

/** The month figure reads every destination's history: refreshed this often, not with every poll. */
export const COST_REFRESH_MS = 5 * 60_000;

const MODE_LABELS = { passthrough: 'pass-through (Fargate)', transcode: 'transcode (MediaLive)' } as const;

export const usd = (value: number, digits = 2): string =>
  value.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits });

interface CostPanelProps {
  api: ApiClient;
  /** The polled list: what runs now is priced from it at once, with the report's prices. */
  destinations: readonly DestinationView[];
}

/** What runs now ($/h by mode) and this month so far, with the prices and what they leave out. */
export function CostPanel({ api, destinations }: CostPanelProps) {
  const [report, setReport] = useState<CostReport | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      if (document.visibilityState === 'hidden') return;
      api.costs().then(
        (next) => {
          if (cancelled) return;
          // An answer that is not the report (an old API without /costs behind a site fallback).
          if (typeof next !== 'object' || next === null || !('prices' in next)) {
            setFailed('the API has no cost report (GET /costs).');
            return;
          }
          setReport(next);
          setFailed(null);
        },
        (error: unknown) => !cancelled && setFailed(error instanceof Error ? error.message : 'The cost report failed.'),
      );
    };
    load();
    const timer = window.setInterval(load, COST_REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [api]);

  if (report === null) {
    return failed === null ? null : (
      <p class="muted" data-testid="cost-panel">
        Costs unavailable: {failed}
      </p>
    );
  }
  const running = runningCost(destinations, report.prices);
  const parts = running.byMode
    .filter((m) => m.destinations > 0)
    .map((m) => `${m.destinations} ${MODE_LABELS[m.mode]} ${usd(m.hourlyUsd)}/h`);
  return (
    <section class="costs" aria-label="Costs" data-testid="cost-panel">
      <p data-testid="cost-running">
        <span class="costs-label">Running now</span> <strong>{usd(running.hourlyUsd)}/h</strong>
        <span class="muted">{parts.length > 0 ? ` · ${parts.join(' · ')}` : ' · nothing runs'}</span>
      </p>
      <p data-testid="cost-month">
        <span class="costs-label">This month</span> <strong>{usd(report.month.usd)}</strong>
        <span class="muted">
          {' '}
          · {report.month.destinationHours.toLocaleString('en-US', { maximumFractionDigits: 1 })} destination-hours since{' '}
          {new Date(report.month.from).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })}
        </span>
      </p>
      <details class="costs-details">
        <summary>How this is worked out</summary>
        <p>
          {report.overridden.length === 0
            ? 'AWS us-east-1 list prices (docs/costs.md). '
            : `AWS us-east-1 list prices, with the deployment's own ${report.overridden.join(', ')}. `}
          MediaLive input {usd(report.prices.mediaLiveInputPerHour, 3)}/h, HD output {usd(report.prices.mediaLiveOutputHdPerHour, 3)}/h, SD
          output {usd(report.prices.mediaLiveOutputSdPerHour, 3)}/h; data out {usd(report.prices.dataTransferOutPerGb, 3)}/GB.
        </p>
        <p>{report.month.basis}</p>
      </details>
    </section>
  );
}
