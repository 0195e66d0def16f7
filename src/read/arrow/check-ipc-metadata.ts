// A structural check of Arrow IPC bytes before apache-arrow parses them. apache-arrow trusts
// the flatbuffer vector lengths in the metadata: one damaged length (say, 2^31 record
// batches in the footer, or 2^31 field nodes) makes it loop for hours or run out of memory.
// Here every message and every metadata vector must fit inside the bytes it claims, and a
// stream must end with its end-of-stream marker (else it was cut at a message boundary and
// would parse as a shorter table). The work is linear in the metadata size.
// Layouts: https://github.com/apache/arrow/blob/main/format/{Message,Schema,File}.fbs

/** A problem found in IPC bytes: what, and the byte offset where it was seen. */
export interface IpcProblem {
  message: string;
  offset: number;
  truncated: boolean;
}

class Damage extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly truncated = false,
  ) {
    super(message);
  }
}

/** Bounds-checked reads of one flatbuffer in view[start, end). */
class Flatbuffer {
  constructor(
    private readonly view: DataView,
    readonly start: number,
    readonly end: number,
  ) {}

  private need(at: number, size: number): void {
    if (at < this.start || at + size > this.end)
      throw new Damage("metadata points outside itself", at);
  }

  u32(at: number): number {
    this.need(at, 4);
    return this.view.getUint32(at, true);
  }

  /** The root table's position. */
  root(): number {
    return this.start + this.u32(this.start);
  }

  /** Absolute position of field `index` of the table at `table`, or 0 when absent. */
  field(table: number, index: number): number {
    this.need(table, 4);
    const vtable = table - this.view.getInt32(table, true);
    this.need(vtable, 4);
    const size = this.view.getUint16(vtable, true);
    const slot = 4 + 2 * index;
    if (slot + 2 > size) return 0;
    this.need(vtable + slot, 2);
    const offset = this.view.getUint16(vtable + slot, true);
    return offset === 0 ? 0 : table + offset;
  }

  /** The table an offset field points to, or 0. */
  table(table: number, index: number): number {
    const at = this.field(table, index);
    return at === 0 ? 0 : at + this.u32(at);
  }

  u8(table: number, index: number): number {
    const at = this.field(table, index);
    if (at === 0) return 0;
    this.need(at, 1);
    return this.view.getUint8(at);
  }

  /** A vector field: position of its first element and its length, checked to fit. */
  vector(table: number, index: number, elementSize: number): { at: number; length: number } {
    const field = this.field(table, index);
    if (field === 0) return { at: 0, length: 0 };
    const base = field + this.u32(field);
    const length = this.u32(base);
    if (base + 4 + length * elementSize > this.end) {
      throw new Damage(`a metadata list claims ${length} entries, more than fit`, base);
    }
    return { at: base + 4, length };
  }

  /** The tables a vector of offsets points to. */
  tables(table: number, index: number): number[] {
    const { at, length } = this.vector(table, index, 4);
    return Array.from({ length }, (_, k) => at + 4 * k + this.u32(at + 4 * k));
  }
}

const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;

function checkSchema(fb: Flatbuffer, schema: number): void {
  fb.vector(schema, 2, 4); // custom_metadata
  fb.vector(schema, 3, 8); // features
  for (const field of fb.tables(schema, 1)) checkField(fb, field, 0);
}

function checkField(fb: Flatbuffer, field: number, depth: number): void {
  if (depth > 64) throw new Damage("fields nested more than 64 deep", field);
  fb.vector(field, 6, 4); // custom_metadata
  for (const child of fb.tables(field, 5)) checkField(fb, child, depth + 1);
}

function checkRecordBatch(fb: Flatbuffer, batch: number): void {
  if (batch === 0) return;
  fb.vector(batch, 1, 16); // nodes: FieldNode { length, null_count }
  fb.vector(batch, 2, 16); // buffers: Buffer { offset, length }
  fb.vector(batch, 4, 8); // variadicBufferCounts
}

/** One Message flatbuffer in view[start, end); returns its header type and body length. */
function checkMessage(
  view: DataView,
  start: number,
  end: number,
  bytes: number,
): { type: number; body: number } {
  const fb = new Flatbuffer(view, start, end);
  const message = fb.root();
  fb.vector(message, 4, 4); // custom_metadata
  const type = fb.u8(message, 1);
  if (type < HEADER_SCHEMA || type > HEADER_RECORD_BATCH) {
    throw new Damage(`a message of unknown type ${type}`, start);
  }
  const header = fb.table(message, 2);
  if (header !== 0) {
    if (type === HEADER_SCHEMA) checkSchema(fb, header);
    else if (type === HEADER_RECORD_BATCH) checkRecordBatch(fb, header);
    else if (type === HEADER_DICTIONARY_BATCH) checkRecordBatch(fb, fb.table(header, 1));
  }
  const at = fb.field(message, 3);
  if (at === 0) return { type, body: 0 };
  if (at + 8 > end) throw new Damage(`metadata points to byte ${at}, outside itself`, start);
  const body = view.getBigInt64(at, true);
  if (body < 0n || body > BigInt(bytes))
    throw new Damage(`a message body of ${body} bytes`, at, true);
  return { type, body: Number(body) };
}

/** The message framing at `at`: where its metadata starts and how long it is (0 = end marker). */
function frame(view: DataView, at: number): { start: number; length: number } {
  const n = view.byteLength;
  if (at + 4 > n) throw new Damage("the data ends inside a message header", at, true);
  let length = view.getInt32(at, true);
  let start = at + 4;
  if (length === -1) {
    if (at + 8 > n) throw new Damage("the data ends inside a message header", at, true);
    length = view.getInt32(at + 4, true);
    start = at + 8;
  }
  if (length < 0) throw new Damage(`a message with metadata length ${length}`, at);
  if (start + length > n) throw new Damage("the data ends inside a message", at, true);
  return { start, length };
}

function checkStream(view: DataView): void {
  let at = 0;
  for (;;) {
    if (at >= view.byteLength) {
      throw new Damage("no end-of-stream marker after the last message", at, true);
    }
    const { start, length } = frame(view, at);
    if (length === 0) return;
    const { body } = checkMessage(view, start, start + length, view.byteLength);
    at = start + length + body;
    if (at > view.byteLength) throw new Damage("the data ends inside a message body", start, true);
  }
}

const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

function checkFile(view: DataView, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n < 18 || !ARROW1.every((byte, k) => bytes[n - 6 + k] === byte)) {
    throw new Damage("no closing ARROW1 footer", n, true);
  }
  const footerLength = view.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8)
    throw new Damage(`a footer of ${footerLength} bytes`, n - 10);
  const fb = new Flatbuffer(view, footerStart, n - 10);
  const footer = fb.root();
  const schema = fb.table(footer, 1);
  if (schema !== 0) checkSchema(fb, schema);
  for (const index of [2, 3]) {
    // dictionaries, recordBatches: Block { offset: long, metaDataLength: int, bodyLength: long }
    const { at, length } = fb.vector(footer, index, 24);
    for (let k = 0; k < length; k++) {
      const block = at + 24 * k;
      const offset = Number(view.getBigInt64(block, true));
      const metadata = view.getInt32(block + 8, true);
      const body = Number(view.getBigInt64(block + 16, true));
      if (!(offset >= 8 && metadata > 0 && body >= 0 && offset + metadata + body <= footerStart)) {
        throw new Damage("a record batch outside the file", block);
      }
      const framed = frame(view, offset);
      // apache-arrow rereads a block forever when it holds another kind of message.
      const { type } = checkMessage(view, framed.start, framed.start + framed.length, n);
      const expected = index === 2 ? HEADER_DICTIONARY_BATCH : HEADER_RECORD_BATCH;
      if (type !== expected)
        throw new Damage(`a footer block that holds a message of type ${type}`, block);
    }
  }
}

/** The first structural problem in IPC bytes (file or stream format), or undefined. */
export function checkIpc(bytes: Uint8Array): IpcProblem | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isFile = bytes.length >= 6 && ARROW1.every((byte, k) => bytes[k] === byte);
  try {
    if (isFile) checkFile(view, bytes);
    else checkStream(view);
    return undefined;
  } catch (error) {
    if (!(error instanceof Damage)) throw error;
    return { message: error.message, offset: error.offset, truncated: error.truncated };
  }
}
