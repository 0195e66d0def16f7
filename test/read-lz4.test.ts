// The LZ4 frame decoder against frames written by the reference `lz4` tool (1.9.4) in its
// block modes: independent/dependent blocks, 64 KB blocks, block and content checksums,
// content size, high compression, an empty frame, and concatenated frames.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { decodeLz4Frame, Lz4Error } from "../src/read/arrow/lz4-frame.ts";
import { fixture } from "./read-helpers.ts";

const payload = new Uint8Array(readFileSync(fixture("lz4/payload.bin")));
const frame = (name: string) => new Uint8Array(readFileSync(fixture(`lz4/${name}.lz4`)));

describe("LZ4 frames", () => {
  for (const name of ["default", "dependent-64k", "checksums", "no-frame-crc"]) {
    test(`${name}: decodes to the original bytes`, () => {
      const decoded = decodeLz4Frame(frame(name));
      assert.equal(decoded.length, payload.length);
      assert.ok(Buffer.from(decoded).equals(Buffer.from(payload)));
    });
  }

  test("an empty frame is empty; concatenated frames decode one after the other", () => {
    assert.equal(decodeLz4Frame(frame("empty")).length, 0);
    const two = new Uint8Array([...frame("default"), ...frame("checksums")]);
    const decoded = decodeLz4Frame(two);
    assert.equal(decoded.length, payload.length * 2);
    assert.ok(Buffer.from(decoded.subarray(payload.length)).equals(Buffer.from(payload)));
  });

  test("damaged frames throw Lz4Error, never read out of bounds", () => {
    const whole = frame("dependent-64k");
    for (const cut of [0, 3, 7, 11, 100, whole.length >> 1, whole.length - 4]) {
      assert.throws(
        () => decodeLz4Frame(whole.subarray(0, Math.max(1, cut))),
        Lz4Error,
        `cut at ${cut}`,
      );
    }
    const badMagic = whole.slice();
    badMagic[0] ^= 0xff;
    assert.throws(() => decodeLz4Frame(badMagic), /not an LZ4 frame/);
    let seed = 3;
    for (let k = 0; k < 200; k++) {
      const mutated = whole.slice();
      for (let j = 0; j < 4; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        mutated[7 + (seed % (mutated.length - 7))] = seed >>> 24;
      }
      try {
        decodeLz4Frame(mutated);
      } catch (error) {
        assert.ok(error instanceof Lz4Error, String(error));
      }
    }
  });
});
