// shaders/thermal.wgsl — brightness temperature, emissivity and land-surface temperature:
// bt_px, emissivity_px, lst_px, lst_sw_px, st_px (plus helpers brightness_px, lst_from_bt_px).
// Mirrored on the CPU by src/indices/thermal.rs (formulas, units, constants and citations there).
// Radiance in W/(m^2 sr um), temperatures in K (+ unit offset), wavelengths in um, rho in um K.

fn brightness_px(radiance: f32, k1: f32, k2: f32) -> Px {
    if radiance <= 0.0 {
        return invalid_px();
    }
    return safe_div(k2, log(k1 / radiance + 1.0));
}

fn bt_px(radiance: f32, k1: f32, k2: f32, unit_offset: f32) -> Px {
    let bt = brightness_px(radiance, k1, k2);
    if !bt.valid {
        return bt;
    }
    return px_new(bt.value + unit_offset);
}

fn emissivity_px(red: f32, nir: f32, mode: f32, ndvi_s: f32, ndvi_v: f32, eps_s: f32, eps_v: f32,
                 cavity: f32, soil_a: f32, soil_b: f32, soil_fixed: f32, eps_const: f32) -> Px {
    if mode > 1.5 {
        return px_new(eps_const);
    }
    let ndvi = nd_px(nir, red);
    if !ndvi.valid {
        return invalid_px();
    }
    let pv_lin = (ndvi.value - ndvi_s) / (ndvi_v - ndvi_s);
    if mode > 0.5 {
        let pv = clamp(pv_lin, 0.0, 1.0);
        return px_new(0.004 * (pv * pv) + 0.986);
    }
    if ndvi.value < ndvi_s {
        if soil_fixed > 0.0 {
            return px_new(soil_fixed);
        }
        return px_new(soil_a - soil_b * red);
    }
    if ndvi.value > ndvi_v {
        return px_new(eps_v);
    }
    let pv = pv_lin * pv_lin;
    let c = (1.0 - eps_s) * eps_v * cavity * (1.0 - pv);
    return px_new(eps_v * pv + eps_s * (1.0 - pv) + c);
}

fn lst_from_brightness_px(bt: f32, eps: f32, lambda_um: f32, rho_um_k: f32) -> Px {
    if eps <= 0.0 {
        return invalid_px();
    }
    return safe_div(bt, 1.0 + (lambda_um * bt / rho_um_k) * log(eps));
}

fn lst_px(red: f32, nir: f32, radiance: f32, k1: f32, k2: f32, lambda_um: f32, rho_um_k: f32,
          mode: f32, ndvi_s: f32, ndvi_v: f32, eps_s: f32, eps_v: f32, cavity: f32, soil_a: f32,
          soil_b: f32, soil_fixed: f32, eps_const: f32, unit_offset: f32) -> Px {
    let bt = brightness_px(radiance, k1, k2);
    let e = emissivity_px(red, nir, mode, ndvi_s, ndvi_v, eps_s, eps_v, cavity, soil_a, soil_b, soil_fixed, eps_const);
    if !(bt.valid && e.valid) {
        return invalid_px();
    }
    let t = lst_from_brightness_px(bt.value, e.value, lambda_um, rho_um_k);
    if !t.valid {
        return t;
    }
    return px_new(t.value + unit_offset);
}

fn lst_sw_px(red: f32, nir: f32, rad10: f32, rad11: f32, k1_10: f32, k2_10: f32, k1_11: f32,
             k2_11: f32, w: f32, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32,
             mode: f32, ndvi_s: f32, ndvi_v: f32, eps_s10: f32, eps_v10: f32, cavity: f32,
             soil_a10: f32, soil_b10: f32, soil_fixed: f32, eps_const: f32, eps_s11: f32,
             eps_v11: f32, soil_a11: f32, soil_b11: f32, unit_offset: f32) -> Px {
    let t10 = brightness_px(rad10, k1_10, k2_10);
    let t11 = brightness_px(rad11, k1_11, k2_11);
    let e10 = emissivity_px(red, nir, mode, ndvi_s, ndvi_v, eps_s10, eps_v10, cavity, soil_a10, soil_b10, soil_fixed, eps_const);
    let e11 = emissivity_px(red, nir, mode, ndvi_s, ndvi_v, eps_s11, eps_v11, cavity, soil_a11, soil_b11, soil_fixed, eps_const);
    if !(t10.valid && t11.valid && e10.valid && e11.valid) {
        return invalid_px();
    }
    let dt = t10.value - t11.value;
    let e = 0.5 * (e10.value + e11.value);
    let de = e10.value - e11.value;
    let lst = t10.value + c1 * dt + c2 * (dt * dt) + c0 + (c3 + c4 * w) * (1.0 - e) + (c5 + c6 * w) * de;
    return px_new(lst + unit_offset);
}

fn st_px(kelvin: f32, unit_offset: f32) -> Px {
    return px_new(kelvin + unit_offset);
}
