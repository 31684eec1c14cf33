import { Connection, type ConnectOptions } from "./connection.js";
import { Globals } from "./globals.js";
import { WpPresentation } from "./protocol/presentation-time.js";
import { type WlBuffer, WlCompositor, WlSurface } from "./protocol/wayland.js";
import { XdgSurface, XdgToplevel, XdgWmBase } from "./protocol/xdg-shell.js";
export interface WindowOptions extends ConnectOptions {
    title?: string;
    appId?: string;
    /** Size we want when the compositor leaves it to us (configure 0x0). */
    size?: readonly [number, number];
    /** An existing connection to use instead of opening one (it is not closed with the window). */
    connection?: Connection;
}
export interface PresentationStats {
    /** Frames the compositor reported as presented / discarded through wp_presentation. */
    presented: number;
    discarded: number;
    /** Mean commit-to-presentation latency in ms (on the compositor's presentation clock). */
    meanLatencyMs: number | undefined;
    /** Refresh interval reported with the last presentation, in ns (0 when unknown). */
    refreshNs: number;
}
export declare class WaylandWindow {
    readonly connection: Connection;
    readonly globals: Globals;
    readonly compositor: WlCompositor;
    readonly wmBase: XdgWmBase;
    readonly presentation: WpPresentation | undefined;
    readonly surface: WlSurface;
    readonly xdgSurface: XdgSurface;
    readonly toplevel: XdgToplevel;
    /** Current size: the last configure applied (or our choice for 0x0). */
    width: number;
    height: number;
    /** True once the compositor asked us to close. */
    closeRequested: boolean;
    readonly closeRequest: Promise<void>;
    private resolveClose;
    private pendingSerial;
    private pendingSize;
    private configured;
    private readonly ownsConnection;
    private clockId;
    private latencySumMs;
    private latencyCount;
    readonly presentationStats: PresentationStats;
    private constructor();
    /** Connects (unless given a connection), binds globals and waits for the first configure. */
    static open(opts?: WindowOptions): Promise<WaylandWindow>;
    /** True when a configure is waiting to be applied (the size may change). */
    get configurePending(): boolean;
    /**
     * Applies the latest configure: acks it and adopts its size. Call right before rendering the
     * frame that will be committed; returns true when the size changed.
     */
    applyConfigure(): boolean;
    /**
     * Attaches `buffer`, damages it all, asks for a frame callback (and presentation feedback) and
     * commits. Resolves with the frame callback time (ms) when the compositor wants the next frame.
     */
    present(buffer: WlBuffer): Promise<number>;
    private trackPresentation;
    /** Destroys the window's objects and, if it opened it, the connection. */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
