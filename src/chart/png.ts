// Chart SVG → PNG for email, without a browser and without a native addon: resvg compiled to
// WebAssembly (@resvg/resvg-wasm), so the same code runs under Node and, bundled, under the
// Deno that Quarto ships (the rendered deploy's post-render script). Like parquet-wasm, the
// .wasm is instantiated from bytes: from node_modules, or from RESVG_WASM_FILE beside the
// bundled script (src/rendered/prepare.ts ships it there).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { ReportError } from "../errors.ts";
import { FONT_FAMILY, FONT_FILES } from "./text-metrics.ts";
import { woffToSfnt } from "./woff.ts";

/** The wasm file name a one-file bundle ships beside itself. */
export const RESVG_WASM_FILE = "resvg_bg.wasm";

/** Path of the installed resvg wasm, for bundlers that ship it. */
export function installedResvgWasmPath(): string {
  return fileURLToPath(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"));
}

/** Colour of text and rules in email charts (the page's charts use currentColor). */
export const EMAIL_INK = "#1f2933";

let ready: Promise<void> | undefined;

async function findWasm(): Promise<Uint8Array> {
  const candidates: string[] = [];
  try {
    candidates.push(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"));
  } catch {
    // Not resolvable in a bundle without node_modules.
  }
  candidates.push(new URL(RESVG_WASM_FILE, import.meta.url).href);
  for (const candidate of candidates) {
    try {
      return new Uint8Array(await readFile(new URL(candidate)));
    } catch {
      // Try the next place.
    }
  }
  throw new ReportError(
    `Drawing the email's charts needs ${RESVG_WASM_FILE}, which was not found.`,
    {
      hint: "Reinstall the package (npm ci), or place index_bg.wasm from @resvg/resvg-wasm beside the bundled script as resvg_bg.wasm.",
    },
  );
}

/** Instantiate resvg once per process (it refuses a second init). */
function ensureWasm(): Promise<void> {
  ready ??= findWasm().then((bytes) => initWasm(bytes));
  return ready;
}

const fontCache = new Map<string, Promise<Uint8Array[]>>();

/** The shipped Inter faces in `fontsDir`, unpacked from WOFF to TTF for resvg. */
function fontBuffers(fontsDir: string): Promise<Uint8Array[]> {
  let fonts = fontCache.get(fontsDir);
  if (fonts === undefined) {
    fonts = Promise.all(
      Object.values(FONT_FILES).map(async (file) =>
        woffToSfnt(new Uint8Array(await readFile(join(fontsDir, file)))),
      ),
    );
    fontCache.set(fontsDir, fonts);
  }
  return fonts;
}

export interface ChartPng {
  png: Uint8Array;
  /** Pixel size of the PNG. */
  pixelWidth: number;
  pixelHeight: number;
  /** Size to show it at in CSS px (the PNG is `scale` times larger, for sharp screens). */
  width: number;
  height: number;
}

/**
 * Rasterise a standalone chart SVG (with xmlns; see standaloneSvg) at `scale` × its size, on
 * white so it stays legible when a mail client darkens the message around it.
 */
export async function svgToPng(
  svg: string,
  options: { fontsDir: string; scale?: number },
): Promise<ChartPng> {
  await ensureWasm();
  const scale = options.scale ?? 2;
  const resvg = new Resvg(svg.replaceAll("currentColor", EMAIL_INK), {
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    font: {
      fontBuffers: await fontBuffers(options.fontsDir),
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  try {
    const image = resvg.render();
    try {
      return {
        png: image.asPng(),
        pixelWidth: image.width,
        pixelHeight: image.height,
        width: Math.round(resvg.width),
        height: Math.round(resvg.height),
      };
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
