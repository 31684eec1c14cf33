// Our own wl_shm swapchain. Buffers live in one memfd-backed wl_shm_pool and move
// free -> rendering -> attached -> (wl_buffer.release) -> free. A buffer the compositor holds is
// never reused; the pool grows only when every buffer is busy (up to `maxBuffers`); waiting for a
// free buffer is a promise resolved by the release event.
import { SharedMemory } from "../sys/memfd.js";
import { logger } from "../util/log.js";
import { WlShmFormat } from "./protocol/wayland.js";
const log = logger("wayland");
export class ShmBuffer {
    chain;
    wlBuffer;
    offset;
    width;
    height;
    stride;
    state = "free";
    /** Times this buffer was handed out, for tests and stats. */
    uses = 0;
    constructor(chain, wlBuffer, offset, width, height, stride) {
        this.chain = chain;
        this.wlBuffer = wlBuffer;
        this.offset = offset;
        this.width = width;
        this.height = height;
        this.stride = stride;
    }
    /** The buffer's bytes (B, G, R, X/A per pixel). Valid until the chain's next `acquire`. */
    get pixels() {
        return new Uint8Array(this.chain.memory.buffer, this.offset, this.stride * this.height);
    }
}
/** Picks a 32-bit format the compositor lists: XRGB8888 unless alpha is wanted. */
export function chooseShmFormat(formats, alpha = false) {
    const order = alpha ? [WlShmFormat.argb8888, WlShmFormat.xrgb8888] : [WlShmFormat.xrgb8888, WlShmFormat.argb8888];
    for (const f of order)
        if (formats.has(f))
            return f;
    // wl_shm requires both; a compositor listing neither is broken
    throw new Error(`the compositor lists neither XRGB8888 nor ARGB8888 for wl_shm (got ${[...formats].join(", ")})`);
}
/** Collects wl_shm.format events (they arrive right after binding). */
export function listenShmFormats(shm) {
    const formats = new Set();
    shm.listen({ format: (f) => void formats.add(f) });
    return formats;
}
export class ShmSwapchain {
    connection;
    width;
    height;
    format;
    maxBuffers;
    buffers = [];
    memory;
    pool;
    waiters = [];
    retired = false;
    poolDestroyed = false;
    stride;
    bufferSize;
    constructor(connection, shm, width, height, format, maxBuffers = 4, initialBuffers = 2) {
        this.connection = connection;
        this.width = width;
        this.height = height;
        this.format = format;
        this.maxBuffers = maxBuffers;
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
            throw new RangeError(`shm swapchain: bad size ${width}x${height}`);
        this.stride = width * 4;
        this.bufferSize = this.stride * height;
        this.memory = SharedMemory.create(`scanout-shm-${width}x${height}`, this.bufferSize * initialBuffers);
        try {
            this.pool = shm.create_pool(this.memory.fd, this.memory.size);
            for (let i = 0; i < initialBuffers; i++)
                this.addBuffer();
        }
        catch (e) {
            this.memory.close();
            throw e;
        }
    }
    addBuffer() {
        const offset = this.buffers.length * this.bufferSize;
        if (offset + this.bufferSize > this.memory.size) {
            this.memory.grow(offset + this.bufferSize);
            this.pool.resize(this.memory.size);
            log.debug(`shm pool grown to ${this.memory.size} bytes (${this.buffers.length + 1} buffers)`);
        }
        const wl = this.pool.create_buffer(offset, this.width, this.height, this.stride, this.format);
        const b = new ShmBuffer(this, wl, offset, this.width, this.height, this.stride);
        wl.listen({
            release: () => {
                if (b.state !== "attached")
                    log.warn(`${wl}: release while ${b.state}`);
                b.state = "free";
                if (this.retired)
                    this.destroyBuffer(b);
                else
                    this.waiters.shift()?.();
            },
        });
        this.buffers.push(b);
        return b;
    }
    /** A free buffer, marked `rendering`. Grows the pool when all are busy, else waits for a release. */
    async acquire() {
        for (;;) {
            if (this.retired)
                throw new Error("shm swapchain is retired");
            const free = this.buffers.find((b) => b.state === "free");
            if (free) {
                free.state = "rendering";
                free.uses++;
                return free;
            }
            if (this.buffers.length < this.maxBuffers) {
                const b = this.addBuffer();
                b.state = "rendering";
                b.uses++;
                return b;
            }
            await this.connection.waitFor((resolve) => this.waiters.push(() => resolve()));
        }
    }
    /** Marks a buffer as handed to the compositor (call right before attach/commit). */
    markAttached(b) {
        if (b.state !== "rendering")
            throw new Error(`shm buffer ${b.wlBuffer} attached while ${b.state}`);
        b.state = "attached";
    }
    /** Returns a buffer that was acquired but will not be attached. */
    cancel(b) {
        if (b.state === "rendering")
            b.state = "free";
        this.waiters.shift()?.();
    }
    destroyBuffer(b) {
        if (!b.wlBuffer.destroyed && !this.connection.error)
            b.wlBuffer.destroy();
        b.wlBuffer.destroyed = true;
        this.maybeFinish();
    }
    maybeFinish() {
        if (!this.retired || this.buffers.some((b) => !b.wlBuffer.destroyed))
            return;
        if (!this.poolDestroyed) {
            this.poolDestroyed = true;
            if (!this.connection.error && !this.pool.destroyed)
                this.pool.destroy();
            this.memory.close();
        }
    }
    /**
     * Retires the chain (on resize or close): free buffers go now, attached ones when the compositor
     * releases them; the pool and memfd go with the last buffer. With `force` (connection gone or
     * closing) everything goes now.
     */
    retire(force = false) {
        this.retired = true;
        for (const w of this.waiters.splice(0))
            w();
        for (const b of this.buffers)
            if (!b.wlBuffer.destroyed && (force || b.state !== "attached"))
                this.destroyBuffer(b);
        if (force && !this.poolDestroyed) {
            for (const b of this.buffers)
                b.wlBuffer.destroyed = true;
            this.maybeFinish();
        }
    }
}
//# sourceMappingURL=shm.js.map