import { render } from 'preact';
import { ApiClient } from './api';
import { App } from './App';
import type { Session } from './auth';
import { loadRuntimeConfig } from './config';
import './styles.css';

function StartupError({ message }: { message: string }) {
  return (
    <div class="app">
      <header class="topbar">
        <h1 class="brand">IVS Restreaming</h1>
      </header>
      <main class="content">
        <section class="panel center" data-testid="error-state" role="alert">
          <h2>The admin site cannot start</h2>
          <p>{message}</p>
          <button type="button" class="btn btn-primary" onClick={() => window.location.reload()}>
            Retry
          </button>
        </section>
      </main>
    </div>
  );
}

async function boot(root: HTMLElement): Promise<void> {
  try {
    const config = await loadRuntimeConfig(window.fetch.bind(window), new URL('config.json', document.baseURI).href);
    let session: Session | null = null;
    if (config.auth) {
      // Only deployments with a login download the OIDC client.
      const { createSession } = await import('./auth');
      session = await createSession(config.auth);
    }
    const signedIn = session;
    const api = new ApiClient({
      baseUrl: config.apiUrl,
      fetch: window.fetch.bind(window),
      getToken: () => signedIn?.token() ?? null,
    });
    render(<App api={api} config={config} session={session} />, root);
  } catch (error) {
    render(<StartupError message={error instanceof Error ? error.message : String(error)} />, root);
  }
}

const root = document.getElementById('app');
if (root) void boot(root);
