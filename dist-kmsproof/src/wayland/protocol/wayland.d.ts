import { Proxy, type ProxyClass, ReceivedFd } from "../proxy.js";
import type { InterfaceSpec } from "../wire.js";
export declare const wl_display_interface: InterfaceSpec;
/** wl_display.error */
export declare const WlDisplayError: {
    readonly invalid_object: 0;
    readonly invalid_method: 1;
    readonly no_memory: 2;
    readonly implementation: 3;
};
export interface WlDisplayEvents {
    error(object_id: Proxy, code: number, message: string): void;
    delete_id(id: number): void;
}
export declare class WlDisplay extends Proxy<WlDisplayEvents> {
    static readonly spec: InterfaceSpec;
    sync(): WlCallback;
    get_registry(): WlRegistry;
}
export declare const wl_registry_interface: InterfaceSpec;
export interface WlRegistryEvents {
    global(name: number, interface_: string, version: number): void;
    global_remove(name: number): void;
}
export declare class WlRegistry extends Proxy<WlRegistryEvents> {
    static readonly spec: InterfaceSpec;
    bind<T extends Proxy>(name: number, iface: ProxyClass<T>, version: number): T;
}
export declare const wl_callback_interface: InterfaceSpec;
export interface WlCallbackEvents {
    /** destructor */
    done(callback_data: number): void;
}
export declare class WlCallback extends Proxy<WlCallbackEvents> {
    static readonly spec: InterfaceSpec;
}
export declare const wl_compositor_interface: InterfaceSpec;
export type WlCompositorEvents = Record<never, never>;
export declare class WlCompositor extends Proxy<WlCompositorEvents> {
    static readonly spec: InterfaceSpec;
    create_surface(): WlSurface;
    create_region(): WlRegion;
}
export declare const wl_shm_pool_interface: InterfaceSpec;
export type WlShmPoolEvents = Record<never, never>;
export declare class WlShmPool extends Proxy<WlShmPoolEvents> {
    static readonly spec: InterfaceSpec;
    create_buffer(offset: number, width: number, height: number, stride: number, format: number): WlBuffer;
    /** destructor */
    destroy(): void;
    resize(size: number): void;
}
export declare const wl_shm_interface: InterfaceSpec;
/** wl_shm.error */
export declare const WlShmError: {
    readonly invalid_format: 0;
    readonly invalid_stride: 1;
    readonly invalid_fd: 2;
};
/** wl_shm.format */
export declare const WlShmFormat: {
    readonly argb8888: 0;
    readonly xrgb8888: 1;
    readonly c8: 538982467;
    readonly rgb332: 943867730;
    readonly bgr233: 944916290;
    readonly xrgb4444: 842093144;
    readonly xbgr4444: 842089048;
    readonly rgbx4444: 842094674;
    readonly bgrx4444: 842094658;
    readonly argb4444: 842093121;
    readonly abgr4444: 842089025;
    readonly rgba4444: 842088786;
    readonly bgra4444: 842088770;
    readonly xrgb1555: 892424792;
    readonly xbgr1555: 892420696;
    readonly rgbx5551: 892426322;
    readonly bgrx5551: 892426306;
    readonly argb1555: 892424769;
    readonly abgr1555: 892420673;
    readonly rgba5551: 892420434;
    readonly bgra5551: 892420418;
    readonly rgb565: 909199186;
    readonly bgr565: 909199170;
    readonly rgb888: 875710290;
    readonly bgr888: 875710274;
    readonly xbgr8888: 875709016;
    readonly rgbx8888: 875714642;
    readonly bgrx8888: 875714626;
    readonly abgr8888: 875708993;
    readonly rgba8888: 875708754;
    readonly bgra8888: 875708738;
    readonly xrgb2101010: 808669784;
    readonly xbgr2101010: 808665688;
    readonly rgbx1010102: 808671314;
    readonly bgrx1010102: 808671298;
    readonly argb2101010: 808669761;
    readonly abgr2101010: 808665665;
    readonly rgba1010102: 808665426;
    readonly bgra1010102: 808665410;
    readonly yuyv: 1448695129;
    readonly yvyu: 1431918169;
    readonly uyvy: 1498831189;
    readonly vyuy: 1498765654;
    readonly ayuv: 1448433985;
    readonly nv12: 842094158;
    readonly nv21: 825382478;
    readonly nv16: 909203022;
    readonly nv61: 825644622;
    readonly yuv410: 961959257;
    readonly yvu410: 961893977;
    readonly yuv411: 825316697;
    readonly yvu411: 825316953;
    readonly yuv420: 842093913;
    readonly yvu420: 842094169;
    readonly yuv422: 909202777;
    readonly yvu422: 909203033;
    readonly yuv444: 875713881;
    readonly yvu444: 875714137;
    readonly r8: 538982482;
    readonly r16: 540422482;
    readonly rg88: 943212370;
    readonly gr88: 943215175;
    readonly rg1616: 842221394;
    readonly gr1616: 842224199;
    readonly xrgb16161616f: 1211388504;
    readonly xbgr16161616f: 1211384408;
    readonly argb16161616f: 1211388481;
    readonly abgr16161616f: 1211384385;
    readonly xyuv8888: 1448434008;
    readonly vuy888: 875713878;
    readonly vuy101010: 808670550;
    readonly y210: 808530521;
    readonly y212: 842084953;
    readonly y216: 909193817;
    readonly y410: 808531033;
    readonly y412: 842085465;
    readonly y416: 909194329;
    readonly xvyu2101010: 808670808;
    readonly xvyu12_16161616: 909334104;
    readonly xvyu16161616: 942954072;
    readonly y0l0: 810299481;
    readonly x0l0: 810299480;
    readonly y0l2: 843853913;
    readonly x0l2: 843853912;
    readonly yuv420_8bit: 942691673;
    readonly yuv420_10bit: 808539481;
    readonly xrgb8888_a8: 943805016;
    readonly xbgr8888_a8: 943800920;
    readonly rgbx8888_a8: 943806546;
    readonly bgrx8888_a8: 943806530;
    readonly rgb888_a8: 943798354;
    readonly bgr888_a8: 943798338;
    readonly rgb565_a8: 943797586;
    readonly bgr565_a8: 943797570;
    readonly nv24: 875714126;
    readonly nv42: 842290766;
    readonly p210: 808530512;
    readonly p010: 808530000;
    readonly p012: 842084432;
    readonly p016: 909193296;
    readonly axbxgxrx106106106106: 808534593;
    readonly nv15: 892425806;
    readonly q410: 808531025;
    readonly q401: 825242705;
    readonly xrgb16161616: 942953048;
    readonly xbgr16161616: 942948952;
    readonly argb16161616: 942953025;
    readonly abgr16161616: 942948929;
    readonly c1: 538980675;
    readonly c2: 538980931;
    readonly c4: 538981443;
    readonly d1: 538980676;
    readonly d2: 538980932;
    readonly d4: 538981444;
    readonly d8: 538982468;
    readonly r1: 538980690;
    readonly r2: 538980946;
    readonly r4: 538981458;
    readonly r10: 540029266;
    readonly r12: 540160338;
    readonly avuy8888: 1498764865;
    readonly xvuy8888: 1498764888;
    readonly p030: 808661072;
};
export interface WlShmEvents {
    format(format: number): void;
}
export declare class WlShm extends Proxy<WlShmEvents> {
    static readonly spec: InterfaceSpec;
    create_pool(fd: number, size: number): WlShmPool;
    /** since 2, destructor */
    release(): void;
}
export declare const wl_buffer_interface: InterfaceSpec;
export interface WlBufferEvents {
    release(): void;
}
export declare class WlBuffer extends Proxy<WlBufferEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
}
export declare const wl_data_offer_interface: InterfaceSpec;
/** wl_data_offer.error */
export declare const WlDataOfferError: {
    readonly invalid_finish: 0;
    readonly invalid_action_mask: 1;
    readonly invalid_action: 2;
    readonly invalid_offer: 3;
};
export interface WlDataOfferEvents {
    offer(mime_type: string): void;
    /** since 3 */
    source_actions(source_actions: number): void;
    /** since 3 */
    action(dnd_action: number): void;
}
export declare class WlDataOffer extends Proxy<WlDataOfferEvents> {
    static readonly spec: InterfaceSpec;
    accept(serial: number, mime_type: string | null): void;
    receive(mime_type: string, fd: number): void;
    /** destructor */
    destroy(): void;
    /** since 3 */
    finish(): void;
    /** since 3 */
    set_actions(dnd_actions: number, preferred_action: number): void;
}
export declare const wl_data_source_interface: InterfaceSpec;
/** wl_data_source.error */
export declare const WlDataSourceError: {
    readonly invalid_action_mask: 0;
    readonly invalid_source: 1;
};
export interface WlDataSourceEvents {
    target(mime_type: string | null): void;
    send(mime_type: string, fd: ReceivedFd): void;
    cancelled(): void;
    /** since 3 */
    dnd_drop_performed(): void;
    /** since 3 */
    dnd_finished(): void;
    /** since 3 */
    action(dnd_action: number): void;
}
export declare class WlDataSource extends Proxy<WlDataSourceEvents> {
    static readonly spec: InterfaceSpec;
    offer(mime_type: string): void;
    /** destructor */
    destroy(): void;
    /** since 3 */
    set_actions(dnd_actions: number): void;
}
export declare const wl_data_device_interface: InterfaceSpec;
/** wl_data_device.error */
export declare const WlDataDeviceError: {
    readonly role: 0;
    readonly used_source: 1;
};
export interface WlDataDeviceEvents {
    data_offer(id: WlDataOffer): void;
    enter(serial: number, surface: WlSurface, x: number, y: number, id: WlDataOffer | null): void;
    leave(): void;
    motion(time: number, x: number, y: number): void;
    drop(): void;
    selection(id: WlDataOffer | null): void;
}
export declare class WlDataDevice extends Proxy<WlDataDeviceEvents> {
    static readonly spec: InterfaceSpec;
    start_drag(source: WlDataSource | null, origin: WlSurface, icon: WlSurface | null, serial: number): void;
    set_selection(source: WlDataSource | null, serial: number): void;
    /** since 2, destructor */
    release(): void;
}
export declare const wl_data_device_manager_interface: InterfaceSpec;
/** wl_data_device_manager.dnd_action (bitfield), since 3 */
export declare const WlDataDeviceManagerDndAction: {
    readonly none: 0;
    readonly copy: 1;
    readonly move: 2;
    readonly ask: 4;
};
export type WlDataDeviceManagerEvents = Record<never, never>;
export declare class WlDataDeviceManager extends Proxy<WlDataDeviceManagerEvents> {
    static readonly spec: InterfaceSpec;
    create_data_source(): WlDataSource;
    get_data_device(seat: WlSeat): WlDataDevice;
}
export declare const wl_shell_interface: InterfaceSpec;
/** wl_shell.error */
export declare const WlShellError: {
    readonly role: 0;
};
export type WlShellEvents = Record<never, never>;
export declare class WlShell extends Proxy<WlShellEvents> {
    static readonly spec: InterfaceSpec;
    get_shell_surface(surface: WlSurface): WlShellSurface;
}
export declare const wl_shell_surface_interface: InterfaceSpec;
/** wl_shell_surface.resize (bitfield) */
export declare const WlShellSurfaceResize: {
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
/** wl_shell_surface.transient (bitfield) */
export declare const WlShellSurfaceTransient: {
    readonly inactive: 1;
};
/** wl_shell_surface.fullscreen_method */
export declare const WlShellSurfaceFullscreenMethod: {
    readonly default_: 0;
    readonly scale: 1;
    readonly driver: 2;
    readonly fill: 3;
};
export interface WlShellSurfaceEvents {
    ping(serial: number): void;
    configure(edges: number, width: number, height: number): void;
    popup_done(): void;
}
export declare class WlShellSurface extends Proxy<WlShellSurfaceEvents> {
    static readonly spec: InterfaceSpec;
    pong(serial: number): void;
    move(seat: WlSeat, serial: number): void;
    resize(seat: WlSeat, serial: number, edges: number): void;
    set_toplevel(): void;
    set_transient(parent: WlSurface, x: number, y: number, flags: number): void;
    set_fullscreen(method: number, framerate: number, output: WlOutput | null): void;
    set_popup(seat: WlSeat, serial: number, parent: WlSurface, x: number, y: number, flags: number): void;
    set_maximized(output: WlOutput | null): void;
    set_title(title: string): void;
    set_class(class_: string): void;
}
export declare const wl_surface_interface: InterfaceSpec;
/** wl_surface.error */
export declare const WlSurfaceError: {
    readonly invalid_scale: 0;
    readonly invalid_transform: 1;
    readonly invalid_size: 2;
    readonly invalid_offset: 3;
    readonly defunct_role_object: 4;
};
export interface WlSurfaceEvents {
    enter(output: WlOutput): void;
    leave(output: WlOutput): void;
    /** since 6 */
    preferred_buffer_scale(factor: number): void;
    /** since 6 */
    preferred_buffer_transform(transform: number): void;
}
export declare class WlSurface extends Proxy<WlSurfaceEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    attach(buffer: WlBuffer | null, x: number, y: number): void;
    damage(x: number, y: number, width: number, height: number): void;
    frame(): WlCallback;
    set_opaque_region(region: WlRegion | null): void;
    set_input_region(region: WlRegion | null): void;
    commit(): void;
    /** since 2 */
    set_buffer_transform(transform: number): void;
    /** since 3 */
    set_buffer_scale(scale: number): void;
    /** since 4 */
    damage_buffer(x: number, y: number, width: number, height: number): void;
    /** since 5 */
    offset(x: number, y: number): void;
}
export declare const wl_seat_interface: InterfaceSpec;
/** wl_seat.capability (bitfield) */
export declare const WlSeatCapability: {
    readonly pointer: 1;
    readonly keyboard: 2;
    readonly touch: 4;
};
/** wl_seat.error */
export declare const WlSeatError: {
    readonly missing_capability: 0;
};
export interface WlSeatEvents {
    capabilities(capabilities: number): void;
    /** since 2 */
    name(name: string): void;
}
export declare class WlSeat extends Proxy<WlSeatEvents> {
    static readonly spec: InterfaceSpec;
    get_pointer(): WlPointer;
    get_keyboard(): WlKeyboard;
    get_touch(): WlTouch;
    /** since 5, destructor */
    release(): void;
}
export declare const wl_pointer_interface: InterfaceSpec;
/** wl_pointer.error */
export declare const WlPointerError: {
    readonly role: 0;
};
/** wl_pointer.button_state */
export declare const WlPointerButtonState: {
    readonly released: 0;
    readonly pressed: 1;
};
/** wl_pointer.axis */
export declare const WlPointerAxis: {
    readonly vertical_scroll: 0;
    readonly horizontal_scroll: 1;
};
/** wl_pointer.axis_source */
export declare const WlPointerAxisSource: {
    readonly wheel: 0;
    readonly finger: 1;
    readonly continuous: 2;
    readonly wheel_tilt: 3;
};
/** wl_pointer.axis_relative_direction */
export declare const WlPointerAxisRelativeDirection: {
    readonly identical: 0;
    readonly inverted: 1;
};
export interface WlPointerEvents {
    enter(serial: number, surface: WlSurface, surface_x: number, surface_y: number): void;
    leave(serial: number, surface: WlSurface): void;
    motion(time: number, surface_x: number, surface_y: number): void;
    button(serial: number, time: number, button: number, state: number): void;
    axis(time: number, axis: number, value: number): void;
    /** since 5 */
    frame(): void;
    /** since 5 */
    axis_source(axis_source: number): void;
    /** since 5 */
    axis_stop(time: number, axis: number): void;
    /** since 5 */
    axis_discrete(axis: number, discrete: number): void;
    /** since 8 */
    axis_value120(axis: number, value120: number): void;
    /** since 9 */
    axis_relative_direction(axis: number, direction: number): void;
}
export declare class WlPointer extends Proxy<WlPointerEvents> {
    static readonly spec: InterfaceSpec;
    set_cursor(serial: number, surface: WlSurface | null, hotspot_x: number, hotspot_y: number): void;
    /** since 3, destructor */
    release(): void;
}
export declare const wl_keyboard_interface: InterfaceSpec;
/** wl_keyboard.keymap_format */
export declare const WlKeyboardKeymapFormat: {
    readonly no_keymap: 0;
    readonly xkb_v1: 1;
};
/** wl_keyboard.key_state */
export declare const WlKeyboardKeyState: {
    readonly released: 0;
    readonly pressed: 1;
};
export interface WlKeyboardEvents {
    keymap(format: number, fd: ReceivedFd, size: number): void;
    enter(serial: number, surface: WlSurface, keys: Uint8Array): void;
    leave(serial: number, surface: WlSurface): void;
    key(serial: number, time: number, key: number, state: number): void;
    modifiers(serial: number, mods_depressed: number, mods_latched: number, mods_locked: number, group: number): void;
    /** since 4 */
    repeat_info(rate: number, delay: number): void;
}
export declare class WlKeyboard extends Proxy<WlKeyboardEvents> {
    static readonly spec: InterfaceSpec;
    /** since 3, destructor */
    release(): void;
}
export declare const wl_touch_interface: InterfaceSpec;
export interface WlTouchEvents {
    down(serial: number, time: number, surface: WlSurface, id: number, x: number, y: number): void;
    up(serial: number, time: number, id: number): void;
    motion(time: number, id: number, x: number, y: number): void;
    frame(): void;
    cancel(): void;
    /** since 6 */
    shape(id: number, major: number, minor: number): void;
    /** since 6 */
    orientation(id: number, orientation: number): void;
}
export declare class WlTouch extends Proxy<WlTouchEvents> {
    static readonly spec: InterfaceSpec;
    /** since 3, destructor */
    release(): void;
}
export declare const wl_output_interface: InterfaceSpec;
/** wl_output.subpixel */
export declare const WlOutputSubpixel: {
    readonly unknown: 0;
    readonly none: 1;
    readonly horizontal_rgb: 2;
    readonly horizontal_bgr: 3;
    readonly vertical_rgb: 4;
    readonly vertical_bgr: 5;
};
/** wl_output.transform */
export declare const WlOutputTransform: {
    readonly normal: 0;
    readonly _90: 1;
    readonly _180: 2;
    readonly _270: 3;
    readonly flipped: 4;
    readonly flipped_90: 5;
    readonly flipped_180: 6;
    readonly flipped_270: 7;
};
/** wl_output.mode (bitfield) */
export declare const WlOutputMode: {
    readonly current: 1;
    readonly preferred: 2;
};
export interface WlOutputEvents {
    geometry(x: number, y: number, physical_width: number, physical_height: number, subpixel: number, make: string, model: string, transform: number): void;
    mode(flags: number, width: number, height: number, refresh: number): void;
    /** since 2 */
    done(): void;
    /** since 2 */
    scale(factor: number): void;
    /** since 4 */
    name(name: string): void;
    /** since 4 */
    description(description: string): void;
}
export declare class WlOutput extends Proxy<WlOutputEvents> {
    static readonly spec: InterfaceSpec;
    /** since 3, destructor */
    release(): void;
}
export declare const wl_region_interface: InterfaceSpec;
export type WlRegionEvents = Record<never, never>;
export declare class WlRegion extends Proxy<WlRegionEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    add(x: number, y: number, width: number, height: number): void;
    subtract(x: number, y: number, width: number, height: number): void;
}
export declare const wl_subcompositor_interface: InterfaceSpec;
/** wl_subcompositor.error */
export declare const WlSubcompositorError: {
    readonly bad_surface: 0;
    readonly bad_parent: 1;
};
export type WlSubcompositorEvents = Record<never, never>;
export declare class WlSubcompositor extends Proxy<WlSubcompositorEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    get_subsurface(surface: WlSurface, parent: WlSurface): WlSubsurface;
}
export declare const wl_subsurface_interface: InterfaceSpec;
/** wl_subsurface.error */
export declare const WlSubsurfaceError: {
    readonly bad_surface: 0;
};
export type WlSubsurfaceEvents = Record<never, never>;
export declare class WlSubsurface extends Proxy<WlSubsurfaceEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    set_position(x: number, y: number): void;
    place_above(sibling: WlSurface): void;
    place_below(sibling: WlSurface): void;
    set_sync(): void;
    set_desync(): void;
}
