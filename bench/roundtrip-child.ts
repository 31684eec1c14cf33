// Our side of the Wayland round-trip comparison in a process of its own, as the C client runs in
// its own (so either can be pinned to a CPU, and the CPU figures cover one client each):
//   node dist/bench/roundtrip-child.js SOCKET WARMUP COUNT   prints `roundtrip result: {perSecond, cpuMsPerFrame}`
import { fileURLToPath } from "node:url";
import { Connection } from "../src/wayland/connection.js";

export const ROUNDTRIP_RESULT = "roundtrip result: ";

async function main(socket: string, warmup: number, count: number): Promise<{ perSecond: number; cpuMsPerFrame: number }> {
  const c = Connection.connect({ socket, debug: false });
  try {
    for (let i = 0; i < warmup; i++) await c.roundtrip();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < count; i++) await c.roundtrip();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: count / seconds, cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / count };
  } finally {
    await c.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [socket, warmup, count] = process.argv.slice(2);
  const figures = await main(socket!, Number(warmup), Number(count));
  process.stdout.write(`${ROUNDTRIP_RESULT}${JSON.stringify(figures)}\n`);
}
