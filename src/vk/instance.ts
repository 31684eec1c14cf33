// The Vulkan instance: optional Khronos validation with messages routed to our logger and counted,
// physical-device listing and selection, logical-device creation.
import { vk, type VkTypes } from "./nvk.js";
import { ValidationLayerMissingError } from "./errors.js";
import { check, VulkanError } from "./result.js";
import { PhysicalDevice } from "./physical-device.js";
import { Device, type DeviceOptions } from "./device.js";
import { Resource } from "./resource.js";
import { logger } from "../util/log.js";
import { UnavailableError } from "../util/errors.js";

const log = logger("vk");
const validationLog = logger("validation");

/** Options of Instance.create. The instance targets Vulkan 1.1. */
export interface InstanceOptions {
  /** Enable VK_LAYER_KHRONOS_validation and route its messages to the logger (default false). */
  validation?: boolean;
  /** Throw if validation was asked for but the layer is missing (default: warn and go on). */
  requireValidation?: boolean;
  applicationName?: string;
  extensions?: string[];
}

/** A message of the Khronos validation layer (warnings and errors; performance advice goes to the debug log only): its severity, message id name (e.g. "VUID-vkCmdDraw-None-02859") and text. */
export interface ValidationMessage {
  severity: "error" | "warning" | "info" | "verbose";
  id: string;
  message: string;
}

/** A test a physical device must pass to be chosen by Instance.selectPhysicalDevice, e.g. `(d) => d.type === "discrete-gpu"`. */
export type DevicePredicate = (device: PhysicalDevice) => boolean;

/** Thrown when no Vulkan device can be used: no driver is installed (or the loader finds none), or none matches what was asked for. The message says how to install one (Mesa's lavapipe) and shows VK_ICD_FILENAMES when set. */
export class NoVulkanDeviceError extends UnavailableError {
  constructor(detail: string) {
    super(
      "vulkan",
      `no Vulkan device found: ${detail}. Install a driver (Mesa's lavapipe: mesa-vulkan-drivers) ` +
        `or check VK_ICD_FILENAMES / VK_DRIVER_FILES` +
        (process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})` : ""),
    );
    this.message = this.reason; // it names Vulkan already; the CLI prints it after its own name
    this.name = "NoVulkanDeviceError";
  }
}

function availableLayers(): Set<string> {
  const count = { $: 0 };
  vk.vkEnumerateInstanceLayerProperties(count, null);
  const layers = Array.from({ length: count.$ }, () => new vk.VkLayerProperties());
  if (layers.length) vk.vkEnumerateInstanceLayerProperties(count, layers);
  return new Set(layers.map((l) => l.layerName ?? ""));
}

/**
 * The Vulkan instance (Instance.create): lists physical devices, creates logical devices, and optionally runs the Khronos
 * validation layer, logging its messages and keeping them in validationMessages.
 */
export class Instance extends Resource {
  readonly handle = new vk.VkInstance();
  readonly validationEnabled: boolean;
  /** Validation warnings and errors seen so far (tests assert this stays empty). */
  readonly validationMessages: ValidationMessage[] = [];
  private messenger: VkTypes.VkDebugUtilsMessengerEXT | undefined;
  private devices: PhysicalDevice[] | undefined;

  private constructor(options: InstanceOptions) {
    super();
    const wantValidation = options.validation ?? false;
    const haveLayer = wantValidation && availableLayers().has("VK_LAYER_KHRONOS_validation");
    if (wantValidation && !haveLayer) {
      const missing = new ValidationLayerMissingError("VK_LAYER_KHRONOS_validation", "Debian: vulkan-validationlayers");
      if (options.requireValidation) throw missing;
      log.warn(missing.message);
    }
    this.validationEnabled = haveLayer;
    const layers = haveLayer ? ["VK_LAYER_KHRONOS_validation"] : [];
    const extensions = [...(options.extensions ?? []), ...(haveLayer ? ["VK_EXT_debug_utils"] : [])];
    const appInfo = new vk.VkApplicationInfo({
      pApplicationName: options.applicationName ?? "scanout",
      applicationVersion: 1,
      pEngineName: "scanout",
      engineVersion: 1,
      apiVersion: vk.VK_MAKE_VERSION(1, 1, 0),
    });
    const result = vk.vkCreateInstance(
      new vk.VkInstanceCreateInfo({
        pApplicationInfo: appInfo,
        enabledLayerCount: layers.length,
        ppEnabledLayerNames: layers,
        enabledExtensionCount: extensions.length,
        ppEnabledExtensionNames: extensions,
      }),
      null,
      this.handle,
    );
    if (result === vk.VkResult.VK_ERROR_INCOMPATIBLE_DRIVER) throw new NoVulkanDeviceError("vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER");
    check("vkCreateInstance", result);
    if (haveLayer) this.createMessenger();
  }

  /** Creates an instance. Async so presenters and users can treat set-up uniformly with `await using`. */
  static async create(options: InstanceOptions = {}): Promise<Instance> {
    return new Instance(options);
  }

  /** The synchronous form of Instance.create, for scripts and tests. Throws NoVulkanDeviceError when no driver is installed, Error when requireValidation is set and the layer is missing, VulkanError for other failures. */
  static createSync(options: InstanceOptions = {}): Instance {
    return new Instance(options);
  }

  private createMessenger(): void {
    const S = vk.VkDebugUtilsMessageSeverityFlagBitsEXT;
    const T = vk.VkDebugUtilsMessageTypeFlagBitsEXT;
    const info = new vk.VkDebugUtilsMessengerCreateInfoEXT({
      messageSeverity: S.VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | S.VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      messageType:
        T.VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
        T.VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
        T.VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
      pfnUserCallback: (severity: number, type: number, data: VkTypes.VkDebugUtilsMessengerCallbackDataEXT) => {
        const isError = (severity & S.VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) !== 0;
        // Performance advice (e.g. copying from a GENERAL-layout scanout image) is not a misuse of
        // the API: it goes to the debug log, not to the messages that fail a test.
        if (!isError && type === T.VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT) {
          validationLog.debug(data.pMessage ?? "");
          return false;
        }
        const entry: ValidationMessage = {
          severity: isError ? "error" : "warning",
          id: data.pMessageIdName ?? "",
          message: data.pMessage ?? "",
        };
        this.validationMessages.push(entry);
        (isError ? validationLog.error : validationLog.warn)(entry.message);
        return false;
      },
    } as unknown as ConstructorParameters<typeof vk.VkDebugUtilsMessengerCreateInfoEXT>[0]);
    this.messenger = new vk.VkDebugUtilsMessengerEXT();
    check("vkCreateDebugUtilsMessengerEXT", vk.vkCreateDebugUtilsMessengerEXT(this.handle, info, null, this.messenger));
  }

  /** Every physical device, in the driver's order. */
  physicalDevices(): PhysicalDevice[] {
    if (!this.devices) {
      const count = { $: 0 };
      check("vkEnumeratePhysicalDevices", vk.vkEnumeratePhysicalDevices(this.handle, count, null));
      const handles = Array.from({ length: count.$ }, () => new vk.VkPhysicalDevice());
      if (handles.length) check("vkEnumeratePhysicalDevices", vk.vkEnumeratePhysicalDevices(this.handle, count, handles));
      this.devices = handles.map((h) => new PhysicalDevice(h));
    }
    return this.devices;
  }

  /** The first device that can render and satisfies the predicate; throws NoVulkanDeviceError if none. */
  selectPhysicalDevice(predicate: DevicePredicate = () => true, why = "any device with a graphics queue"): PhysicalDevice {
    const all = this.physicalDevices();
    if (all.length === 0) throw new NoVulkanDeviceError("the Vulkan loader lists no physical devices");
    const found = all.find((d) => d.graphicsQueueFamily !== undefined && predicate(d));
    if (!found) throw new NoVulkanDeviceError(`none of ${all.map((d) => d.name).join(", ")} matches ${why}`);
    return found;
  }

  /** Creates a logical device on `physical` (default: the first that can render). */
  createDevice(options: DeviceOptions & { physical?: PhysicalDevice } = {}): Device {
    this.assertLive();
    const physical = options.physical ?? this.selectPhysicalDevice();
    return Device.create(this, physical, options);
  }

  /** Validation errors (not warnings) seen so far. */
  get validationErrors(): ValidationMessage[] {
    return this.validationMessages.filter((m) => m.severity === "error");
  }

  protected release(): void {
    if (this.messenger) vk.vkDestroyDebugUtilsMessengerEXT(this.handle, this.messenger, null);
    vk.vkDestroyInstance(this.handle, null);
  }

  override toString(): string {
    return `Instance(validation ${this.validationEnabled ? "on" : "off"})`;
  }
}

export { VulkanError };
