// GLSL to SPIR-V at run time, through @webgpu/glslang (the Khronos reference compiler built to
// WebAssembly). It is imported on the first request only, so apps that never compile GLSL do not
// load its 1 MB of WebAssembly; the first compilation also builds glslang's built-in symbol tables
// (about a second), which loadGlslCompiler does up front so that later compilations take milliseconds.
import { ShaderError } from "./errors.js";

/** The shader stages GLSL can be compiled for. */
export type GlslStage = "vertex" | "fragment" | "compute";

/** The stage a GLSL file's extension names: .vert, .frag or .comp (as glslangValidator reads them); undefined for any other. */
export function glslStageOf(file: string): GlslStage | undefined {
  if (file.endsWith(".vert")) return "vertex";
  if (file.endsWith(".frag")) return "fragment";
  if (file.endsWith(".comp")) return "compute";
  return undefined;
}

/** One diagnostic of the compiler: the file and line it names (line 0 when it names none) and its text. */
export interface GlslDiagnostic {
  file: string;
  line: number;
  message: string;
}

/** Thrown when GLSL does not compile: `diagnostics` are the compiler's errors, and the message lists them, one a line, as `file:line: text`. */
export class GlslCompileError extends ShaderError {
  override readonly name = "GlslCompileError";

  constructor(
    file: string,
    /** The compiler's errors, first first. */
    readonly diagnostics: readonly GlslDiagnostic[],
    log: string,
  ) {
    super(file, `GLSL does not compile: ${log.trim() || "no message from the compiler"}`);
    // each error on its own line as file:line: text, the way editors and terminals link them
    if (diagnostics.length) this.message = diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join("\n");
  }

  /** The line of the first error (0 when the compiler named none). */
  get line(): number {
    return this.diagnostics[0]?.line ?? 0;
  }
}

/** What GlslCompiler.compile takes: the source, its stage, and the file name used in error messages. */
export interface GlslSource {
  source: string;
  stage: GlslStage;
  /** Named in errors as file:line (default "<glsl>"). */
  file?: string;
}

/** The loaded compiler (loadGlslCompiler): compiles GLSL (#version 450, Vulkan rules) to SPIR-V 1.0 words, synchronously. */
export interface GlslCompiler {
  /** SPIR-V for source. Throws GlslCompileError naming file:line for each compiler error. */
  compile(input: GlslSource): Uint32Array;
  /** Milliseconds loadGlslCompiler took: importing the package, instantiating its WebAssembly and its first compilation. */
  readonly loadMs: number;
}

interface Glslang {
  compileGLSL(glsl: string, stage: GlslStage, genDebug: boolean): Uint32Array;
}
type GlslangFactory = (module: { print: (s: string) => void; printErr: (s: string) => void }) => { then(resolve: (module: Glslang) => void): unknown };

let loading: Promise<GlslCompiler> | undefined;

/**
 * The GLSL compiler, loaded on the first call (later calls return the same one). Throws ShaderError when the package
 * @webgpu/glslang cannot be loaded (it is a dependency of scanout: reinstall it).
 */
export function loadGlslCompiler(): Promise<GlslCompiler> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<GlslCompiler> {
  const start = performance.now();
  let factory: GlslangFactory;
  try {
    const module = (await import("@webgpu/glslang")) as unknown as { default: GlslangFactory };
    factory = module.default;
  } catch (error) {
    throw new ShaderError("@webgpu/glslang", `cannot load the GLSL compiler (${(error as Error).message}); it is a dependency of scanout: run npm install`);
  }
  // Emscripten's Node glue installs process-wide handlers (an unhandled rejection would abort the
  // WebAssembly runtime); they are not ours to add to an application, so they are taken out again.
  const exceptionListeners = process.listeners("uncaughtException");
  const rejectionListeners = process.listeners("unhandledRejection");
  let log: string[] = [];
  const sink = (line: string): void => void log.push(line);
  let glslang: Glslang;
  try {
    // The module is its own thenable (resolving with itself): awaiting it directly would loop
    // forever, so its `then` is dropped before it resolves the promise.
    glslang = await new Promise<Glslang>((done) => {
      void factory({ print: sink, printErr: sink }).then((module) => {
        delete (module as { then?: unknown }).then;
        done(module);
      });
    });
  } finally {
    for (const l of process.listeners("uncaughtException")) if (!exceptionListeners.includes(l)) process.removeListener("uncaughtException", l);
    for (const l of process.listeners("unhandledRejection")) if (!rejectionListeners.includes(l)) process.removeListener("unhandledRejection", l);
  }
  const compile = ({ source, stage, file = "<glsl>" }: GlslSource): Uint32Array => {
    if (stage !== "vertex" && stage !== "fragment" && stage !== "compute") throw new TypeError(`${file}: unknown GLSL stage '${String(stage)}' (vertex, fragment or compute)`);
    log = [];
    try {
      return glslang.compileGLSL(source, stage, false);
    } catch {
      const text = log.join("\n");
      throw new GlslCompileError(file, parseDiagnostics(text, file), text);
    }
  };
  compile({ source: "#version 450\nvoid main() {}\n", stage: "compute", file: "<warm-up>" });
  return { compile, loadMs: performance.now() - start };
}

/** glslang's "ERROR: 0:5: 'x' : undeclared identifier" lines as diagnostics (the "compilation terminated" and count lines dropped). */
function parseDiagnostics(log: string, file: string): GlslDiagnostic[] {
  const diagnostics: GlslDiagnostic[] = [];
  for (const line of log.split("\n")) {
    const m = /^ERROR: (?:\d+:(\d+): )?(.*)$/.exec(line.trim());
    if (!m) continue;
    const message = m[2]!.trim();
    if (message === "'' : compilation terminated" || /^\d+ compilation errors?\./.test(message)) continue;
    diagnostics.push({ file, line: m[1] === undefined ? 0 : Number(m[1]), message });
  }
  return diagnostics;
}
