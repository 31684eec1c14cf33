// Atomic requests with typed properties: names and value types are checked at compile time
// (property-map.ts), values against the driver's property definitions when added (errors name object
// and property); commit() runs a TEST_ONLY pass first and turns a failure into words that say what
// was being set.
import { inspect } from "node:util";
import { SysError } from "../sys/libc.js";
import type { DrmDevice, ObjectIds } from "./device.js";
import { DrmError } from "./error.js";
import { DrmEvents, type FlipEvent } from "./events.js";
import { addr, drmIoctl } from "./ioctl.js";
import { decodeProperty, encodeProperty, formatPropertyValue, type PropertyInfo, type PropertyInput } from "./properties.js";
import type { PropertiesOf, PropertyValues } from "./property-map.js";
import type { ColoropId, ConnectorId, CrtcId, ObjectKind, PlaneId } from "./types.js";

const FLAG = { pageFlipEvent: 0x1, async: 0x2, testOnly: 0x100, nonblock: 0x200, allowModeset: 0x400 } as const;

/** How AtomicRequest.commit runs the DRM_IOCTL_MODE_ATOMIC call. All flags default to false except preflight. */
export interface CommitOptions {
  testOnly?: boolean;
  nonblock?: boolean;
  allowModeset?: boolean;
  /** Deliver a flip-complete event for each CRTC in the request; its promise is `Commit.flip`. */
  pageFlipEvent?: boolean;
  /** Run a TEST_ONLY commit first (default true) so a failure is reported before anything changes. */
  preflight?: boolean;
  /**
   * DRM_MODE_PAGE_FLIP_ASYNC: flip at once rather than at the next vblank (tearing allowed). Needs the
   * driver's DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP (or, for the legacy path, DRM_CAP_ASYNC_PAGE_FLIP); the
   * kernel refuses it otherwise (EINVAL), and a test-only pass says so before anything changes.
   */
  async?: boolean;
}

/** What AtomicRequest.commit returns once the kernel accepted the request. */
export interface Commit {
  /** Resolves at the flip (only when pageFlipEvent was asked for). */
  flip: Promise<FlipEvent> | undefined;
}

export class AtomicError extends DrmError {
  constructor(
    message: string,
    readonly code: string,
    readonly testOnly: boolean,
    cause: unknown,
  ) {
    super(message, cause);
    this.name = "AtomicError";
  }
}

const why: Record<string, string> = {
  EINVAL: "the driver rejected the configuration (a value, mode, size, format or combination it cannot do, or a modeset without allowModeset)",
  EACCES: "not DRM master: another process (a compositor, another client) owns the display",
  EPERM: "not DRM master: another process (a compositor, another client) owns the display",
  EBUSY: "a previous nonblocking commit or page flip on these CRTCs is still pending",
  ENOENT: "an object id in the request does not exist (e.g. a removed framebuffer or blob)",
  ERANGE: "a value is out of the property's range",
  ENOMEM: "the kernel is out of memory",
  ENOSPC: "a plane's source rectangle lies outside its framebuffer, or the display lacks the bandwidth/resources",
};

/** Property definitions per object, looked up once per device. */
const propCache = new WeakMap<DrmDevice, Map<string, Map<string, PropertyInfo>>>();
function objectProps(dev: DrmDevice, kind: ObjectKind, id: number, reread = false): Map<string, PropertyInfo> {
  let byObj = propCache.get(dev);
  if (!byObj) propCache.set(dev, (byObj = new Map()));
  const key = `${kind}:${id}`;
  let m = byObj.get(key);
  if (!m || reread) {
    m = new Map();
    for (const [name, { info }] of dev.properties(kind, id as ObjectIds[typeof kind])) m.set(name, info);
    byObj.set(key, m);
  }
  return m;
}

interface Entry {
  kind: ObjectKind;
  id: number;
  props: Map<number, { info: PropertyInfo; value: bigint }>;
}

/**
 * One atomic modeset or page flip being built: set typed properties on CRTCs, planes and connectors, then commit() them
 * together. Property names and value types are checked by the compiler; values are checked against the driver's
 * definitions as they are added (throwing an Error naming the object and property). Needs a device opened with
 * atomic (the default) and DRM master to commit.
 */
export class AtomicRequest {
  private readonly objects = new Map<string, Entry>();

  constructor(readonly dev: DrmDevice) {}

  /** Sets properties of a CRTC, e.g. `{ ACTIVE: 1, MODE_ID: blob }`. Throws DrmError for a property the CRTC lacks. */
  crtc(id: CrtcId, props: PropertyValues<"crtc">): this {
    return this.add("crtc", id, props);
  }
  /** Sets properties of a plane, e.g. FB_ID, CRTC_ID, the SRC_* rectangle (16.16 fixed point, fixed16()) and CRTC_* rectangle (pixels). Throws DrmError for a property the plane lacks. */
  plane(id: PlaneId, props: PropertyValues<"plane">): this {
    return this.add("plane", id, props);
  }
  /** Sets properties of a connector, e.g. `{ CRTC_ID: crtc }` to route it. Throws DrmError for a property the connector lacks. */
  connector(id: ConnectorId, props: PropertyValues<"connector">): this {
    return this.add("connector", id, props);
  }

  /** Sets properties of a colour operation of a plane's colour pipeline (see colorops.ts), e.g. `{ BYPASS: false, CURVE_1D_TYPE: "sRGB EOTF" }`. */
  colorop(id: ColoropId, props: PropertyValues<"colorop">): this {
    return this.add("colorop", id, props);
  }

  /**
   * Adds an already-encoded raw value by name, checked only at run time: for restore (which puts back
   * exactly what it read) and for driver-specific properties outside the typed maps.
   */
  raw(kind: ObjectKind, id: number, name: string, value: bigint): this {
    const info = this.lookup(kind, id, name);
    this.entry(kind, id).props.set(info.id, { info, value });
    return this;
  }

  /** True while no property has been set; committing an empty request throws. */
  get empty(): boolean {
    return this.objects.size === 0;
  }

  private add<K extends keyof PropertiesOf>(kind: K, id: number, props: PropertyValues<K>): this {
    for (const [name, input] of Object.entries(props) as [string, PropertyInput][]) {
      const info = this.lookup(kind, id, name);
      const value = encodeProperty(info, input, `${kind} ${id}`);
      this.entry(kind, id).props.set(info.id, { info, value });
    }
    return this;
  }

  private lookup(kind: ObjectKind, id: number, name: string): PropertyInfo {
    let props = objectProps(this.dev, kind, id);
    // a client cap set since the first read (planeColorPipeline) changes which properties are visible
    if (!props.has(name)) props = objectProps(this.dev, kind, id, true);
    const info = props.get(name);
    if (!info) throw new DrmError(`${kind} ${id} has no property ${name} (it has ${[...props.keys()].join(", ")})`);
    return info;
  }

  private entry(kind: ObjectKind, id: number): Entry {
    const key = `${kind}:${id}`;
    let e = this.objects.get(key);
    if (!e) this.objects.set(key, (e = { kind, id, props: new Map() }));
    return e;
  }

  /** Human-readable content, for error messages and logs. */
  describe(): string {
    return [...this.objects.values()]
      .map((e) => `${e.kind} ${e.id} {${[...e.props.values()].map(({ info, value }) => `${info.name}=${formatPropertyValue(decodeProperty(info, value))}`).join(", ")}}`)
      .join("; ");
  }

  /** How it prints in the REPL: "AtomicRequest" and every object with the values set on it. */
  [inspect.custom](): string {
    return `AtomicRequest ${this.empty ? "(empty)" : this.describe()}`;
  }

  /** Commits (after a TEST_ONLY preflight unless told otherwise); with pageFlipEvent, `flip` resolves at the flip. */
  commit(options: CommitOptions & { pageFlipEvent: true; testOnly?: false }): Commit & { flip: Promise<FlipEvent> };
  commit(options?: CommitOptions): Commit;
  commit(options: CommitOptions = {}): Commit {
    if (this.objects.size === 0) throw new DrmError("atomic commit: empty request");
    if (!this.dev.atomic) throw new DrmError(`${this.dev.path}: atomic modesetting is not available on this device`);
    let flags = 0;
    if (options.allowModeset) flags |= FLAG.allowModeset;
    if (options.async) flags |= FLAG.async;
    if ((options.preflight ?? true) && !options.testOnly) this.ioctl(flags | FLAG.testOnly, 0n, true);
    if (options.testOnly) {
      this.ioctl(flags | FLAG.testOnly, 0n, true);
      return { flip: undefined };
    }
    if (options.nonblock) flags |= FLAG.nonblock;
    if (!options.pageFlipEvent) {
      this.ioctl(flags, 0n, false);
      return { flip: undefined };
    }
    const w = DrmEvents.of(this.dev).expect();
    try {
      this.ioctl(flags | FLAG.pageFlipEvent, w.userData, false);
    } catch (e) {
      w.cancel();
      throw e;
    }
    return { flip: w.event };
  }

  private ioctl(flags: number, userData: bigint, testOnly: boolean): void {
    const objs = [...this.objects.values()];
    const nProps = objs.reduce((n, o) => n + o.props.size, 0);
    const objIds = Buffer.alloc(objs.length * 4);
    const counts = Buffer.alloc(objs.length * 4);
    const propIds = Buffer.alloc(nProps * 4);
    const values = Buffer.alloc(nProps * 8);
    let p = 0;
    objs.forEach((o, i) => {
      objIds.writeUInt32LE(o.id, i * 4);
      counts.writeUInt32LE(o.props.size, i * 4);
      for (const [pid, { value }] of o.props) {
        propIds.writeUInt32LE(pid, p * 4);
        values.writeBigUInt64LE(value, p * 8);
        p++;
      }
    });
    const a = Buffer.alloc(56);
    a.writeUInt32LE(flags, 0);
    a.writeUInt32LE(objs.length, 4);
    a.writeBigUInt64LE(addr(objIds), 8);
    a.writeBigUInt64LE(addr(counts), 16);
    a.writeBigUInt64LE(addr(propIds), 24);
    a.writeBigUInt64LE(addr(values), 32);
    a.writeBigUInt64LE(userData, 48);
    try {
      drmIoctl(this.dev.fd, "MODE_ATOMIC", a);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      const kind = testOnly ? "test-only atomic commit" : "atomic commit";
      const modeset = flags & FLAG.allowModeset ? ", modeset allowed" : "";
      throw new AtomicError(
        `${kind} failed with ${e.code}: ${why[e.code] ?? "unexpected error"}${modeset}; it was setting ${this.describe()}`,
        e.code, testOnly, e,
      );
    }
  }
}
