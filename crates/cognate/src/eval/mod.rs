//! Eval: the project's own measurement harness over public data sets.
