// The typed KMS properties reject misspelt names and ids of the wrong kind at compile time: compiles
// property-types.check.ts with the TypeScript compiler, once as written (every @ts-expect-error must
// be needed and nothing else may fail) and once with the directives removed (each marked line must
// fail with the error its directive names, so a line failing for another reason does not pass).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const FILE = resolve("test/drm/property-types.check.ts");
const DIRECTIVE = /\/\/ @ts-expect-error (.+)$/;

function diagnostics(source: string, oldProgram?: ts.Program) {
  const { config } = ts.readConfigFile(resolve("tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, resolve("."));
  options.noEmit = true;
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    resolve(name) === FILE ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  const program = ts.createProgram({ rootNames: [FILE], options, host, oldProgram });
  const file = program.getSourceFile(FILE)!;
  const found = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ({
    line: file.getLineAndCharacterOfPosition(d.start ?? 0).line,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
  return { program, found };
}

describe("typed KMS properties", () => {
  it("misspelt names, properties of other objects, ids of the wrong kind and wrong value types do not compile", () => {
    const source = readFileSync(FILE, "utf8");
    const lines = source.split("\n");
    const expected = lines.flatMap((l, i) => {
      const m = DIRECTIVE.exec(l);
      return m ? [{ line: i + 1, text: m[1]!, code: lines[i + 1]!.trim() }] : [];
    });
    expect(expected.length).toBeGreaterThanOrEqual(15);

    const asWritten = diagnostics(source);
    expect(asWritten.found.map((d) => `line ${d.line + 1}: ${d.message}`)).toEqual([]);

    const bare = diagnostics(source.replaceAll("// @ts-expect-error", "// expected error:"), asWritten.program);
    const missed = expected.flatMap((e) => {
      const here = bare.found.filter((d) => d.line === e.line).map((d) => d.message).join("\n");
      return here.includes(e.text) ? [] : [`${e.code} should fail with "${e.text}" but got: ${here || "no error"}`];
    });
    expect(missed).toEqual([]);
    const unexpected = bare.found.filter((d) => !expected.some((e) => e.line === d.line));
    expect(unexpected).toEqual([]);
  }, 120_000);
});
