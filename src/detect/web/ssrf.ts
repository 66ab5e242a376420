/**
 * Server-side request forgery: a value that is a URL, given to an application that fetches it
 * (a webhook, an image or feed URL, a PDF renderer), pointing where only the server can reach and
 * what an attacker wants from there:
 * - a cloud's instance metadata service, which hands out the instance's credentials (AWS, Azure,
 *   GCP, OpenStack, DigitalOcean at 169.254.169.254; AWS over IPv6 at fd00:ec2::254; ECS tasks
 *   at 169.254.170.2; Alibaba at 100.100.100.200; Oracle at 192.0.0.192; GCP's and Azure's
 *   names), also in the disguises a URL parser reads as those addresses (`2852039166`,
 *   `0xA9FEA9FE`, `0251.0376.0251.0376`, `::ffff:a9fe:a9fe`), read here by the WHATWG parser
 *   the way fetch libraries read them, and behind names that resolve to them (`….nip.io`);
 * - a gopher:// or dict:// URL, which makes the fetcher speak raw bytes to an internal service
 *   (Redis, memcached, SMTP): no application asks for one.
 * Only a whole value that is a URL counts: prose that mentions the metadata address (a post on
 * cloud security) is no fetch target, and a request to the metadata service itself (its Host
 * header) is the instance at work. Local addresses (`localhost`, `127.0.0.1`) are left alone:
 * OAuth redirect URIs and development tools name them all day.
 */

/** Metadata services, as the WHATWG URL parser writes their host names. */
const METADATA_HOSTS = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  '[fd00:ec2::254]',
  '[::ffff:a9fe:a9fe]',
  '[::ffff:a9fe:aa02]',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** A metadata address at the start of a host name (`169.254.169.254.nip.io` resolves to it). */
const METADATA_PREFIX = /^(?:169\.254\.169\.254|169\.254\.170\.2|100\.100\.100\.200)\./;

/** gopher:// and dict:// at the start of the value. */
const RAW_PROTOCOL = /^\s*(gopher|dict):\/\//i;

/** A URL with a fetchable scheme, or protocol-relative (`//host/…`), up to its authority. */
const URL_START = /^\s*(?:(?:https?|ftps?):)?\/\//i;

/** A bare host name or address and then a path, a port, or nothing (`169.254.169.254/latest/meta-data`). */
const BARE_HOST = /^\s*([a-z0-9.-]+|\[[0-9a-f:.]+\])(?:[/:?#]|\s*$)/i;

/**
 * What a bare metadata name or address starts with (see METADATA_HOSTS: bracketed addresses hold
 * a colon). A value with neither `/` nor `:` has no scheme and no `//`, so only such a name can
 * make it a target: analytics cookies (`GA1.2.…`), session ids and e-mail addresses, which are
 * most of the dotted values a site receives, end at this one test instead of three expressions.
 */
const BARE_METADATA_START = /^\s*[1mi]/i;

/** The host of a URL, as a fetch library reads it (lower case, numeric IPv4 forms as dotted quads), or null. */
function urlHost(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

function isMetadata(host: string): boolean {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  return METADATA_HOSTS.has(h) || METADATA_PREFIX.test(h);
}

/** The reason when `value` is a URL to a cloud metadata service or a raw-protocol scheme, or null. */
export function detectSsrf(value: string): string | null {
  if (value.indexOf('/') < 0 && value.indexOf(':') < 0 && !BARE_METADATA_START.test(value)) return null;
  const raw = RAW_PROTOCOL.exec(value);
  if (raw !== null) return `${raw[1].toLowerCase()}:// URL (raw protocol to an internal service)`;
  const start = URL_START.exec(value);
  if (start !== null) {
    const rest = value.slice(start[0].length);
    // Whitespace ends a URL: what follows is not part of the address.
    const end = rest.search(/[\s\\]/);
    const host = urlHost(`http://${end < 0 ? rest : rest.slice(0, end)}`);
    return host !== null && isMetadata(host) ? `URL to the cloud metadata service (${host})` : null;
  }
  // Without a scheme only the literal names count: a number alone (2852039166) is an id.
  const bare = BARE_HOST.exec(value);
  if (bare === null) return null;
  const host = bare[1].toLowerCase();
  return isMetadata(host) ? `address of the cloud metadata service (${host})` : null;
}

/** A request target that is an authority without a scheme (`@host`, `:@host:80`). */
const AUTHORITY_TARGET = /^:?@/;

/** A URL scheme and `//` (sticky: tested right after mod_proxy's `|`). */
const SCHEME_AT = /\s*[a-z][a-z0-9+.-]*:\/\//iy;

/**
 * The reason when a request's target (as sent) makes a reverse proxy that joins it to its backend
 * URL fetch from another host, or null: a target that starts with `@` or `:@` (Apache mod_proxy,
 * CVE-2011-3368 and CVE-2011-4317: `http://backend@host`), or a `unix:` socket path followed by
 * `|` and a URL (CVE-2021-40438). No client sends either: an origin-form target starts with `/`.
 */
export function detectProxyTarget(target: string): string | null {
  if (AUTHORITY_TARGET.test(target)) return 'request target that is a host, not a path (a reverse proxy joins it to its backend URL)';
  const unix = target.indexOf('unix:');
  const bar = unix < 0 ? -1 : target.indexOf('|', unix + 5);
  if (bar < 0) return null;
  SCHEME_AT.lastIndex = bar + 1;
  return SCHEME_AT.test(target) ? "mod_proxy Unix socket target with a URL after '|'" : null;
}
