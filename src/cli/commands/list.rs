//! `climidx list`: one built-in index per line, name first.

use crate::error::Result;
use crate::indices::INDICES;

pub fn run() -> Result<()> {
    for d in INDICES {
        let roles: Vec<&str> = d.roles.iter().map(|r| r.name()).collect();
        println!(
            "{:<8} {:<48} bands: {:<18} {}",
            d.name,
            d.long_name,
            roles.join(","),
            d.formula
        );
    }
    Ok(())
}
