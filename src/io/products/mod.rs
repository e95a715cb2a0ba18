//! Knowledge of distributed products: where their bands are, how DNs become physical values.

pub mod landsat;
pub mod lst;
pub mod masks;
pub mod mtl;
pub mod presets;
pub mod stac;

use crate::error::Error;
use crate::kernels::Role;

/// A scene's missing file or metadata key `e` said as what it means: `who_needs` (`ndmi
/// needs`) the `role` band, which the product calls `label` (`Landsat B6`) and the scene has
/// no `lacks` (`file or MTL key`) for. Other errors are returned as they are.
pub fn needs_band(who_needs: &str, role: Role, label: &str, lacks: &str, e: Error) -> Error {
    match e {
        Error::Input { path, message } => {
            // The products' messages for an absent band file or key.
            let missing = message.ends_with(" is missing")
                || message.contains(" is missing from ")
                || message.starts_with("no ");
            let why = if missing {
                format!(", which the scene has no {lacks} for")
            } else {
                String::new()
            };
            Error::Input {
                path,
                message: format!(
                    "{who_needs} the {} band ({label}){why}: {message}",
                    role.name()
                ),
            }
        }
        e => e,
    }
}
