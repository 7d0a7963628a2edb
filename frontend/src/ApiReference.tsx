/**
 * Renders an OpenAPI 3.1 document: every operation with its parameters, request body (fields
 * from the schema, with `$ref`s resolved), answers and named examples.
 */
import type { OpenApiDocument } from './api';

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'delete'] as const;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema a `$ref` points at (local references only), and its component name. */
function resolve(doc: OpenApiDocument, schema: unknown): { name?: string; schema: Json } {
  if (isRecord(schema) && typeof schema['$ref'] === 'string') {
    const name = schema['$ref'].replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    return { name, schema: isRecord(target) ? target : {} };
  }
  return { schema: isRecord(schema) ? schema : {} };
}

/** A short type label: `string`, `one of a, b`, `Destination[]`, `string | null`. */
function typeOf(doc: OpenApiDocument, schema: unknown): string {
  const { name, schema: s } = resolve(doc, schema);
  if (name) return name;
  if (Array.isArray(s['enum'])) return `one of ${s['enum'].map(String).join(', ')}`;
  if (Array.isArray(s['anyOf'])) return s['anyOf'].map((part) => typeOf(doc, part)).join(' | ');
  if (s['type'] === 'array') return `${typeOf(doc, s['items'])}[]`;
  if (Array.isArray(s['type'])) return s['type'].join(' | ');
  return typeof s['type'] === 'string' ? s['type'] : 'any';
}

function Fields({ doc, schema }: { doc: OpenApiDocument; schema: unknown }) {
  const { name, schema: s } = resolve(doc, schema);
  const properties = isRecord(s['properties']) ? s['properties'] : {};
  const required = new Set(Array.isArray(s['required']) ? s['required'] : []);
  const entries = Object.entries(properties);
  if (entries.length === 0) return <p class="muted">{name ?? typeOf(doc, schema)}</p>;
  return (
    <table class="ref-fields">
      <caption>
        {name ?? 'Object'}
        {s['additionalProperties'] === false ? ' — other fields are refused' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">field</th>
          <th scope="col">type</th>
          <th scope="col">notes</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([field, value]) => {
          const v = resolve(doc, value).schema;
          const limits = [
            required.has(field) ? 'required' : 'optional',
            typeof v['minLength'] === 'number' ? `min ${v['minLength']} characters` : '',
            typeof v['maxLength'] === 'number' ? `max ${v['maxLength']} characters` : '',
            typeof v['description'] === 'string' ? v['description'] : '',
          ].filter(Boolean);
          return (
            <tr key={field}>
              <td>
                <code>{field}</code>
              </td>
              <td>{typeOf(doc, value)}</td>
              <td>{limits.join('; ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Examples({ examples }: { examples: unknown }) {
  if (!isRecord(examples)) return null;
  return (
    <div class="ref-examples">
      {Object.entries(examples).map(([name, example]) => {
        const e = isRecord(example) ? example : {};
        return (
          <details key={name}>
            <summary>
              Example <code>{name}</code>
              {typeof e['summary'] === 'string' ? `: ${e['summary']}` : ''}
            </summary>
            <pre>{JSON.stringify(e['value'], null, 2)}</pre>
          </details>
        );
      })}
    </div>
  );
}

function Operation({ doc, method, path, op }: { doc: OpenApiDocument; method: string; path: string; op: Json }) {
  const id = typeof op['operationId'] === 'string' ? op['operationId'] : `${method}-${path}`;
  const parameters = Array.isArray(op['parameters']) ? op['parameters'].filter(isRecord) : [];
  const body = isRecord(op['requestBody']) ? op['requestBody'] : undefined;
  const bodyMedia =
    body && isRecord(body['content']) && isRecord(body['content']['application/json']) ? body['content']['application/json'] : undefined;
  const responses = isRecord(op['responses']) ? op['responses'] : {};
  return (
    <section class="panel ref-operation" id={id} data-testid="api-operation">
      <h2>
        <span class={`ref-method ref-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h2>
      <p>
        <strong>{String(op['summary'] ?? '')}</strong>
        {Array.isArray(op['security']) && op['security'].length === 0 ? ' · no token needed' : ''}
      </p>
      {typeof op['description'] === 'string' && <p>{op['description']}</p>}
      {parameters.length > 0 && (
        <>
          <h3>Parameters</h3>
          <ul>
            {parameters.map((p) => (
              <li key={`${String(p['in'])}-${String(p['name'])}`}>
                <code>{String(p['name'])}</code> ({String(p['in'])}
                {p['required'] ? ', required' : ''}){typeof p['description'] === 'string' ? `: ${p['description']}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {bodyMedia && (
        <>
          <h3>Request body{body?.['required'] ? '' : ' (optional)'}</h3>
          <Fields doc={doc} schema={bodyMedia['schema']} />
          <Examples examples={bodyMedia['examples']} />
        </>
      )}
      <h3>Answers</h3>
      <dl class="ref-responses">
        {Object.entries(responses).map(([status, response]) => {
          const r = isRecord(response) ? response : {};
          const media = isRecord(r['content']) && isRecord(r['content']['application/json']) ? r['content']['application/json'] : undefined;
          return (
            <div key={status}>
              <dt>
                <code>{status}</code> {media ? typeOf(doc, media['schema']) : 'no body'}
              </dt>
              <dd>
                {String(r['description'] ?? '')}
                {media && <Examples examples={media['examples']} />}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

export function ApiReference(props: { doc?: OpenApiDocument; error?: string; documentUrl: string }) {
  const { doc } = props;
  return (
    <div class="app">
      <header class="topbar">
        <h1 class="brand">{doc?.info.title ?? 'API reference'}</h1>
        <nav class="account">
          <a class="btn btn-small" href="./">
            Back to the admin site
          </a>
          <a class="btn btn-small" href={props.documentUrl} data-testid="openapi-json-link">
            openapi.json
          </a>
        </nav>
      </header>
      <main class="content" id="main">
        {props.error !== undefined && (
          <section class="panel center" role="alert" data-testid="error-state">
            <h2>The API document cannot be loaded</h2>
            <p>{props.error}</p>
          </section>
        )}
        {doc && (
          <>
            <section class="panel">
              <p>
                OpenAPI {doc.openapi} · version {doc.info.version}
              </p>
              {doc.info.description && <p>{doc.info.description}</p>}
              <nav aria-label="Operations">
                <ul>
                  {Object.entries(doc.paths).flatMap(([path, item]) =>
                    METHODS.filter((m) => isRecord(item[m])).map((m) => {
                      const op = item[m] as Json;
                      const id = typeof op['operationId'] === 'string' ? op['operationId'] : `${m}-${path}`;
                      return (
                        <li key={id}>
                          <a href={`#${id}`}>
                            {m.toUpperCase()} {path}
                          </a>{' '}
                          — {String(op['summary'] ?? '')}
                        </li>
                      );
                    }),
                  )}
                </ul>
              </nav>
            </section>
            {Object.entries(doc.paths).flatMap(([path, item]) =>
              METHODS.filter((m) => isRecord(item[m])).map((m) => (
                <Operation key={`${m} ${path}`} doc={doc} method={m} path={path} op={item[m] as Json} />
              )),
            )}
          </>
        )}
      </main>
    </div>
  );
}
