/**
 * The type declarations of the npm package's library entry (`import { Collector } from "collectivus"`): each module
 * of the public API goes through TypeScript's `transpileDeclaration` on its own (the API is written with explicit
 * types, so no program or type check is needed), and relative `.ts` imports become `.js`, as the package's
 * `types/` tree resolves them.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import ts from "typescript";

/** The modules the public API is made of, relative to the repository root. A test checks nothing else is reached. */
export const API_MODULES: readonly string[] = ["mod.ts", "api/collector.ts", "api/types.ts", "platform/version.ts"];

/**
 * The relative imports of a declaration file's text, as written (`./api/collector.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(relativeImports('export { A } from "./a.ts";\nimport type { B } from "../b.ts";'), ["./a.ts", "../b.ts"]);
 * ```
 */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)].map((match) => match[1]);
}

/**
 * Drops the property form of a computed method that is also declared as a method: `transpileDeclaration` (5.9)
 * emits `[Symbol.asyncDispose]: () => Promise<void>;` beside `[Symbol.asyncDispose](): Promise<void>;`, and
 * TypeScript then reports a duplicate identifier in the package's declarations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = "class C {\n    [Symbol.x]: () => void;\n    a(): void;\n    [Symbol.x](): void;\n}";
 * assert.equal(dropDuplicateComputedMembers(text), "class C {\n    a(): void;\n    [Symbol.x](): void;\n}");
 * ```
 */
export function dropDuplicateComputedMembers(text: string): string {
  const methods = new Set([...text.matchAll(/^\s*(\[[^\]]+\])\(/gm)].map((match) => match[1]));
  return text.split("\n").filter((line) => {
    const property = /^\s*(\[[^\]]+\]): \(/.exec(line);
    return !(property && methods.has(property[1]));
  }).join("\n");
}

/** `from "./x.ts"` becomes `from "./x.js"` (TypeScript maps `.js` to the `.d.ts` beside it). */
function jsSpecifiers(text: string): string {
  return text.replace(/(\bfrom\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2");
}

/**
 * Writes `<outDir>/<module>.d.ts` for each of {@link API_MODULES}; returns the files written, relative to `outDir`.
 * Throws when TypeScript reports a problem, or when a declaration imports a module outside the list.
 */
export async function writeApiTypes(root: string, outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const module of API_MODULES) {
    const source = await fs.readFile(path.join(root, module), "utf8");
    const result = ts.transpileDeclaration(source, {
      fileName: module,
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    if (result.diagnostics && result.diagnostics.length > 0) {
      const messages = result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
      throw new Error(`Cannot declare the types of ${module}: ${messages.join("; ")}`);
    }
    for (const specifier of relativeImports(result.outputText)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(module), specifier));
      if (!API_MODULES.includes(target)) {
        throw new Error(`Cannot declare the types of ${module}: it imports ${target}, which is not in API_MODULES`);
      }
    }
    const file = module.replace(/\.ts$/, ".d.ts");
    await fs.mkdir(path.dirname(path.join(outDir, file)), { recursive: true });
    await fs.writeFile(path.join(outDir, file), jsSpecifiers(dropDuplicateComputedMembers(result.outputText)));
    written.push(file);
  }
  return written;
}
