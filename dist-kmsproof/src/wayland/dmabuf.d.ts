import { close as closeFd } from "../sys/libc.js";
import type { Connection } from "./connection.js";
import type { ZwpLinuxDmabufV1 } from "./protocol/linux-dmabuf-v1.js";
export declare const DRM_FORMAT_XRGB8888 = 875713112;
export declare const DRM_FORMAT_ARGB8888 = 875713089;
export interface DmabufFormats {
    /** fourcc -> modifiers the compositor can import. */
    formats: Map<number, Set<bigint>>;
    /** dev_t of the compositor's main device (v4+ only). */
    mainDevice: bigint | undefined;
    /** Which protocol path produced the list. */
    source: "v3 events" | "v4 default feedback";
}
/** Queries supported formats and modifiers through whichever path the bound version offers. */
export declare function queryDmabufFormats(connection: Connection, dmabuf: ZwpLinuxDmabufV1): Promise<DmabufFormats>;
/** Picks the first of our modifiers that the compositor also lists for `format`. */
export declare function chooseModifiers(offered: Set<bigint> | undefined, ours: readonly bigint[]): bigint[];
export { closeFd as closeDmabufFd };
