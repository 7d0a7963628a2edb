import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { pollInterval } from './activity';
import { ApiError, type ApiClient, type ChannelStatusView, type DestinationView, type LocalMediaLiveChannel } from './api';
import type { Session } from './auth';
import { bulkSummary, runBulk } from './bulk';
import { applyFilter, FILTER_THRESHOLD, NO_FILTER, type DestinationFilter } from './filter';
import type { RuntimeConfig } from './config';
import { CostPanel } from './CostPanel';
import { Dialog, rowControl } from './Dialog';
import { DestinationForm } from './DestinationForm';
import { DestinationsTable, STARTING_HINT } from './DestinationsTable';
import { HistoryDialog } from './HistoryDialog';
import { mergeByKey } from './merge';
import { browserPollerEnvironment, createPoller, type Poller } from './poller';
import { LocalBanner, StreamStatus } from './StreamStatus';
import { BulkBar, FilterBar } from './Toolbar';
import { ChannelPanels } from './ChannelPanel';

/** A go-live / end-stream switch shows its target state at most this long before trusting the status again. */
const PENDING_SWITCH_MS = 15_000;

interface AppProps {
  api: ApiClient;
  config: RuntimeConfig;
  session: Session | null;
}

export function App({ api, config, session }: AppProps) {
  const [, setSessionVersion] = useState(0);
  useEffect(() => session?.onChange(() => setSessionVersion((v) => v + 1)), [session]);

  const signedOut = session !== null && session.token() === null;
  return (
    <div class="app">
      <header class="topbar">
        <h1 class="brand">IVS Restreaming</h1>
        <a class="btn btn-small" href="./api-reference.html" data-testid="api-reference-link">
          API reference
        </a>
        {session && !signedOut && (
          <div class="account">
            <span class="account-name">{session.userLabel()}</span>
            <button type="button" class="btn btn-small" onClick={() => void session.signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main class="content" id="main">
        {signedOut ? <SignIn session={session} /> : <Dashboard api={api} config={config} session={session} />}
      </main>
    </div>
  );
}

function SignIn({ session }: { session: Session }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="panel center" data-testid="sign-in">
      <h2>Sign in</h2>
      <p>Sign in to manage where your IVS streams are restreamed.</p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="btn btn-primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          session.signIn().catch((cause: unknown) => {
            setBusy(false);
            setError(cause instanceof Error ? `Sign-in failed: ${cause.message}` : 'Sign-in failed.');
          });
        }}
      >
        {busy ? 'Redirecting…' : 'Sign in'}
      </button>
    </section>
  );
}

type FormTarget = { mode: 'create' } | { mode: 'edit'; destination: DestinationView };
interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** The current time, ticking every second for the time-in-state labels. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function upsert(list: readonly DestinationView[] | null, destination: DestinationView): readonly DestinationView[] {
  const current = list ?? [];
  return current.some((d) => d.id === destination.id)
    ? current.map((d) => (d.id === destination.id ? destination : d))
    : [...current, destination];
}

function Dashboard({ api, config, session }: AppProps) {
  const [destinations, setDestinations] = useState<readonly DestinationView[] | null>(null);
  const [channels, setChannels] = useState<readonly ChannelStatusView[] | null>(null);
  const [simulated, setSimulated] = useState<readonly LocalMediaLiveChannel[] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [lastSuccess, setLastSuccess] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [formTarget, setFormTarget] = useState<FormTarget | null>(null);
  const [toDelete, setToDelete] = useState<DestinationView | null>(null);
  const [historyOf, setHistoryOf] = useState<DestinationView | null>(null);
  const [pendingLive, setPendingLive] = useState<Record<string, boolean>>({});
  const [filter, setFilter] = useState<DestinationFilter>(NO_FILTER);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkWorking, setBulkWorking] = useState(false);
  const now = useNow(1000);

  const polled = useRef<{ previous: readonly DestinationView[] | null; latest: readonly DestinationView[] | null }>({
    previous: null,
    latest: null,
  });
  const refresh = useCallback(async () => {
    const local = config.localMode
      ? api.localMediaLiveChannels().then(
          (list) => setSimulated((previous) => mergeByKey(previous, list, (c) => c.id)),
          () => undefined,
        )
      : Promise.resolve();
    const [listResult, statusResult] = await Promise.allSettled([api.listDestinations(), api.streamStatus(), local]);
    // The lists of the last two polls as they came, for the poll interval (a health change).
    const latest = listResult.status === 'fulfilled' ? listResult.value : polled.current.latest;
    polled.current = { previous: polled.current.latest, latest };
    if (listResult.status === 'fulfilled') {
      setDestinations((previous) => mergeByKey(previous, listResult.value, (d) => d.id));
    }
    if (statusResult.status === 'fulfilled') {
      setChannels((previous) => mergeByKey(previous, statusResult.value, (c) => c.channelArn));
    }
    const failure = [listResult, statusResult].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      const reason: unknown = failure.reason;
      setLoadError(reason instanceof ApiError ? reason : new ApiError(0, 'UNKNOWN', String(reason)));
      if (reason instanceof ApiError && reason.status === 401 && session) await session.forget();
    } else {
      setLoadError(null);
      setLastSuccess(Date.now());
    }
  }, [api, config.localMode, session]);

  // The poller asks after every run how long to wait: fast while something changes (activity.ts).
  const activity = useRef({ destinations, channels, pending: false });
  activity.current = { destinations, channels, pending: busy.size > 0 || Object.keys(pendingLive).length > 0 };
  const poller = useRef<Poller | null>(null);
  useEffect(() => {
    const next = (): number => {
      const { destinations: list, channels: status, pending } = activity.current;
      const { previous, latest } = polled.current;
      return pollInterval(latest ?? list, status, Date.now(), pending, previous);
    };
    const instance = createPoller(refresh, next, browserPollerEnvironment());
    poller.current = instance;
    instance.start();
    return () => instance.stop();
  }, [refresh]);
  const refreshNow = useCallback(() => poller.current?.refreshNow() ?? Promise.resolve(), []);

  // Marks the moment the destinations are first in the DOM (the bench measures time to this mark).
  const marked = useRef(false);
  useLayoutEffect(() => {
    if (destinations !== null && !marked.current && typeof performance.mark === 'function') {
      marked.current = true;
      performance.mark('destinations-rendered');
    }
  }, [destinations]);

  // A pending go-live switch settles once the status shows its target, or after a while regardless.
  useEffect(() => {
    if (!channels) return;
    setPendingLive((pending) => {
      const next = { ...pending };
      let changed = false;
      for (const channel of channels) {
        if (channel.channelArn in next && next[channel.channelArn] === (channel.state === 'LIVE')) {
          delete next[channel.channelArn];
          changed = true;
        }
      }
      return changed ? next : pending;
    });
  }, [channels]);

  const withBusy = async (id: string, action: () => Promise<void>): Promise<void> => {
    setNotice(null);
    setBusy((previous) => new Set(previous).add(id));
    try {
      await action();
    } catch (error) {
      setNotice({ kind: 'error', text: error instanceof Error ? error.message : 'The request failed.' });
    } finally {
      setBusy((previous) => {
        const next = new Set(previous);
        next.delete(id);
        return next;
      });
      void refreshNow();
    }
  };

  const actions = {
    onToggleEnabled: (d: DestinationView, enabled: boolean) =>
      void withBusy(d.id, async () => {
        setDestinations((list) => upsert(list, { ...d, enabled }));
        try {
          const saved = await api.updateDestination(d.id, { enabled });
          setDestinations((list) => upsert(list, saved));
        } catch (error) {
          setDestinations((list) => upsert(list, d));
          throw error;
        }
      }),
    onStart: (d: DestinationView) =>
      void withBusy(d.id, async () => {
        const saved = await api.startDestination(d.id);
        setDestinations((list) => upsert(list, saved));
      }),
    onStop: (d: DestinationView) =>
      void withBusy(d.id, async () => {
        const saved = await api.stopDestination(d.id);
        setDestinations((list) => upsert(list, saved));
      }),
    onEdit: (d: DestinationView) => setFormTarget({ mode: 'edit', destination: d }),
    onDelete: (d: DestinationView) => setToDelete(d),
    onHistory: (d: DestinationView) => setHistoryOf(d),
  };

  const confirmDelete = (d: DestinationView): void => {
    setToDelete(null);
    void withBusy(d.id, async () => {
      const result = await api.deleteDestination(d.id);
      setDestinations((list) => (result.done ? (list ?? []).filter((x) => x.id !== d.id) : upsert(list, result.destination)));
    });
  };

  const endGrace = (channel: ChannelStatusView): void =>
    void withBusy(channel.channelArn, async () => {
      const updated = await api.endGrace(channel.channelId);
      setChannels((list) => (list ?? []).map((c) => (c.channelArn === updated.channelArn ? updated : c)));
    });

  const toggleLive = (channelArn: string, live: boolean): void => {
    setNotice(null);
    setPendingLive((pending) => ({ ...pending, [channelArn]: live }));
    const single = (channels?.length ?? 0) <= 1;
    const request = live ? api.localGoLive(single ? undefined : channelArn) : api.localGoOffline(single ? undefined : channelArn);
    request
      .then(() => refreshNow())
      .catch((error: unknown) => {
        setNotice({ kind: 'error', text: error instanceof Error ? error.message : 'The request failed.' });
        setPendingLive((pending) => {
          const next = { ...pending };
          delete next[channelArn];
          return next;
        });
      });
    window.setTimeout(
      () =>
        setPendingLive((pending) => {
          if (!(channelArn in pending)) return pending;
          const next = { ...pending };
          delete next[channelArn];
          return next;
        }),
      PENDING_SWITCH_MS,
    );
  };

  const shown = useMemo(() => (destinations === null ? null : applyFilter(destinations, filter)), [destinations, filter]);
  // Only rows on screen stay selected: a filter or a removal drops the others.
  useEffect(() => {
    if (shown === null) return;
    setSelected((previous) => {
      const visible = new Set(shown.map((d) => d.id));
      const next = new Set([...previous].filter((id) => visible.has(id)));
      return next.size === previous.size ? previous : next;
    });
  }, [shown]);
  const selection = {
    selected,
    onSelect: (d: DestinationView, on: boolean) =>
      setSelected((previous) => {
        const next = new Set(previous);
        if (on) next.add(d.id);
        else next.delete(d.id);
        return next;
      }),
    onSelectAll: (on: boolean) =>
      setSelected(on ? new Set((shown ?? []).filter((d) => d.status !== 'deleting').map((d) => d.id)) : new Set()),
  };

  /** One PUT per selected destination that is not already so; every failure is named. */
  const bulkSetEnabled = async (enabled: boolean): Promise<void> => {
    const targets = (shown ?? []).filter((d) => selected.has(d.id));
    setNotice(null);
    setBulkWorking(true);
    try {
      const result = await runBulk(targets, async (d) => {
        if (d.enabled === enabled) return;
        const saved = await api.updateDestination(d.id, { enabled });
        setDestinations((list) => upsert(list, saved));
      });
      setSelected(new Set(result.failed.map((f) => f.item.id)));
      setNotice(bulkSummary(enabled ? 'Enabled' : 'Disabled', result, (d) => d.name));
    } finally {
      setBulkWorking(false);
      void refreshNow();
    }
  };

  const anyStarting = useMemo(() => destinations?.some((d) => d.status === 'starting') ?? false, [destinations]);
  const openCreate = (): void => setFormTarget({ mode: 'create' });

  let body;
  if (destinations === null) {
    body =
      loadError === null ? (
        <p class="panel center muted" data-testid="loading-state" aria-busy="true">
          Loading destinations…
        </p>
      ) : (
        <section class="panel center" data-testid="error-state" role="alert">
          <h2>Cannot load destinations</h2>
          <p>{loadError.message}</p>
          <p class="muted">
            {loadError.isNetworkError ? 'Check that the API is running and reachable, then try again.' : `Error code: ${loadError.code}`}
          </p>
          <button type="button" class="btn btn-primary" onClick={() => void refreshNow()}>
            Retry
          </button>
        </section>
      );
  } else if (destinations.length === 0) {
    body = (
      <section class="panel center" data-testid="empty-state">
        <h2>No destinations yet</h2>
        <p>
          Add YouTube, Twitch, Facebook, Kick or any RTMP(S) server. Every enabled destination starts automatically when its IVS channel
          goes live, and stops when the stream ends.
        </p>
        <button type="button" class="btn btn-primary" onClick={openCreate} data-testid="add-destination">
          Add your first destination
        </button>
      </section>
    );
  } else {
    body = (
      <section class="panel" aria-labelledby="destinations-heading">
        <div class="panel-head">
          <h2 id="destinations-heading">Destinations</h2>
          <button type="button" class="btn btn-primary" onClick={openCreate} data-testid="add-destination">
            Add destination
          </button>
        </div>
        {anyStarting && (
          <p class="info" role="status" data-testid="starting-note">
            {STARTING_HINT}
          </p>
        )}
        {destinations.length > FILTER_THRESHOLD && (
          <FilterBar filter={filter} onChange={setFilter} destinations={destinations} channels={channels} shown={shown?.length ?? 0} />
        )}
        {selected.size > 0 && (
          <BulkBar
            count={selected.size}
            shown={(shown ?? []).filter((d) => d.status !== 'deleting').length}
            onSelectAll={() => selection.onSelectAll(true)}
            working={bulkWorking}
            onEnable={() => void bulkSetEnabled(true)}
            onDisable={() => void bulkSetEnabled(false)}
            onClear={() => setSelected(new Set())}
          />
        )}
        {shown !== null && shown.length === 0 ? (
          <p class="muted center" data-testid="filter-empty">
            No destination matches these filters.
          </p>
        ) : (
          <DestinationsTable
            destinations={shown ?? destinations}
            channels={channels}
            busy={busy}
            now={now}
            selection={selection}
            {...actions}
          />
        )}
      </section>
    );
  }

  return (
    <>
      {config.localMode && (
        <LocalBanner
          channels={channels}
          mediaLive={simulated}
          pending={pendingLive}
          onToggle={toggleLive}
          now={now}
          media={config.localMedia}
        />
      )}
      <StreamStatus channels={channels} now={now} onEndGrace={endGrace} ending={busy} />
      {channels && channels.length > 0 && <ChannelPanels api={api} channels={channels} />}
      {destinations !== null && destinations.length > 0 && <CostPanel api={api} destinations={destinations} />}
      {loadError && destinations !== null && (
        <p class="stale" role="status" data-testid="stale-notice">
          Connection problem: {loadError.message}
          {lastSuccess !== null && ` Showing data from ${Math.round((now - lastSuccess) / 1000)} s ago;`} retrying…
        </p>
      )}
      {notice && (
        <div class={`notice notice-${notice.kind}`} role="alert" data-testid="notice">
          <span>{notice.text}</span>
          <button type="button" class="btn btn-small btn-quiet" aria-label="Dismiss message" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {body}
      {formTarget && (
        <DestinationForm
          api={api}
          destination={formTarget.mode === 'edit' ? formTarget.destination : undefined}
          channels={channels}
          {...(config.relayModes ? { relayModes: config.relayModes } : {})}
          onClose={() => setFormTarget(null)}
          onSaved={(saved) => {
            setFormTarget(null);
            setDestinations((list) => upsert(list, saved));
            void refreshNow();
          }}
        />
      )}
      {historyOf && <HistoryDialog api={api} destination={historyOf} now={now} onClose={() => setHistoryOf(null)} />}
      {toDelete && (
        <Dialog
          title={`Delete ${toDelete.name}?`}
          onClose={() => setToDelete(null)}
          testId="confirm-delete"
          returnFocusTo={rowControl(toDelete.id, 'delete-button')}
        >
          <p>
            The destination is removed and its MediaLive channel is stopped and deleted. Its stream key is discarded. This cannot be undone.
          </p>
          <div class="form-actions">
            <button type="button" class="btn" onClick={() => setToDelete(null)} autoFocus>
              Cancel
            </button>
            <button type="button" class="btn btn-danger" onClick={() => confirmDelete(toDelete)} data-testid="confirm-delete-button">
              Delete
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
