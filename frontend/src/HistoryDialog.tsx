import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiClient, type DestinationEventView, type DestinationView } from './api';
import { Dialog, rowControl } from './Dialog';

/** The time of an event to the second; with the date when it is not today. */
function eventTime(iso: string, now: number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return new Date(now).toDateString() === date.toDateString()
    ? time
    : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

/** Events per request; "Load more" asks for the next page. */
export const HISTORY_PAGE_SIZE = 20;

const KIND_LABELS: Record<DestinationEventView['kind'], string> = {
  created: 'Created',
  edited: 'Edited',
  'delete-requested': 'Deletion requested',
  deleted: 'Deleted',
  'start-requested': 'Started by hand',
  'stop-requested': 'Stopped by hand',
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
  recovered: 'Recovered',
  'health-failing': 'Failing',
  'health-recovered': 'Recovered',
  'alert-sent': 'Alert',
};

const BAD = new Set<DestinationEventView['kind']>(['failed', 'health-failing']);
const GOOD = new Set<DestinationEventView['kind']>(['recovered', 'health-recovered', 'running']);

interface HistoryDialogProps {
  api: ApiClient;
  destination: DestinationView;
  onClose: () => void;
  now: number;
}

/** A destination's history (GET /stream-destinations/{id}/events), newest first, page by page. */
export function HistoryDialog({ api, destination, onClose, now }: HistoryDialogProps) {
  const [events, setEvents] = useState<DestinationEventView[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (token: string | undefined) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.listDestinationEvents(destination.id, {
          limit: HISTORY_PAGE_SIZE,
          ...(token === undefined ? {} : { nextToken: token }),
        });
        setEvents((previous) => (token === undefined ? page.events : [...previous, ...page.events]));
        setNextToken(page.nextToken);
        setLoaded(true);
      } catch (cause) {
        setError(cause instanceof ApiError || cause instanceof Error ? cause.message : 'The history could not be loaded.');
      } finally {
        setLoading(false);
      }
    },
    [api, destination.id],
  );

  useEffect(() => {
    void load(undefined);
  }, [load]);

  return (
    <Dialog
      title={`History of ${destination.name}`}
      onClose={onClose}
      testId="history-dialog"
      returnFocusTo={rowControl(destination.id, 'history-button')}
      wide
    >
      <p class="muted">Starts, stops, failures, recoveries, edits and alerts of the last 30 days, newest first.</p>
      {loaded && events.length === 0 && (
        <p class="muted" data-testid="history-empty">
          Nothing has happened yet.
        </p>
      )}
      {events.length > 0 && (
        <ol class="history" data-testid="history-list" aria-label={`Events of ${destination.name}`}>
          {events.map((event) => (
            <li
              key={event.id}
              class={`history-item${BAD.has(event.kind) ? ' history-bad' : GOOD.has(event.kind) ? ' history-good' : ''}`}
              data-testid="history-event"
              data-kind={event.kind}
            >
              <time dateTime={event.at} title={event.at} class="history-time">
                {eventTime(event.at, now)}
              </time>
              <span class="history-kind">{KIND_LABELS[event.kind]}</span>
              <span class="history-message">{event.message}</span>
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="history-error">
          {error}
        </p>
      )}
      {loading && (
        <p class="muted" aria-busy="true" data-testid="history-loading">
          Loading…
        </p>
      )}
      <div class="form-actions">
        {(nextToken !== null || (error !== null && loaded)) && (
          <button type="button" class="btn" disabled={loading} onClick={() => void load(nextToken ?? undefined)} data-testid="history-more">
            Load more
          </button>
        )}
        {error !== null && !loaded && (
          <button type="button" class="btn" disabled={loading} onClick={() => void load(undefined)}>
            Retry
          </button>
        )}
        <button type="button" class="btn btn-primary" onClick={onClose} autoFocus data-testid="history-close">
          Close
        </button>
      </div>
    </Dialog>
  );
}
