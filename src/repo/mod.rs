//! Facts about the repository, built once per audit from the files the single
//! scan kept; rules evaluate them and never read the file system themselves.

pub mod ci;
