#!/usr/bin/env -S node --no-memory-reducer
// Compute then draw: Conway's Life stepped by a compute shader each frame (storage buffers in,
// storage image out) and drawn by a full-screen triangle. Headless it writes the last frame to
// compute.png; in a window it runs until closed (--frames 0) or for --frames frames. q quits.
import { main } from "./app.js";
import { Life } from "./life.js";

process.exitCode = await main({
  name: "compute",
  about: "Conway's Life computed on the GPU (one step per frame), then drawn; the grid is --size cells.",
  scene: (out, args) => Life.create(out, { grid: args.size }),
});
