/**
 * Log4Shell (CVE-2021-44228): a `${jndi:…}` lookup, also when built from nested lookups that
 * Log4j resolves first: `${${lower:j}ndi:…}`, `${${::-j}${::-n}di:…}`, `${j${env:X:-n}di:…}`,
 * `${${base64:JHtqbmRp…}}`. The value is resolved the way Log4j would (innermost first, default
 * values `:-`, lower/upper, base64), bounded in depth and work, and the result checked for jndi.
 */

/** Deepest nesting resolved and most lookups evaluated per value. */
const MAX_DEPTH = 16;
const MAX_LOOKUPS = 256;

interface Budget {
  lookups: number;
  jndi: string | null;
}

/** Evaluates one lookup body (already resolved inside); records a jndi lookup in the budget. */
function evaluate(body: string, budget: Budget): string {
  const lower = body.toLowerCase();
  if (lower.startsWith('jndi:')) {
    if (budget.jndi === null) budget.jndi = body.slice(5, 5 + 80);
    return '';
  }
  const dflt = body.indexOf(':-');
  if (lower.startsWith('lower:')) return body.slice(6).toLowerCase();
  if (lower.startsWith('upper:')) return body.slice(6).toUpperCase();
  if (lower.startsWith('base64:')) return Buffer.from(body.slice(7), 'base64').toString('latin1');
  if (dflt >= 0) return body.slice(dflt + 2);
  if (lower.startsWith('date:')) return body.slice(5).replace(/'/g, '');
  return '';
}

/** Resolves every `${…}` lookup in `s`, innermost first; `depth` is the nesting level of `s` itself. */
function resolve(s: string, depth: number, budget: Budget): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('${', i);
    if (open < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, open);
    // Find the matching close brace, counting nested `${`.
    let level = 1;
    let j = open + 2;
    while (j < s.length && level > 0) {
      if (s.charCodeAt(j) === 36 && s.charCodeAt(j + 1) === 123) {
        level++;
        j += 2;
        continue;
      }
      if (s.charCodeAt(j) === 125) level--;
      j++;
    }
    const inner = s.slice(open + 2, level === 0 ? j - 1 : j);
    if (depth >= MAX_DEPTH || ++budget.lookups > MAX_LOOKUPS) return out;
    const body = resolve(inner, depth + 1, budget);
    if (level !== 0) {
      // Unclosed: Log4j would not resolve it, but an unclosed jndi lookup is still an attempt.
      if (body.toLowerCase().startsWith('jndi:') && budget.jndi === null) budget.jndi = body.slice(5, 85);
      return out;
    }
    let value = evaluate(body, budget);
    if (value.indexOf('${') >= 0) value = resolve(value, depth + 1, budget);
    out += value;
    i = j;
  }
  return out;
}

/** A reason (naming the lookup target) when `value` holds a JNDI lookup, or null. */
export function detectLog4shell(value: string): string | null {
  if (value.indexOf('${') < 0) return null;
  const budget: Budget = { lookups: 0, jndi: null };
  const resolved = resolve(value.length > 16384 ? value.slice(0, 16384) : value, 0, budget);
  const at = resolved.toLowerCase().indexOf('${jndi:');
  if (budget.jndi === null && at >= 0) budget.jndi = resolved.slice(at + 7, at + 87);
  if (budget.jndi === null) return null;
  return `jndi lookup ${budget.jndi}`;
}
