// One seat's data devices: wl_data_device (clipboard and drag-and-drop) and, where offered,
// zwp_primary_selection_device_v1. Offers announce their MIME types before the selection or drag
// event that uses them; the current selection offer of each kind is kept until replaced, and a
// drag onto our window is accepted (copy), reported as drag events and read on drop.
import type { SelectionKind } from "../input/events.js";
import { logger } from "../util/log.js";
import { WlDataDevice, WlDataDeviceManager, WlDataDeviceManagerDndAction, type WlDataOffer, type WlSeat, type WlSurface } from "./protocol/wayland.js";
import type { ZwpPrimarySelectionDeviceManagerV1, ZwpPrimarySelectionDeviceV1, ZwpPrimarySelectionOfferV1 } from "./protocol/primary-selection-unstable-v1.js";

const log = logger("wayland");

/** An offer of either protocol, with the MIME types it announced. */
export interface Offer {
  readonly types: string[];
  receive(mime: string, fd: number): void;
  /** Tells a drag's source the drop was taken (wl_data_offer v3), then destroys the offer. */
  finish(): void;
  destroy(): void;
}

/** What a seat's data devices report to the window's selections (clipboard.ts). */
export interface DataDeviceHost {
  /** The selection of `kind` changed (offer undefined: cleared, or set by another seat's client to nothing). */
  selectionChanged(seat: WlSeat, kind: SelectionKind, offer: Offer | undefined): void;
  /** Whether `surface` is our window's. */
  isWindow(surface: WlSurface): boolean;
  /** A drag over the window: entered, moved or left; the offer's types; surface coordinates. */
  drag(type: "drag-enter" | "drag-motion" | "drag-leave", x: number, y: number, types: readonly string[]): void;
  /** Something was dropped at (x, y): read what it offers, then call `finish`. */
  drop(offer: Offer, x: number, y: number, finish: () => void): void;
}

/** MIME types a drop on the window is read as, best first. */
export const DROP_TYPES = ["text/uri-list", "text/plain;charset=utf-8", "UTF8_STRING", "text/plain"];

function wrapOffer(proxy: WlDataOffer | ZwpPrimarySelectionOfferV1): Offer {
  const types: string[] = [];
  const destroy = (): void => {
    if (!proxy.destroyed) proxy.destroy();
  };
  return {
    types,
    receive: (mime, fd) => proxy.receive(mime, fd),
    finish: () => {
      if ("finish" in proxy && proxy.version >= 3 && !proxy.destroyed) proxy.finish();
      destroy();
    },
    destroy,
  };
}

/** A seat's wl_data_device and primary selection device, and the offers they hold. */
export class SeatDataDevices {
  readonly device: WlDataDevice;
  readonly primary: ZwpPrimarySelectionDeviceV1 | undefined;
  /** The current selection offers (undefined: none, or ours). */
  readonly current: Record<SelectionKind, Offer | undefined> = { clipboard: undefined, primary: undefined };
  /** Offers announced but not yet used by a selection or enter event. */
  private readonly fresh = new Map<object, Offer>();
  private drag: { offer: Offer | undefined; x: number; y: number } | undefined;

  constructor(
    readonly seat: WlSeat,
    manager: WlDataDeviceManager,
    primaryManager: ZwpPrimarySelectionDeviceManagerV1 | undefined,
    private readonly host: DataDeviceHost,
  ) {
    this.device = manager.get_data_device(seat);
    this.device.listen({
      data_offer: (proxy) => {
        const offer = wrapOffer(proxy);
        this.fresh.set(proxy, offer);
        proxy.listen({ offer: (mime) => offer.types.push(mime), source_actions: () => {}, action: () => {} });
      },
      selection: (proxy) => this.setSelection("clipboard", proxy),
      enter: (serial, surface, x, y, proxy) => this.enter(serial, surface, x, y, proxy),
      motion: (_time, x, y) => {
        if (!this.drag) return;
        this.drag.x = x;
        this.drag.y = y;
        this.host.drag("drag-motion", x, y, this.drag.offer?.types ?? []);
      },
      leave: () => {
        const d = this.drag;
        this.drag = undefined;
        if (!d) return;
        d.offer?.destroy();
        this.host.drag("drag-leave", d.x, d.y, d.offer?.types ?? []);
      },
      drop: () => this.drop(),
    });
    this.primary = primaryManager?.get_device(seat);
    this.primary?.listen({
      data_offer: (proxy) => {
        const offer = wrapOffer(proxy);
        this.fresh.set(proxy, offer);
        proxy.listen({ offer: (mime) => offer.types.push(mime) });
      },
      selection: (proxy) => this.setSelection("primary", proxy),
    });
  }

  private take(proxy: object | null): Offer | undefined {
    if (!proxy) return undefined;
    const offer = this.fresh.get(proxy);
    this.fresh.delete(proxy);
    return offer;
  }

  private setSelection(kind: SelectionKind, proxy: WlDataOffer | ZwpPrimarySelectionOfferV1 | null): void {
    const offer = this.take(proxy);
    const old = this.current[kind];
    if (old && old !== offer) old.destroy();
    this.current[kind] = offer;
    this.host.selectionChanged(this.seat, kind, offer);
  }

  private enter(serial: number, surface: WlSurface, x: number, y: number, proxy: WlDataOffer | null): void {
    const offer = this.take(proxy);
    if (!this.host.isWindow(surface)) {
      offer?.destroy();
      return;
    }
    this.drag = { offer, x, y };
    if (proxy && offer) {
      // say what we would take, so the source may drop here (v3 also needs an action)
      const mime = DROP_TYPES.find((t) => offer.types.includes(t)) ?? null;
      proxy.accept(serial, mime);
      if (proxy.version >= 3) {
        const { copy, move } = WlDataDeviceManagerDndAction;
        proxy.set_actions(copy | move, copy);
      }
    }
    this.host.drag("drag-enter", x, y, offer?.types ?? []);
  }

  private drop(): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d?.offer) return;
    const offer = d.offer;
    this.host.drop(offer, d.x, d.y, () => {
      try {
        offer.finish();
      } catch (e) {
        log.debug(`drop: ${(e as Error).message}`); // the connection went away meanwhile
      }
    });
  }

  /** Destroys the devices and the offers they hold (the connection may be gone). */
  destroy(): void {
    try {
      for (const o of [this.current.clipboard, this.current.primary, this.drag?.offer, ...this.fresh.values()]) o?.destroy();
      if (this.device.version >= WlDataDevice.since.release) this.device.release();
      this.primary?.destroy();
    } catch {
      // connection gone: the compositor dropped them with it
    }
    this.fresh.clear();
    this.current.clipboard = this.current.primary = undefined;
    this.drag = undefined;
  }
}
