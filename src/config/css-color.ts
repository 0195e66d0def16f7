// Whether a text is a CSS colour a chart can fill with: hex (#rgb, #rgba, #rrggbb, #rrggbbaa),
// rgb()/rgba()/hsl()/hsla() with numbers, or one of CSS's named colours. The definition is
// checked when it is read, so a typo ("#1f77bz", "blu") is reported at its line instead of
// drawing an invisible or black series.

/** The named colours of CSS Color Module Level 4 (`transparent` and `currentcolor` left out). */
const NAMED_COLORS = new Set(
  (
    "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue " +
    "blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk " +
    "crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki " +
    "darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen " +
    "darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue " +
    "dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite " +
    "gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki " +
    "lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan " +
    "lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen " +
    "lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen " +
    "magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen " +
    "mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream " +
    "mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid " +
    "palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum " +
    "powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown " +
    "seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen " +
    "steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen"
  ).split(" "),
);

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)%?`;
const ANGLE = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:deg|grad|rad|turn)?`;
const FUNCTIONAL = new RegExp(
  String.raw`^(?:rgba?\(\s*${NUMBER}(?:\s*,\s*|\s+)${NUMBER}(?:\s*,\s*|\s+)${NUMBER}` +
    String.raw`|hsla?\(\s*${ANGLE}(?:\s*,\s*|\s+)${NUMBER}(?:\s*,\s*|\s+)${NUMBER})` +
    String.raw`(?:\s*[,/]\s*${NUMBER})?\s*\)$`,
  "i",
);

/** True for a CSS colour a chart may use (see the file comment for the forms accepted). */
export function isCssColor(text: string): boolean {
  const value = text.trim();
  return HEX.test(value) || FUNCTIONAL.test(value) || NAMED_COLORS.has(value.toLowerCase());
}
