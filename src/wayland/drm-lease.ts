// A Wayland DRM lease client (wp_drm_lease_device_v1): inside a running desktop session, ask the
// compositor for one of the displays it offers for lease (labwc offers every DRM output, Mutter those
// marked <forlease>, KWin/Sway/Hyprland non-desktop ones such as VR headsets) and receive a DRM fd on
// which this process is master of that display only, to drive it through KMS while the compositor
// keeps the others. The compositor announces one lease device per DRM device, each with a plain fd
// of the device and its offers (connector name, description, KMS connector id).
import { fstatSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { devMajorMinor } from "../sys/dev.js";
import { close } from "../sys/libc.js";
import type { Connection } from "./connection.js";
import { Globals, MissingGlobalError } from "./globals.js";
import { WpDrmLeaseConnectorV1, WpDrmLeaseDeviceV1, type WpDrmLeaseV1 } from "./protocol/drm-lease-v1.js";

/** A display the compositor offers for lease. */
export interface LeaseOffer {
  /** The connector's name as the compositor gives it (e.g. "Virtual-2", "DP-1"). */
  name: string;
  description: string;
  /** The KMS connector id on the offering device. */
  connectorId: number;
  /** The offering device's node (e.g. /dev/dri/card0), from the fd the compositor sent; undefined when unknown. */
  device: string | undefined;
  /** True once the compositor withdrew the offer (leased to someone else, unplugged). */
  withdrawn: boolean;
}

/** The compositor refused a lease, or ended it before sending the fd. */
export class LeaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseRefusedError";
  }
}

interface OfferState extends LeaseOffer {
  proxy: WpDrmLeaseConnectorV1;
  owner: LeaseDevice;
}

interface LeaseDevice {
  proxy: WpDrmLeaseDeviceV1;
  path: string | undefined;
  offers: OfferState[];
  done: boolean;
}

/**
 * The /dev/dri node of a DRM descriptor, from its device number (/sys/dev/char/MAJ:MIN names it):
 * the compositor's own path may be one in another mount namespace or root. Undefined when unknown.
 */
function nodeOf(fd: number): string | undefined {
  try {
    const [major, minor] = devMajorMinor(fstatSync(fd).rdev);
    return `/dev/dri/${basename(readlinkSync(`/sys/dev/char/${major}:${minor}`))}`;
  } catch {
    return undefined;
  }
}

/**
 * The lease devices of one connection and their offers, kept current as the compositor adds and
 * withdraws them. Made by DrmLeaseClient.open; close() releases the devices.
 */
export class DrmLeaseClient {
  private readonly devices: LeaseDevice[] = [];
  private closed = false;

  private constructor(readonly connection: Connection) {}

  /**
   * Binds every wp_drm_lease_device_v1 the compositor offers and waits until each has sent its
   * offers. Throws MissingGlobalError when it offers none (it leases no displays).
   */
  static async open(connection: Connection, globals?: Globals): Promise<DrmLeaseClient> {
    const g = globals ?? (await Globals.fetch(connection));
    const found = [...g.list.values()].filter((x) => x.interface === WpDrmLeaseDeviceV1.spec.name);
    if (found.length === 0) throw new MissingGlobalError(WpDrmLeaseDeviceV1.spec.name, undefined, 1, "to lease a display from the compositor");
    const client = new DrmLeaseClient(connection);
    for (const global of found) client.devices.push(client.bindDevice(g.registry.bind(global.name, WpDrmLeaseDeviceV1, 1)));
    while (client.devices.some((d) => !d.done)) await connection.roundtrip();
    return client;
  }

  private bindDevice(proxy: WpDrmLeaseDeviceV1): LeaseDevice {
    const device: LeaseDevice = { proxy, path: undefined, offers: [], done: false };
    proxy.listen({
      drm_fd: (fd) => {
        device.path = nodeOf(fd.fd); // not kept: the node's name is all we use (the fd closes after this handler)
        for (const o of device.offers) o.device = device.path;
      },
      connector: (c) => {
        const offer: OfferState = { name: "", description: "", connectorId: 0, device: device.path, withdrawn: false, proxy: c, owner: device };
        device.offers.push(offer);
        c.listen({
          name: (n) => void (offer.name = n),
          description: (d) => void (offer.description = d),
          connector_id: (id) => void (offer.connectorId = id),
          done: () => {},
          withdrawn: () => {
            offer.withdrawn = true;
            device.offers.splice(device.offers.indexOf(offer), 1);
            if (!c.destroyed) c.destroy();
          },
        });
      },
      done: () => void (device.done = true),
      released: () => void this.devices.splice(this.devices.indexOf(device), 1),
    });
    return device;
  }

  /** The displays offered for lease now (withdrawn ones left out). */
  offers(): LeaseOffer[] {
    return this.devices.flatMap((d) => d.offers.filter((o) => !o.withdrawn).map(({ name, description, connectorId, device, withdrawn }) => ({ name, description, connectorId, device, withdrawn })));
  }

  /**
   * Leases the named connectors (all from one device). Resolves once the compositor sent the lease
   * fd; rejects with an Error listing the offers for an unknown name, with LeaseRefusedError when the
   * compositor refuses (it answers `finished` instead of an fd).
   */
  async lease(names: readonly string[]): Promise<WaylandLease> {
    if (this.closed) throw new Error("DrmLeaseClient: closed");
    if (names.length === 0) throw new RangeError("lease: name at least one connector");
    const all = this.devices.flatMap((d) => d.offers.filter((o) => !o.withdrawn));
    const list = () => all.map((o) => `${o.name} (connector ${o.connectorId}${o.device ? ` on ${o.device}` : ""})`).join(", ") || "none";
    const chosen = names.map((n, i) => {
      if (names.indexOf(n) !== i) throw new RangeError(`lease: ${n} is named twice`);
      const o = all.find((x) => x.name === n);
      if (!o) throw new Error(`the compositor offers no connector named ${n} for lease (offers: ${list()})`);
      return o;
    });
    const owner = chosen[0]!.owner;
    if (chosen.some((o) => o.owner !== owner)) throw new RangeError(`lease: ${names.join(", ")} are on different devices; one lease covers one device`);
    const request = owner.proxy.create_lease_request();
    for (const o of chosen) request.request_connector(o.proxy);
    const proxy = request.submit();
    const what = names.join(", ");
    const fd = await this.connection.waitFor<number>((resolve, reject) => {
      proxy.listen({
        lease_fd: (f) => resolve(f.take()),
        finished: () => reject(new LeaseRefusedError(`the compositor refused the lease of ${what} (it ended the lease before sending its fd)`)),
      });
    }).catch((e: unknown) => {
      if (!proxy.destroyed) proxy.destroy();
      throw e;
    });
    return new WaylandLease(proxy, chosen.map(({ name, description, connectorId, device, withdrawn }) => ({ name, description, connectorId, device, withdrawn })), fd, this.connection);
  }

  /** Releases the lease devices (offers go; leases already granted stay until ended). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.devices) {
      for (const o of d.offers) if (!o.proxy.destroyed) o.proxy.destroy();
      if (!d.proxy.destroyed) d.proxy.release();
    }
  }
}

/** A granted lease: the DRM fd (master of the leased objects only) until taken, and its end. */
export class WaylandLease {
  private fdValue: number;
  private endedValue = false;
  /** Resolves when the compositor ends the lease (it revoked it, or the display went away). */
  readonly finished: Promise<void>;

  /** @internal Made by DrmLeaseClient.lease. */
  constructor(
    private readonly proxy: WpDrmLeaseV1,
    /** The leased connectors as they were offered. */
    readonly connectors: readonly LeaseOffer[],
    fd: number,
    private readonly connection: Connection,
  ) {
    this.fdValue = fd;
    this.finished = new Promise<void>((resolve) => {
      proxy.on("finished", () => {
        this.endedValue = true;
        resolve();
      });
    });
  }

  /** The lease's DRM fd while this object still owns it (see takeFd). */
  get fd(): number {
    if (this.fdValue < 0) throw new Error(`lease of ${this.connectors.map((c) => c.name).join(", ")}: its fd was taken or closed`);
    return this.fdValue;
  }

  /**
   * Hands the fd over (to DrmDevice.adopt, say): the caller closes it. Closing it ends the lease in the
   * kernel behind the compositor's back; call end() first, which asks the compositor to revoke it.
   */
  takeFd(): number {
    const fd = this.fd;
    this.fdValue = -1;
    return fd;
  }

  /** Whether the compositor ended the lease. */
  get ended(): boolean {
    return this.endedValue;
  }

  /** Ends the lease (wp_drm_lease_v1.destroy: the compositor revokes it and takes the display back) and closes the fd if still ours. Idempotent. */
  async end(): Promise<void> {
    if (this.fdValue >= 0) close(this.fdValue);
    this.fdValue = -1;
    if (this.proxy.destroyed) return;
    this.proxy.destroy();
    await this.connection.roundtrip().catch(() => {}); // a closed connection has ended it anyway
  }
}
