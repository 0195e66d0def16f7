// Typed column builders (builders.ts) with their Arrow side: `finish` hands the buffers to
// makeData without copying. Building from arrays of JS values would double time and memory
// (docs/design/js-stack.md §1). Import builders from here, unless the code runs where
// apache-arrow should not load (the CSV worker threads).
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
import { type BuilderState, setVectorFactory } from "./builders.ts";

export * from "./builders.ts";

/** An Arrow vector over a finished builder's arrays (no copy). */
function stateToVector(state: BuilderState): Vector {
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

setVectorFactory(stateToVector);
