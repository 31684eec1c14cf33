import { Proxy } from "../proxy.js";
import type { InterfaceSpec } from "../wire.js";
import { WlOutput, WlSeat, WlSurface } from "./wayland.js";
export declare const xdg_wm_base_interface: InterfaceSpec;
/** xdg_wm_base.error */
export declare const XdgWmBaseError: {
    readonly role: 0;
    readonly defunct_surfaces: 1;
    readonly not_the_topmost_popup: 2;
    readonly invalid_popup_parent: 3;
    readonly invalid_surface_state: 4;
    readonly invalid_positioner: 5;
    readonly unresponsive: 6;
};
export interface XdgWmBaseEvents {
    ping(serial: number): void;
}
export declare class XdgWmBase extends Proxy<XdgWmBaseEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    create_positioner(): XdgPositioner;
    get_xdg_surface(surface: WlSurface): XdgSurface;
    pong(serial: number): void;
}
export declare const xdg_positioner_interface: InterfaceSpec;
/** xdg_positioner.error */
export declare const XdgPositionerError: {
    readonly invalid_input: 0;
};
/** xdg_positioner.anchor */
export declare const XdgPositionerAnchor: {
    readonly none: 0;
    readonly top: 1;
    readonly bottom: 2;
    readonly left: 3;
    readonly right: 4;
    readonly top_left: 5;
    readonly bottom_left: 6;
    readonly top_right: 7;
    readonly bottom_right: 8;
};
/** xdg_positioner.gravity */
export declare const XdgPositionerGravity: {
    readonly none: 0;
    readonly top: 1;
    readonly bottom: 2;
    readonly left: 3;
    readonly right: 4;
    readonly top_left: 5;
    readonly bottom_left: 6;
    readonly top_right: 7;
    readonly bottom_right: 8;
};
/** xdg_positioner.constraint_adjustment (bitfield) */
export declare const XdgPositionerConstraintAdjustment: {
    readonly none: 0;
    readonly slide_x: 1;
    readonly slide_y: 2;
    readonly flip_x: 4;
    readonly flip_y: 8;
    readonly resize_x: 16;
    readonly resize_y: 32;
};
export type XdgPositionerEvents = Record<never, never>;
export declare class XdgPositioner extends Proxy<XdgPositionerEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    set_size(width: number, height: number): void;
    set_anchor_rect(x: number, y: number, width: number, height: number): void;
    set_anchor(anchor: number): void;
    set_gravity(gravity: number): void;
    set_constraint_adjustment(constraint_adjustment: number): void;
    set_offset(x: number, y: number): void;
    /** since 3 */
    set_reactive(): void;
    /** since 3 */
    set_parent_size(parent_width: number, parent_height: number): void;
    /** since 3 */
    set_parent_configure(serial: number): void;
}
export declare const xdg_surface_interface: InterfaceSpec;
/** xdg_surface.error */
export declare const XdgSurfaceError: {
    readonly not_constructed: 1;
    readonly already_constructed: 2;
    readonly unconfigured_buffer: 3;
    readonly invalid_serial: 4;
    readonly invalid_size: 5;
    readonly defunct_role_object: 6;
};
export interface XdgSurfaceEvents {
    configure(serial: number): void;
}
export declare class XdgSurface extends Proxy<XdgSurfaceEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    get_toplevel(): XdgToplevel;
    get_popup(parent: XdgSurface | null, positioner: XdgPositioner): XdgPopup;
    set_window_geometry(x: number, y: number, width: number, height: number): void;
    ack_configure(serial: number): void;
}
export declare const xdg_toplevel_interface: InterfaceSpec;
/** xdg_toplevel.error */
export declare const XdgToplevelError: {
    readonly invalid_resize_edge: 0;
    readonly invalid_parent: 1;
    readonly invalid_size: 2;
};
/** xdg_toplevel.resize_edge */
export declare const XdgToplevelResizeEdge: {
    readonly none: 0;
    readonly top: 1;
    readonly bottom: 2;
    readonly left: 4;
    readonly top_left: 5;
    readonly bottom_left: 6;
    readonly right: 8;
    readonly top_right: 9;
    readonly bottom_right: 10;
};
/** xdg_toplevel.state */
export declare const XdgToplevelState: {
    readonly maximized: 1;
    readonly fullscreen: 2;
    readonly resizing: 3;
    readonly activated: 4;
    readonly tiled_left: 5;
    readonly tiled_right: 6;
    readonly tiled_top: 7;
    readonly tiled_bottom: 8;
};
/** xdg_toplevel.wm_capabilities, since 5 */
export declare const XdgToplevelWmCapabilities: {
    readonly window_menu: 1;
    readonly maximize: 2;
    readonly fullscreen: 3;
    readonly minimize: 4;
};
export interface XdgToplevelEvents {
    configure(width: number, height: number, states: Uint8Array): void;
    close(): void;
    /** since 4 */
    configure_bounds(width: number, height: number): void;
    /** since 5 */
    wm_capabilities(capabilities: Uint8Array): void;
}
export declare class XdgToplevel extends Proxy<XdgToplevelEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    set_parent(parent: XdgToplevel | null): void;
    set_title(title: string): void;
    set_app_id(app_id: string): void;
    show_window_menu(seat: WlSeat, serial: number, x: number, y: number): void;
    move(seat: WlSeat, serial: number): void;
    resize(seat: WlSeat, serial: number, edges: number): void;
    set_max_size(width: number, height: number): void;
    set_min_size(width: number, height: number): void;
    set_maximized(): void;
    unset_maximized(): void;
    set_fullscreen(output: WlOutput | null): void;
    unset_fullscreen(): void;
    set_minimized(): void;
}
export declare const xdg_popup_interface: InterfaceSpec;
/** xdg_popup.error */
export declare const XdgPopupError: {
    readonly invalid_grab: 0;
};
export interface XdgPopupEvents {
    configure(x: number, y: number, width: number, height: number): void;
    popup_done(): void;
    /** since 3 */
    repositioned(token: number): void;
}
export declare class XdgPopup extends Proxy<XdgPopupEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    grab(seat: WlSeat, serial: number): void;
    /** since 3 */
    reposition(positioner: XdgPositioner, token: number): void;
}
