// Output hotplug for one DRM device: the kernel's `HOTPLUG=1` drm uevent (sys/uevent.ts) makes us
// re-probe the connectors, and the difference from the last reading becomes `output-added` and
// `output-removed` events. The uevent says only "something changed on this card" (CONNECTOR= names
// one at best), so the connectors themselves are the truth; the diff is pure (diffOutputs).
// The probe must really re-detect (kernel 7.3's vkms sends the uevent before its connector status is
// updated, and only a probe updates it), and a probe costs tens of milliseconds under emulation: so
// it runs on a pool thread (connector-probe.ts), only for the connector the uevent names, and the
// event loop keeps serving page flips. A uevent that names none (7.3's vkms sends HOTPLUG=1 alone)
// probes the connectors one by one, the one that changed last first, and stops at the first change;
// the others are probed once the uevents have been quiet for a second (a change of two at once is
// seen then, and so is a status the kernel updated after our probe). Under emulation a probe is ~40 ms of CPU, which the other outputs' flips need.
import { statSync } from "node:fs";
import { devMajorMinor } from "../sys/dev.js";
import { SysError } from "../sys/libc.js";
import { UeventSocket, type Uevent } from "../sys/uevent.js";
import { Listeners } from "../util/listeners.js";
import { logger } from "../util/log.js";
import type { DrmDevice } from "./device.js";
import { DrmUnavailableError } from "./error.js";
import { probeConnector } from "./connector-probe.js";
import { listOutputs, outputsFrom, readConnectorExtras, type OutputInfo } from "./outputs.js";
import { readDisplayObjects, type DisplayObjects } from "./output.js";
import type { ConnectorId } from "./types.js";

const log = logger("drm");
/** How long the uevents must be quiet before the connectors not probed after a change are. */
const QUIET_MS = 1000;

/** What changed: an output became usable (connected, with modes) or stopped being so. */
export interface OutputEvent {
  type: "output-added" | "output-removed";
  /** The output as read now (added) or as last seen (removed). */
  output: OutputInfo;
  /** The device node, e.g. /dev/dri/card0. */
  device: string;
}

/** An output counts as present when something is connected to it and it offers a mode. */
const present = (o: OutputInfo) => o.connected && o.modes.length > 0;

/** The events that take `before` to `after` (connectors matched by id): removals first, then additions. */
export function diffOutputs(device: string, before: readonly OutputInfo[], after: readonly OutputInfo[]): OutputEvent[] {
  const was = new Map(before.filter(present).map((o) => [o.connector.id, o]));
  const now = new Map(after.filter(present).map((o) => [o.connector.id, o]));
  const events: OutputEvent[] = [];
  for (const [id, o] of was) if (!now.has(id)) events.push({ type: "output-removed", output: o, device });
  for (const [id, o] of now) if (!was.has(id)) events.push({ type: "output-added", output: o, device });
  return events;
}

/** Whether a uevent is a DRM hotplug of the device with char device number major:minor. */
export function isHotplugOf(ev: Uevent, major: number, minor: number): boolean {
  const v = ev.vars;
  return v.get("SUBSYSTEM") === "drm" && v.get("HOTPLUG") === "1" && v.get("MAJOR") === String(major) && v.get("MINOR") === String(minor);
}

/**
 * Watches one open device's outputs. `events` hears every change (also `onAdded`/`onRemoved` by
 * kind); `outputs` is the latest reading. close() (also run when the device closes) stops it.
 */
export class OutputWatch {
  /** Every output event, in order. */
  readonly events = new Listeners<OutputEvent>();
  private current: OutputInfo[];
  /** The encoders and planes as first read (they do not change while the device runs), for rebuilding one output. */
  private objects: DisplayObjects;
  private socket: UeventSocket | undefined;
  private closed = false;
  /** The probes queued or running, one after the other; and the connectors already queued (a burst of uevents probes each once). */
  private probing: Promise<void> = Promise.resolve();
  private readonly queued = new Set<ConnectorId | "all" | "sweep">();
  /** When each connector was last seen to change (performance.now()): the likeliest to change again is probed first. */
  private readonly changedAt = new Map<ConnectorId, number>();
  private sweep: NodeJS.Timeout | undefined;
  /** Uevents for this device seen so far (a test compares it with the events it caused). */
  hotplugs = 0;
  /** Connectors probed after uevents so far, and the milliseconds those probes took (on a pool thread). */
  probes = 0;
  probeMs = 0;

  private constructor(private readonly dev: DrmDevice) {
    this.current = listOutputs(dev).outputs;
    this.objects = readDisplayObjects(dev);
  }

  /**
   * Starts watching `dev`. Throws DrmUnavailableError when the kernel's uevents cannot be received
   * here (no netlink in this namespace), naming the call that failed.
   */
  static start(dev: DrmDevice): OutputWatch {
    const watch = new OutputWatch(dev);
    const [major, minor] = devMajorMinor(statSync(dev.path, { bigint: true }).rdev);
    try {
      watch.socket = new UeventSocket(
        (ev) => {
          if (!isHotplugOf(ev, major, minor)) return;
          watch.hotplugs++;
          const named = Number(ev.vars.get("CONNECTOR"));
          watch.reprobe(Number.isInteger(named) && named > 0 ? (named as ConnectorId) : "all");
        },
        (e) => {
          log.warn(`${dev.path}: ${e.message}; re-reading the connectors`);
          watch.rescan();
        },
      );
    } catch (e) {
      if (e instanceof SysError) throw new DrmUnavailableError(`no output hotplug on ${dev.path}: ${e.message}`, e);
      throw e;
    }
    dev.onClose(() => watch.close());
    return watch;
  }

  /** The outputs as last read (connected or not). */
  get outputs(): readonly OutputInfo[] {
    return this.current;
  }

  /** Adds a listener for one kind of event; returns its remover. */
  on(type: OutputEvent["type"], fn: (output: OutputInfo) => void): () => void {
    return this.events.add((e) => {
      if (e.type === type) fn(e.output);
    });
  }

  /** Re-reads the connectors and emits what changed (a hotplug uevent calls it; so may a caller that suspects missed events). */
  rescan(connector?: string): OutputEvent[] {
    if (this.closed || this.dev.closed) return [];
    const after = listOutputs(this.dev).outputs;
    const changes = diffOutputs(this.dev.path, this.current, after);
    this.current = after;
    const what = connector === undefined ? "" : ` (uevent CONNECTOR=${connector})`;
    for (const c of changes) {
      log.info(`${c.device}: ${c.type} ${c.output.name}${what}`);
      this.events.emit(c);
    }
    return changes;
  }

  /**
   * Re-probes connector `which` ("all": every display connector, one by one) off the event loop and
   * emits what changed; probes run one after the other, and one already queued is not queued again.
   * A connector the watch has not seen (a new MST port) makes it re-read everything.
   */
  reprobe(which: ConnectorId | "all"): void {
    this.enqueue(which, async () => {
      if (which !== "all") return void (await this.probeOne(which));
      const ids = this.current.map((o) => o.connector.id).sort((a, b) => (this.changedAt.get(b) ?? -1) - (this.changedAt.get(a) ?? -1));
      for (const [i, id] of ids.entries())
        if (await this.probeOne(id)) {
          if (i < ids.length - 1) this.sweepLater();
          return;
        }
      this.sweepLater(); // nothing changed yet: the kernel may update the status after its uevent (7.3's vkms)
    });
  }

  /** Probes every display connector once the uevents have been quiet for QUIET_MS (each uevent restarts the wait). */
  private sweepLater(): void {
    clearTimeout(this.sweep);
    this.sweep = setTimeout(() => this.enqueue("sweep", async () => {
      for (const o of this.current) await this.probeOne(o.connector.id);
    }), QUIET_MS);
    this.sweep.unref();
  }

  private enqueue(key: ConnectorId | "all" | "sweep", run: () => Promise<void>): void {
    if (this.closed || this.queued.has(key)) return;
    this.queued.add(key);
    this.probing = this.probing.then(() => {
      this.queued.delete(key);
      return run();
    }).catch((e: unknown) => log.warn(`${this.dev.path}: re-probing connectors: ${e instanceof Error ? e.message : e}`));
  }

  /** Resolves once every probe queued so far has run (tests; a caller that wants the latest reading). */
  settled(): Promise<void> {
    return this.probing;
  }

  /** Probes one connector and emits what changed; true when something did. */
  private async probeOne(id: ConnectorId): Promise<boolean> {
    if (this.closed || this.dev.closed) return false;
    const index = this.current.findIndex((o) => o.connector.id === id);
    if (index < 0) {
      this.objects = readDisplayObjects(this.dev);
      return this.rescan(String(id)).length > 0;
    }
    const t0 = performance.now();
    const connector = await probeConnector(this.dev, id);
    this.probeMs += performance.now() - t0;
    this.probes++;
    if (this.closed || this.dev.closed) return false;
    const before = this.current[index]!;
    // EDID only when something is plugged in now (it may be another display than before)
    const extras = connector.connection === "connected" ? readConnectorExtras(this.dev, id) : {};
    const [after] = outputsFrom({ ...this.objects, connectors: [connector] }, new Map([[id, extras]])).outputs;
    if (!after) return false;
    this.current = this.current.map((o, i) => (i === index ? after : o));
    const changes = diffOutputs(this.dev.path, [before], [after]);
    if (changes.length > 0) this.changedAt.set(id, performance.now());
    for (const c of changes) {
      log.info(`${c.device}: ${c.type} ${c.output.name} (probed connector ${id} off the event loop)`);
      this.events.emit(c);
    }
    return changes.length > 0;
  }

  /** Stops watching. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.sweep);
    this.socket?.close();
  }
}
