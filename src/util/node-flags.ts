// Node options for a process whose main job is a frame loop. They are process-wide and read once
// at start-up, so a library cannot set them: the programs we ship start with them, and apps are
// told to (README, "First app").

/**
 * `--no-memory-reducer`: V8's memory reducer treats a process allocating under 1 KB/ms as idle
 * and, about 8 s after a full collection that grew the heap (loading a scene does), runs up to
 * three compacting collections to shrink it. A frame loop allocating ~150 bytes a frame looks
 * idle, so those pauses (2-18 ms each, measured by `npm run bench -- gc`) land in its frames.
 */
export const NODE_FLAGS_FOR_FRAME_LOOPS: readonly string[] = Object.freeze(["--no-memory-reducer"]);

/** The NODE_FLAGS_FOR_FRAME_LOOPS this process was started without (empty when it has them all). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return NODE_FLAGS_FOR_FRAME_LOOPS.filter((flag) => !execArgv.includes(flag));
}
