/**
 * A small S3 client over `aws4fetch` (SigV4): path-style URLs (`<endpoint>/<bucket>/<key>`), so any
 * S3-compatible store works; every call retried per {@link withRetry}; failures as {@link S3Error}.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import type { CredentialProvider, Credentials } from "./credentials.ts";
import { type ListResult, listResult } from "./_list_xml.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";
import { networkError, statusError } from "./s3_error.ts";

/** How a client is built. */
export interface S3ClientOptions {
  /** Signing region (default `us-east-1`). */
  region?: string;
  /** Base URL of an S3-compatible store; default `https://s3.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Where keys come from; called before each request (temporary credentials refresh themselves). */
  credentials: CredentialProvider;
  /** Attempts and backoff (default: 3 attempts, 1 s x 4^n). */
  retry?: RetryPolicy;
  /** The fetch to use (default: the global one). */
  fetchFn?: typeof fetch;
}

/** One request, before signing. */
export interface S3Request {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Bytes, never a stream: radosgw and S3 refuse a chunked PUT without a length (411). */
  body?: Uint8Array;
}

/** Talks to one S3 endpoint; see the module doc. */
export class S3Client {
  readonly region: string;
  readonly endpoint: string;
  readonly retry: RetryPolicy;
  #credentials: CredentialProvider;
  #fetch: typeof fetch;
  #signer: { for: Credentials; client: AwsClient } | undefined;

  constructor(options: S3ClientOptions) {
    this.region = options.region || "us-east-1";
    this.endpoint = (options.endpoint ?? `https://s3.${this.region}.amazonaws.com`).replace(/\/+$/, "");
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.#credentials = options.credentials;
    this.#fetch = options.fetchFn ?? fetch;
  }

  /** The size of an object, or undefined when it does not exist (404). */
  async head(bucket: string, key: string): Promise<{ size: number } | undefined> {
    const response = await this.request({ method: "HEAD", bucket, key }, [200, 404]);
    if (response.status === 404) return undefined;
    return { size: Number(response.headers.get("content-length") ?? 0) };
  }

  /** An object's bytes. */
  async get(bucket: string, key: string): Promise<Uint8Array> {
    return await withRetry(async () => {
      const response = await this.send({ method: "GET", bucket, key }, [200]);
      return new Uint8Array(await response.arrayBuffer());
    }, this.retry);
  }

  /** Writes an object in one request. */
  async put(bucket: string, key: string, body: Uint8Array, contentType = "application/octet-stream"): Promise<void> {
    await this.request({ method: "PUT", bucket, key, body, headers: { "content-type": contentType } }, [200]);
  }

  /** Creates a bucket; one that already exists and is ours counts as created. */
  async createBucket(bucket: string): Promise<void> {
    const response = await this.request({ method: "PUT", bucket }, [200, 409]);
    const body = response.status === 409 ? await response.text() : "";
    if (response.status === 409 && !body.includes("BucketAlreadyOwnedByYou")) {
      throw statusError("PUT", bucket, 409, body);
    }
  }

  /** Every key under `prefix` (ListObjectsV2, following continuation tokens), with `delimiter` groups. */
  async list(bucket: string, prefix: string, delimiter?: string): Promise<ListResult> {
    const all: ListResult = { objects: [], prefixes: [] };
    let token: string | undefined;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix };
      if (delimiter) query.delimiter = delimiter;
      if (token) query["continuation-token"] = token;
      const response = await this.request({ method: "GET", bucket, query }, [200]);
      const page = listResult(await response.text());
      all.objects.push(...page.objects);
      all.prefixes.push(...page.prefixes);
      token = page.nextToken;
    } while (token);
    return all;
  }

  /** Sends one request with retries; resolves with a response whose status is in `ok` (body not yet read). */
  request(request: S3Request, ok: number[]): Promise<Response> {
    return withRetry(() => this.send(request, ok), this.retry);
  }

  /** Sends one request once; a status outside `ok` or a network error throws {@link S3Error}. */
  async send(request: S3Request, ok: number[]): Promise<Response> {
    const target = request.key === undefined ? request.bucket : `${request.bucket}/${request.key}`;
    const client = await this.#client();
    let response: Response;
    try {
      const init: RequestInit = { method: request.method, headers: request.headers };
      // A Buffer from node:fs is typed over ArrayBufferLike; fetch sends any Uint8Array.
      if (request.body) init.body = request.body as Uint8Array<ArrayBuffer>;
      response = await this.#fetch(await client.sign(this.url(request), init));
    } catch (error) {
      throw networkError(request.method, target, error);
    }
    if (ok.includes(response.status)) return response;
    // A HEAD answer has no body: the status text is all there is to say.
    const body = request.method === "HEAD" ? response.statusText : await response.text().catch(() => "");
    throw statusError(request.method, target, response.status, body);
  }

  /** The path-style URL of a request; key segments are encoded the way SigV4 canonicalizes them. */
  url(request: Pick<S3Request, "bucket" | "key" | "query">): string {
    const key = request.key === undefined ? "" : `/${request.key.split("/").map(encodeSegment).join("/")}`;
    const query = request.query ? `?${new URLSearchParams(request.query)}` : "";
    return `${this.endpoint}/${encodeSegment(request.bucket)}${key}${query}`;
  }

  async #client(): Promise<AwsClient> {
    const credentials = await this.#credentials();
    if (this.#signer?.for !== credentials) {
      // retries: 0 because retrying is this client's policy (withRetry), not aws4fetch's ten silent attempts.
      const client = new AwsClient({ ...credentials, service: "s3", region: this.region, retries: 0 });
      this.#signer = { for: credentials, client };
    }
    return this.#signer.client;
  }
}

/** encodeURIComponent plus `!'()*`, as SigV4 expects. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
