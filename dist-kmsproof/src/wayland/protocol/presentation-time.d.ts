import { Proxy } from "../proxy.js";
import type { InterfaceSpec } from "../wire.js";
import { WlOutput, WlSurface } from "./wayland.js";
export declare const wp_presentation_interface: InterfaceSpec;
/** wp_presentation.error */
export declare const WpPresentationError: {
    readonly invalid_timestamp: 0;
    readonly invalid_flag: 1;
};
export interface WpPresentationEvents {
    clock_id(clk_id: number): void;
}
export declare class WpPresentation extends Proxy<WpPresentationEvents> {
    static readonly spec: InterfaceSpec;
    /** destructor */
    destroy(): void;
    feedback(surface: WlSurface): WpPresentationFeedback;
}
export declare const wp_presentation_feedback_interface: InterfaceSpec;
/** wp_presentation_feedback.kind (bitfield) */
export declare const WpPresentationFeedbackKind: {
    readonly vsync: 1;
    readonly hw_clock: 2;
    readonly hw_completion: 4;
    readonly zero_copy: 8;
};
export interface WpPresentationFeedbackEvents {
    sync_output(output: WlOutput): void;
    /** destructor */
    presented(tv_sec_hi: number, tv_sec_lo: number, tv_nsec: number, refresh: number, seq_hi: number, seq_lo: number, flags: number): void;
    /** destructor */
    discarded(): void;
}
export declare class WpPresentationFeedback extends Proxy<WpPresentationFeedbackEvents> {
    static readonly spec: InterfaceSpec;
}
