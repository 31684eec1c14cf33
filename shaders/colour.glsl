// Encodes scene light for the target: the GPU side of src/util/colour.ts (encodeSceneLight, which
// tests compare against). Scene light is linear, sRGB primaries, 1.0 = SDR reference white.
// params (shaderColourParams): x transfer (0 sRGB curve, 1 gamma 2.2, 2 PQ, 3 linear), y scale (PQ:
// 203 / 10000, so scene white is 203 cd/m²; linear: 203 / 80, scRGB's 1.0 being 80 cd/m²), z the
// target's primaries (0 sRGB, 1 Display P3, 2 BT.2020). The branches are uniform: one runs.

// linear sRGB → linear Display P3 / BT.2020 (column-major), from colour.ts conversionMatrix
const mat3 SRGB_TO_P3 = mat3(0.8224620, 0.0331942, 0.0170826, 0.1775380, 0.9668058, 0.0723974, 0.0, 0.0, 0.9105199);
const mat3 SRGB_TO_BT2020 = mat3(0.6274039, 0.0690973, 0.0163914, 0.3292830, 0.9195404, 0.0880133, 0.0433131, 0.0113623, 0.8955953);
const float TONE_KNEE = 0.8;

// SDR content (a texel, the SDR look) → linear light: the value on a 2.2-power display, sRGB's
// reference display and what compositors assume for untagged surfaces (colour.ts decodeSdr)
vec3 sdrDecode(vec3 c) {
    return pow(max(c, 0.0), vec3(2.2));
}

// identity below the knee, an exponential shoulder towards 1.0 above it (colour.ts toneMapSdr)
vec3 toneMapSdr(vec3 x) {
    vec3 room = vec3(1.0 - TONE_KNEE);
    vec3 shoulder = TONE_KNEE + room * (1.0 - exp(-(x - TONE_KNEE) / room));
    return mix(max(x, 0.0), shoulder, step(vec3(TONE_KNEE), x));
}

vec3 encodeSceneLight(vec3 rgb, vec4 params) {
    if (params.z == 1.0) rgb = SRGB_TO_P3 * rgb;
    else if (params.z == 2.0) rgb = SRGB_TO_BT2020 * rgb;
    if (params.x == 2.0) {
        // SMPTE ST 2084 inverse EOTF
        vec3 y = pow(clamp(rgb * params.y, 0.0, 1.0), vec3(0.1593017578125));
        return pow((0.8359375 + 18.8515625 * y) / (1.0 + 18.6875 * y), vec3(78.84375));
    }
    if (params.x == 3.0) return rgb * params.y;
    vec3 t = toneMapSdr(rgb);
    if (params.x == 1.0) return pow(t, vec3(1.0 / 2.2));
    return mix(12.92 * t, 1.055 * pow(t, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), t));
}
