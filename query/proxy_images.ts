/**
 * The images of a recorded request: an image block as each API writes it (Anthropic `image` with a base64, URL or
 * file source; OpenAI Responses `input_image` and Chat `image_url`, with a data URL, a link or a file id), every image
 * of a request body in order, and the bytes of one, checked: a raster type a browser shows (PNG, JPEG, GIF, WebP) and
 * at most a size cap. `proxy_messages` keeps no image data; `ctvs ui` reads it from the raw exchange on demand.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Where an image is: its data (base64) and type, or a link, or a provider file id. */
export interface RecordedImage {
  media_type: string | null;
  /** Base64, when the request carried the image itself. */
  data?: string;
  url?: string;
  file_id?: string;
}

/** An image of a request body and where it is in it (`messages[0].content[1]`). */
export interface FoundImage {
  path: string;
  image: RecordedImage;
}

/** The image types served: those the model APIs accept, all of which a browser draws and none of which runs script. */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** The largest image served, decoded (the APIs' own limits are 5 to 20 MB). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

// deno-lint-ignore no-explicit-any
type Json = any;

/** An image given as a URL: a `data:` URL holds it; anything else is a link. */
function fromUrl(url: unknown): RecordedImage | undefined {
  if (typeof url !== "string" || url === "") return undefined;
  const data = /^data:([^;,]*)(?:;[^,]*)?;base64,/i.exec(url);
  if (data) return { media_type: data[1].toLowerCase() || null, data: url.slice(data[0].length) };
  return { media_type: null, url };
}

/**
 * The image an API content block is, or undefined when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(imageOfBlock({ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } }),
 *   { media_type: "image/png", data: "iVBO" });
 * assert.deepEqual(imageOfBlock({ type: "input_image", image_url: "data:image/jpeg;base64,/9j/" }),
 *   { media_type: "image/jpeg", data: "/9j/" });
 * assert.deepEqual(imageOfBlock({ type: "image_url", image_url: { url: "https://example.com/a.png" } }),
 *   { media_type: null, url: "https://example.com/a.png" });
 * assert.equal(imageOfBlock({ type: "text", text: "hi" }), undefined);
 * ```
 */
export function imageOfBlock(block: Json): RecordedImage | undefined {
  if (!block || typeof block !== "object") return undefined;
  if (block.type === "image") {
    const source = block.source ?? {};
    if (source.type === "base64" && typeof source.data === "string") {
      return { media_type: typeof source.media_type === "string" ? source.media_type : null, data: source.data };
    }
    if (source.type === "url") return fromUrl(source.url);
    if (source.type === "file" && typeof source.file_id === "string") {
      return { media_type: null, file_id: source.file_id };
    }
    return undefined;
  }
  if (block.type === "input_image") {
    if (typeof block.file_id === "string" && !block.image_url) return { media_type: null, file_id: block.file_id };
    return fromUrl(block.image_url);
  }
  if (block.type === "image_url") return fromUrl(block.image_url?.url ?? block.image_url);
  return undefined;
}

/**
 * Every image of a parsed request body, in document order (at most `max`), also those nested in tool results.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = { messages: [{ role: "user", content: [
 *   { type: "tool_result", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "A" } }] },
 * ] }] };
 * assert.deepEqual(requestImages(body).map((f) => f.path), ["messages[0].content[0].content[0]"]);
 * ```
 */
export function requestImages(body: unknown, max = 100): FoundImage[] {
  const found: FoundImage[] = [];
  const visit = (value: Json, at: string) => {
    if (found.length >= max || !value || typeof value !== "object") return;
    const image = imageOfBlock(value);
    if (image) {
      found.push({ path: at, image });
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}[${i}]`));
    else for (const [key, v] of Object.entries(value)) visit(v, at ? `${at}.${key}` : key);
  };
  visit(body, "");
  return found;
}

/** An image's bytes ready to serve, or why they cannot be. */
export type ImageBytes =
  | { kind: "bytes"; media_type: string; bytes: Uint8Array<ArrayBuffer> }
  | { kind: "link"; url: string }
  | { kind: "file"; file_id: string }
  | { kind: "unsupported"; media_type: string | null }
  | { kind: "too_big"; bytes: number };

/**
 * Decodes `image` if it is data of an {@link IMAGE_TYPES} type and at most `maxBytes` decoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const got = imageBytes({ media_type: "image/png", data: "iVBORw==" });
 * assert.equal(got.kind === "bytes" && got.bytes.length, 4);
 * assert.equal(imageBytes({ media_type: "image/svg+xml", data: "PHN2Zz4=" }).kind, "unsupported");
 * assert.equal(imageBytes({ media_type: "image/png", data: "iVBORw==" }, 3).kind, "too_big");
 * ```
 */
export function imageBytes(image: RecordedImage, maxBytes = MAX_IMAGE_BYTES): ImageBytes {
  if (image.url !== undefined) return { kind: "link", url: image.url };
  if (image.file_id !== undefined) return { kind: "file", file_id: image.file_id };
  const type = image.media_type?.toLowerCase() ?? null;
  if (!type || !(IMAGE_TYPES as readonly string[]).includes(type) || typeof image.data !== "string") {
    return { kind: "unsupported", media_type: type };
  }
  // Checked before decoding: the decoded size is known from the text's length.
  const size = Math.floor(image.data.replace(/[\s=]+$/, "").length * 3 / 4);
  if (size > maxBytes) return { kind: "too_big", bytes: size };
  return { kind: "bytes", media_type: type, bytes: new Uint8Array(Buffer.from(image.data, "base64")) };
}
