/**
 * Cross-site scripting by structure: the value is read as HTML the way a browser would read it
 * pasted into a page (as text, or breaking out of an attribute value), and flagged for what runs
 * script: a script-capable element (`<script>`, `<iframe>`, `<object>` …), an event-handler
 * attribute (`onerror=`), a script URL in a URL attribute (`href="javascript:…"`, entities and
 * embedded tabs undone), a CSS expression, a style sheet pulled in from elsewhere (`<style>@import`,
 * `<link rel=stylesheet href=…>`: CSS injection, which reads a page's secrets through selectors
 * and fonts). Harmless markup (`<b>`, `<a href="https://…">`,
 * `<img src="x.png">`) and prose that mentions tags or "onload" pass.
 */

/** Elements that run or load active content on their own. */
const ACTIVE_TAGS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'xss', 'vmlframe', 'import', 'isindex', 'xml', 'portal']);

/** Attributes whose value is a URL the browser may navigate to or load. */
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'dynsrc', 'lowsrc', 'poster', 'codebase', 'code', 'to', 'values', 'from', 'by', 'content', 'srcset']);

/** Event handlers recognised outside a tag (breaking out of an attribute), where a generic `on…` would match prose. */
const EVENT_HANDLERS = new Set([
  'onload', 'onerror', 'onclick', 'ondblclick', 'onmouseover', 'onmouseout', 'onmouseenter', 'onmouseleave', 'onmousedown', 'onmouseup', 'onmousemove',
  'onfocus', 'onfocusin', 'onfocusout', 'onblur', 'onchange', 'oninput', 'onsubmit', 'onreset', 'onselect', 'onkeydown', 'onkeyup', 'onkeypress',
  'onanimationstart', 'onanimationend', 'onanimationiteration', 'ontransitionend', 'ontransitionrun', 'onpageshow', 'onpagehide', 'onbeforeunload', 'onunload',
  'onresize', 'onscroll', 'ontoggle', 'onpointerover', 'onpointerdown', 'onpointerup', 'onpointerenter', 'onauxclick', 'oncontextmenu', 'ondrag', 'ondragstart',
  'ondrop', 'onwheel', 'oncopy', 'oncut', 'onpaste', 'onbegin', 'onend', 'onrepeat', 'onstart', 'onfinish', 'onhashchange', 'onmessage', 'onpopstate',
  'onplay', 'onplaying', 'oncanplay', 'onloadstart', 'onprogress', 'onsearch', 'onshow', 'oninvalid', 'onformdata', 'onbeforeprint', 'onafterprint',
]);

/** CSS that runs script or loads more from elsewhere (what a `style` attribute or element must not hold). */
const ACTIVE_CSS = /expression\s*\(|javascript:|behavior\s*:|-moz-binding|@import/i;

/** A `<link>` that pulls a style sheet or an HTML import into the page. */
const LINKED_SHEET = /^[^>]*\brel\s*=\s*['"]?\s*(?:stylesheet|import)\b[^>]*\bhref\s*=|^[^>]*\bhref\s*=[^>]*\brel\s*=\s*['"]?\s*(?:stylesheet|import)\b/i;

/** What a script URL shows before entities and controls are undone: a scheme, or an entity that may hide one. */
const MAYBE_SCHEME = /script|data|&#|&[a-z]+;/i;

/** The functions scanners and exploits call to prove that script ran. */
const PROOF_CALL = '(?:alert|confirm|prompt)';
/** The page's global object under the names script reaches it by. */
const GLOBAL_OBJECT = '(?:window|top|self|parent|globalThis|frames)';

/**
 * Breaking out of a JavaScript string into a call of what scanners and exploits use to prove
 * execution: a quote, an operator or `;`, then alert/confirm/prompt called (`'-alert(1)-'`,
 * `";alert(String.fromCharCode(88))//`, `'}};confirm``//`).
 */
const JS_STRING_BREAK = new RegExp(`["'\`]\\s*(?:[-+*/%;,|&^)}\\]]\\s*)+(?:(?:window|top|self|parent|globalThis)\\s*\\.\\s*)?${PROOF_CALL}\\s*[(\`]`);

/**
 * Script where a page writes the value into script unquoted (a number, a variable), with no quote
 * to break out of: a statement or operator, then a proof call with its argument, as in Burp's
 * probe `48e71;alert(1)//503466e3` and `-alert(1)-`, or a value that starts with such a call
 * (`alert(1)`, ``alert`1` ``); the call ends the value or is followed by what ends a statement or
 * an operand. Also the forms that pass or name the function instead of calling it by name:
 * `(alert)(1)`, `[1].find(alert)`, `top["al"+"ert"](1)`. Case-sensitive, as JavaScript is, and
 * the name joined to its parenthesis: "Alert (level 2)", "on alert (again)" and "prompt(s) for
 * the user" are prose. Not after a comma, which lists in prose use ("change_cipher_spec(20),
 * alert(21)"), nor after the `;` of a character reference (`&lt;script&gt;alert(1)`, escaped
 * markup), nor as a tagged template holding blanks ("option `--alert` to run command(s) `…`").
 */
const SCRIPT_CALL = new RegExp(
  `(?:^|(?<!&#?[a-zA-Z0-9]{1,10});|[)}\\]\\-+*/%|&^!=])\\s*(?:${GLOBAL_OBJECT}\\s*\\.\\s*)?${PROOF_CALL}(?:\\([^()]{0,80}\\)|\`[^\`\\s]{0,80}\`)(?=\\s*(?:$|[;/)}\\]\\-+*%|&^,]))` +
    `|\\(${PROOF_CALL}\\)\\s*[(\`]` +
    `|\\.(?:find|map|call|apply|forEach|filter|some|every|then)\\(\\s*${PROOF_CALL}\\s*[),]` +
    `|\\b${GLOBAL_OBJECT}\\[[^\\]]{1,100}\\][(\`]`,
);

/** Whether a value has a character `SCRIPT_CALL` cannot do without: a parenthesis or a backtick. */
function maybeScriptCall(value: string): boolean {
  return value.indexOf('(') >= 0 || value.indexOf('`') >= 0;
}

/**
 * A reason when `value` carries a script call that needs no markup and no quote (see
 * `SCRIPT_CALL`), or null. `detectXss` runs it too; this is for values with neither `<` nor a
 * quote nor a colon, which the caller need not give to `detectXss`.
 */
export function detectScriptCall(value: string): string | null {
  return maybeScriptCall(value) && SCRIPT_CALL.test(value) ? 'script call in a script context' : null;
}

/** A meta refresh `content` ("0;url=…"): the URL after `url=`. */
const REFRESH_URL = /^[^;,]*[;,]\s*url\s*=\s*['"]?/i;

const SCRIPT_SCHEME = /^(?:javascript|vbscript|livescript|mocha):|^data:\s*(?:text\/html|application\/(?:x-)?javascript|text\/javascript|image\/svg\+xml)/;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  colon: ':', tab: '\t', newline: '\n', lpar: '(', rpar: ')', quot: '"', apos: "'", lt: '<', gt: '>', amp: '&', sol: '/', bsol: '\\', period: '.', semi: ';', equals: '=',
};

/** HTML character references (`&#106;`, `&#x6a`, `&colon;`), as the browser decodes attribute values. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(?:#(\d{1,8});?|#x([0-9a-f]{1,7});?|([a-z]{2,8});)/gi, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return String.fromCharCode(Number(dec) & 0xffff);
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16) & 0xffff);
    const named = NAMED_ENTITIES[(name as string).toLowerCase()];
    return named ?? m;
  });
}

/** A URL as the browser sees its scheme: entities decoded, control chars and spaces dropped, lower case. */
function schemeView(value: string): string {
  let v = decodeEntities(value);
  // Browsers ignore tabs, newlines and other controls inside a scheme ("java\tscript:").
  v = v.replace(/[\x00-\x20\x7f]+/g, '');
  return v.slice(0, 40).toLowerCase();
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/**
 * Reads attributes from `i` (inside a tag, or after an attribute break-out) up to `>`; returns a
 * reason when one runs script. `known` limits event handlers to the list (outside a real tag).
 */
function scanAttributes(s: string, i: number, known: boolean): string | null {
  const n = s.length;
  while (i < n) {
    let c = s.charCodeAt(i);
    while (i < n && (isSpace(c) || c === 47 || c === 34 || c === 39)) c = s.charCodeAt(++i);
    attributesEnd = i;
    if (i >= n || c === 62) return null;
    const nameStart = i;
    while (i < n) {
      c = s.charCodeAt(i);
      if (isSpace(c) || c === 47 || c === 62 || c === 61) break;
      i++;
    }
    const name = s.slice(nameStart, i).toLowerCase();
    if (i === nameStart) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    let value: string | null = null;
    if (j < n && s.charCodeAt(j) === 61) {
      j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      const q = s.charCodeAt(j);
      if (q === 34 || q === 39 || q === 96) {
        const close = s.indexOf(String.fromCharCode(q), j + 1);
        value = s.slice(j + 1, close < 0 ? n : close);
        j = close < 0 ? n : close + 1;
      } else {
        const start = j;
        while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== 62) j++;
        value = s.slice(start, j);
      }
      i = j;
    }
    if (value !== null) {
      if (name.length > 4 && name.startsWith('on') && (known ? EVENT_HANDLERS.has(name) : /^on[a-z]+$/.test(name))) return `event handler ${name}`;
      const url = name === 'content' ? value.replace(REFRESH_URL, '') : value;
      if (URL_ATTRS.has(name) && SCRIPT_SCHEME.test(schemeView(url))) return `script URL in ${name}`;
      if (name === 'style' && ACTIVE_CSS.test(decodeEntities(value))) return 'script in style';
      if (name === 'srcdoc') return 'srcdoc document';
      // SVG's <set>/<animate> writing an event handler (`<set attributeName=onload to=alert(1)>`).
      if (name === 'attributename' && /^\s*on[a-z]{3,}/i.test(value)) return `animated event handler ${value.trim().toLowerCase()}`;
    }
  }
  attributesEnd = n;
  return null;
}

/** Where the last `scanAttributes` that found nothing stopped: the tag's `>`, or the end of the value. */
let attributesEnd = 0;

/** CDATA section delimiters, which an XML parser drops around the text they hold. */
const CDATA_MARKS = /<!\[CDATA\[|\]\]>/gi;

/** Internet Explorer's import of an HTML component (a behaviour file of script): `<?import … implementation="x.htc">`. */
const HTC_IMPORT = /<\?import\b[^>]{0,256}\bimplementation\s*=/i;

/**
 * The Function constructor reached through an object's constructor, which template expressions
 * that run in the page use to leave their sandbox (AngularJS: `{{constructor.constructor('alert(1)')()}}`,
 * `{{$on.constructor('alert(1)')()}}`): client-side template injection.
 */
const FUNCTION_CONSTRUCTOR = /\bconstructor\s*\.\s*constructor\s*\(|\$on\s*\.\s*constructor\s*\(/;

/** Every NUL byte. */
const NULS = /\0/g;

/** `<'">`, also with backslashes or NULs before the quotes and the bracket. */
const MARKUP_PROBE = /<[\\\0]*'[\\\0]*"[\\\0]*>/;

/** A reason when `value` carries script the way XSS does, or null. */
export function detectXss(value: string, xml = false): string | null {
  const found = markupXss(value, xml);
  if (found !== null) return found;
  // `<'">`: a probe that closes an attribute value of either quote and a tag at once, to see which
  // of them the page echoes unescaped (sqlmap's heuristic XSS check, `'abcdef<'">ghijkl`), also
  // with the backslashes or NULs its tampers put before quotes (`<\'\">`, `<\0'">`).
  if (value.indexOf('<') >= 0 && MARKUP_PROBE.test(value)) return 'markup-breaking probe';
  if (value.indexOf('constructor') >= 0 && FUNCTION_CONSTRUCTOR.test(value)) return 'Function constructor in a template expression';
  // Markup split by CDATA sections (`<![CDATA[<]]>SCRIPT<![CDATA[>]]>`) is whole to an XML parser
  // that builds the page (an XML island, XSLT), which a check of the value as sent cannot see.
  if (value.indexOf('<![') >= 0 && /<!\[CDATA\[/i.test(value)) {
    const joined = markupXss(value.replace(CDATA_MARKS, ''), xml);
    if (joined !== null) return `${joined} (split by CDATA sections)`;
  }
  // NUL bytes inside a tag (`<scr\0ipt>`) vanish where the application or a filter strips them
  // before the page is built (as ModSecurity's removeNulls does before its XSS rules).
  if (value.indexOf('\0') >= 0) {
    const joined = markupXss(value.replace(NULS, ''), xml);
    if (joined !== null) return `${joined} (NUL bytes removed)`;
  }
  return null;
}

/**
 * `xml`: the value is an XML document (not XHTML), whose element names are its vocabulary's
 * (AMFX's `<object>`, WSDL's `<import>`, `<base>` …): of the elements only a `script`, in any
 * namespace, runs (an XML island or SVG shown by a page); attributes and URLs are read as in HTML.
 */
function markupXss(value: string, xml: boolean): string | null {
  const lt = value.indexOf('<');
  if (lt >= 0 && value.indexOf('<?') >= 0 && HTC_IMPORT.test(value)) return 'HTML component import';
  // A whole value that is a script URL (a redirect or link target parameter).
  if (value.length > 10 && value.indexOf(':') > 0 && MAYBE_SCHEME.test(value)) {
    const head = schemeView(value.slice(0, 120));
    if (SCRIPT_SCHEME.test(head)) return 'script URL';
  }
  // Attributes already read as part of an earlier tag (a `<` inside a tag is an attribute name to
  // a browser) are not read again: a value of `<a <a <a …` with no `>` is read once, not once per `<`.
  let readUntil = -1;
  // A style element's text is read for CSS once; the tags in it are read as any others: inside
  // MathML or SVG a `<style>` holds markup, not CSS (`<math><mtext><table><mglyph><style><img
  // src=x onerror=…>`, the sanitizer bypass), and a value is no page whose parser we could follow.
  let cssUntil = -1;
  let lower: string | null = null;
  for (let i = lt; i >= 0 && i < value.length - 1; i = value.indexOf('<', i + 1)) {
    const c = value.charCodeAt(i + 1) | 0x20;
    if (c < 97 || c > 122) continue;
    let j = i + 1;
    while (j < value.length && /[a-zA-Z0-9:_-]/.test(value[j])) j++;
    const tag = value.slice(i + 1, j).toLowerCase();
    if (xml ? tag === 'script' || tag.endsWith(':script') : ACTIVE_TAGS.has(tag)) return `<${tag}> element`;
    if (tag === 'style' && j > cssUntil && j > readUntil) {
      lower ??= value.toLowerCase();
      const close = lower.indexOf('</style', j);
      const end = close < 0 ? value.length : close;
      if (ACTIVE_CSS.test(decodeEntities(value.slice(j, end)))) return 'script or import in style element';
      cssUntil = end;
    }
    if (tag === 'link' && LINKED_SHEET.test(value.slice(j, j + 200))) return 'linked style sheet or import';
    if (j <= readUntil) continue;
    const attr = scanAttributes(value, j, false);
    if (attr !== null) return attr;
    readUntil = attributesEnd;
  }
  // Breaking out of a quoted attribute value: `" onmouseover="alert(1)`.
  const quote = value.search(/["'`]/);
  if (quote >= 0 && value.indexOf('=', quote) > 0) {
    const attr = scanAttributes(value, quote + 1, true);
    if (attr !== null) return attr;
  }
  if (quote >= 0 && JS_STRING_BREAK.test(value)) return 'script call after string break';
  return detectScriptCall(value);
}
