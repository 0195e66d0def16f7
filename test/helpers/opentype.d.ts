// The slice of opentype.js 2.0 that test/chart-fonts.test.ts compares text measurement with; the package ships no types.
declare module "opentype.js" {
  export interface Glyph {
    index: number;
    advanceWidth?: number;
  }
  export interface Font {
    unitsPerEm: number;
    charToGlyph(char: string): Glyph;
    getKerningValue(left: Glyph | number, right: Glyph | number): number;
  }
  const opentype: { parse(buffer: ArrayBuffer): Font };
  export default opentype;
}
