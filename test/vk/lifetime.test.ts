// Scopes destroy in reverse order; deferred destruction waits for the GPU.
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { Buffer, BufferUsage, CommandPool, DeferredQueue, Fence, Scope, vk } from "../../src/index.js";

describe("Scope", () => {
  it("destroys in reverse creation order", () => {
    const order: string[] = [];
    const scope = new Scope();
    for (const name of ["a", "b", "c"]) scope.add({ destroy: () => order.push(name) });
    scope.defer(() => order.push("d"));
    scope.close();
    expect(order).toEqual(["d", "c", "b", "a"]);
  });

  it("runs every destructor even when one throws, then rethrows the first error", () => {
    const order: string[] = [];
    const scope = new Scope();
    scope.add({ destroy: () => order.push("a") });
    scope.add({ destroy: () => { throw new Error("b failed"); } });
    scope.add({ destroy: () => order.push("c") });
    expect(() => scope.close()).toThrow("b failed");
    expect(order).toEqual(["c", "a"]);
  });

  it("works with `using` and refuses additions after closing", () => {
    const order: string[] = [];
    let kept: Scope;
    {
      using scope = new Scope("block");
      kept = scope;
      scope.add({ destroy: () => order.push("x") });
    }
    expect(order).toEqual(["x"]);
    expect(() => kept.add({ destroy: () => {} })).toThrow(/already closed/);
  });
});

describe("DeferredQueue", () => {
  it("runs a destructor only once its submission has completed", () => {
    const q = new DeferredQueue();
    const done: number[] = [];
    q.push(1, () => done.push(1));
    q.push(3, () => done.push(3));
    q.push(2, () => done.push(2));
    expect(done).toEqual([]);
    q.complete(2);
    expect(done.sort()).toEqual([1, 2]);
    q.complete(1); // going backwards changes nothing
    expect(done.length).toBe(2);
    q.complete(3);
    expect(done.sort()).toEqual([1, 2, 3]);
    q.push(3, () => done.push(33)); // already complete: at once
    expect(done).toContain(33);
    expect(q.size).toBe(0);
  });

  it("flush runs everything left", () => {
    const q = new DeferredQueue();
    let ran = 0;
    q.push(10, () => ran++);
    q.flush();
    expect(ran).toBe(1);
  });
});

describe("deferred destruction on the GPU (validation on)", () => {
  const fx = validatedGpu();

  it("keeps a buffer used by an unfinished submission alive until its fence signals", () => {
    const device = fx.device;
    const pool = CommandPool.create(device);
    const [cmd] = pool.allocate(1);
    const src = Buffer.create(device, { size: 1 << 20, usage: BufferUsage.transferSrc, memory: "host" });
    const dst = Buffer.create(device, { size: 1 << 20, usage: BufferUsage.transferDst, memory: "device" });
    const fence = Fence.create(device);
    // The submission waits for an event only the host sets, so it is certainly unfinished until then.
    const gate = new vk.VkEvent();
    expect(vk.vkCreateEvent(device.handle, new vk.VkEventCreateInfo(), null, gate)).toBe(vk.VkResult.VK_SUCCESS);
    let destroyed = false;
    const realDestroy = src.destroy.bind(src);
    src.destroy = () => {
      destroyed = true;
      realDestroy();
    };
    const S = vk.VkPipelineStageFlagBits;
    cmd!.begin({ oneTime: true });
    vk.vkCmdWaitEvents(cmd!.handle, 1, [gate], S.VK_PIPELINE_STAGE_HOST_BIT, S.VK_PIPELINE_STAGE_TRANSFER_BIT, 0, null, 0, null, 0, null);
    cmd!.copyBuffer(src, dst);
    cmd!.end();
    device.queue.submit({ commandBuffers: [cmd!], fence });
    device.retire(src);
    expect(device.pendingDestruction).toBe(1);
    expect(fence.signaled).toBe(false);
    expect(destroyed).toBe(false);
    vk.vkSetEvent(device.handle, gate);
    fence.wait();
    expect(destroyed).toBe(true);
    expect(device.pendingDestruction).toBe(0);
    vk.vkDestroyEvent(device.handle, gate, null);
    fence.destroy();
    dst.destroy();
    pool.destroy();
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("destroys retired resources when the device is destroyed", async () => {
    const other = fx.gpu.createDevice();
    const b = Buffer.create(other, { size: 1024, usage: BufferUsage.uniform, memory: "host" });
    other.queue.submit({ commandBuffers: [] });
    other.retire(b);
    expect(other.pendingDestruction).toBe(1);
    other.destroy();
    // A leaked VkBuffer would be reported by the validation layer at vkDestroyDevice.
    expect(fx.gpu.validationMessages).toEqual([]);
  });
});
