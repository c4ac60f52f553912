// Public names of src/lattice/ (re-exports only).
export {};
