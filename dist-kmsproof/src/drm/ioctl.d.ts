export declare const DRM_IOCTL: {
    readonly VERSION: number;
    readonly GET_UNIQUE: number;
    readonly GEM_CLOSE: number;
    readonly AUTH_MAGIC: number;
    readonly GET_CAP: number;
    readonly SET_CLIENT_CAP: number;
    readonly SET_MASTER: number;
    readonly DROP_MASTER: number;
    readonly PRIME_HANDLE_TO_FD: number;
    readonly PRIME_FD_TO_HANDLE: number;
    readonly WAIT_VBLANK: number;
    readonly CRTC_GET_SEQUENCE: number;
    readonly CRTC_QUEUE_SEQUENCE: number;
    readonly MODE_GETRESOURCES: number;
    readonly MODE_GETCRTC: number;
    readonly MODE_SETCRTC: number;
    readonly MODE_GETENCODER: number;
    readonly MODE_GETCONNECTOR: number;
    readonly MODE_GETPROPERTY: number;
    readonly MODE_GETPROPBLOB: number;
    readonly MODE_GETFB: number;
    readonly MODE_RMFB: number;
    readonly MODE_PAGE_FLIP: number;
    readonly MODE_CREATE_DUMB: number;
    readonly MODE_MAP_DUMB: number;
    readonly MODE_DESTROY_DUMB: number;
    readonly MODE_GETPLANERESOURCES: number;
    readonly MODE_GETPLANE: number;
    readonly MODE_SETPLANE: number;
    readonly MODE_ADDFB2: number;
    readonly MODE_OBJ_GETPROPERTIES: number;
    readonly MODE_ATOMIC: number;
    readonly MODE_CREATEPROPBLOB: number;
    readonly MODE_DESTROYPROPBLOB: number;
};
/** Runs one DRM ioctl; failures become SysError naming the ioctl and what it acted on. */
export declare function drmIoctl(fd: number, name: keyof typeof DRM_IOCTL, arg: Buffer | null, what?: string): void;
/** Address of a buffer for a u64 pointer field (0 for an empty one; the kernel reads no bytes then). */
export declare function addr(buf: Buffer | null | undefined): bigint;
export declare function u32s(buf: Buffer, count: number): number[];
export declare function u64s(buf: Buffer, count: number): bigint[];
export declare function cstr(buf: Buffer, offset: number, max: number): string;
/** Upper bound for counts the kernel reports, so a corrupt answer cannot make us allocate gigabytes. */
export declare const MAX_OBJECTS = 4096;
export declare function checkCount(what: string, n: number, max?: number): number;
