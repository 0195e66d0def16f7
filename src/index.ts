// The library's public API: Connect's AWS credential exchange for use outside the build, the
// S3 data source, and the shared contracts they use.

export { type CredentialSource, selectCredentials } from "./aws/credentials.ts";
export {
  createS3Access,
  headS3Object,
  listS3Objects,
  type S3Access,
  type S3DownloadOptions,
  type S3ObjectInfo,
} from "./aws/s3.ts";
export { s3ObjectBody } from "./aws/s3-download.ts";
export {
  ConnectApiError,
  type ConnectClient,
  type ConnectClientOptions,
  createConnectClient,
} from "./connect/client.ts";
export {
  AUDIENCE_ENV,
  type ConnectEnvironment,
  connectEnvironment,
  isOnConnect,
  readContentSessionToken,
} from "./connect/environment.ts";
export {
  type AwsCredentials,
  type ConnectCredentialOptions,
  connectExchangeProvider,
  decodeAwsCredentials,
  exchangeForAwsCredentials,
  fromConnectContentSession,
  fromConnectViewerSession,
  getAwsContentCredentials,
  type RefreshableCredentialProvider,
} from "./connect/exchange.ts";
export type { Effects, Logger } from "./effects.ts";
export { defaultEffects } from "./effects.ts";
export { isReportError, ReportError } from "./errors.ts";
export type { DataSource } from "./source/data-source.ts";
export { openDataSource, openLocalFile } from "./source/open.ts";
export { openS3Location } from "./source/s3.ts";
