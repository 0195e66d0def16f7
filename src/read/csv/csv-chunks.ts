// Splitting a CSV byte stream into chunks that start and end at record boundaries, so each
// chunk can be tokenized on its own (in a worker thread). A line end is a record boundary
// unless it sits inside a quoted field, and a quote opens a field only at the field's start
// (after a delimiter or a line end), as the tokenizer reads it; a quote inside an unquoted
// field is text. A chunk without quotes costs one native lastIndexOf.

const QUOTE = 0x22;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The index just past the last line end in buf[from, end) that ends a record, given that
 * `from` starts one; -1 when there is none.
 */
export function lastRecordEnd(
  buf: Uint8Array,
  from: number,
  end: number,
  delimiter: number,
): number {
  if (buf.subarray(from, end).indexOf(QUOTE) === -1) {
    const lf = buf.subarray(0, end).lastIndexOf(LF);
    return lf >= from ? lf + 1 : -1;
  }
  // Jump from quote to quote (native indexOf), noting where each stretch outside quotes
  // ends; then the last line end is searched backwards, stretch by stretch.
  const view = buf.subarray(0, end);
  let stretches = new Int32Array(64);
  let count = 0;
  let pos = from;
  for (;;) {
    const quote = view.indexOf(QUOTE, pos);
    if (count + 2 > stretches.length) {
      const grown = new Int32Array(stretches.length * 2);
      grown.set(stretches);
      stretches = grown;
    }
    stretches[count++] = pos;
    stretches[count++] = quote === -1 ? end : quote;
    if (quote === -1) break;
    const before = quote === from ? LF : view[quote - 1];
    if (before !== delimiter && before !== LF) {
      pos = quote + 1; // a quote inside an unquoted field is text
      continue;
    }
    // A quoted field: find its closing quote ("" is an escaped quote).
    let at = quote + 1;
    let close = -1;
    for (;;) {
      close = view.indexOf(QUOTE, at);
      if (close === -1 || close + 1 >= end) break; // still open, or "" undecided
      if (view[close + 1] !== QUOTE) break;
      at = close + 2;
    }
    if (close === -1 || close + 1 >= end) break;
    pos = close + 1;
  }
  for (let k = count - 2; k >= 0; k -= 2) {
    const start = stretches[k];
    const stop = stretches[k + 1];
    if (stop <= start) continue;
    const lf = view.lastIndexOf(LF, stop - 1);
    if (lf >= start) return lf + 1;
  }
  return -1;
}

/**
 * Collects stream pieces and hands out chunks of about `chunkBytes` that end at a record
 * boundary. Each chunk is a fresh buffer the caller may transfer to another thread; the
 * pieces are copied once (plus the partial record at each chunk's end).
 */
export class RecordChunker {
  private pieces: Uint8Array[] = [];
  /** Bytes of pieces[0] already handed out. */
  private consumed = 0;
  private length = 0;
  private atStart = true;
  private delimiter = -1;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(
    private readonly chunkBytes: number,
    /** The delimiter byte, given the first bytes of the file (BOM stripped). */
    private readonly delimiterFor: (head: Uint8Array) => number,
  ) {}

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** The next chunk, or undefined until enough bytes (and a record boundary) arrived. */
  next(): Uint8Array | undefined {
    for (let wanted = this.chunkBytes; wanted <= this.length; wanted *= 2) {
      const buf = this.copy(wanted);
      let from = 0;
      if (this.atStart && buf.length >= 3 && BOM.every((byte, k) => buf[k] === byte)) from = 3;
      if (this.delimiter < 0) {
        if (!buf.includes(LF)) continue;
        this.delimiter = this.delimiterFor(buf.subarray(from));
      }
      const end = lastRecordEnd(buf, from, buf.length, this.delimiter);
      if (end < 0) continue; // a record longer than the window: look further
      this.consume(end);
      this.atStart = false;
      return buf.subarray(0, end);
    }
    return undefined;
  }

  /** Everything left at the end of the input (maybe empty). */
  rest(): Uint8Array {
    const buf = this.copy(this.length);
    this.consume(this.length);
    return buf;
  }

  /** The first `size` buffered bytes, copied into a fresh buffer. */
  private copy(size: number): Uint8Array {
    const buf = new Uint8Array(size);
    let at = 0;
    let skip = this.consumed;
    for (const piece of this.pieces) {
      if (at === size) break;
      const part = piece.subarray(skip, skip + size - at);
      buf.set(part, at);
      at += part.length;
      skip = 0;
    }
    return buf;
  }

  private consume(size: number): void {
    this.offset += size;
    this.length -= size;
    let left = size;
    while (left > 0) {
      const available = this.pieces[0].length - this.consumed;
      if (left < available) {
        this.consumed += left;
        return;
      }
      left -= available;
      this.pieces.shift();
      this.consumed = 0;
    }
  }
}
