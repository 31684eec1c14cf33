// Shared by the pre-rotation tests (host beds and the VM's): a traced connection and a window finder.
import { Connection } from "../../../src/wayland/connection.js";
import type { Rgba } from "./scenes.js";

/** The app id of the pre-rotation tests' windows. */
export const APP = "dev.scanout.prerotate";

/**
 * Where `ref` shows in `shot` with at most `allowed` pixels differing by more than 1, or undefined (labwc
 * places windows itself and has no IPC to ask where). A few lit pixels of `ref` are tried first, so a
 * dark background does not make every position a long partial match.
 */
export function locate(shot: Rgba, ref: Rgba, allowed: number): [number, number] | undefined {
  const near = (j: number, i: number) => Math.abs(shot.data[j]! - ref.data[i]!) <= 1 && Math.abs(shot.data[j + 1]! - ref.data[i + 1]!) <= 1 && Math.abs(shot.data[j + 2]! - ref.data[i + 2]!) <= 1;
  const lit: [number, number][] = [];
  for (let ry = 0; ry < ref.height; ry++)
    for (let rx = 0; rx < ref.width; rx++) {
      const i = (ry * ref.width + rx) * 4;
      if (ref.data[i]! > 60 || ref.data[i + 1]! > 60 || ref.data[i + 2]! > 60) lit.push([rx, ry]);
    }
  const probes = lit.filter((_, k) => k % Math.max(1, Math.floor(lit.length / 64)) === 0);
  for (let y = 0; y + ref.height <= shot.height; y++)
    for (let x = 0; x + ref.width <= shot.width; x++) {
      let differing = 0;
      for (const [rx, ry] of probes) if (!near(((y + ry) * shot.width + x + rx) * 4, (ry * ref.width + rx) * 4) && ++differing > allowed) break;
      if (differing > allowed) continue;
      differing = 0;
      for (let ry = 0; ry < ref.height && differing <= allowed; ry++)
        for (let rx = 0; rx < ref.width && differing <= allowed; rx++) if (!near(((y + ry) * shot.width + x + rx) * 4, (ry * ref.width + rx) * 4)) differing++;
      if (differing <= allowed) return [x, y];
    }
  return undefined;
}

/** A connection whose trace keeps the transform requests and events. */
export function tracedConnection(socket: string) {
  const connection = Connection.connect({ socket });
  const lines: string[] = [];
  connection.trace = (line) => {
    if (/buffer_transform/.test(line)) lines.push(line);
  };
  return { connection, lines };
}
