// Render passes with one colour attachment (and optionally depth), and framebuffers.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { Format, ImageLayout, ImageView } from "./image.js";

export interface RenderPassOptions extends Owned {
  color: { format: Format; finalLayout: ImageLayout; /** keep previous contents instead of clearing */ load?: boolean };
  depth?: { format: Format };
}

/** A render pass (RenderPass.create): what a pipeline draws into and how its attachments are cleared and left. */
export class RenderPass extends DeviceResource<VkTypes.VkRenderPass> {
  readonly hasDepth: boolean;
  /** Handle value, read once, for recording without allocation. */
  readonly raw: bigint;

  private constructor(
    device: Device,
    readonly options: RenderPassOptions,
  ) {
    super(device, new vk.VkRenderPass(), vk.vkDestroyRenderPass);
    const L = vk.VkImageLayout;
    this.hasDepth = !!options.depth;
    const attachments = [
      new vk.VkAttachmentDescription({
        format: options.color.format,
        samples: vk.VkSampleCountFlagBits.VK_SAMPLE_COUNT_1_BIT,
        loadOp: options.color.load ? vk.VkAttachmentLoadOp.VK_ATTACHMENT_LOAD_OP_LOAD : vk.VkAttachmentLoadOp.VK_ATTACHMENT_LOAD_OP_CLEAR,
        storeOp: vk.VkAttachmentStoreOp.VK_ATTACHMENT_STORE_OP_STORE,
        stencilLoadOp: vk.VkAttachmentLoadOp.VK_ATTACHMENT_LOAD_OP_DONT_CARE,
        stencilStoreOp: vk.VkAttachmentStoreOp.VK_ATTACHMENT_STORE_OP_DONT_CARE,
        initialLayout: options.color.load ? options.color.finalLayout : L.VK_IMAGE_LAYOUT_UNDEFINED,
        finalLayout: options.color.finalLayout,
      }),
    ];
    if (options.depth) {
      attachments.push(
        new vk.VkAttachmentDescription({
          format: options.depth.format,
          samples: vk.VkSampleCountFlagBits.VK_SAMPLE_COUNT_1_BIT,
          loadOp: vk.VkAttachmentLoadOp.VK_ATTACHMENT_LOAD_OP_CLEAR,
          storeOp: vk.VkAttachmentStoreOp.VK_ATTACHMENT_STORE_OP_DONT_CARE,
          stencilLoadOp: vk.VkAttachmentLoadOp.VK_ATTACHMENT_LOAD_OP_DONT_CARE,
          stencilStoreOp: vk.VkAttachmentStoreOp.VK_ATTACHMENT_STORE_OP_DONT_CARE,
          initialLayout: L.VK_IMAGE_LAYOUT_UNDEFINED,
          finalLayout: L.VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL,
        }),
      );
    }
    const subpass = new vk.VkSubpassDescription({
      pipelineBindPoint: vk.VkPipelineBindPoint.VK_PIPELINE_BIND_POINT_GRAPHICS,
      colorAttachmentCount: 1,
      pColorAttachments: [new vk.VkAttachmentReference({ attachment: 0, layout: L.VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL })],
      pDepthStencilAttachment: options.depth
        ? new vk.VkAttachmentReference({ attachment: 1, layout: L.VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL })
        : null,
    });
    const P = vk.VkPipelineStageFlagBits;
    const A = vk.VkAccessFlagBits;
    // Earlier use of the target (a previous frame's copy or the compositor) finishes before we write it,
    // and our writes are visible to whatever reads the image after the pass (copies, presentation).
    const dependencies = [
      new vk.VkSubpassDependency({
        srcSubpass: vk.VK_SUBPASS_EXTERNAL,
        dstSubpass: 0,
        srcStageMask: P.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | P.VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | P.VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT | P.VK_PIPELINE_STAGE_TRANSFER_BIT,
        dstStageMask: P.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | P.VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | P.VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT,
        srcAccessMask: A.VK_ACCESS_TRANSFER_READ_BIT | A.VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT,
        dstAccessMask: A.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | A.VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | A.VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | A.VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT,
      }),
      new vk.VkSubpassDependency({
        srcSubpass: 0,
        dstSubpass: vk.VK_SUBPASS_EXTERNAL,
        srcStageMask: P.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
        dstStageMask: P.VK_PIPELINE_STAGE_TRANSFER_BIT | P.VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
        srcAccessMask: A.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
        dstAccessMask: A.VK_ACCESS_TRANSFER_READ_BIT,
      }),
    ];
    const info = new vk.VkRenderPassCreateInfo({
      attachmentCount: attachments.length,
      pAttachments: attachments,
      subpassCount: 1,
      pSubpasses: [subpass],
      dependencyCount: dependencies.length,
      pDependencies: dependencies,
    });
    check("vkCreateRenderPass", vk.vkCreateRenderPass(device.handle, info, null, this.handle));
    this.raw = rawHandle(this.handle);
  }

  /**
   * A render pass with one subpass: a colour attachment (cleared, or loaded with color.load) left in color.finalLayout, and
   * optionally a depth attachment cleared to 1.0. Its dependencies order the pass after earlier copies of the target and
   * before later copies or presentation. Throws VulkanError when creation fails.
   */
  static create(device: Device, options: RenderPassOptions): RenderPass {
    return adopt(new RenderPass(device, options), options);
  }
}

export interface FramebufferOptions extends Owned {
  renderPass: RenderPass;
  attachments: ImageView[];
  width: number;
  height: number;
}

/** The image views one render pass draws into, at a fixed size (Framebuffer.create). */
export class Framebuffer extends DeviceResource<VkTypes.VkFramebuffer> {
  readonly renderPass: RenderPass;
  readonly attachments: readonly ImageView[];
  readonly width: number;
  readonly height: number;
  /** Handle value, read once, for recording without allocation. */
  readonly raw: bigint;

  private constructor(device: Device, options: FramebufferOptions) {
    super(device, new vk.VkFramebuffer(), vk.vkDestroyFramebuffer);
    ({ renderPass: this.renderPass, attachments: this.attachments, width: this.width, height: this.height } = options);
    const info = new vk.VkFramebufferCreateInfo({
      renderPass: this.renderPass.handle,
      attachmentCount: this.attachments.length,
      pAttachments: this.attachments.map((a) => a.handle),
      width: this.width,
      height: this.height,
      layers: 1,
    });
    check("vkCreateFramebuffer", vk.vkCreateFramebuffer(device.handle, info, null, this.handle), `${this.width}x${this.height}`);
    this.raw = rawHandle(this.handle);
  }

  /** A framebuffer binding image views (colour, then depth) to a render pass at width x height pixels. Throws VulkanError when creation fails. */
  static create(device: Device, options: FramebufferOptions): Framebuffer {
    return adopt(new Framebuffer(device, options), options);
  }

  override toString(): string {
    return `Framebuffer ${this.width}x${this.height} (${this.attachments.length} attachment${this.attachments.length === 1 ? "" : "s"})`;
  }
}
