export declare function kmsInfo(path?: string, opts?: {
    allModes?: boolean;
    props?: boolean;
}): string;
