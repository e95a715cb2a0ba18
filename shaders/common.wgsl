// shaders/common.wgsl — shared by every family: parameters, sample fetch/decode, result store.
//
// Bindings (every family):
//   @group(0) @binding(0) params: TileParams        (uniform)
//   @group(0) @binding(1) input:  array<u32>        (all bands of the window, packed)
//   @group(0) @binding(2) output: array<u32>        (f32 bits; output j at j * params.out_stride)
//
// The constants DT_*, ROLE_*, NODATA_*, ROLE_SLOTS, MAX_OUTPUTS, MAX_CONSTS, K_VEC4S, WG_SIZE and
// PX_PER_INVOCATION are
// generated from Rust
// (src/shaders.rs) and prepended, so they have one source of truth.
// Mirrored on the CPU by src/indices/common.rs: keep the two line-by-line comparable.
//
// WGSL lets implementations assume no NaN or infinity exists, so validity is tested on bit
// patterns (integer operations), never with `x != x`.

// Must be kept in sync with `BandParams` in src/indices/common.rs.
struct BandParams {
    dtype: u32,
    word_offset: u32,
    nodata_mode: u32,
    nodata_bits: u32,
    scale: f32,
    offset: f32,
    mask_mode: u32,
    mask_bits: u32,
}

// Must be kept in sync with `TileParams` in src/indices/common.rs.
struct TileParams {
    pixel_count: u32,
    out_stride: u32,
    out_nodata_bits: u32,
    n_outputs: u32,
    bands: array<BandParams, ROLE_SLOTS>,
    // constant c of output j: component c % 4 of k[j * MAX_CONSTS / 4 + c / 4]
    k: array<vec4<f32>, K_VEC4S>,
    // histogram range (lo, hi) of output j: hist[j / 2], components 2 (j % 2) and 2 (j % 2) + 1
    hist: array<vec4<f32>, HIST_VEC4S>,
}

@group(0) @binding(0) var<uniform> params: TileParams;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

struct Sample {
    value: f32,
    valid: bool,
}

struct Px {
    value: f32,
    valid: bool,
}

fn invalid_px() -> Px {
    return Px(0.0, false);
}

fn px_new(v: f32) -> Px {
    return Px(v, is_finite_bits(bitcast<u32>(v)));
}

// True unless the exponent bits are all ones (inf or NaN).
fn is_finite_bits(bits: u32) -> bool {
    return (bits & 0x7f800000u) != 0x7f800000u;
}

// Smallest positive normal f32 (f32::MIN_POSITIVE).
const MIN_NORMAL: f32 = 1.17549435e-38;

// num / den, or nodata when |den| is zero or subnormal (GPUs may flush subnormals to zero).
fn safe_div(num: f32, den: f32) -> Px {
    if abs(den) < MIN_NORMAL {
        return invalid_px();
    }
    return px_new(num / den);
}

// Sample fetch, one function per stored type; the generated entry point calls the one matching
// each band's type (no per-pixel type switch). Each reads the raw sample of pixel `i` from the
// band's packed words, then `decode` applies validity and scale/offset.

// Validity and scale/offset for a raw sample: nodata compared on the raw bits (integers) or the
// value (floats), then value * scale + offset.
fn decode(b: BandParams, raw: u32, value: f32, finite: bool) -> Sample {
    var valid = finite;
    if b.nodata_mode == NODATA_RAW && raw == b.nodata_bits {
        valid = false;
    }
    if b.nodata_mode == NODATA_FLOAT && valid && value == bitcast<f32>(b.nodata_bits) {
        valid = false;
    }
    let scaled = value * b.scale + b.offset;
    // A sample that overflows when scaled is invalid, so formulas only ever see finite values.
    return Sample(scaled, valid && is_finite_bits(bitcast<u32>(scaled)));
}

fn fetch_u8(b: BandParams, i: u32) -> Sample {
    let raw = (input[b.word_offset + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
    return decode(b, raw, f32(raw), true);
}

fn fetch_i8(b: BandParams, i: u32) -> Sample {
    let raw = (input[b.word_offset + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
    return decode(b, raw, f32(bitcast<i32>(raw << 24u) >> 24u), true);
}

fn fetch_u16(b: BandParams, i: u32) -> Sample {
    let raw = (input[b.word_offset + (i >> 1u)] >> ((i & 1u) * 16u)) & 0xffffu;
    return decode(b, raw, f32(raw), true);
}

fn fetch_i16(b: BandParams, i: u32) -> Sample {
    let raw = (input[b.word_offset + (i >> 1u)] >> ((i & 1u) * 16u)) & 0xffffu;
    return decode(b, raw, f32(bitcast<i32>(raw << 16u) >> 16u), true);
}

fn fetch_u32(b: BandParams, i: u32) -> Sample {
    let raw = input[b.word_offset + i];
    return decode(b, raw, f32(raw), true);
}

fn fetch_i32(b: BandParams, i: u32) -> Sample {
    let raw = input[b.word_offset + i];
    return decode(b, raw, f32(bitcast<i32>(raw)), true);
}

fn fetch_f32(b: BandParams, i: u32) -> Sample {
    let raw = input[b.word_offset + i];
    let finite = is_finite_bits(raw);
    return decode(b, raw, select(0.0, bitcast<f32>(raw), finite), finite);
}

// Whether mask sample `s` of band `b` masks its pixel (mask bands are decoded with scale 1 and
// offset 0, so the value is the raw integer). A mask sample that is nodata masks the pixel.
fn masked(b: BandParams, s: Sample) -> bool {
    if !s.valid {
        return true;
    }
    let raw = u32(max(s.value, 0.0));
    if b.mask_mode == MASK_BITS {
        return (raw & b.mask_bits) != 0u;
    }
    if b.mask_mode == MASK_CLASSES {
        return raw < 32u && ((b.mask_bits >> min(raw, 31u)) & 1u) == 1u;
    }
    return false;
}

// Store result `j` of pixel `i`: the value's bits, or the output nodata bits.
fn store(j: u32, i: u32, px: Px) {
    let bits = bitcast<u32>(px.value);
    output[j * params.out_stride + i] = select(params.out_nodata_bits, bits, px.valid && is_finite_bits(bits));
}

// First pixel handled by this invocation (2-D grid of 1-D workgroups; see src/gpu/dispatch.rs).
fn first_pixel(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return (gid.x + gid.y * nwg.x * WG_SIZE) * PX_PER_INVOCATION;
}

// erfc(x), fractional error < 1.2e-7 (Numerical Recipes `erfcc`): the Mann–Kendall p-value
// (trend.wgsl) and the Wilson–Hilferty gamma CDF (spi.wgsl). Mirrors `erfc_approx` in
// src/kernels/trend.rs.
fn erfc_approx(x: f32) -> f32 {
    let z = abs(x);
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.2655122
        + t * (1.0000237
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.135204
                                + t * (1.4885159 + t * (-0.8221522 + t * 0.17087277))))))));
    let r = t * exp(poly);
    return select(2.0 - r, r, x >= 0.0);
}
