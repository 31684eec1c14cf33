// The colour of a presenter over several outputs (kms-multi.ts): one shared image, so one colour and
// one scanout format for all outputs, each connector told about it in its own modeset (its own
// properties, kms-colour.ts). The colour is chosen per output as the one-output presenter chooses
// it; where the outputs disagree (one display takes HDR10, another only sRGB; one plane takes a
// deeper format), all of them show the colour every one of them can, sRGB at 8 bits, with the reason.
import type { Device } from "../vk/index.js";
import { logger } from "../util/log.js";
import { colourState, describeColour, type ColourState } from "../util/colour.js";
import type { AtomicRequest, DrmDevice, Output } from "../drm/index.js";
import { KmsColour, type KmsColourOptions, type ScanoutFormat } from "./kms-colour.js";

const log = logger("present");

/** The shared colour and, per output (in the paths' order), what its modesets tell its connector. */
export class MultiColour {
  private constructor(
    private readonly perOutput: readonly KmsColour[],
    /** The colour in effect on every output, with the reason it is not the one asked for. */
    readonly state: ColourState,
  ) {}

  /** Chooses the colour for `paths` (before any target exists: it decides the scanout format). */
  static open(device: Device, drm: DrmDevice, paths: readonly Output[], options: KmsColourOptions): MultiColour {
    const each = paths.map((p) => KmsColour.open(device, drm, p, options));
    const first = each[0]!;
    const odd = each.findIndex((c) => c.format !== first.format || c.state.space.name !== first.state.space.name);
    if (odd < 0) return new MultiColour(each, first.state);
    const why = `the outputs differ: ${paths[0]!.connector.name} ${describeColour(first.state)}, ${paths[odd]!.connector.name} ${describeColour(each[odd]!.state)}; all show sRGB at 8 bits`;
    log.warn(`kms: colour ${options.color ?? "srgb"}: ${why}`);
    const srgb = paths.map((p) => KmsColour.open(device, drm, p, { ...options, color: "srgb", depth: 8 }));
    const s = srgb[0]!.state;
    return new MultiColour(srgb, { ...colourState(options.color ?? "srgb", s.space, s.depth, why), format: s.format });
  }

  /** The scanout format of the shared image. */
  get format(): ScanoutFormat {
    return this.perOutput[0]!.format;
  }

  /** Adds output `i`'s connector colour properties to its modeset; returns what releases the blobs made (after the commit). */
  addToModeset(i: number, req: AtomicRequest, drm: DrmDevice, output: Output): () => void {
    const blobs = this.perOutput[i]!.addToModeset(req, drm, output.connector.id);
    return () => blobs.release();
  }

  /** FrameStats.colour.descriptions: the scanout format and, per output, what its last modeset set on the connector. */
  stats(names: readonly string[]): Record<string, number | string> {
    const s: Record<string, number | string> = { format: this.format.name };
    this.perOutput.forEach((c, i) => {
      const connector = c.stats().connector;
      if (connector !== undefined) s[`${names[i]} connector`] = connector;
    });
    return s;
  }
}
