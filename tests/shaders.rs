//! Every generated kernel parses and validates with naga (the same naga wgpu uses), and the
//! host/shader parameter structs agree in size. Needs no device: runs everywhere.

use crate::common;

use climidx::kernels::abi::TileParams;
use climidx::kernels::samples::DataType;
use climidx::kernels::wgsl::kernel_source;
use climidx::kernels::{IndexDesc, INDICES, ROLE_SLOTS};
use wgpu::naga;

fn validate(indices: &[&IndexDesc]) -> naga::Module {
    validate_typed(indices, DataType::U16)
}

fn validate_typed(indices: &[&IndexDesc], dtype: DataType) -> naga::Module {
    common::naga_validate(&kernel_source(indices, &[Some(dtype); ROLE_SLOTS]))
}

#[test]
fn every_index_kernel_validates() {
    for d in INDICES {
        let m = validate(&[d]);
        assert!(
            m.entry_points.iter().any(|e| e.name == "main"),
            "{}",
            d.name
        );
        let f = m
            .functions
            .iter()
            .find(|(_, f)| f.name.as_deref() == Some(&format!("{}_px", d.name)));
        let (_, f) = f.unwrap_or_else(|| panic!("{}_px missing in WGSL", d.name));
        assert_eq!(
            f.arguments.len(),
            d.roles.len() + d.constants.len(),
            "{}_px arity",
            d.name
        );
    }
}

#[test]
fn fused_kernel_of_all_indices_validates_for_every_sample_type() {
    let all: Vec<&IndexDesc> = INDICES.iter().collect();
    for dt in DataType::ALL {
        validate_typed(&all, dt);
    }
}

#[test]
fn tile_params_layout_matches_wgsl() {
    let m = validate(&[&INDICES[0]]);
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(m.to_ctx()).unwrap();
    let (h, _) = m
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("TileParams"))
        .expect("TileParams");
    assert_eq!(layouter[h].size as usize, std::mem::size_of::<TileParams>());
    let (h, _) = m
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("BandParams"))
        .expect("BandParams");
    assert_eq!(
        layouter[h].size as usize,
        std::mem::size_of::<climidx::kernels::abi::BandParams>()
    );
}

#[test]
fn climatology_kernels_validate_for_every_sample_type() {
    use climidx::kernels::climatology::Stage;
    use climidx::kernels::wgsl::climatology_kernel as kernel_source;
    let mut stages: Vec<Stage> = DataType::ALL.into_iter().map(Stage::Accumulate).collect();
    stages.push(Stage::Finalize);
    for st in stages {
        let (_, src) = kernel_source(st);
        let module = common::naga_validate(&src);
        assert!(module.entry_points.iter().any(|e| e.name == "main"));
    }
}
