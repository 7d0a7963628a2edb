/**
 * The API reference page (api-reference.html): the API's own OpenAPI document, fetched from
 * `GET /openapi.json` through the API client and rendered here — no CDN, no third-party viewer,
 * so it works offline against the local stack.
 */
import { render } from 'preact';
import { ApiClient, type OpenApiDocument } from './api';
import { ApiReference } from './ApiReference';
import { loadRuntimeConfig } from './config';
import './styles.css';

async function boot(root: HTMLElement): Promise<void> {
  let documentUrl = 'openapi.json';
  try {
    const config = await loadRuntimeConfig(window.fetch.bind(window), new URL('config.json', document.baseURI).href);
    // The document is public: no sign-in needed to read the contract.
    const api = new ApiClient({ baseUrl: config.apiUrl, fetch: window.fetch.bind(window) });
    documentUrl = api.apiDocumentUrl();
    const doc: OpenApiDocument = await api.apiDocument();
    render(<ApiReference doc={doc} documentUrl={documentUrl} />, root);
  } catch (error) {
    render(<ApiReference error={error instanceof Error ? error.message : String(error)} documentUrl={documentUrl} />, root);
  }
}

const root = document.getElementById('app');
if (root) void boot(root);
