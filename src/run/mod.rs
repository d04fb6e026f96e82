//! Run directories, snapshots, metrics logs and export.
