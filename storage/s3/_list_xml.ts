/**
 * Reading a ListObjectsV2 answer. The XML is flat and regular, so a few patterns do; no XML parser dependency.
 *
 * @module
 */

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
}

/** One page, or several merged. */
export interface ListResult {
  objects: ListedObject[];
  /** Common prefixes (with a delimiter). */
  prefixes: string[];
  /** Set when more pages follow. */
  nextToken?: string;
}

/** Parses one ListObjectsV2 page. */
export function listResult(xml: string): ListResult {
  const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map(([, body]) => ({
    key: unescapeXml(tag(body, "Key") ?? ""),
    size: Number(tag(body, "Size") ?? 0),
  }));
  const prefixes = [...xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)]
    .map(([, body]) => unescapeXml(tag(body, "Prefix") ?? ""));
  const truncated = tag(xml, "IsTruncated") === "true";
  const token = tag(xml, "NextContinuationToken");
  return { objects, prefixes, ...(truncated && token ? { nextToken: unescapeXml(token) } : {}) };
}

function tag(xml: string, name: string): string | undefined {
  return xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
    if (named[entity]) return named[entity];
    const code = entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return String.fromCodePoint(code);
  });
}
