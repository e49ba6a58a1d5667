// Reading and writing serialised protobuf records without decoding them, so that rewriting a model
// copies every record it keeps byte for byte (fields the schema subset leaves out included).
import protobuf from 'protobufjs';

export interface FieldSpan {
  readonly field: number;
  /** Whole record: tag, length and payload. */
  readonly start: number;
  readonly end: number;
  /** Payload of a length-delimited record. */
  readonly valueStart: number;
}

/** The records of the message in `buf[from, to)`, in file order. */
export function spans(buf: Uint8Array, from = 0, to = buf.length): FieldSpan[] {
  const reader = protobuf.Reader.create(buf.subarray(from, to));
  const out: FieldSpan[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const wireType = tag & 7;
    let valueStart = reader.pos;
    if (wireType === 2) {
      const len = reader.uint32();
      valueStart = reader.pos;
      reader.skip(len);
    } else reader.skipType(wireType);
    out.push({ field: tag >>> 3, start: from + start, end: from + reader.pos, valueStart: from + valueStart });
  }
  return out;
}

/** A length-delimited record of `field` holding `payload`. */
export function lengthDelimited(field: number, payload: readonly Uint8Array[]): Uint8Array {
  const len = payload.reduce((n, p) => n + p.length, 0);
  const head = protobuf.Writer.create().uint32((field << 3) | 2).uint32(len).finish();
  return Buffer.concat([head, ...payload]);
}

/** The UTF-8 string in field `field` of the message that is `span`'s payload. */
export function stringField(buf: Uint8Array, span: FieldSpan, field: number): string | undefined {
  const f = spans(buf, span.valueStart, span.end).find((s) => s.field === field);
  return f ? Buffer.from(buf.subarray(f.valueStart, f.end)).toString('utf8') : undefined;
}
