// The Arrow side of the column builders (builders.ts): a finished builder's typed arrays go to
// makeData as they are, without copying. Building vectors from arrays of JS values instead
// would double the time and memory of a read (docs/design/js-stack.md §1).
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  TimestampMillisecond,
  Utf8,
  type Vector,
} from "apache-arrow";

interface StateBase {
  length: number;
  nullCount: number;
  /** Bit i is 0 where value i is missing; null when nothing is missing. */
  validity: Uint8Array | null;
}

/** The distinct strings of a dictionary-mode string column, in Utf8 layout. */
export interface DictionaryState {
  keys: Int32Array;
  size: number;
  offsets: Int32Array;
  bytes: Uint8Array;
}

/** A finished builder's contents as plain typed arrays (views trimmed to the length). */
export type BuilderState =
  | (StateBase & { kind: "null" })
  | (StateBase & { kind: "int32" | "date"; values: Int32Array })
  | (StateBase & { kind: "int64" | "timestamp"; values: BigInt64Array })
  | (StateBase & { kind: "float64"; values: Float64Array })
  | (StateBase & { kind: "bool"; values: Uint8Array })
  | (StateBase & {
      kind: "string";
      /** Set in dictionary mode; otherwise offsets + bytes hold the values. */
      dictionary: DictionaryState | null;
      offsets: Int32Array;
      bytes: Uint8Array;
    });

/** An Arrow vector over a finished builder's arrays (no copy). */
export function toArrowVector(state: BuilderState): Vector {
  const props = {
    length: state.length,
    nullCount: state.nullCount,
    nullBitmap: state.nullCount > 0 && state.validity ? state.validity : undefined,
  };
  switch (state.kind) {
    case "null":
      throw new Error("a null column finishes as Utf8 through NullBuilder.finish");
    case "int32":
      return makeVector(makeData({ type: new Int32(), ...props, data: state.values }));
    case "date":
      return makeVector(makeData({ type: new DateDay(), ...props, data: state.values }));
    case "int64":
      return makeVector(makeData({ type: new Int64(), ...props, data: state.values }));
    case "timestamp":
      return makeVector(
        makeData({ type: new TimestampMillisecond("UTC"), ...props, data: state.values }),
      );
    case "float64":
      return makeVector(makeData({ type: new Float64(), ...props, data: state.values }));
    case "bool":
      return makeVector(makeData({ type: new Bool(), ...props, data: state.values }));
    case "string": {
      const d = state.dictionary;
      if (!d) {
        return makeVector(
          makeData({
            type: new Utf8(),
            ...props,
            valueOffsets: state.offsets,
            data: state.bytes,
          }),
        );
      }
      const dictionary = makeVector(
        makeData({
          type: new Utf8(),
          length: d.size,
          nullCount: 0,
          valueOffsets: d.offsets,
          data: d.bytes,
        }),
      );
      return makeVector(
        makeData({
          type: new Dictionary(new Utf8(), new Int32()),
          ...props,
          data: d.keys,
          dictionary,
        }),
      );
    }
  }
}
