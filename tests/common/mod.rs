//! Helpers shared by the end-to-end tests.

use std::collections::BTreeMap;
use std::path::Path;

/// Every record of a results directory without its wall time and thread
/// count (which say how a trial ran, not what it computed), with its curve
/// byte for byte, by trial id: what must be bit-identical across runs.
pub fn records_and_curves(dir: &Path) -> BTreeMap<String, (serde_json::Value, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("trials")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".json") else {
            continue;
        };
        let mut rec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
        rec["wall_seconds"] = 0.into();
        rec["provenance"]["blas"]["threads"] = 0.into();
        let curve = std::fs::read(dir.join("curves").join(format!("{id}.csv"))).unwrap();
        out.insert(id.to_string(), (rec, curve));
    }
    out
}
