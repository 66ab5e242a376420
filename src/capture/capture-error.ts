/**
 * A file that cannot be read as a capture. The message always names the file and, where the
 * problem is inside the data, the byte offset (in the uncompressed stream for gzip files), so
 * the CLI can print it as is, without a stack trace.
 */
export class CaptureError extends Error {
  /** Path of the capture file as the caller gave it. */
  readonly file: string;
  /** Byte offset of the problem in the (uncompressed) capture stream; for a failed read, in the file. */
  readonly offset: number;

  constructor(file: string, offset: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
  }
}
