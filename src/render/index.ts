// The render stage's public surface: model assembly, page rendering, value formatting.
export * from "../format.ts";
export { registerHelpers } from "./helpers.ts";
export type {
  AlertItem,
  AssembleInput,
  ProfileCard,
  RenderedSection,
  ReportModel,
  SourceInfo,
} from "./model.ts";
export { assembleModel } from "./model.ts";
export { fontFaces, type RenderOptions, renderReport } from "./report.ts";
