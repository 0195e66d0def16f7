// Where the post-render script of a rendered deploy comes from, in a module of its own so that
// scripts/build-dist.ts reads these without loading what src/rendered/prepare.ts imports
// (about 1 CPU s of src/ on every pack).
import { packagePath } from "../package-root.ts";

/** The post-render script's source. */
export const RENDER_ENTRY = packagePath("src", "rendered", "render-entry.ts");
/** The post-render script bundled at pack time (scripts/build-dist.ts), in the package's dist/. */
export const PREBUILT_SCRIPT = packagePath("dist", "rendered", "render-script.js");
