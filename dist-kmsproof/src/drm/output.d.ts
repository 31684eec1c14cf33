import { type Connector, type DrmDevice, type Plane } from "./device.js";
import { type CrtcId, type EncoderId, type Mode } from "./types.js";
export interface OutputOptions {
    /** Connector name such as "Virtual-1", "DP-1", "HDMI-A-1". Default: the first connected one. */
    connector?: string;
    /** "WxH" or "WxH@Hz". Default: the connector's preferred mode. */
    mode?: string;
    /** DRM fourcc the primary plane must support (default XRGB8888). */
    format?: number;
}
export interface Output {
    connector: Connector;
    mode: Mode;
    crtc: CrtcId;
    encoder: EncoderId;
    plane: Plane;
}
export declare function chooseOutput(dev: DrmDevice, options?: OutputOptions): Output;
