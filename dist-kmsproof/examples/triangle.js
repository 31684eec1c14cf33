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
// The triangle scene: turns and slides with the frame number through a per-slot uniform buffer.
// Written against scanout's public API only, as an application would.
import { Buffer, BufferUsage, DescriptorPool, DescriptorSetLayout, Pipeline, PipelineLayout, RenderPass, Scope, ShaderModule, ShaderStage, TargetFramebuffers, FRAMES_IN_FLIGHT, } from "../src/index.js";
const CLEAR = [0.05, 0.05, 0.08, 1];
export class Triangle {
    scope = new Scope("triangle");
    renderPass;
    layout;
    pipeline;
    framebuffers;
    sets;
    uniforms;
    constructor(out) {
        const { device } = out;
        const scope = this.scope;
        try {
            const env_1 = { stack: [], error: void 0, hasError: false };
            try {
                this.renderPass = scope.add(RenderPass.create(device, { color: { format: out.format, finalLayout: out.finalLayout } }));
                const setLayout = scope.add(new DescriptorSetLayout(device, [{ binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex }]));
                this.layout = scope.add(new PipelineLayout(device, { setLayouts: [setLayout] }));
                const shaders = __addDisposableResource(env_1, new Scope("triangle shaders"), false);
                this.pipeline = scope.add(Pipeline.createGraphics(device, {
                    renderPass: this.renderPass,
                    layout: this.layout,
                    vertex: shaders.add(ShaderModule.load(device, "triangle.vert.spv")),
                    fragment: shaders.add(ShaderModule.load(device, "triangle.frag.spv")),
                }));
                const pool = scope.add(new DescriptorPool(device, setLayout, FRAMES_IN_FLIGHT));
                this.sets = pool.allocate(setLayout, FRAMES_IN_FLIGHT);
                this.uniforms = this.sets.map((set) => {
                    const buffer = scope.add(Buffer.create(device, { size: 16, usage: BufferUsage.uniform, memory: "host", what: "triangle uniform" }));
                    set.write([{ binding: 0, type: "uniform-buffer", buffer }]);
                    return new Float32Array(buffer.mapped, 0, 4);
                });
                this.framebuffers = scope.add(new TargetFramebuffers(device, this.renderPass));
            }
            catch (e_1) {
                env_1.error = e_1;
                env_1.hasError = true;
            }
            finally {
                __disposeResources(env_1);
            }
        }
        catch (error) {
            scope.close();
            throw error;
        }
    }
    static create(out) {
        return new Triangle(out);
    }
    update(frame) {
        const u = this.uniforms[frame.slot];
        u[0] = frame.index * 0.02;
        u[1] = 0.4 * Math.sin(frame.index * 0.013);
        u[2] = frame.target.height / frame.target.width;
    }
    draw(cmd, frame) {
        const { target } = frame;
        cmd.beginRenderPass(this.renderPass, this.framebuffers.get(target), CLEAR);
        cmd.setViewportAndScissor(target.width, target.height);
        cmd.bindPipeline(this.pipeline);
        cmd.bindDescriptorSet(this.layout, this.sets[frame.slot]);
        cmd.draw(3);
        cmd.endRenderPass();
    }
    destroy() {
        this.scope.close();
    }
}
//# sourceMappingURL=triangle.js.map