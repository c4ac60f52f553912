// Public names of src/rfft/ (re-exports only).
export {};
