var __addDisposableResource = (this && this.__addDisposableResource) || function (env, value, async) {
    if (value !== null && value !== void 0) {
        if (typeof value !== "object" && typeof value !== "function") throw new TypeError("Object expected.");
        var dispose, inner;
        if (async) {
            if (!Symbol.asyncDispose) throw new TypeError("Symbol.asyncDispose is not defined.");
            dispose = value[Symbol.asyncDispose];
        }
        if (dispose === void 0) {
            if (!Symbol.dispose) throw new TypeError("Symbol.dispose is not defined.");
            dispose = value[Symbol.dispose];
            if (async) inner = dispose;
        }
        if (typeof dispose !== "function") throw new TypeError("Object not disposable.");
        if (inner) dispose = function() { try { inner.call(this); } catch (e) { return Promise.reject(e); } };
        env.stack.push({ value: value, dispose: dispose, async: async });
    }
    else if (async) {
        env.stack.push({ async: true });
    }
    return value;
};
var __disposeResources = (this && this.__disposeResources) || (function (SuppressedError) {
    return function (env) {
        function fail(e) {
            env.error = env.hasError ? new SuppressedError(e, env.error, "An error was suppressed during disposal.") : e;
            env.hasError = true;
        }
        var r, s = 0;
        function next() {
            while (r = env.stack.pop()) {
                try {
                    if (!r.async && s === 1) return s = 0, env.stack.push(r), Promise.resolve().then(next);
                    if (r.dispose) {
                        var result = r.dispose.call(r.value);
                        if (r.async) return s |= 2, Promise.resolve(result).then(next, function(e) { fail(e); return next(); });
                    }
                    else s |= 1;
                }
                catch (e) {
                    fail(e);
                }
            }
            if (s === 1) return env.hasError ? Promise.reject(env.error) : Promise.resolve();
            if (env.hasError) throw env.error;
        }
        return next();
    };
})(typeof SuppressedError === "function" ? SuppressedError : function (error, suppressed, message) {
    var e = new Error(message);
    return e.name = "SuppressedError", e.error = error, e.suppressed = suppressed, e;
});
// npm run demo: renders a scene on the best backend available here and reports what it did.
import { FrameTracer, Instance, openPresenter, writePng } from "../src/index.js";
import { parseArgs, USAGE, UsageError } from "./cli-args.js";
import { defaultScene, scenes } from "./scenes.js";
async function run(args) {
    const env_1 = { stack: [], error: void 0, hasError: false };
    try {
        const gpu = __addDisposableResource(env_1, await Instance.create({ validation: args.validation }), true);
        if (args.listDevices) {
            const devices = gpu.physicalDevices();
            if (devices.length === 0)
                throw new Error("no Vulkan devices found");
            devices.forEach((d, i) => console.log(`${i}: ${d.summary()}`));
            return;
        }
        const sceneName = args.scene ?? defaultScene();
        const loadScene = scenes[sceneName];
        if (!loadScene)
            throw new UsageError(`--scene: unknown scene '${sceneName}' (one of ${Object.keys(scenes).join(", ")})`);
        const out = __addDisposableResource(env_1, await openPresenter(gpu, {
            prefer: args.backend ? [args.backend] : undefined,
            size: args.size,
            title: `scanout ${sceneName}`,
            connector: args.connector,
            mode: args.mode,
        }), true);
        const scene = await loadScene(out, args);
        try {
            const outPath = args.out ?? (out.backend === "headless" ? "demo.png" : undefined);
            const limit = args.frames === 0 && out.backend !== "headless" ? undefined : args.frames;
            let last;
            const tracer = args.trace ? new FrameTracer() : undefined;
            for await (const frame of out.frames({ limit, tracer })) {
                scene.update(frame);
                frame.record((cmd) => scene.draw(cmd, frame));
                if (outPath && limit !== undefined && frame.index === limit - 1)
                    last = frame.capture();
            }
            const s = out.stats;
            console.log(`device: ${out.device.physical.name}`);
            console.log(`backend: ${out.backend}, scene: ${sceneName}, size: ${out.size[0]}x${out.size[1]}`);
            console.log(`frames: ${s.frames} in ${s.seconds.toFixed(3)} s, ${s.fps.toFixed(1)} frames/s, ${s.cpuMsPerFrame.toFixed(3)} CPU ms/frame`);
            if (out.endReason)
                console.log(`ended early: ${out.endReason}`);
            if (tracer && args.trace) {
                tracer.write(args.trace);
                console.log(`wrote ${args.trace} (${tracer.events} trace events)`);
            }
            if (last && outPath) {
                writePng(outPath, await last);
                console.log(`wrote ${outPath}`);
            }
        }
        finally {
            scene.destroy();
        }
        if (gpu.validationEnabled && gpu.validationErrors.length)
            throw new Error(`${gpu.validationErrors.length} validation errors (see above)`);
    }
    catch (e_1) {
        env_1.error = e_1;
        env_1.hasError = true;
    }
    finally {
        const result_1 = __disposeResources(env_1);
        if (result_1)
            await result_1;
    }
}
async function main() {
    let args;
    try {
        args = parseArgs(process.argv.slice(2));
    }
    catch (error) {
        process.stderr.write(`demo: ${error.message}\n${USAGE}\n`);
        return 2;
    }
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    try {
        await run(args);
        return 0;
    }
    catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`demo: ${error.message}\n${USAGE}\n`);
            return 2;
        }
        process.stderr.write(`demo: ${error.message}\n`);
        if (process.env.SCANOUT_LOG === "debug")
            process.stderr.write(`${error.stack}\n`);
        return 1;
    }
}
process.exitCode = await main();
//# sourceMappingURL=demo.js.map