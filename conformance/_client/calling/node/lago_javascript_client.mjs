// lago-conformance's command adapter for the official JavaScript SDK (npm: lago-javascript-client).
//
// `node lago_javascript_client.mjs` makes one call, as a user of the SDK would:
//   Client(LAGO_API_KEY, { baseUrl: LAGO_API_URL }).invoices.invoicePaymentUrl(LAGO_INVOICE_ID)
// with the SDK's default options (no timeout, no retry it lacks) or those LAGO_CLIENT_OPTIONS
// holds as JSON (e.g. {"rateLimitRetry": {}}); with LAGO_API_URL empty, no baseUrl at all, and
// the documented servers' requests go to LAGO_CONFORMANCE_ORIGIN. It prints the outcome as one
// JSON line (see conformance/_client/outcome.py):
// - the promise resolves (the SDK's HttpClient resolves on a 2xx): the user reads
//   `response.data.invoice_payment_details`; {"ok": true, "details": <that object>}, or
//   details {} when the SDK gives no such object (a body it could not parse leaves data null);
// - it rejects with the fetch Response (the SDK throws it on a non-2xx, with `.error` set to the
//   parsed body): {"ok": false, "status": <.status>, "code": <.error.code>, "error_details": ...};
// - it rejects with anything else (fetch's TypeError on a network error): status null.
// `node lago_javascript_client.mjs --probe` prints where the SDK resolves and its version.
//
// The SDK is resolved as Node resolves a bare name from the current directory (node_modules
// upwards), then NODE_PATH; ESM `import` ignores NODE_PATH, so createRequire's lookup list finds
// the package and the file its "import" export names is imported by URL.

import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const NAME = "lago-javascript-client";

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function readPackage(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return null;
  }
}

// The SDK's package root and package.json, or null when Node would not find it: the first
// folder of Node's own lookup list for a bare name from here (node_modules upwards from the
// current directory, then NODE_PATH, then the global folders) that holds the package.
function locate() {
  const require = createRequire(path.join(process.cwd(), "lago-conformance.cjs"));
  for (const dir of require.resolve.paths(NAME) ?? []) {
    const root = path.resolve(dir, NAME);
    const pkg = readPackage(root);
    if (pkg !== null) return { root: realpathSync(root), pkg, require };
  }
  return null;
}

// What `import ... from "lago-javascript-client"` loads: the file its "import" export names;
// without one, what `require` loads (its "main").
function entry({ root, pkg, require }) {
  let target = isObject(pkg.exports) && "." in pkg.exports ? pkg.exports["."] : pkg.exports;
  while (isObject(target)) target = target.import ?? target.node ?? target.default;
  return typeof target === "string" ? path.resolve(root, target) : require.resolve(root);
}

async function loadSdk(found) {
  return await import(pathToFileURL(entry(found)).href);
}

function describe(thrown) {
  if (thrown instanceof Error) {
    const { cause } = thrown;
    const why = cause instanceof Error ? ` (${cause.code ?? cause.name}: ${cause.message})` : "";
    return `${thrown.name}: ${thrown.message}${why}`;
  }
  return `thrown: ${String(thrown)}`;
}

// The outcome of what `invoicePaymentUrl` resolved with or threw.
function resolved(response) {
  const data = response?.data;
  const details = isObject(data) ? data.invoice_payment_details : undefined;
  return { ok: true, details: isObject(details) ? details : {} };
}

function rejected(thrown) {
  if (thrown === null || typeof thrown !== "object" || typeof thrown.status !== "number") {
    return { ok: false, status: null, code: null, error_details: null, message: describe(thrown) };
  }
  // The SDK's thrown Response: `.error` is the parsed body, or the error parsing it raised.
  const body = thrown.error;
  const fromBody = isObject(body) && !(body instanceof Error);
  const code = fromBody && typeof body.code === "string" ? body.code : null;
  const errorDetails = fromBody && isObject(body.error_details) ? body.error_details : null;
  // The text a user sees: the SDK throws the fetch Response itself, which has no message.
  const text = typeof thrown.message === "string" ? thrown.message : String(thrown);
  const why = body instanceof Error ? `; the body was not read: ${describe(body)}` : "";
  return { ok: false, status: thrown.status, code, error_details: errorDetails, message: text + why };
}

function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`, () => process.exit(0));
}

// Where the SDK resolves, its version, and whether it has the call; what failed, if loading did.
async function probe() {
  const found = locate();
  if (found === null) return print({ node: process.versions.node, sdk: null });
  let callable;
  try {
    const { Client } = await loadSdk(found);
    callable = typeof Client?.("probe", {})?.invoices?.invoicePaymentUrl === "function";
  } catch (error) {
    return print({ node: process.versions.node, error: `${entry(found)}: ${describe(error)}` });
  }
  const sdk = { version: String(found.pkg.version ?? ""), root: found.root, callable };
  print({ node: process.versions.node, sdk });
}

// With no base URL, the SDK's own default: a request to a server the contract documents goes to
// the harness at `origin` instead, the URL it was for in X-Lago-Conformance-Url; any other is
// refused (a TypeError, as fetch gives for a host it cannot reach) and written to stderr.
const SERVERS = ["https://api.getlago.com/", "https://api.eu.getlago.com/"];

function intercept(origin) {
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = typeof input === "string" ? input : (input.url ?? String(input));
    if (!SERVERS.some((server) => url.startsWith(server))) {
      process.stderr.write(`lago-conformance: refused a request to ${url}\n`);
      throw new TypeError("fetch failed");
    }
    const target = origin + url.slice(new URL(url).origin.length);
    const headers = new Headers(init.headers ?? (typeof input === "string" ? undefined : input.headers));
    headers.set("x-lago-conformance-url", url);
    const request = typeof input === "string" ? undefined : input;
    return real(target, { method: request?.method, body: request?.body, ...init, headers });
  };
}

async function call() {
  const found = locate();
  if (found === null) {
    process.stderr.write(`${NAME} is not installed: npm install ${NAME}, or set NODE_PATH\n`);
    process.exit(3);
  }
  const origin = process.env.LAGO_CONFORMANCE_ORIGIN;
  if (!process.env.LAGO_API_URL && origin) intercept(origin);
  const { Client } = await loadSdk(found);
  // The SDK's own options (LAGO_CLIENT_OPTIONS, JSON), and the base URL unless none is given.
  const options = JSON.parse(process.env.LAGO_CLIENT_OPTIONS || "{}");
  if (process.env.LAGO_API_URL) options.baseUrl = process.env.LAGO_API_URL;
  const client = Client(process.env.LAGO_API_KEY, options);
  let outcome;
  try {
    outcome = resolved(await client.invoices.invoicePaymentUrl(process.env.LAGO_INVOICE_ID));
  } catch (thrown) {
    outcome = rejected(thrown);
  }
  print(outcome);
}

await (process.argv.includes("--probe") ? probe() : call());
