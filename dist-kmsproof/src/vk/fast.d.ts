import "./nvk.js";
export declare const fast: {
    beginCommandBuffer: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    endCommandBuffer: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdBeginRenderPass: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdEndRenderPass: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdSetViewport: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdSetScissor: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdBindPipeline: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdBindDescriptorSets: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdBindVertexBuffers: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdBindIndexBuffer: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdPushConstants: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdDraw: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    cmdDrawIndexed: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    queueSubmit: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    waitForFences: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    resetFences: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
    getFenceStatus: {
        (...args: any[]): any;
        async: (...args: any[]) => any;
        info: {
            name: string;
            arguments: import("koffi").TypeObject[];
            result: import("koffi").TypeObject;
        };
    };
};
/** The 64-bit value of an nvk handle object (dispatchable or not). */
export declare function rawHandle(handle: object): bigint;
/** The native address of an nvk struct's memory. */
export declare function structAddress(struct: object): bigint;
