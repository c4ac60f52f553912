// Public names of src/ldlq/ (re-exports only).
export {};
