// shaders/common.wgsl — shared by every family: parameters, sample fetch/decode, result store.
//
// Bindings (every family):
//   @group(0) @binding(0) params: TileParams        (uniform)
//   @group(0) @binding(1) input:  array<u32>        (all bands of the window, packed)
//   @group(0) @binding(2) output: array<u32>        (f32 bits; output j at j * params.out_stride)
//
// The constants DT_*, ROLE_*, NODATA_*, ROLE_SLOTS, MAX_OUTPUTS, WG_SIZE and PX_PER_INVOCATION are
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
    pad0: u32,
    pad1: u32,
}

// Must be kept in sync with `TileParams` in src/indices/common.rs.
struct TileParams {
    pixel_count: u32,
    out_stride: u32,
    out_nodata_bits: u32,
    pad0: u32,
    bands: array<BandParams, ROLE_SLOTS>,
    k: array<vec4<f32>, MAX_OUTPUTS>,
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

// Fetch pixel i of the band in role slot `role` and decode it: raw -> validity -> raw*scale+offset.
fn fetch(role: u32, i: u32) -> Sample {
    let b = params.bands[role];
    var raw: u32;
    var value: f32;
    var valid = true;
    switch b.dtype {
        case DT_U8: {
            raw = (input[b.word_offset + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
            value = f32(raw);
        }
        case DT_I8: {
            raw = (input[b.word_offset + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
            value = f32(bitcast<i32>(raw << 24u) >> 24u);
        }
        case DT_U16: {
            raw = (input[b.word_offset + (i >> 1u)] >> ((i & 1u) * 16u)) & 0xffffu;
            value = f32(raw);
        }
        case DT_I16: {
            raw = (input[b.word_offset + (i >> 1u)] >> ((i & 1u) * 16u)) & 0xffffu;
            value = f32(bitcast<i32>(raw << 16u) >> 16u);
        }
        case DT_U32: {
            raw = input[b.word_offset + i];
            value = f32(raw);
        }
        case DT_I32: {
            raw = input[b.word_offset + i];
            value = f32(bitcast<i32>(raw));
        }
        default: {
            raw = input[b.word_offset + i];
            valid = is_finite_bits(raw);
            value = select(0.0, bitcast<f32>(raw), valid);
        }
    }
    if b.nodata_mode == NODATA_RAW && raw == b.nodata_bits {
        valid = false;
    }
    if b.nodata_mode == NODATA_FLOAT && valid && value == bitcast<f32>(b.nodata_bits) {
        valid = false;
    }
    value = value * b.scale + b.offset;
    return Sample(value, valid);
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
