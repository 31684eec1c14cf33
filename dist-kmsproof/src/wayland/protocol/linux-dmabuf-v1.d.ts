import { Proxy, ReceivedFd } from "../proxy.js";
import type { InterfaceSpec } from "../wire.js";
import { WlBuffer, WlSurface } from "./wayland.js";
export declare const zwp_linux_dmabuf_v1_interface: InterfaceSpec;
export interface ZwpLinuxDmabufV1Events {
    format(format: number): void;
    /** since 3 */
    modifier(format: number, modifier_hi: number, modifier_lo: number): void;
}
export declare class ZwpLinuxDmabufV1 extends Proxy<ZwpLinuxDmabufV1Events> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    create_params(): ZwpLinuxBufferParamsV1;
    /** since 4 */
    get_default_feedback(): ZwpLinuxDmabufFeedbackV1;
    /** since 4 */
    get_surface_feedback(surface: WlSurface): ZwpLinuxDmabufFeedbackV1;
}
export declare const zwp_linux_buffer_params_v1_interface: InterfaceSpec;
/** zwp_linux_buffer_params_v1.error */
export declare const ZwpLinuxBufferParamsV1Error: {
    readonly already_used: 0;
    readonly plane_idx: 1;
    readonly plane_set: 2;
    readonly incomplete: 3;
    readonly invalid_format: 4;
    readonly invalid_dimensions: 5;
    readonly out_of_bounds: 6;
    readonly invalid_wl_buffer: 7;
};
/** zwp_linux_buffer_params_v1.flags (bitfield) */
export declare const ZwpLinuxBufferParamsV1Flags: {
    readonly y_invert: 1;
    readonly interlaced: 2;
    readonly bottom_first: 4;
};
export interface ZwpLinuxBufferParamsV1Events {
    created(buffer: WlBuffer): void;
    failed(): void;
}
export declare class ZwpLinuxBufferParamsV1 extends Proxy<ZwpLinuxBufferParamsV1Events> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    add(fd: number, plane_idx: number, offset: number, stride: number, modifier_hi: number, modifier_lo: number): void;
    create(width: number, height: number, format: number, flags: number): void;
    /** since 2 */
    create_immed(width: number, height: number, format: number, flags: number): WlBuffer;
}
export declare const zwp_linux_dmabuf_feedback_v1_interface: InterfaceSpec;
/** zwp_linux_dmabuf_feedback_v1.tranche_flags (bitfield) */
export declare const ZwpLinuxDmabufFeedbackV1TrancheFlags: {
    readonly scanout: 1;
};
export interface ZwpLinuxDmabufFeedbackV1Events {
    done(): void;
    format_table(fd: ReceivedFd, size: number): void;
    main_device(device: Uint8Array): void;
    tranche_done(): void;
    tranche_target_device(device: Uint8Array): void;
    tranche_formats(indices: Uint8Array): void;
    tranche_flags(flags: number): void;
}
export declare class ZwpLinuxDmabufFeedbackV1 extends Proxy<ZwpLinuxDmabufFeedbackV1Events> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
}
