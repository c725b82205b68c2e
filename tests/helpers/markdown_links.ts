/**
 * The relative links of Markdown files and whether they resolve: a file or folder that exists, and an anchor that is
 * a heading of the target as GitHub names it. What the docs link checker (tests/docs/links_test.ts) runs.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";

/** A link found in a Markdown file. */
export interface MarkdownLink {
  /** 1-based line of the link. */
  line: number;
  /** The target as written: `docs/x.md#y`, `#y`, `../README.md`. */
  target: string;
}

/**
 * The inline links (`[text](target)`, images too) of `markdown` whose target is relative: not `http(s):`, `mailto:` or
 * any other scheme. Links inside fenced code blocks and inline code are not links and are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const md = "See [a](a.md#b) and [web](https://x.y).\n\n~~~sh\n[not](c.md)\n~~~\n`[not](d.md)` [e](#e)";
 * assert.deepEqual(relativeLinks(md), [{ line: 1, target: "a.md#b" }, { line: 6, target: "#e" }]);
 * ```
 */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`+[^`]*`+/g, "");
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ line, target });
    }
  }
  return links;
}

/**
 * The anchors GitHub gives the headings of `markdown`: the heading's text without its Markdown (code, links,
 * emphasis), lowercased, without punctuation but `-` and `_`, spaces made `-`; a repeated one gets `-1`, `-2`, ...
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const md = "# Title\n## Collections: `ctvs collect`\n~~~\n# not a heading\n~~~\n## Title\n### [Link](x.md) & *more*";
 * assert.deepEqual(headingAnchors(md), ["title", "collections-ctvs-collect", "title-1", "link--more"]);
 * ```
 */
export function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const plain = heading[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/`/g, "")
      .replace(/(\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9]))/g, "");
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.push(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The lines of `markdown` outside fenced code blocks, with their 1-based numbers. */
function* proseLines(markdown: string): Generator<{ line: number; text: string }> {
  let fence: string | undefined;
  for (const [index, text] of markdown.split("\n").entries()) {
    const opening = /^\s*(```+|~~~+)/.exec(text);
    if (opening) {
      if (fence === undefined) fence = opening[1];
      else if (opening[1].startsWith(fence)) fence = undefined;
    } else if (fence === undefined) {
      yield { line: index + 1, text };
    }
  }
}

/**
 * What is wrong with the relative links of the Markdown file `file`: `<file>:<line>: <target>: <why>` for each link
 * whose file does not exist, or whose anchor is not a heading of its Markdown target.
 */
export async function brokenLinks(file: string): Promise<string[]> {
  const markdown = await fs.readFile(file, "utf8");
  const problems: string[] = [];
  const anchorsOf = new Map<string, Promise<string[] | undefined>>();
  for (const { line, target } of relativeLinks(markdown)) {
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = pathPart === "" ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
    const where = `${file}:${line}: ${target}`;
    const stat = await fs.stat(resolved).catch(() => undefined);
    if (!stat) {
      problems.push(`${where}: ${path.relative(process.cwd(), resolved)} does not exist`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith(".md")) continue;
    if (!anchorsOf.has(resolved)) {
      anchorsOf.set(resolved, fs.readFile(resolved, "utf8").then(headingAnchors));
    }
    const anchors = (await anchorsOf.get(resolved))!;
    if (!anchors.includes(anchor)) problems.push(`${where}: no heading has the anchor #${anchor}`);
  }
  return problems;
}
