/**
 * NoSQL (MongoDB) operator injection: a query operator where the application expects a value.
 * Express's `qs`, PHP and Rails turn `password[$ne]=x` into `{password: {$ne: "x"}}`, and a JSON
 * body sends `{"password": {"$ne": null}}` as it is; passed on to `find()`, either matches every
 * user whatever the password (the login bypass of NoSQLMap and the injection lists), and `$regex`
 * or `$gt` read a secret out one character at a time, `$where` runs JavaScript. Read as SQL
 * injection (`sqli`), as ModSecurity's Core Rule Set does (rule 942290).
 *
 * Only the query operators (comparison, logical, evaluation, element, array): the keys of
 * MongoDB's extended JSON (`$oid`, `$date`) and of JSON Schema (`$schema`, `$ref`, `$id`) are
 * data. Operators are case-sensitive to MongoDB: `$NE` is no operator.
 */

const OPERATORS = 'n?in|ne|eq|[gl]te?|regex|where|exists|not|n?or|and|expr|elemMatch|all|size';

/**
 * An operator as one member of a name: `user[$ne]`, `user[$in][]` (PHP, qs, Rails), `user.$ne`
 * (qs with dots, and JSON members by path), `$where` (a JSON body's top level).
 */
const OPERATOR_NAME = new RegExp(`(?:^|[.[])\\$(${OPERATORS})(?=$|[.[\\]])`);

/**
 * An operator as an object key inside a value an application parses as JSON or JavaScript
 * (`filter={"user":{"$ne":null}}`, `{$gt: ""}`): after `{` or `,`, quoted or not, before `:`.
 */
const OPERATOR_KEY = new RegExp(`[{,]\\s*(["']?)\\$(${OPERATORS})\\1\\s*:`);

/** A value that is a document, not text that quotes one: an object or an array from its start. */
const DOCUMENT_START = /^\s*[{[]/;

/** A reason when an argument's, a cookie's or a JSON member's name is a query operator, or null. */
export function detectNoSqlName(name: string): string | null {
  const m = OPERATOR_NAME.exec(name);
  return m === null ? null : `NoSQL query operator $${m[1]} in a name`;
}

/**
 * A reason when `value` is a JSON or JavaScript document (from its first character) holding an
 * object with a query operator as a key, or null. A post or a note that quotes a query
 * (`Use db.users.find({age: {$gt: 18}})`) has text before it.
 */
export function detectNoSqlValue(value: string): string | null {
  if (!DOCUMENT_START.test(value)) return null;
  const m = OPERATOR_KEY.exec(value);
  return m === null ? null : `NoSQL query operator $${m[1]} as an object key`;
}

/**
 * A value that closes the first string it is written into and goes on as JavaScript, where MongoDB
 * runs a `$where` clause built from it (`this.user == '` + value + `'`): the injection lists'
 * `'; return true; var x='` and `' && this.password.match(/^a.*$/)//`. Code written in a text
 * field has its own strings before such a line; this is the value's first quote.
 */
const WHERE_SCRIPT = /^[^'"]*['"]\s*(?:;\s*return\s+(?:true|1|this\b)|(?:&&|\|\|)\s*this\.\w+)/;

/** A reason when `value` breaks out of a `$where` clause's string into JavaScript, or null. */
export function detectWhereScript(value: string): string | null {
  return WHERE_SCRIPT.test(value) ? 'JavaScript after a string break (NoSQL $where)' : null;
}
