// Hotplug for the presenter over several outputs (kms-multi.ts): the kernel's uevents through
// OutputWatch (the uevent's connector re-probed off the event loop) become "this output went away"
// and "this output is back, with its mode" for the presenter's heads; each is logged for tests.
import { DrmUnavailableError, modeEquals, OutputWatch, type DrmDevice, type Output, type OutputInfo } from "../drm/index.js";
import { logger } from "../util/log.js";
import type { OutputHead } from "./kms-head.js";

const log = logger("present");

/** What the presenter does when one of its outputs goes away or comes back. */
export interface HotplugSink {
  removed(head: OutputHead): void;
  /** The display is back with the head's mode: `output` is the path with the connector as probed now. */
  added(head: OutputHead, output: Output): void;
}

/** Starts following `drm`'s outputs for `heads`; undefined (logged) where there are no uevents. `log` gets one line per event acted on. */
export function followOutputs(drm: DrmDevice, heads: readonly OutputHead[], sink: HotplugSink, events: string[]): OutputWatch | undefined {
  let watch: OutputWatch;
  try {
    watch = OutputWatch.start(drm);
  } catch (e) {
    if (!(e instanceof DrmUnavailableError)) throw e;
    log.warn(`kms: ${e.message}; outputs are not followed`);
    return undefined;
  }
  const headOf = (info: OutputInfo) => heads.find((h) => h.output.connector.id === info.connector.id);
  watch.on("output-removed", (info) => {
    const head = headOf(info);
    if (!head) return;
    events.push(`removed ${head.name}`);
    sink.removed(head);
  });
  watch.on("output-added", (info) => {
    const head = headOf(info);
    if (!head) return;
    const mode = info.modes.find((m) => modeEquals(m, head.output.mode));
    if (!mode) {
      log.warn(`kms: ${head.name} is back without mode ${head.output.mode.name}: it stays paused`);
      events.push(`added ${head.name} (mode gone, paused)`);
      return;
    }
    events.push(`added ${head.name}`);
    sink.added(head, { ...head.output, connector: info.connector, mode });
  });
  return watch;
}
