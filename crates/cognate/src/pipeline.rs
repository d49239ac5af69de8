//! The pipeline: ties the stages together.
