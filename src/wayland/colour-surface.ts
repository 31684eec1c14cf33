// wp_color_manager_v1 for one surface: what the compositor supports, parametric image descriptions
// for scanout's colour spaces (named primaries and transfer function, or set_primaries /
// set_tf_power where a name is missing), HDR10 metadata, and the surface's preferred description.
// A description the compositor refuses (`failed`) is an answer, not an error: the caller shows SDR
// and logs the cause. Every request is checked against the advertised features first, so a missing
// one is a reason string, never a protocol error.
import { close } from "../sys/libc.js";
import type { Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import type { WlSurface } from "./protocol/wayland.js";
import {
  WpColorManagerV1, WpColorManagerV1Feature as Feature, WpColorManagerV1Primaries as NamedPrimaries, WpColorManagerV1RenderIntent,
  WpColorManagerV1TransferFunction as NamedTf, WpImageDescriptionV1Cause,
  type WpColorManagementSurfaceFeedbackV1, type WpColorManagementSurfaceV1, type WpImageDescriptionCreatorParamsV1, type WpImageDescriptionV1,
} from "./protocol/color-management-v1.js";
import { COLOUR_SPACES, PRIMARIES, SCRGB_UNIT_NITS, SDR_REFERENCE_WHITE_NITS, withTransfer, type ColourName, type ColourSpace, type Hdr10Metadata, type Primaries, type PrimariesName } from "../util/colour.js";

/** What the compositor advertised: features, named transfer functions, named primaries, render intents. */
export interface ColourSupport {
  readonly features: ReadonlySet<number>;
  readonly transfers: ReadonlySet<number>;
  readonly primaries: ReadonlySet<number>;
  readonly intents: ReadonlySet<number>;
}

/**
 * The answer to a description: accepted (`ready`, or from v2 `ready2` with a 64-bit identity) or refused (`failed`,
 * with its cause). The identity names the description's content: equal identities mean the same description.
 */
export type DescriptionAnswer =
  | { readonly ready: true; readonly identity: bigint; readonly event?: "ready" | "ready2" }
  | { readonly ready: false; readonly reason: string };

/** A description made and accepted but not set yet (or refused, with the answer saying why). */
export type PreparedDescription =
  | { readonly ready: true; readonly answer: DescriptionAnswer; attach(): void; discard(): void }
  | { readonly ready: false; readonly answer: DescriptionAnswer };

/** The newest wp_color_manager_v1 we bind: v2 (ready2, preferred_changed2, proven on KWin 6.7 and Mutter 50); v3 adds only create_windows_bt2100, which we do not use. */
export const COLOR_MANAGER_VERSION = 2;
/** A 64-bit identity from its two 32-bit halves (ready2, preferred_changed2). */
const identity64 = (hi: number, lo: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** A description as the compositor reports it (get_information): the parts scanout maps back to a colour space. */
export interface DescriptionInfo {
  primaries?: number;
  transfer?: number;
  tfPower?: number;
  luminances?: readonly [min: number, max: number, reference: number];
  targetLuminance?: readonly [min: number, max: number];
}

const PRIMARIES_NAMES: Record<PrimariesName, number> = { srgb: NamedPrimaries.srgb, "display-p3": NamedPrimaries.display_p3, bt2020: NamedPrimaries.bt2020 };
const causeNames = Object.fromEntries(Object.entries(WpImageDescriptionV1Cause).map(([k, v]) => [v, k]));
/** Chromaticities go over the wire as millionths. */
const micro = (v: number) => Math.round(v * 1_000_000);
const primaryArgs = (p: Primaries) => [p.red, p.green, p.blue, p.white].flatMap(([x, y]) => [micro(x), micro(y)]) as [number, number, number, number, number, number, number, number];

/** How a colour space is described to this compositor, or why it cannot be. */
type Plan = { readonly space: ColourSpace; readonly steps: ((c: WpImageDescriptionCreatorParamsV1) => void)[]; readonly scrgb?: boolean } | { readonly refused: string };

/** One surface's colour management: descriptions made, set, and the compositor's preference. */
export class ColourSurface {
  /** Figures for stats: the bound version, descriptions made, accepted (of them with ready2), refused; preference changes seen and the last preferred identity (v2). */
  readonly counters: { version: number; made: number; ready: number; ready2: number; failed: number; preferredChanges: number; preferredIdentity?: string } =
    { version: 1, made: 0, ready: 0, ready2: 0, failed: 0, preferredChanges: 0 };
  /** The description set on the surface (kept alive until replaced). */
  private current: WpImageDescriptionV1 | undefined;
  private feedback: WpColorManagementSurfaceFeedbackV1 | undefined;
  private changeHandler: (() => void) | undefined;

  private constructor(
    private readonly connection: Connection,
    private readonly manager: WpColorManagerV1,
    private readonly surface: WpColorManagementSurfaceV1,
    private readonly wlSurface: WlSurface,
    readonly support: ColourSupport,
  ) {
    this.counters.version = manager.version;
  }

  /** Binds wp_color_manager_v1 and waits for its support events; undefined (with the reason) when the compositor offers none. */
  static async open(connection: Connection, globals: Globals, surface: WlSurface): Promise<ColourSurface | string> {
    const manager = globals.tryBind(WpColorManagerV1, { max: COLOR_MANAGER_VERSION, purpose: "to describe HDR and wide-gamut frames" });
    if (!manager) return "the compositor offers no wp_color_manager_v1";
    const support = { features: new Set<number>(), transfers: new Set<number>(), primaries: new Set<number>(), intents: new Set<number>() };
    await connection.waitFor<void>((resolve) =>
      manager.listen({
        supported_intent: (i) => void support.intents.add(i),
        supported_feature: (f) => void support.features.add(f),
        supported_tf_named: (t) => void support.transfers.add(t),
        supported_primaries_named: (p) => void support.primaries.add(p),
        done: () => resolve(),
      }),
    );
    return new ColourSurface(connection, manager, manager.get_surface(surface), surface, support);
  }

  /** Why `name` cannot be described here, or undefined when it can (srgb always can: it is the untagged default). */
  refusal(name: ColourName): string | undefined {
    const plan = this.plan(name, undefined);
    return "refused" in plan ? plan.refused : undefined;
  }

  /** The colour space as it will be described (display-p3 may use gamma 2.2 where the sRGB curve is not offered). */
  spaceFor(name: ColourName): ColourSpace {
    const plan = this.plan(name, undefined);
    return "refused" in plan ? COLOUR_SPACES[name] : plan.space;
  }

  private plan(name: ColourName, metadata: Hdr10Metadata | undefined): Plan {
    const s = this.support;
    const has = (f: number) => s.features.has(f);
    const steps: ((c: WpImageDescriptionCreatorParamsV1) => void)[] = [];
    const space = COLOUR_SPACES[name];
    if (name === "scrgb" && has(Feature.windows_scrgb)) return { space, steps, scrgb: true };
    if (!has(Feature.parametric)) return { refused: `the compositor's colour manager takes no parametric descriptions (needed for ${name})` };
    // primaries: by name, else as chromaticities
    const primariesName = PRIMARIES_NAMES[space.primaries];
    if (s.primaries.has(primariesName)) steps.push((c) => c.set_primaries_named(primariesName));
    else if (has(Feature.set_primaries)) steps.push((c) => c.set_primaries(...primaryArgs(PRIMARIES[space.primaries])));
    else return { refused: `the compositor offers neither ${space.primaries} primaries by name nor set_primaries` };
    // transfer function
    let described = space;
    if (space.transfer === "pq") {
      if (!s.transfers.has(NamedTf.st2084_pq)) return { refused: "the compositor offers no PQ (st2084_pq) transfer function" };
      steps.push((c) => c.set_tf_named(NamedTf.st2084_pq));
      if (metadata) steps.push(...this.metadataSteps(metadata));
    } else if (space.transfer === "linear") {
      if (!s.transfers.has(NamedTf.ext_linear)) return { refused: "the compositor offers neither windows_scrgb nor the ext_linear transfer function" };
      // 1.0 = 80 cd/m², reference white 203 cd/m²: what Windows-scRGB means
      if (!has(Feature.set_luminances)) return { refused: "scrgb needs set_luminances (1.0 = 80 cd/m²) or windows_scrgb, and the compositor offers neither" };
      // a reference white (203) above the maximum (80) is a protocol error without extended_target_volume (Mutter 50 raises it)
      if (!has(Feature.extended_target_volume)) return { refused: "scrgb's reference white (203 cd/m²) lies above its 1.0 (80 cd/m²), which needs windows_scrgb or extended_target_volume, and the compositor offers neither" };
      steps.push((c) => c.set_tf_named(NamedTf.ext_linear), (c) => c.set_luminances(0, SCRGB_UNIT_NITS, SDR_REFERENCE_WHITE_NITS));
    } else if (this.manager.version >= 2 && s.transfers.has(NamedTf.compound_power_2_4)) {
      // v2 names the piecewise sRGB curve compound_power_2_4 (its old name srgb is deprecated and not advertised)
      steps.push((c) => c.set_tf_named(NamedTf.compound_power_2_4));
    } else if (s.transfers.has(NamedTf.srgb)) {
      steps.push((c) => c.set_tf_named(NamedTf.srgb));
    } else if (s.transfers.has(NamedTf.gamma22)) {
      described = withTransfer(space, "gamma22");
      steps.push((c) => c.set_tf_named(NamedTf.gamma22));
    } else if (has(Feature.set_tf_power)) {
      described = withTransfer(space, "gamma22");
      steps.push((c) => c.set_tf_power(22000));
    } else return { refused: `the compositor offers no sRGB-like transfer function (srgb, gamma22 or set_tf_power) for ${name}` };
    return { space: described, steps };
  }

  /** HDR10 metadata as creator requests: mastering display where the feature is offered, content light levels always. */
  private metadataSteps(m: Hdr10Metadata): ((c: WpImageDescriptionCreatorParamsV1) => void)[] {
    const steps: ((c: WpImageDescriptionCreatorParamsV1) => void)[] = [];
    if (this.support.features.has(Feature.set_mastering_display_primaries)) {
      steps.push(
        (c) => c.set_mastering_display_primaries(...primaryArgs(m.masteringPrimaries)),
        (c) => c.set_mastering_luminance(Math.round(m.minMasteringNits * 10000), Math.round(m.maxMasteringNits)),
      );
    }
    steps.push((c) => c.set_max_cll(m.maxCll), (c) => c.set_max_fall(m.maxFall));
    return steps;
  }

  /**
   * Makes the description of `name` and waits for the compositor's answer. Ready: it is set on the
   * surface (from the next commit on). Failed: nothing changes, and the answer says why.
   */
  async describe(name: ColourName, metadata?: Hdr10Metadata): Promise<DescriptionAnswer> {
    const prepared = await this.prepare(name, metadata);
    if (prepared.ready) prepared.attach();
    return prepared.answer;
  }

  /**
   * Makes the description of `name` and waits for the compositor's answer, without setting it:
   * `attach` sets it on the surface (from the next commit on; sRGB unsets), `discard` frees it unused.
   * A colour switch attaches it with the first frame encoded in the new colour.
   */
  async prepare(name: ColourName, metadata?: Hdr10Metadata): Promise<PreparedDescription> {
    if (name === "srgb") return { ready: true, answer: { ready: true, identity: 0n }, attach: () => this.setCurrent(undefined), discard: () => {} };
    const plan = this.plan(name, metadata);
    if ("refused" in plan) return { ready: false, answer: { ready: false, reason: plan.refused } };
    let description: WpImageDescriptionV1;
    if (plan.scrgb) description = this.manager.create_windows_scrgb();
    else {
      const creator = this.manager.create_parametric_creator();
      for (const step of plan.steps) step(creator);
      description = creator.create(); // the creator is destroyed by create
    }
    this.counters.made++;
    const answer = await this.answer(description);
    if (!answer.ready) {
      this.counters.failed++;
      description.destroy();
      return { ready: false, answer };
    }
    this.counters.ready++;
    if (answer.event === "ready2") this.counters.ready2++;
    let used = false;
    return {
      ready: true,
      answer,
      attach: () => {
        if (used) return;
        used = true;
        this.setCurrent(description);
      },
      discard: () => {
        if (used) return;
        used = true;
        description.destroy();
      },
    };
  }

  /** Sets `description` on the surface (undefined: untagged, which is sRGB) and frees the one it replaces. */
  private setCurrent(description: WpImageDescriptionV1 | undefined): void {
    if (description) this.surface.set_image_description(description, WpColorManagerV1RenderIntent.perceptual);
    else this.surface.unset_image_description();
    this.current?.destroy();
    this.current = description;
  }

  private answer(description: WpImageDescriptionV1): Promise<DescriptionAnswer> {
    return this.connection.waitFor<DescriptionAnswer>((resolve) =>
      description.listen({
        ready: (identity) => resolve({ ready: true, identity: BigInt(identity >>> 0), event: "ready" }),
        ready2: (hi, lo) => resolve({ ready: true, identity: identity64(hi, lo), event: "ready2" }),
        failed: (cause, msg) => resolve({ ready: false, reason: `the compositor refused the description (${causeNames[cause] ?? cause}: ${msg})` }),
      }),
    );
  }

  /**
   * The surface's preferred description (parametric when offered), read with get_information;
   * undefined when the compositor refuses to say.
   */
  async preferred(): Promise<DescriptionInfo | undefined> {
    const feedback = this.surfaceFeedback();
    const description = this.support.features.has(Feature.parametric) ? feedback.get_preferred_parametric() : feedback.get_preferred();
    const answer = await this.answer(description);
    if (!answer.ready) {
      description.destroy();
      return undefined;
    }
    const info: DescriptionInfo = {};
    const information = description.get_information(); // destroyed by the compositor after done
    await this.connection.waitFor<void>((resolve) =>
      information.listen({
        done: () => resolve(),
        icc_file: (fd) => close(fd.take()),
        primaries: () => {},
        primaries_named: (p) => void (info.primaries = p),
        tf_power: (e) => void (info.tfPower = e / 10000),
        tf_named: (t) => void (info.transfer = t),
        luminances: (min, max, ref) => void (info.luminances = [min / 10000, max, ref]),
        target_primaries: () => {},
        target_luminance: (min, max) => void (info.targetLuminance = [min / 10000, max]),
        target_max_cll: () => {},
        target_max_fall: () => {},
      }),
    );
    description.destroy();
    return info;
  }

  /** Calls `onChange` on each preferred_changed of the surface (the compositor moved it, the output changed). */
  watchPreferred(onChange: () => void): void {
    this.surfaceFeedback();
    this.changeHandler = onChange;
  }

  private surfaceFeedback(): WpColorManagementSurfaceFeedbackV1 {
    if (!this.feedback) {
      this.feedback = this.manager.get_surface_feedback(this.wlSurface);
      const changed = (identity?: bigint) => {
        this.counters.preferredChanges++;
        if (identity !== undefined) this.counters.preferredIdentity = identity.toString();
        this.changeHandler?.();
      };
      this.feedback.listen({
        preferred_changed: () => changed(), // v1; v2 sends preferred_changed2 instead
        preferred_changed2: (hi, lo) => changed(identity64(hi, lo)),
      });
    }
    return this.feedback;
  }

  /** Frees the protocol objects (the surface's description goes with its colour surface). */
  destroy(): void {
    if (this.connection.error) return;
    this.current?.destroy();
    this.feedback?.destroy();
    this.surface.destroy();
    this.manager.destroy();
  }
}

/** The colour space a preferred description asks for: PQ → hdr10, linear → scrgb, Display P3 / DCI-P3 primaries → display-p3, else srgb. */
export function colourOfDescription(info: DescriptionInfo): ColourName {
  if (info.transfer === NamedTf.st2084_pq || info.transfer === NamedTf.hlg) return "hdr10";
  if (info.transfer === NamedTf.ext_linear) return "scrgb";
  if (info.primaries === NamedPrimaries.display_p3 || info.primaries === NamedPrimaries.dci_p3 || info.primaries === NamedPrimaries.bt2020) return "display-p3";
  return "srgb";
}
