/**
 * SQL injection by structure, libinjection's idea: tokenise the value as SQL the way the database
 * would see it when pasted into a query (bare, as a number or identifier; or closing a single- or
 * double-quoted string or a backticked identifier), fold each token to a one-letter class, and
 * match the resulting fingerprint against the shapes injections take: a string break followed by
 * a boolean operator and an operand (`' OR 1=1`), a union of selects, a stacked statement
 * (`; DROP TABLE`), a comment right after the break (`admin'--`), a time or error function
 * (`SLEEP(5)`, `EXTRACTVALUE(`), a subquery, a CASE WHEN, a WHERE clause after a break.
 * Words alone never match: "please select your union" folds to `bbEbU`, which is no injection.
 *
 * Token classes: s string, n number/null/true/false, v @variable, b identifier, f function call,
 * T sleep-type call, G error/file/heavy call (and Oracle's DBMS_LOCK, DBMS_PIPE, UTL_INADDR …
 * packages, whose calls are `G.`), P extended procedure (xp_cmdshell …), & and/or/xor,
 * o comparison (= < > != <> <= >= <=>), l LIKE-type comparison (LIKE, RLIKE, REGEXP, SOUNDS,
 * BETWEEN: words prose uses too), + other operator (also IS, IN, NOT), U union, E select,
 * X drop/alter/create/truncate/rename, Y delete, Z insert/replace, M update, K exec/declare/
 * shutdown/grant, S set, F from, W where, I into, V values, O order/group, B by,
 * H having, t table/database/… (object), e exists, C case, D waitfor, ( ) , ; . punctuation,
 * c comment, x other.
 */

const KEYWORDS = new Map<string, string>([
  ['and', '&'], ['or', '&'], ['xor', '&'],
  ['like', 'l'], ['rlike', 'l'], ['regexp', 'l'], ['sounds', 'l'], ['between', 'l'],
  ['is', '+'], ['in', '+'], ['not', '+'], ['div', '+'], ['mod', '+'], ['collate', '+'], ['escape', '+'],
  ['null', 'n'], ['true', 'n'], ['false', 'n'],
  ['union', 'U'], ['select', 'E'],
  ['drop', 'X'], ['alter', 'X'], ['create', 'X'], ['truncate', 'X'], ['rename', 'X'],
  ['delete', 'Y'], ['insert', 'Z'], ['replace', 'Z'], ['update', 'M'],
  ['exec', 'K'], ['execute', 'K'], ['declare', 'K'], ['shutdown', 'K'], ['grant', 'K'], ['revoke', 'K'],
  ['waitfor', 'D'], ['case', 'C'],
  ['set', 'S'], ['from', 'F'], ['where', 'W'], ['into', 'I'], ['values', 'V'], ['order', 'O'], ['group', 'O'], ['by', 'B'], ['having', 'H'],
  ['table', 't'], ['database', 't'], ['schema', 't'], ['view', 't'], ['procedure', 't'], ['function', 't'], ['user', 't'], ['index', 't'], ['trigger', 't'], ['column', 't'], ['tables', 't'], ['login', 't'],
  ['exists', 'e'],
  ['sleep', 'T'], ['pg_sleep', 'T'],
  ['benchmark', 'G'], ['extractvalue', 'G'], ['updatexml', 'G'], ['load_file', 'G'], ['sys_eval', 'G'], ['sys_exec', 'G'], ['randomblob', 'G'], ['receive_message', 'G'], ['get_host_address', 'G'], ['ctxsys', 'G'], ['exp', 'G'], ['geometrycollection', 'G'], ['polygon', 'G'], ['multipoint', 'G'], ['floor', 'G'],
  ['gtid_subset', 'G'], ['json_keys', 'G'], ['name_const', 'G'],
  ['dbms_lock', 'G'], ['dbms_pipe', 'G'], ['utl_inaddr', 'G'], ['utl_http', 'G'], ['dbms_xmlgen', 'G'], ['dbms_utility', 'G'],
  ['xp_cmdshell', 'P'], ['sp_executesql', 'P'], ['sp_oacreate', 'P'], ['sp_oamethod', 'P'], ['xp_regread', 'P'], ['xp_regwrite', 'P'], ['xp_dirtree', 'P'], ['xp_fileexist', 'P'], ['sp_makewebtask', 'P'], ['sp_configure', 'P'], ['sp_addlogin', 'P'], ['sp_addsrvrolemember', 'P'], ['xp_servicecontrol', 'P'], ['openrowset', 'P'], ['opendatasource', 'P'],
]);

/** Where a fingerprint so far lets a name of the `xp_`/`sp_` form be a procedure: after EXEC, a `;` or a qualifier's `.`. */
const PROCEDURE_CONTEXT = /[K;.]$/;

/** Oracle packages (class G): named before a `.` they stay G, so that their calls fold to `G.T(` or `G.G(`. */
const PACKAGES = new Set(['dbms_lock', 'dbms_pipe', 'utl_inaddr', 'utl_http', 'dbms_xmlgen', 'dbms_utility', 'ctxsys']);

/** Word classes that become a function call when `(` follows (MySQL has REPLACE(), INSERT(), USER() …). */
const CALLABLE = 'btZGT';

/** Most tokens folded per context. */
const MAX_TOKENS = 128;

/**
 * Longest run of tokens each the same as the one two before it (`+1-1+1-1…`, `((((…`) kept in a
 * fingerprint: what repeats past it is read but neither kept nor counted in MAX_TOKENS, so
 * padding a value with a long sum cannot push its payload out of reach.
 */
const MAX_REPEAT_RUN = 16;

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || (c >= 0x80 && c !== 0xa0);
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Blanks as some database reads them: every control character (SQL Server takes 0x01-0x1F for
 * space, sqlmap's space2mssqlblank), and the no-break space MySQL accepts (space2mysqlblank).
 */
function isSpace(c: number): boolean {
  return c <= 32 || c === 0xa0;
}

/** Index of the next char at or after `i` that is no space, closed `/* *\/` comment or `1.e` noise. */
function skipBlank(s: string, i: number): number {
  for (;;) {
    i = skipSpace(s, i);
    const noise = scientificNoiseEnd(s, i);
    if (noise > i) {
      i = noise;
      continue;
    }
    if (s.charCodeAt(i) !== 47 || s.charCodeAt(i + 1) !== 42 || s.charCodeAt(i + 2) === 33) return i;
    const close = s.indexOf('*/', i + 2);
    if (close < 0) return i;
    i = close + 2;
  }
}

/** Index of the next non-space char at or after `i`. */
function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/**
 * The fingerprint of `s` read as SQL from index `from`: one class letter per token. Closed
 * comments and `*\/` count as space (so `UNION/**\/SELECT` is `UE`), MySQL's executable comments
 * `/*!50000 … *\/` are read as code, a `--` or `#` comment is a blank when a newline and more code
 * follow it, else `c` (the rest of the query cut off).
 */
/** True when the word at `i` is a keyword of the fingerprint (not a plain identifier). */
function keywordAt(s: string, i: number): boolean {
  let j = i;
  while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
  return j - i >= 2 && j - i <= 19 && KEYWORDS.has(s.slice(i, j).toLowerCase());
}

export function sqlFingerprint(s: string, from: number): string {
  let fp = '';
  let i = from;
  const n = s.length;
  let count = 0;
  // Tokens in a row each equal to the one two before (see MAX_REPEAT_RUN), the last two tokens
  // read (char codes, kept or not), and how many of the run's were left out.
  let run = 0;
  let before = -1;
  let last = -1;
  let skipped = 0;
  while (i < n && count < MAX_TOKENS) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    let t = '';
    if (c === 39 || c === 34) {
      i = endOfString(s, i + 1, c);
      t = 's';
    } else if (c === 96) {
      const close = s.indexOf('`', i + 1);
      i = close < 0 ? n : close + 1;
      t = 'b';
    } else if (c === 47 && d === 42) {
      if (i + 2 < n && s.charCodeAt(i + 2) === 33) {
        // MySQL executable comment: its content runs.
        i += 3;
        while (i < n && isDigit(s.charCodeAt(i))) i++;
        continue;
      }
      const close = s.indexOf('*/', i + 2);
      if (close < 0) {
        // Unclosed: the rest of the query cut off.
        t = 'c';
        i = n;
      } else {
        i = close + 2;
        continue;
      }
    } else if (c === 42 && d === 47) {
      i += 2;
      continue;
    } else if ((c === 45 && d === 45) || c === 35) {
      // A line comment ends at a newline: one with code after it is a blank (`AND--x\n1=1`,
      // sqlmap's space2dash and space2hash); one that runs to the end cuts the query off, and so
      // does one followed by a lone word or number (`sleep(7)#\n1`, wapiti's time probes).
      const nl = s.indexOf('\n', i);
      if (nl >= 0 && skipSpace(s, nl + 1) < n && !loneWordAt(s, nl + 1)) {
        i = nl + 1;
        continue;
      }
      t = 'c';
      i = n;
    } else if (isDigit(c) || (c === 46 && isDigit(d))) {
      const start = i;
      // MySQL skips `1.e` right before an operator or punctuation (`1.e(`, `1.e)`, sqlmap's
      // scientific tamper): no token.
      const noise = scientificNoiseEnd(s, i);
      if (noise > i) {
        i = noise;
        continue;
      }
      let fraction = false;
      if (c === 48 && (d | 0x20) === 120) {
        i += 2;
        while (i < n && /[0-9a-fA-F]/.test(s[i])) i++;
      } else {
        while (i < n && isDigit(s.charCodeAt(i))) i++;
        if (i < n && s.charCodeAt(i) === 46) {
          i++;
          fraction = true;
          while (i < n && isDigit(s.charCodeAt(i))) i++;
          // More dots between digits: an address or a version (`10.0.0.1`, `1.2.3`), one operand.
          while (i + 1 < n && s.charCodeAt(i) === 46 && isDigit(s.charCodeAt(i + 1))) {
            i++;
            while (i < n && isDigit(s.charCodeAt(i))) i++;
          }
        }
        if (i < n && (s.charCodeAt(i) | 0x20) === 101) {
          let j = i + 1;
          if (j < n && (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45)) j++;
          if (j < n && isDigit(s.charCodeAt(j))) {
            i = j;
            fraction = true;
            while (i < n && isDigit(s.charCodeAt(i))) i++;
          }
        }
      }
      // Oracle's BINARY_DOUBLE and BINARY_FLOAT literals end in D or F, so `1DUNION SELECT` is
      // `1D UNION SELECT` (sqlmap's dunion tamper).
      const suffixed = !fraction && i + 1 < n && ((s.charCodeAt(i) | 0x20) === 100 || (s.charCodeAt(i) | 0x20) === 102) && keywordAt(s, i + 1);
      if (suffixed) i++;
      t = 'n';
      // "3rd", "2fa": a word that starts with digits. But MySQL ends a number with a fraction or an
      // exponent where a letter follows, so `1e0UNION SELECT` is `1e0 UNION SELECT` (a WAF bypass).
      if (i < n && isWordChar(s.charCodeAt(i)) && i > start && !suffixed && !(fraction && keywordAt(s, i))) {
        while (i < n && isWordChar(s.charCodeAt(i))) i++;
        t = 'b';
      }
    } else if (c === 64) {
      i++;
      if (i < n && s.charCodeAt(i) === 64) i++;
      while (i < n && isWordChar(s.charCodeAt(i))) i++;
      t = 'v';
    } else if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordChar(s.charCodeAt(i))) i++;
      // Keywords are 2 to 19 letters long: longer or shorter words need no lookup.
      const wlen = i - start;
      const word = wlen >= 2 && wlen <= 19 ? s.slice(start, i).toLowerCase() : '';
      // A comment may stand between a function's name and its parenthesis (`MAKE_SET/**/(`).
      const next = skipBlank(s, i);
      // MySQL's BINARY cast before an operand changes nothing the shape says (`AND binary 1=binary
      // 1`, sqlmap's binary tamper): no token.
      if (word === 'binary' && (isOperandStart(s.charCodeAt(next)) || isNullAt(s, next))) continue;
      let k = KEYWORDS.get(word) ?? 'b';
      // Other `xp_`/`sp_` names are SQL Server's procedures only where a statement runs one: after
      // EXEC, a `;`, or a database qualifier (`master..xp_dirtree`); file and code names have the
      // prefix too (Boost's `sp_counted_base.hpp`).
      if (k === 'b' && word.length > 3 && (word.startsWith('xp_') || word.startsWith('sp_')) && PROCEDURE_CONTEXT.test(fp)) k = 'P';
      const called = next < n && s.charCodeAt(next) === 40;
      // Function names (SLEEP, FLOOR, EXP …) are plain words unless called.
      if (called) {
        if (CALLABLE.includes(k) && k !== 'T' && k !== 'G') k = 'f';
      } else if ((k === 'T' || k === 'G') && !(s.charCodeAt(next) === 46 && PACKAGES.has(word))) {
        k = 'b';
      }
      // UNION ALL / UNION DISTINCT fold to U.
      if ((word === 'all' || word === 'distinct') && fp.endsWith('U')) continue;
      t = k;
    } else {
      i++;
      switch (c) {
        case 40:
        case 41:
        case 44:
        case 59:
        case 46:
          t = String.fromCharCode(c);
          break;
        case 61:
          t = 'o';
          break;
        case 60:
        case 62:
          t = 'o';
          while (i < n && (s.charCodeAt(i) === 61 || s.charCodeAt(i) === 62)) i++;
          break;
        case 33:
          if (d === 61) {
            i++;
            t = 'o';
          } else {
            t = '+';
          }
          break;
        case 124:
          if (d === 124) {
            i++;
            t = '&';
          } else {
            t = '+';
          }
          break;
        case 38:
          if (d === 38) {
            i++;
            t = '&';
          } else {
            t = '+';
          }
          break;
        case 43:
        case 45:
        case 42:
        case 47:
        case 37:
        case 94:
        case 126:
          t = '+';
          break;
        case 58:
          if (d === 58) i++;
          t = '+';
          break;
        default:
          t = 'x';
      }
    }
    const code = t.charCodeAt(0);
    run = code === before ? run + 1 : 0;
    before = last;
    last = code;
    if (run > MAX_REPEAT_RUN) {
      skipped++;
      continue;
    }
    // After an odd number left out, one more keeps the run's phase: the fingerprint ends with the tokens read.
    if (skipped % 2 === 1) fp += String.fromCharCode(before);
    skipped = 0;
    fp += t;
    count++;
  }
  return skipped % 2 === 1 ? fp + String.fromCharCode(last) : fp;
}

/** True for the first char of a literal or parenthesised operand: a digit, a quote, `(` or `@`. */
function isOperandStart(c: number): boolean {
  return isDigit(c) || c === 39 || c === 34 || c === 40 || c === 64;
}

/** True when the word at `i` is NULL (`UNION ALL SELECT binary NULL,binary NULL`). */
function isNullAt(s: string, i: number): boolean {
  return s.slice(i, i + 4).toLowerCase() === 'null' && !isWordChar(s.charCodeAt(i + 4));
}

/**
 * Index just past a `1.e` at `i` (digits, a dot, an `e`, no exponent digits, no word char after),
 * or `i` when there is none.
 */
function scientificNoiseEnd(s: string, i: number): number {
  let j = i;
  while (isDigit(s.charCodeAt(j))) j++;
  if (j === i || s.charCodeAt(j) !== 46 || (s.charCodeAt(j + 1) | 0x20) !== 101) return i;
  j += 2;
  return j >= s.length || !isWordChar(s.charCodeAt(j)) ? j : i;
}

/** Index after the string literal that starts at `i` (just past its opening quote `q`). */
function endOfString(s: string, i: number, q: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === q) {
      if (i + 1 < n && s.charCodeAt(i + 1) === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** Index of the first quote `q` in `s` not escaped by a backslash, or -1. */
function firstBreak(s: string, q: string, from = 0): number {
  let i = s.indexOf(q, from);
  while (i > 0) {
    let bs = 0;
    for (let j = i - 1; j >= 0 && s.charCodeAt(j) === 92; j--) bs++;
    if (bs % 2 === 0) return i;
    i = s.indexOf(q, i + 1);
  }
  return i;
}

/**
 * A statement that can follow `;` (stacked query) with what makes it a statement and not a word;
 * a select may be parenthesised (`;(SELECT * FROM (SELECT(SLEEP(5)))x)`). The verbs are English
 * too ("; update caller.", "; delete the duplicate.", "; replace them with arrays.", "; declare it
 * only if …"), so each needs its statement's next part: UPDATE a table then SET; DELETE then FROM
 * or WHERE (T-SQL's `DELETE t WHERE`); INSERT or REPLACE INTO, or a table then VALUES, SET or
 * SELECT; EXEC or DECLARE then a variable, a string (after a word too: Oracle's `EXECUTE
 * IMMEDIATE '…'`), a procedure, a call, a qualified name or nothing more (`;SHUTDOWN--`); a
 * selected name that is qualified (`t.col`), not followed by a sentence's period, or a selected CASE
 * WHEN with a comparison (`;SELECT CASE WHEN 1=2 THEN 1 ELSE NULL END--`).
 */
const STMT = '(?:\\(*E(?:[nsvfTG(+l]|b(?:[,F&o;c]|\\.b)|C(?:[bf]\\(*[nvs]\\)*[ol]|[nvs]b[nvs]b))|E$|X(?:&Z)?t|Y(?:F|b(?:\\.[b*])*[FW])|Z(?:I|b(?:\\.b)*[VSE]|(?:b\\.)*[bf]\\(b(?:,b)*\\)[VSE])|Mb(?:\\.b)*S|K(?:[vsP(]|b[s.]|[c;]|$)|Db)';

/**
 * T-SQL's and Oracle's DELETE without FROM (`1;DELETE users--`), stacked and ending the value (a
 * comment or `;` at most after the table): "; delete the duplicate." goes on. After `;` in a rule.
 */
const DELETE_ALONE = 'Yb(?:\\.b)*[c;]?$';

/**
 * A parenthesised subquery: a select followed by what only SQL puts there (a call, an opening
 * paren, a string, a variable, a number or name then `,` FROM `.` or an operator, `* FROM`), so
 * that "(select one)", "(select 5 items)" and "(select(), poll())" stay prose.
 */
const SUBQUERY = /\(E(?:\((?!\))|[fTGsv]|[nb][,F.+ol]|\+F|[nb]W\(*[nvs]\)*o)/;

/**
 * A call into an Oracle package that sleeps, blocks or leaks through errors (`DBMS_LOCK.SLEEP(5)`,
 * `UTL_INADDR.GET_HOST_ADDRESS(…)`), after an operator, a paren, a comma, or `;` and `BEGIN`, and
 * followed by what SQL puts there (the end, `;`, a comment, an operator, a paren or a comma), not
 * by words ("DBMS_LOCK.SLEEP(5) waits 5 seconds").
 */
const PACKAGE_CALL = /(?:^|[&+(,;ol]|;b)G\.(?:b\.)?[TGfb]\([^)]*\)+(?:$|[;col&+),])/;

/** CASE WHEN with a comparison (`CASE WHEN (1=1) THEN`), or Firebird's `CASE 1 WHEN 2 THEN`. */
const CASE_WHEN = /C(?:[bf]\(*[nvs]\)*[ol]|[nvs]b[nvs]b)/;

/**
 * A comparison as the first argument of a call: MySQL's `ELT(1=1,…)`, `MAKE_SET(…)`, Access's
 * `IIF(…)`; LIKE or BETWEEN between literals too (`MAKE_SET(2 BETWEEN 2 AND 2,5)`).
 */
const CALL_CONDITION = /f\(\(*[nvs]\)*[ol]\(*[nvs]\)*(?:&\(*[nvs]\)*)?,/;

/**
 * Shapes after a string break: the fingerprint starts with the closed string `s`. The third
 * field says whether the shape also counts after a backtick: prose quotes code in backticks
 * (`--force`, `#`, `a or b`), so there only statements and WHERE clauses count.
 */
const QUOTED_RULES: readonly [RegExp, string, boolean][] = [
  // A lone word after the boolean, last in the value, is `BARE_WORD_BOOLEAN`'s.
  [/^s\){0,3}&\+?(?:[nsvfTG(]|[bt][ol+c;]|t$)/, 'boolean after string break', false],
  [new RegExp(`^s\\){0,3};${STMT}`), 'stacked query after string break', true],
  [new RegExp(`^s\\){0,3};${DELETE_ALONE}`), 'stacked query after string break', true],
  // sqlmap's other boundaries close more than the string before stacking: `') AS x WHERE 1=1;`,
  // `"="x";`, `' IN BOOLEAN MODE);`, each with an operator, a paren or a WHERE before the `;`.
  [new RegExp(`^s(?=[^;]*[)ol+W&])[()bnsvol+W&]{1,12};${STMT}`), 'stacked query after string break', true],
  // LIKE compares too (sqlmap's equaltolike tamper: `` x`) WHERE 1385 LIKE 1385 OR … ``), between literals.
  [/^s\){0,3}(?:bb?)?W\(*(?:[nsvb]\)*o|[nsv]\)*l\(*[nsv])/, 'where clause after string break', true],
  // SQL Server's `'; IF(1=1) SELECT 1 ELSE DROP FUNCTION x--`.
  // Also after closing a backticked name or a string compared with another (`` x`=`x`;IIF(1=2,1,1/0) ``,
  // `x"="x";IF(…)`).
  [/^s(?:o[bs])?\){0,3};f\(\(*[nvs]\)*[ol]/, 'stacked condition after string break', true],
  [/^so[nsb]&/, 'boolean after comparison', true],
  [/^s\){0,3}U\(?E/, 'union after string break', false],
  [/^s\){0,3}c/, 'comment after string break', false],
  [/^s\){0,3}OB/, 'order/group by after string break', false],
  [/^s\){0,3}H[nsbf(]/, 'having after string break', false],
  [/^s\){0,3}I[bs]/, 'into after string break', false],
  [/^s\){0,3}[+ol]\(?[TGE]/, 'expression after string break', false],
  [/^s\){0,3}[+ol]\(*[nsvb]\)*&/, 'boolean after string break', false],
  // `1' RLIKE 1-- `, `x' = 1#`: a comparison closed by a comment (the rest of the query cut off).
  [/^s\){0,3}[+ol]\(*[nsv]\)*c/, 'comparison then comment after string break', false],
  [/P/, 'extended procedure', false],
  [SUBQUERY, 'subquery', false],
  [CASE_WHEN, 'case expression', false],
  [CALL_CONDITION, 'condition in function call', false],
  [/[&+(,;ol]T\(n\)/, 'time delay function', false],
  // After a backtick only right behind it and with the rest cut off: `` x`,sleep(7)#`` (wapiti),
  // where prose quoting code has words.
  [/^s[,;]T\(n\)(?:c|$)/, 'time delay function', true],
  [/[&+(,;ol]G\([nsvf(]/, 'error or file function', false],
  [PACKAGE_CALL, 'database package call', false],
  // The delay string may follow a byte that swallows an escaping backslash (sqlmap's unmagicquotes: `%BF'0:0:5'`).
  [/Dbb?[sv]/, 'time delay statement', true],
];

/** Shapes of a value read as bare SQL (a number or identifier position). */
const BARE_RULES: readonly [RegExp, string][] = [
  // The comparison may be after a sum of numbers (sqlmap's `-1 OR 2+3-3-1=0+0+0+1`).
  [/^[(+]*[nvsb]\)*&\(*\+?[nvsbf](?:\+n){0,8}\)*o/, 'tautology'],
  // LIKE and BETWEEN compare words in prose ("cats and dogs like fish"): between literals only
  // (`1 AND 6830 LIKE 6830`, `1 OR 7596 BETWEEN 7596 AND 7596`).
  [/^[(+]*[nvs]\)*&\(*\+?[nvs]\)*l\(*[nvs]/, 'tautology'],
  // After a word, numbers compared by LIKE or BETWEEN and nothing after them but a comment or
  // another such comparison (sqlmap's equaltolike and between tampers on a text field: `ann AND
  // 2201 LIKE 2201-- x`, `ann) AND 1 LIKE 2 AND (3 LIKE 3`, `ann AND 3 BETWEEN 3 AND 3`); prose
  // that compares numbers goes on with words ("shoes and 2 between 10 and 20 euros").
  [/^[(+]*b\)*&\(*\+?n\)*ln\)*(?:&\(*n\)*ln|&n)?\)*(?:c|$)/, 'tautology'],
  [/^[(+]*[nvsb]\)*&\(*\+?(?:[TG]\(|E)/, 'boolean with function or subquery'],
  // A call compared after a number's boolean (sqlmap's DBMS fingerprint probes: `1 AND
  // QUARTER(NULL) IS NULL`, `1 AND LENGTH(SYSDATE)=LENGTH(SYSDATE)`, `1 AND ZERO() IS 0`).
  // Calls nest three deep in blind extraction (`1 AND ASCII(SUBSTRING(CAST(database() AS CHAR),1,1))>64`).
  [/^[(+]*[nv]\)*&\(*\+?f\((?:[^()]|\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)){0,40}\)\)*(?:o\(*[nvsbf]|\+\+?n)/, 'boolean with function or subquery'],
  // A subquery inside calls (`1 AND ASCII(SUBSTRING((SELECT … FROM …),1,1))>65`, blind extraction):
  // a select of a call, a value, or FROM something ("and count(select one)" is prose).
  [/^[(+]*[nvsb]\)*&\(*\+?(?:f\(\(*){1,4}E(?:[nsvfTG(+]|[^)]{0,16}F)/, 'boolean with function or subquery'],
  // Calls of numbers joined into a string and compared with nested calls, after any operand
  // (sqlmap's heavy queries: `shoes AND CHAR(101)||CHAR(112)=REGEXP_SUBSTRING(REPEAT(…),NULL)`);
  // prose has no joined calls of numbers ("tom and jerry(1990) = classic(2)" stays prose). BETWEEN
  // too, where sqlmap's between tamper leaves it (`CHAR(116)||CHAR(110) BETWEEN REGEXP_SUBSTRING(REPEAT(…`).
  [/^[(+]*[nvsb]\)*&\(*(?:f\(n\)[&+]){1,16}f\(n\)\)*[ol]\(*f\(\(*f\(/, 'boolean with function or subquery'],
  [/^[(+]*[nvs]\)*&\(*\+?[nvs]\)*[c;]/, 'boolean then comment'],
  // A value that starts with the operator, its left side already in the query (`or 1=1--`).
  [/^&\(*[nvs]\)*o\(*[nvs]\)*c/, 'boolean then comment'],
  // Or nothing after the comparison (`or 1=1`): the rest of the query follows it.
  [/^&\(*[nvs]\)*o\(*[nvs]\)*$/, 'tautology'],
  [/(?:^|[nvsb)])U\(*E(?:[nsvfTG(+]|b[,F.])/, 'union select'],
  [new RegExp(`;${STMT}`), 'stacked query'],
  // After a number only: "step 2; delete users" begins with words.
  [new RegExp(`^[(+]*[nv]\\)*;${DELETE_ALONE}`), 'stacked query'],
  [/^Xt(?:be)?b(?:\.b)?[;c]?$/, 'drop statement'],
  [/^YFb(?:\.b)?(?:W|[;c])/, 'delete statement'],
  [/^ZIb(?:\.b)?.*V/, 'insert statement'],
  [/^MbS.*o/, 'update statement'],
  [/P/, 'extended procedure'],
  // Followed by an operator, only if more than words follow it: "sleep(5) in python" is a search.
  // Also as the sort key (`1 ORDER BY SLEEP(5)`), where a column name or number belongs, and as
  // what a select reads from (`(SELECT 1 FROM PG_SLEEP(5))`).
  [/(?:^|[&+(,;olBF])T\(n\)(?:$|[;c),]|[&+ol](?![&+lb]*b[&+lb]*$))/, 'time delay function'],
  [/(?:^|[&+(,;ol])G\([nsvf(]/, 'error or file function'],
  [PACKAGE_CALL, 'database package call'],
  [/^[(+]*[nvsb]\)*OBn/, 'order by column number'],
  // After a value, or after a word closed by `)` or followed by HAVING (sqlmap's `x)) AS y WHERE
  // 1=1`, `-5) WHERE 2=2`, `x HAVING 3=3` on a text field); words right before WHERE are prose
  // ("rows where 5 > 3", "the best shops where 5 > 3").
  [/^[(+]*(?:[nvs]|b(?=\)|H))\)*(?:bb?)?[WH]\(*[nv]\)*[ol]/, 'where or having clause'],
  // After a word too when a boolean and another comparison or a call follow the numbers'
  // comparison and a comment cuts the rest (sqlmap's `shoes WHERE 6347=6347 AND 4339=5997-- x` on
  // a text field); "rows where 5 = 5 and more -- see docs" stays prose.
  [/^[(+]*b\)*W\(*n\)*o\(*n\)*&\+?\(*(?:n\)*o|f\().*c$/, 'where or having clause'],
  [/;f\(\(*[nvs]\)*[ol]/, 'stacked condition'],
  [SUBQUERY, 'subquery'],
  // A number compared with a parenthesised select, whatever follows the SELECT: sqlmap's between
  // tamper mangles its heavy queries into `shoes AND 9951 BETWEEN (SELECT AND (SELECTCOUNT(*) FROM
  // INFORMATION_SCHEMA.COLUMNS A, …)`, which SUBQUERY (a select followed by what SQL puts there)
  // does not read. The select is followed by a boolean and a paren, a call or a literal: "cats and
  // 2 like (select one)" stays prose.
  [/^[(+]*[nvsb]\)*&\(*\+?[nv]\)*[ol]\(+E(?:&\(|[fTGsvn(+])/, 'boolean with function or subquery'],
  [CASE_WHEN, 'case expression'],
  [CALL_CONDITION, 'condition in function call'],
  [/^\(+[nv]o[nv]\)+[+&]/, 'boolean expression'],
  [/Dbb?[sv]/, 'time delay statement'],
];

/**
 * What every bare rule needs: a boolean, a union, a statement, a procedure, a call, ORDER/GROUP
 * BY, WHERE, HAVING, CASE, WAITFOR, a subquery or a leading parenthesis.
 */
const BARE_NEEDS = /[&UXYZMPTGOWCDH]|;[EXYZMK]|\(E|f\(|^\(/;

/** A finding: which shape matched and the fingerprint it matched on. */
export interface SqliMatch {
  readonly rule: string;
  readonly fingerprint: string;
}

/**
 * What every rule needs somewhere in the value: a quote (string break), `;`, `&&`/`||`, one of
 * the keywords the rules' classes come from (&, U, X, Y, Z, M, O, P, T, G, E, W, H, C, D), or a
 * comparison just inside a parenthesis (`ELT(1=1,`, `(1=2)*3`). A value without any cannot
 * match, so it is not tokenised: one regular-expression scan instead (most values).
 */
const WORTH_TOKENISING =
  /['"`;&|]|\/\*!|xp_|sp_|\b(?:and|or|xor|union|drop|alter|create|truncate|rename|delete|insert|replace|update|order|group|openrowset|opendatasource|sleep|pg_sleep|benchmark|extractvalue|updatexml|load_file|sys_eval|sys_exec|randomblob|receive_message|get_host_address|ctxsys|exp|gtid_subset|json_keys|name_const|dbms_\w+|utl_\w+|geometrycollection|polygon|multipoint|floor|select|where|having|case|waitfor)\b|(?:^|\w)\s*\(\s*\(?\s*\w+\s*[=<>]/i;

/** Nothing but one word or number to the end (what may follow a line comment's newline and still end the query). */
const LONE_WORD = /\s*\w{1,64}\s*$/y;

function loneWordAt(s: string, at: number): boolean {
  LONE_WORD.lastIndex = at;
  return LONE_WORD.test(s);
}

/** Fingerprint of a run of operands joined by dots at the start (after opening parentheses or signs). */
const DOTTED_START = /^([(+]*)([nvsb])(?:\.[nvsb])+/;

/**
 * Fingerprint of a sum of numbers or variables (or calls of one) at the start, after opening
 * parentheses or signs: one operand, as the database computes it, the way libinjection folds
 * arithmetic. `2-1 OR 1=1`, `1+0 AND 1=1`, `ABS(1) OR 1=1--`: a check that the value is read as a
 * number, with the payload behind it. Folded only when there is more than one operand or a call
 * (see `foldArithmetic`).
 */
const ARITHMETIC_START = /^([(+]*)(?:[nv]|f\(\(*[nv]\)*\))(?:\)*\+\(*(?:[nv]|f\(\(*[nv]\)*\)))*/;

function foldArithmetic(fp: string): string {
  const m = ARITHMETIC_START.exec(fp);
  return m === null || m[0].length === m[1].length + 1 ? fp : `${m[1]}n${fp.slice(m[0].length)}`;
}

/**
 * Fingerprint of two or more words at the start (after opening parentheses or signs) followed by
 * a boolean before a number, a variable or a paren, or by ORDER BY, HAVING or WHERE: where one
 * word before a boolean reads as SQL, prose has several before "or other = fine", "and select the
 * method" or "and exp(n)".
 */
const WORDS_START = /^([(+]*)bb+(?=\)*(?:&\(*\+?[nv(]|OB|H|W))/;

/** `IN BOOLEAN MODE` right after a closing quote (sticky: tested at the quote). */
const IN_BOOLEAN_MODE = /\s*in\s+boolean\s+mode\s*(?=\))/iy;

/** A quote escaped by a backslash. */
const ESCAPED_QUOTE = /\\(['"])/g;

/**
 * What a payload appended to a header's own value starts with: a boolean or clause keyword (after
 * blanks or `)`s), a `;` or `,` before a statement, a CASE, a subquery or a call, or a subquery
 * after a blank or a `)` (sqlmap keeps the original User-Agent, Referer or Host and adds `) AND
 * 1=2-- x`, `);SELECT …`, `,(SELECT …)`, `,IIF(1=2,1,1/0)`, `,(CASE WHEN …)`, ` (SELECT COUNT(*)
 * FROM …)` after it). The rules then decide: a product comment's `; Win64` or `, like Gecko)` is
 * no call, and a call must still be SQL's. Blanks and parens after the `;` or `,` are one class:
 * two `\s*` around `\(*` would try every split of a long run of blanks.
 */
const APPENDED_START =
  /\b(?:and|or|xor|rlike|regexp|having|where|order\s+by|union|procedure|waitfor)\b|[;,](?=[\s(]*(?:(?:select|if|declare|exec|waitfor|begin|drop|insert|update|delete|shutdown|case)\b|[a-z_]\w*\s*\())|(?<=[\s)])\(\s*select\b/gi;
/** Most appended readings tried on one value. */
const MAX_APPENDED = 8;

/**
 * The SQL injection shape `value` has, or null. `appended`: the value is a header's, which tools
 * inject into by appending to what the client sent (`sqlmap/1.7.2#stable (https://sqlmap.org))
 * AND 3721=8385-- x`, whose `#` would otherwise comment the payload out): each point where such
 * a payload may start is also read as a bare value after an operand.
 */
export function detectSqli(value: string, appended = false): SqliMatch | null {
  const m = detectSqliIn(value, false) ?? (appended ? appendedMatch(value) : null);
  return m !== null ? m : (syntaxProbe(value) ?? stringArithmetic(value) ?? numericTautology(value));
}

/** A whole value of a number OR'd with TRUE, NOT FALSE or the same number, a comment allowed after it. */
const NUMERIC_OR = /^\s*\(*\s*(-?\d{1,20})\s*\)*\s+(?:or|\|\|)\s+\(*\s*(true|not\s+false|-?\d{1,20})\s*\)*\s*(?:(?:--|#|\/\*).*)?$/i;

/**
 * `1 OR TRUE`, `7 or 7`: a number position that makes its condition true for every row, with no
 * comparison for the token rules to find (they want `1 OR 1=1`: a bare `1 or 2` is a value a
 * person types). Only a right side that is true whatever the query: TRUE, NOT FALSE, or the left
 * number again (non-zero).
 */
function numericTautology(value: string): SqliMatch | null {
  if (value.length > 64) return null;
  const m = NUMERIC_OR.exec(value);
  if (m === null) return null;
  const right = m[2].toLowerCase();
  const always = right === 'true' || right.startsWith('not') || (Number(right) === Number(m[1]) && Number(right) !== 0);
  return always ? { rule: 'tautology', fingerprint: 'n&n' } : null;
}

/** Two empty strings joined by an arithmetic or bitwise operator, the whole value (`'-'`, `"*"`). */
const STRING_ARITHMETIC = /^(['"])\s*(?:[-+*&^|]|\|\||&&)\s*\1$/;

/**
 * A whole value that closes the string it is written into and opens another around an operator:
 * `WHERE user = ''-''` compares the column with a number, 0, which MySQL's conversion of the
 * names makes true for every row (the login bypass of the injection lists). Only the operator
 * alone between the quotes: a value with anything else there is text.
 */
function stringArithmetic(value: string): SqliMatch | null {
  return value.length <= 8 && STRING_ARITHMETIC.test(value) ? { rule: 'arithmetic between string breaks', fingerprint: 'sos' } : null;
}

/**
 * A run of ten or more quotes, parentheses, commas and dots (sqlmap's heuristic check appends ten),
 * and the bytes its tampers put before a quote: a backslash (escapequotes), a NUL
 * (apostrophenullencode), 0xBF (unmagicquotes, read as such or as U+FFFD).
 */
const PROBE_RUN = /[()'",.\\\x00\xbf\ufffd]{10,}/;

/** MySQL's `1.e` before a dot, a comma, a paren or a quote (sqlmap's scientific tamper): a no-op there. */
const SCIENTIFIC = /\s*1\.e(?=[.,()'"])/gi;

/**
 * A probe that breaks SQL syntax to provoke a database error (sqlmap's first request on every
 * parameter: ten random characters of `"'(),.` appended to the value, `1(,)")'...,`), holding
 * both kinds of quote and a parenthesis. No text, number or code puts ten such characters in a
 * row: prose and code have letters or other operators between them.
 */
function syntaxProbe(value: string): SqliMatch | null {
  const m = PROBE_RUN.exec(value.indexOf('1.') >= 0 ? value.replace(SCIENTIFIC, '') : value);
  if (m === null) return null;
  const run = m[0];
  return run.indexOf("'") >= 0 && run.indexOf('"') >= 0 && (run.indexOf('(') >= 0 || run.indexOf(')') >= 0) ? { rule: 'syntax-breaking probe', fingerprint: run } : null;
}

function appendedMatch(value: string): SqliMatch | null {
  APPENDED_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let k = 0; k < MAX_APPENDED && (m = APPENDED_START.exec(value)) !== null; k++) {
    // The payload starts at the blanks and `)`s before what was found (a keyword needs some).
    let at = m.index;
    const keyword = value.charCodeAt(at) !== 59 && value.charCodeAt(at) !== 44;
    if (keyword) while (at > 0 && isSpace(value.charCodeAt(at - 1))) at--;
    while (at > 0 && value.charCodeAt(at - 1) === 41) at--;
    if (at === 0 || (keyword && at === m.index)) continue;
    const found = bareMatch(`n${sqlFingerprint(value, at)}`);
    if (found !== null) return found;
  }
  return null;
}

/** The bare rule a fingerprint matches, or null. */
function bareMatch(fp: string): SqliMatch | null {
  // Every bare rule needs one of these classes; most values (words, numbers, paths) have none.
  if (!BARE_NEEDS.test(fp)) return null;
  for (const [re, rule] of BARE_RULES) if (re.test(fp)) return { rule, fingerprint: fp };
  return null;
}

/** `detectSqli`; `reread`: the value is already another reading of one (see `rereadMatch`). */
function detectSqliIn(value: string, reread: boolean): SqliMatch | null {
  if (value.length < 2) return null;
  if (!WORTH_TOKENISING.test(value)) return reread ? null : rereadMatch(value);
  // A value's own dotted start (an address `10.0.0.1`, a host `shop.example`, a version `1.2.3`)
  // is one operand: sqlmap appends to it (`10.0.0.1) AND 1=1#` in a Host header). So are the
  // words a text field starts with (`nice shoes AND 3905=3414`): what one word is after them,
  // several are. A sum at the start is one number (`2-1 OR 1=1`).
  const bare = bareMatch(foldArithmetic(sqlFingerprint(value, 0).replace(DOTTED_START, '$1$2')).replace(WORDS_START, '$1b'));
  if (bare !== null) return bare;
  // MySQL quotes identifiers in backticks: sqlmap closes those too (`` x` WHERE 1=1;SELECT ``).
  for (const q of ["'", '"', '`']) {
    let at = firstBreak(value, q);
    for (let close = quotedToken(value, at); close > 0; close = quotedToken(value, at)) at = firstBreak(value, q, close + 1);
    if (at >= 0) {
      const m = quotedMatch(value, at, q === '`');
      if (m !== null) return m;
    }
  }
  return reread ? null : rereadMatch(value);
}

/** Every `+`. */
const PLUS = /\+/g;

/**
 * Other readings of a value that an application or a filter in front of the database may make,
 * each tried once: `+` for every blank in a value that has none, where a later layer decodes the
 * value once more as a form (sqlmap's space2plus sends `1+AND+1=1` encoded, `1%2BAND%2B1%3D1`);
 * backslash-escaped quotes break the string too where the backslash is itself
 * escaped or stripped before the query is built (sqlmap's escapequotes: `1\' AND 1=1-- -`), and
 * comments inside words join them where comments are stripped (sqlmap's randomcomments:
 * `1 A/**\/ND 1=1`; MySQL itself would read `A ND`, but the tool sends it for the filters that don't).
 */
function rereadMatch(value: string): SqliMatch | null {
  if (value.indexOf('+') >= 0 && value.indexOf(' ') < 0) {
    const m = detectSqliIn(value.replace(PLUS, ' '), true);
    if (m !== null) return m;
  }
  if (value.indexOf('\\') >= 0) {
    const plain = value.replace(ESCAPED_QUOTE, '$1');
    if (plain !== value) {
      const m = detectSqliIn(plain, true);
      if (m !== null) return m;
    }
  }
  if (value.indexOf('/*') >= 0) {
    const joined = withoutWordComments(value);
    if (joined !== value) return detectSqliIn(joined, true);
  }
  return null;
}

/** `s` without its closed comments that stand between two word characters (`SELE/**\/CT`); not MySQL's `/*!` code. */
function withoutWordComments(s: string): string {
  let out = '';
  let from = 0;
  for (let i = s.indexOf('/*'); i >= 0; ) {
    const close = s.indexOf('*/', i + 2);
    if (close < 0) break;
    if (i > 0 && isWordChar(s.charCodeAt(i - 1)) && close + 2 < s.length && isWordChar(s.charCodeAt(close + 2)) && s.charCodeAt(i + 2) !== 33) {
      out += s.slice(from, i);
      from = close + 2;
    }
    i = s.indexOf('/*', close + 2);
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * A boolean operator or a comment marker quoted in prose, quotes and all: `"and"`, `'or'`, `"&&"`,
 * `"--no-create-home"`, `'--'`, `'##'`, `"#ifdef notdef"` (changelogs, manuals, support tickets).
 * The opening quote starts a word (the value's start, a blank, `(`, `:` …) and the closing quote
 * ends one (a blank, punctuation or the end): an injection closes the string right after the
 * application's value (`admin'--`, `x'or'1'='1`) and goes on with code after a quoted word
 * (`'or'1'='1`, `'or'='or'`).
 */
const QUOTED_TOKEN = /(?:and|or|xor|&&|\|\||--|#)/iy;

/** The index of the closing quote when the quote at `at` opens a `QUOTED_TOKEN`, or -1. */
function quotedToken(value: string, at: number): number {
  if (at < 0 || (at > 0 && !endsWord(value.charCodeAt(at - 1), QUOTED_TOKEN_START))) return -1;
  QUOTED_TOKEN.lastIndex = at + 1;
  if (!QUOTED_TOKEN.test(value)) return -1;
  const q = value[at];
  let close = QUOTED_TOKEN.lastIndex;
  // A boolean is closed right after it; a comment marker within its line (`"--no-create-home"`).
  const first = value.charCodeAt(at + 1);
  if (first === 45 || first === 35) while (close < value.length && value[close] !== q && value.charCodeAt(close) !== 10) close++;
  if (value[close] !== q) return -1;
  // The whole value (`'--'`, `'||'`) is no prose: the injection lists' bypasses.
  if (close + 1 === value.length) return at > 0 ? close : -1;
  return endsWord(value.charCodeAt(close + 1), QUOTED_TOKEN_END) ? close : -1;
}

/** A blank (a control character too) or one of `punctuation`. */
function endsWord(c: number, punctuation: string): boolean {
  return c <= 32 || punctuation.indexOf(String.fromCharCode(c)) >= 0;
}

/** What may stand before a quoted token's opening quote in prose, besides a blank. */
const QUOTED_TOKEN_START = '([{:,;=';
/** What may follow a quoted token's closing quote in prose, besides a blank and the end. */
const QUOTED_TOKEN_END = '.,;:!?)]';

/** The quoted rule the value matches read as closing a string at its quote `at`, or null. */
function quotedMatch(value: string, at: number, backtick: boolean): SqliMatch | null {
  // MySQL's full-text boundary `' IN BOOLEAN MODE)` closes the string's MATCH … AGAINST: what
  // follows it is read as right after the string (sqlmap's `x' IN BOOLEAN MODE) AND 1=1#`).
  IN_BOOLEAN_MODE.lastIndex = at + 1;
  const from = IN_BOOLEAN_MODE.test(value) ? IN_BOOLEAN_MODE.lastIndex : at + 1;
  const fp = `s${sqlFingerprint(value, from)}`;
  for (const [re, rule, afterBacktick] of QUOTED_RULES) if ((afterBacktick || !backtick) && re.test(fp)) return { rule, fingerprint: fp };
  if (!backtick && BARE_WORD_BOOLEAN.test(fp)) {
    UPPER_BOOLEAN.lastIndex = from;
    if (UPPER_BOOLEAN.test(value)) return { rule: 'boolean after string break', fingerprint: fp };
  }
  return null;
}

/**
 * A string break, a boolean and one word, last in the value: Nmap's `' OR sqlspider`, and also a
 * plural possessive in a search or a name ("my friends' and family", "parents' or kids"). It counts
 * when the boolean is written as SQL tools write it, in capitals or as a symbol (see UPPER_BOOLEAN).
 */
const BARE_WORD_BOOLEAN = /^s\){0,3}&\+?b$/;
/** After the quote: `)`s and blanks, then AND, OR, XOR, `||` or `&&` (sticky). */
const UPPER_BOOLEAN = /[\s)]*(?:(?:AND|OR|XOR)(?![A-Za-z0-9_])|\|\||&&)/y;
