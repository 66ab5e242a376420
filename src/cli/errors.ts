/** A command-line usage problem (exit code 2), as opposed to a runtime failure (exit code 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
