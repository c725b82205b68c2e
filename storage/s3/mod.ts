/**
 * The S3 client: credentials, signing, retries, single and multipart uploads.
 *
 * @module
 */
export * from "./credentials.ts";
export * from "./retry.ts";
export * from "./s3_client.ts";
export * from "./s3_error.ts";
export * from "./upload_file.ts";
export * from "./download_file.ts";
