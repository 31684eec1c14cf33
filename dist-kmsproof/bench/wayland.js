// Wayland benchmark against a private headless Weston: wl_display.sync round trips per second,
// and the triangle presented through wl_shm at 640x480 (paced by frame callbacks, and unpaced,
// where only buffer releases throttle us), with main-thread CPU ms per frame.
// Standalone: `npx tsc -p tsconfig.json && node dist/bench/wayland.js`.
import { fileURLToPath } from "node:url";
import { Triangle } from "../examples/triangle.js";
import { Instance } from "../src/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { Connection } from "../src/wayland/connection.js";
import { startWeston, westonAvailable } from "../test/wayland/weston.js";
export async function benchWayland(options = {}) {
    if (!westonAvailable)
        return { skipped: "weston or weston-screenshooter not installed" };
    const figures = {};
    const weston = await startWeston();
    try {
        // 1. round trips
        const c = Connection.connect({ socket: weston.path, debug: false });
        try {
            for (let i = 0; i < 200; i++)
                await c.roundtrip(); // warm-up
            const n = options.roundtrips ?? 5000;
            const t0 = performance.now();
            const cpu0 = process.cpuUsage();
            for (let i = 0; i < n; i++)
                await c.roundtrip();
            const s = (performance.now() - t0) / 1000;
            const cpu = process.cpuUsage(cpu0);
            figures.roundtripsPerSecond = Math.round(n / s);
            figures.roundtripCpuUs = Number(((cpu.user + cpu.system) / n).toFixed(1));
        }
        finally {
            await c.close();
        }
        // 2. triangle through wl_shm, paced and unpaced
        const gpu = await Instance.create({ validation: false });
        try {
            for (const paced of [true, false]) {
                const out = await openWaylandPresenter(gpu.createDevice(), { size: [640, 480], socket: weston.path, title: "bench", mode: "shm", paced }, true);
                const scene = Triangle.create(out);
                try {
                    const frames = options.frames ?? (paced ? 120 : 300);
                    for await (const frame of out.frames({ limit: frames })) {
                        scene.update(frame);
                        frame.record((cmd) => scene.draw(cmd, frame));
                    }
                    const st = out.stats;
                    const key = paced ? "shm640x480Paced" : "shm640x480Unpaced";
                    figures[`${key}Fps`] = Number(st.fps.toFixed(1));
                    figures[`${key}CpuMsPerFrame`] = Number(st.cpuMsPerFrame.toFixed(3));
                    figures[`${key}CopyMsPerFrame`] = Number(Number(st.extra.copyMsPerFrame).toFixed(3));
                    if (st.extra.presentLatencyMs !== undefined)
                        figures[`${key}PresentLatencyMs`] = st.extra.presentLatencyMs;
                    if (st.extra.refreshHz !== undefined)
                        figures[`${key}RefreshHz`] = st.extra.refreshHz;
                    figures[`${key}ShmBuffers`] = st.extra.shmBuffers;
                    if (paced)
                        figures[`${key}CallbackToCommitMs`] = st.extra.callbackToCommitMs;
                }
                finally {
                    scene.destroy();
                    await out.close();
                }
            }
        }
        finally {
            gpu.destroy();
        }
    }
    finally {
        await weston.stop();
    }
    return figures;
}
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
    benchWayland().then((f) => console.log(JSON.stringify(f, null, 2)), (e) => {
        console.error(e);
        process.exit(1);
    });
}
//# sourceMappingURL=wayland.js.map